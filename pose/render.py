"""An annotated copy of a recording: skeleton, angle arcs and values, and the cue of the moment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from pose.angles import AngleSeries
from pose.drawing import AngleAnnotator, SkeletonAnnotator, TextAnnotator
from pose.sources import open_source
from pose.track import PoseTrack


def annotate_frame(
    frame: np.ndarray,
    landmarks: np.ndarray,
    angles: dict[str, float | str],
    text: str = "",
) -> np.ndarray:
    """Draw the skeleton, the hip and knee angles and a line of text on one BGR frame."""
    SkeletonAnnotator().annotate(frame, landmarks)
    AngleAnnotator().annotate(
        frame, landmarks, {k: v for k, v in angles.items() if isinstance(v, float)}
    )
    return TextAnnotator().annotate(frame, text)


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
