"""One annotated frame: skeleton, angle arcs and values, and the cue of the moment."""

from __future__ import annotations

import numpy as np

from pose.drawing import AngleAnnotator, SkeletonAnnotator, TextAnnotator


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
