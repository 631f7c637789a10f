"""Angle series -> files and summaries: angles.csv and the per-side angle statistics of report.json."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from pose.angles import ANGLE_COLUMNS, SIDE_ANGLES, AngleSeries
from pose.landmarks import SIDES

CSV_COLUMNS: tuple[str, ...] = ("t_s", "frame", *ANGLE_COLUMNS)


def _cell(value: float, digits: int) -> str:
    return "" if not math.isfinite(value) else f"{value:.{digits}f}"


def write_angles_csv(series: AngleSeries, path: str | Path) -> None:
    """One row per frame, columns as DESIGN.md lists them; an empty cell where not measured."""
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for i in range(len(series)):
            row = [f"{series.t[i]:.4f}", str(i)]
            for name in ANGLE_COLUMNS:
                row.append(
                    _cell(
                        float(series.values[name][i]),
                        3 if name.endswith("visibility") else 2,
                    )
                )
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


def stats(x: np.ndarray) -> dict[str, float | None]:
    """min, median and max over the measured frames; null when there are none."""
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return {"min": None, "median": None, "max": None}
    return {
        "min": round(float(finite.min()), 2),
        "median": round(float(np.median(finite)), 2),
        "max": round(float(finite.max()), 2),
    }


def side_summaries(series: AngleSeries) -> dict[str, dict[str, object]]:
    """Per side: whether it was measured and each angle's min, median and max."""
    out: dict[str, dict[str, object]] = {}
    for side in SIDES:
        angles = {name: stats(series.values[f"{side}_{name}"]) for name in SIDE_ANGLES}
        measured = bool(np.any(np.isfinite(series.values[f"{side}_hip_extension_deg"])))
        out[side] = {"measured": measured, "angles": angles}
    return out
