"""The plots every front end shows (as PNG bytes): a session's decisive angle over time with the
target range shaded, and a measure's progress over sessions with its normal range."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

from analysis.records import Report
from outputs import presenter as say
from outputs.timeline import Timeline
from pose.angles import AngleSeries

SIDE_COLOURS = {"left": "tab:blue", "right": "tab:orange"}


def _png(fig, layout: bool = True) -> bytes:
    if layout:
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


def decisive_angles(report: Report) -> list[str]:
    """The angles a session is judged on, each plotted in its own panel: a self-test's settled
    angles (thigh to the table line and knee flexion for the Thomas test), else the target's."""
    result = report.exercise
    if result is None:
        return [plotted_angle(report)]
    names: list[str] = []
    if result.kind == "self_test":
        names = list(
            dict.fromkeys(
                n for s in result.sides.values() if s.values is not None for n in s.values.angles
            )
        )
        if not names:
            names = [
                (t.angle or "").partition(".")[2]
                for t in result.thresholds_used
                if t.key.startswith("verdict.findings.") and t.angle
            ]
    target = plotted_angle(report)
    return names or [target]


#: Degrees of the normal or target range kept in view beyond its limit, however far the data are.
BAND_IN_VIEW = 5.0


def _shade(ax, lo: float | None, hi: float | None, label: str) -> None:
    """Shade the band from lo to hi (an open end reaches past the data); the limits are always in
    view with BAND_IN_VIEW on both sides, so a leg far from the range shows how far, and a leg
    inside it shows by how much."""
    if lo is None and hi is None:
        return
    bottom, top = ax.get_ylim()
    for limit in (lo, hi):
        if limit is not None:
            bottom, top = min(bottom, limit - BAND_IN_VIEW), max(top, limit + BAND_IN_VIEW)
    span = top - bottom
    ax.axhspan(
        lo if lo is not None else bottom - span,
        hi if hi is not None else top + span,
        color="tab:green",
        alpha=0.13,
        label=label,
        zorder=0,
    )
    ax.set_ylim(bottom, top)


def angle_plot_png(
    report: Report,
    series: AngleSeries,
    timeline: Timeline | None = None,
    marks: Mapping[str, float] | None = None,
) -> bytes:
    """The decisive angle(s) of the measured legs over time: the normal or target range shaded, the
    settled stretch of a self-test, each fault's spans (from the engine's `timeline`) and the key
    frames' times (`marks`: side -> seconds) marked, as a PNG."""
    result = report.exercise
    names = decisive_angles(report)
    sides = (result.measured_sides if result else ()) or ("left", "right")
    fig, axes = plt.subplots(
        len(names), 1, figsize=(7.5, 1.2 + 1.9 * len(names)), dpi=150, sharex=True, squeeze=False
    )
    for ax, name in zip(axes[:, 0], names, strict=True):
        for side in sides:
            column = series.values.get(f"{side}_{name}")
            if column is not None and np.any(np.isfinite(column)):
                ax.plot(series.t, column, label=f"{side} leg", lw=1.3, color=SIDE_COLOURS[side])
        if result is not None:
            lo, hi = say.normal_band(result, f"working.{name}")
            _shade(ax, lo, hi, say.plot_band_words(result.kind))
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set_ylabel(say.plot_axis_words(name), fontsize=8)
        ax.grid(alpha=0.3)
        _mark_session(ax, report, timeline, marks)
    axes[-1, 0].set_xlabel("seconds from the start of the recording")
    axes[0, 0].set_title(say.plot_title(names), fontsize=9)
    handles, labels = {}, []
    for ax in axes[:, 0]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend(
        [handles[lab] for lab in labels], labels, fontsize=7, loc="lower center", ncol=3,
        frameon=False,
    )  # fmt: skip
    rows = math.ceil(len(labels) / 3)
    legend_in = 0.17 * rows + 0.08  # inches the legend takes below the panels
    fig.tight_layout(rect=(0, legend_in / fig.get_figheight(), 1, 1))
    return _png(fig, layout=False)


FAULT_COLOURS = ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _mark_session(
    ax, report: Report, timeline: Timeline | None, marks: Mapping[str, float] | None
) -> None:
    result = report.exercise
    if result is None:
        return
    for side in result.measured_sides:
        v = result.sides[side].values
        if v is not None and v.window is not None:
            ax.axvspan(
                v.window.start_s, v.window.end_s, color=SIDE_COLOURS[side], alpha=0.08, zorder=0,
                label=say.plot_window_words(side),
            )  # fmt: skip
    if timeline is not None:
        ids = list(dict.fromkeys(s.fault for s in timeline.fault_spans))
        for span in timeline.fault_spans:
            colour = FAULT_COLOURS[ids.index(span.fault) % len(FAULT_COLOURS)]
            ax.axvspan(
                span.start_s, span.end_s, color=colour, alpha=0.22, hatch="//", lw=0, zorder=0,
                label=say.plot_fault_words(span.name, span.side),
            )  # fmt: skip
    for side, t in (marks or {}).items():
        ax.axvline(
            t, color=SIDE_COLOURS[side], ls=":", lw=1.4, label=say.plot_key_frame_words(side)
        )


def progress_plot_png(
    when: Sequence[datetime],
    values: dict[str, Sequence[float | None]],
    title: str,
    unit: str,
    band: tuple[float | None, float | None] = (None, None),
    band_label: str = "normal range",
    span: tuple[datetime, datetime] | None = None,
) -> bytes:
    """One measure per session for each leg over time, the normal range shaded, each point's value
    written beside it (up to a dozen sessions); dates in this computer's time zone. `span` (the
    first and last session of every chart on a page) gives charts side by side one time axis."""
    fig, ax = plt.subplots(figsize=(6.0, 3.0), dpi=150)
    local = [w.astimezone().replace(tzinfo=None) for w in when]
    for side, series in values.items():
        y = np.array([np.nan if v is None else v for v in series], dtype=float)
        if not np.any(np.isfinite(y)):
            continue
        colour = SIDE_COLOURS.get(side)
        seen = np.isfinite(y)
        x = [t for t, ok in zip(local, seen, strict=True) if ok]
        ax.plot(x, y[seen], "o-", label=f"{side} leg", color=colour, lw=1.6, ms=6)
        if len(x) <= 12:
            for xi, yi in zip(x, y[seen], strict=True):
                ax.annotate(
                    say.measure_text(float(yi), unit), (xi, yi), textcoords="offset points",
                    xytext=(6, 5 if side == "left" else -13), fontsize=8, color=colour,
                )  # fmt: skip
    ax.margins(y=0.2)  # room for the values written beside the points
    lo, hi = band
    if lo is not None or hi is not None:
        _shade(ax, lo, hi, band_label)
    first, last = span if span else (min(when), max(when))
    first, last = first.astimezone().replace(tzinfo=None), last.astimezone().replace(tzinfo=None)
    pad = max((last - first) * 0.12, timedelta(hours=12))
    ax.set_xlim(first - pad, last + pad)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            locator,
            formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
        )
    )
    ax.tick_params(labelsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("degrees" if unit == "°" else ("seconds" if unit == "s" else "count"), fontsize=9)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return _png(fig)
