"""One annotated frame: skeleton, angle arcs and values, the cue of the moment, and for the live
coach the working leg's panel, the target (gauge or table line), hold progress and counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.drawing import (
    AngleAnnotator,
    GaugeAnnotator,
    PanelAnnotator,
    SkeletonAnnotator,
    TableLineAnnotator,
    TextAnnotator,
)


@dataclass(frozen=True)
class Gauge:
    """The working angle against its target band, in degrees (None: that side of the band open)."""

    value: float | None
    band_lo: float | None
    band_hi: float | None
    lo: float = -30.0
    hi: float = 40.0


@dataclass(frozen=True)
class Overlay:
    """What the live video shows beside the skeleton; every text already in words.

    Attributes:
        cue: the cue (or instruction) of the moment, wrapped on the top band.
        side: the working leg ("left"/"right"), None when none is working yet.
        value, caption: the working hip's angle in large type ("+12°") and what it is.
        state: "good", "short", "fault" or "neutral": the value's colour.
        progress, progress_text: the hold's (or steady time's) share done, 0..1, and its words.
        counts: reps and holds so far, in words.
        gauge: the target band as a gauge, None where none applies.
        table_line: "trunk" or "image" to draw the table line through the working hip, else None.
    """

    cue: str = ""
    side: str | None = None
    value: str = ""
    caption: str = ""
    state: str = "neutral"
    progress: float | None = None
    progress_text: str = ""
    counts: str = ""
    gauge: Gauge | None = None
    table_line: str | None = None


def annotate_frame(
    frame: np.ndarray,
    landmarks: np.ndarray,
    angles: dict[str, float | str],
    text: str = "",
    overlay: Overlay | None = None,
) -> np.ndarray:
    """Draw on one BGR frame (in place): the skeleton, the hip and knee angles, and `text` (or,
    live, the `overlay`: cue, panel, gauge, table line). Labels keep clear of the panels."""
    values = {k: v for k, v in angles.items() if isinstance(v, float)}
    SkeletonAnnotator().annotate(frame, landmarks)
    if overlay is None:
        AngleAnnotator().annotate(frame, landmarks, values)
        return TextAnnotator().annotate(frame, text)
    if overlay.table_line and overlay.side:
        TableLineAnnotator().annotate(frame, landmarks, overlay.side, overlay.table_line)
    cue = TextAnnotator()
    cue.annotate(frame, overlay.cue or text)
    top = cue.box[3] if cue.box else 0
    panel = PanelAnnotator()
    panel.annotate(
        frame,
        top,
        overlay.value,
        overlay.caption,
        overlay.state,
        overlay.progress,
        overlay.progress_text,
        overlay.counts,
    )
    avoid = [b for b in (cue.box, panel.box) if b is not None]
    if overlay.gauge is not None:
        g = overlay.gauge
        gauge = GaugeAnnotator()
        gauge.annotate(frame, g.value, (g.band_lo, g.band_hi), g.lo, g.hi)
        avoid.append(gauge.box)
    AngleAnnotator().annotate(frame, landmarks, values, avoid=tuple(avoid))
    return frame
