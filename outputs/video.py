"""The annotated copy of a recording (or of a still image), with the cues at the time they were given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2

from exercises.result import CueRecord
from pose.angles import AngleSeries
from pose.render import annotate_frame
from pose.sources import open_source
from pose.track import PoseTrack


def cue_at(cues: Sequence[CueRecord], shown_s: float) -> Callable[[float], str]:
    """The cue to draw at time t: the latest one given in the last `shown_s` seconds."""
    timed = [(float(c.t_s), c.message) for c in cues if c.t_s is not None]

    def text(t: float) -> str:
        shown = [message for ct, message in timed if ct <= t < ct + shown_s]
        return shown[-1] if shown else ""

    return text


def write_annotated_image(
    source_path: str | Path, track: PoseTrack, series: AngleSeries, out_path: str | Path
) -> None:
    frame = cv2.imread(str(source_path))
    cv2.imwrite(str(out_path), annotate_frame(frame, track.landmarks[0], series.frame(0)))


def write_annotated_video(
    source_path: str | Path,
    track: PoseTrack,
    series: AngleSeries,
    out_path: str | Path,
    text_at: Callable[[float], str] | None = None,
) -> None:
    """Re-read the recording and write it with the analysis drawn on (mp4, the recording's rate)."""
    source = open_source(source_path)
    info = source.info()
    fps = info.fps or 30.0
    writer = cv2.VideoWriter(
        str(out_path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (info.width, info.height)
    )
    try:
        for i, (t, frame) in enumerate(source.frames()):
            if i >= len(track):
                break
            text = text_at(t) if text_at else ""
            writer.write(annotate_frame(frame, track.landmarks[i], series.frame(i), text))
    finally:
        writer.release()
