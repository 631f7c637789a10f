"""The plots every front end shows (as PNG bytes): a session's decisive angle over time with the
target range shaded, and a measure's progress over sessions with its normal range."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

from analysis.records import Report
from exercises.result import ExerciseResult
from outputs import presenter as say
from pose.angles import AngleSeries

SIDE_COLOURS = {"left": "tab:blue", "right": "tab:orange"}


def _png(fig) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def plotted_angle(report: Report) -> str:
    """The angle the exercise is judged on (hip extension when there is no exercise)."""
    if report.exercise is None:
        return "hip_extension_deg"
    return (
        report.exercise.thresholds.get("target", {})
        .get("angle", "working.hip_extension_deg")
        .partition(".")[2]
        or "hip_extension_deg"
    )  # type: ignore[union-attr]


def _target_band(result: ExerciseResult | None) -> tuple[float | None, float | None]:
    if result is None:
        return None, None
    lo, hi = result.threshold("target.min"), result.threshold("target.max")
    return (lo.value if lo else None), (hi.value if hi else None)


def angle_plot_png(report: Report, series: AngleSeries) -> bytes:
    """The decisive angle of both legs over time, the target range shaded, as a PNG."""
    name = plotted_angle(report)
    fig, ax = plt.subplots(figsize=(7.5, 2.6), dpi=150)
    sides = report.exercise.measured_sides if report.exercise else ("left", "right")
    for side in sides or ("left", "right"):
        column = series.values.get(f"{side}_{name}")
        if column is not None and np.any(np.isfinite(column)):
            ax.plot(series.t, column, label=f"{side} leg", lw=1.2, color=SIDE_COLOURS[side])
    lo, hi = _target_band(report.exercise)
    if lo is not None or hi is not None:
        bottom, top = ax.get_ylim()
        ax.axhspan(
            lo if lo is not None else min(bottom, hi - 20),  # type: ignore[operator]
            hi if hi is not None else max(top, lo + 20),  # type: ignore[operator]
            color="tab:green",
            alpha=0.12,
            label="target range",
        )
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("seconds")
    ax.set_ylabel("degrees")
    ax.set_title(f"{say.angle_words(name).capitalize()} over time", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return _png(fig)


def progress_plot_png(
    when: Sequence[datetime],
    values: dict[str, Sequence[float | None]],
    title: str,
    unit: str,
    band: tuple[float | None, float | None] = (None, None),
) -> bytes:
    """One measure per session for each leg over time, the normal range shaded."""
    fig, ax = plt.subplots(figsize=(7.5, 2.6), dpi=130)
    x = [w.astimezone() for w in when]
    for side, series in values.items():
        y = np.array([np.nan if v is None else v for v in series], dtype=float)
        if np.any(np.isfinite(y)):
            ax.plot(x, y, "o-", label=f"{side} leg", color=SIDE_COLOURS.get(side), lw=1.2)
    lo, hi = band
    if lo is not None or hi is not None:
        bottom, top = ax.get_ylim()
        ax.axhspan(
            lo if lo is not None else min(bottom, hi - 20),
            hi if hi is not None else max(top, lo + 20),
            color="tab:green",
            alpha=0.12,
            label="normal range",
        )  # type: ignore[operator]
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(unit)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d\n%H:%M"))
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return _png(fig)
