"""angles.csv: one row per frame of an angle series (columns as ../shared/DESIGN.md lists them)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TextIO

import numpy as np

from pose.angles import ANGLE_COLUMNS, AngleSeries

CSV_COLUMNS: tuple[str, ...] = ("t_s", "frame", *ANGLE_COLUMNS)


def _cell(value: float, digits: int) -> str:
    return "" if not math.isfinite(value) else f"{value:.{digits}f}"


def write_angles_csv(series: AngleSeries, path: str | Path) -> None:
    """One row per frame, columns as DESIGN.md lists them; an empty cell where not measured."""
    with open(path, "w", newline="") as fh:
        _write_rows(series, fh)


def angles_csv_text(series: AngleSeries) -> str:
    """angles.csv as text, for a download that never touches the disk."""
    buf = io.StringIO(newline="")
    _write_rows(series, buf)
    return buf.getvalue()


def _write_rows(series: AngleSeries, fh: TextIO) -> None:
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    for i in range(len(series)):
        row = [f"{series.t[i]:.4f}", str(i)]
        for name in ANGLE_COLUMNS:
            digits = 3 if name.endswith("visibility") else 2
            row.append(_cell(float(series.values[name][i]), digits))
        writer.writerow(row)


def read_angles_csv(path: str | Path) -> dict[str, np.ndarray]:
    """angles.csv back into arrays (empty cells become NaN)."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        name: np.array(
            [float(r[name]) if r[name] != "" else np.nan for r in rows],
            dtype=np.float64,
        )
        for name in CSV_COLUMNS
    }
