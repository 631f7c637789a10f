"""Compare measured angle series with a clip's truth: which frames, which leg, what error.

Numpy only, shared by the accuracy command and the clip tests, so the tolerances the tests use are
measured the way the accuracy report measures them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.truth import Truth

#: The four angles of the tested leg (and the trunk) that the report scores.
SCORED = ("hip_extension_deg", "knee_flexion_deg", "thigh_to_horizontal_deg", "trunk_incline_deg")


@dataclass(frozen=True)
class ErrorStats:
    """Signed error statistics of measured − truth, degrees."""

    bias: float
    mae: float
    worst: float
    n: int

    def cell(self) -> str:
        if self.n == 0:
            return "–"
        return f"{self.bias:+.1f} / {self.mae:.1f} / {self.worst:.1f}"


def stats(measured: np.ndarray, truth: np.ndarray, mask: np.ndarray | None = None) -> ErrorStats:
    """Bias, mean absolute error and worst absolute error over frames where both are finite."""
    ok = np.isfinite(measured) & np.isfinite(truth)
    if mask is not None:
        ok &= mask
    if not ok.any():
        return ErrorStats(np.nan, np.nan, np.nan, 0)
    e = measured[ok] - truth[ok]
    return ErrorStats(
        float(e.mean()), float(np.abs(e).mean()), float(np.abs(e).max()), int(ok.sum())
    )


def leg_under_test(truth: Truth) -> np.ndarray:
    """(N,) "left"/"right" per frame, "" where no leg is under test (turning round)."""
    n = len(truth.t)
    expect = truth.meta.get("expect", {})
    sides = expect.get("sides")
    if not sides:
        return np.full(n, truth.meta["side"])
    start, end = expect["switch_s"]
    out = np.full(n, "", dtype=object)
    out[truth.t < start] = sides[0]
    out[truth.t > end] = sides[1]
    return out


def per_side_column(values: dict[str, np.ndarray], name: str, side: np.ndarray) -> np.ndarray:
    """(N,) the column `name` of the tested leg, frame by frame (NaN where no leg is tested)."""
    if name == "trunk_incline_deg":
        return np.where(side != "", values[name], np.nan)
    left, right = values[f"left_{name}"], values[f"right_{name}"]
    return np.where(side == "left", left, np.where(side == "right", right, np.nan))


def read_angles_csv(path: Path, n_frames: int) -> dict[str, np.ndarray]:
    """analyze.py's angles.csv as columns, placed by its `frame` index (NaN for missing rows)."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path} has no rows")
    cols = [c for c in rows[0] if c not in ("t_s", "frame")]
    out = {c: np.full(n_frames, np.nan) for c in cols}
    for r in rows:
        i = int(r["frame"])
        if 0 <= i < n_frames:
            for c in cols:
                out[c][i] = float(r[c]) if r[c] not in ("", None) else np.nan
    return out
