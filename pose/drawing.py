"""Annotators: skeleton, angle arcs with their values, and a text line, drawn on a BGR frame.

Small classes in the style of supervision's annotators: style in the constructor, one
`annotate(frame, ...)` that returns the frame (drawn in place).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import cv2
import numpy as np

from pose.landmarks import SIDE_POINTS, SKELETON_EDGES, VISIBILITY_THRESHOLD

Color = tuple[int, int, int]


def outlined_text(
    frame: np.ndarray, text: str, org: tuple[int, int], scale: float, color: Color, outline: int
) -> None:
    """Text with a dark outline, readable on light and dark backgrounds alike."""
    for c, thickness in (((0, 0, 0), outline), (color, 1)):
        cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, c, thickness, cv2.LINE_AA)


class SkeletonAnnotator:
    """Bones between seen landmarks; the person's left in one colour, right in another."""

    def __init__(
        self,
        left_color: Color = (255, 160, 0),
        right_color: Color = (0, 140, 255),
        centre_color: Color = (230, 230, 230),
        thickness: int = 3,
        threshold: float = VISIBILITY_THRESHOLD,
    ) -> None:
        self.left_color, self.right_color, self.centre_color = (
            left_color,
            right_color,
            centre_color,
        )
        self.thickness = thickness
        self.threshold = threshold

    def annotate(self, frame: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """landmarks: (33, 4) normalised x, y, z, visibility of one frame."""
        h, w = frame.shape[:2]
        if not np.any(np.isfinite(landmarks[:, 0])):
            return frame
        pts = np.nan_to_num(landmarks[:, :2] * np.array([w, h])).astype(int)
        seen = np.nan_to_num(landmarks[:, 3], nan=0.0) >= self.threshold
        for a, b in SKELETON_EDGES:
            if not (seen[a] and seen[b]):
                continue
            if a % 2 == 1 and b % 2 == 1:
                color = self.left_color
            elif a % 2 == 0 and b % 2 == 0:
                color = self.right_color
            else:
                color = self.centre_color
            cv2.line(frame, tuple(pts[a]), tuple(pts[b]), color, self.thickness, cv2.LINE_AA)
        for i in np.flatnonzero(seen):
            cv2.circle(
                frame,
                tuple(pts[i]),
                self.thickness + 1,
                (255, 255, 255),
                -1,
                cv2.LINE_AA,
            )
        return frame


class AngleAnnotator:
    """An arc at each hip and knee with its value in degrees, written beside the joint."""

    def __init__(
        self,
        color: Color = (40, 220, 40),
        radius_frac: float = 0.05,
        font_scale: float | None = None,
    ) -> None:
        self.color = color
        self.radius_frac = radius_frac
        self.font_scale = font_scale

    def _arc(
        self,
        frame: np.ndarray,
        centre: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        radius: int,
    ) -> None:
        start = math.degrees(math.atan2(a[1] - centre[1], a[0] - centre[0]))
        end = math.degrees(math.atan2(b[1] - centre[1], b[0] - centre[0]))
        sweep = (end - start + 540.0) % 360.0 - 180.0
        c = (int(centre[0]), int(centre[1]))
        cv2.ellipse(
            frame,
            c,
            (radius, radius),
            0,
            start,
            start + sweep,
            self.color,
            2,
            cv2.LINE_AA,
        )

    def annotate(
        self,
        frame: np.ndarray,
        landmarks: np.ndarray,
        angles: Mapping[str, float],
        sides: tuple[str, ...] = ("left", "right"),
    ) -> np.ndarray:
        """angles: one frame's mapping (as `AngleSeries.frame`); NaN values are not drawn."""
        h, w = frame.shape[:2]
        if not np.any(np.isfinite(landmarks[:, 0])):
            return frame
        pts = landmarks[:, :2].astype(np.float64) * np.array([w, h])
        radius = max(8, int(self.radius_frac * min(w, h)))
        scale = self.font_scale or max(0.4, min(w, h) / 900.0)
        outline = max(2, round(scale * 5))
        for side in sides:
            p = SIDE_POINTS[side]
            shoulder, hip, knee, ankle = (pts[p[k]] for k in ("shoulder", "hip", "knee", "ankle"))
            for joint, a, b, name, label in (
                (hip, 2 * hip - shoulder, knee, f"{side}_hip_extension_deg", "hip"),
                (knee, 2 * knee - hip, ankle, f"{side}_knee_flexion_deg", "knee"),
            ):
                value = float(angles.get(name, math.nan))
                if not (math.isfinite(value) and np.all(np.isfinite([joint, a, b]))):
                    continue
                self._arc(frame, joint, a, b, radius)
                text = (
                    f"{side[0].upper()} {label} {value:+.0f}"
                    if label == "hip"
                    else f"{side[0].upper()} {label} {value:.0f}"
                )
                # both sides' joints often coincide in a side view: left labels above, right below
                dy = -4 if side == "left" else int(26 * scale)
                x = joint[0] + radius + 4
                (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, outline)
                if x + tw > w:
                    # near the right edge the label would be cut off: put it left of the joint
                    x = max(0.0, joint[0] - radius - 4 - tw)
                org = (int(x), int(joint[1] + dy))
                outlined_text(frame, text, org, scale, self.color, outline)
        return frame


class TextAnnotator:
    """One line of text (a cue, a status) on a dark band at the top of the frame."""

    def __init__(self, color: Color = (255, 255, 255), band: Color = (30, 30, 30)) -> None:
        self.color, self.band = color, band

    def annotate(self, frame: np.ndarray, text: str) -> np.ndarray:
        if not text:
            return frame
        w = frame.shape[1]
        scale = max(0.5, w / 1400.0)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        cv2.rectangle(frame, (0, 0), (min(w, tw + 20), th + 20), self.band, -1)
        cv2.putText(
            frame,
            text,
            (10, th + 10),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            self.color,
            2,
            cv2.LINE_AA,
        )
        return frame
