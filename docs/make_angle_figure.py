"""Draw docs/angles.png: constructed people with the DESIGN.md angles marked (run from the repo root)."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pose_builder import build_track  # noqa: E402

from pose.angles import compute_angles  # noqa: E402
from pose.drawing import AngleAnnotator, SkeletonAnnotator  # noqa: E402

PANELS = (
    (
        "standing, facing right",
        dict(
            facing=1,
            right_hip_extension_deg=20,
            left_hip_extension_deg=-25,
            left_knee_flexion_deg=30,
            trunk_incline_deg=5,
        ),
    ),
    (
        "half-kneeling lunge, facing left",
        dict(
            facing=-1,
            right_hip_extension_deg=-80,
            right_knee_flexion_deg=85,
            left_hip_extension_deg=15,
            left_knee_flexion_deg=100,
            trunk_incline_deg=0,
        ),
    ),
    (
        "Thomas test, lying",
        dict(
            facing=1,
            trunk_incline_deg=-90,
            left_hip_extension_deg=-125,
            left_knee_flexion_deg=120,
            right_hip_extension_deg=10,
            right_knee_flexion_deg=80,
        ),
    ),
)


def panel(title: str, kw: dict) -> np.ndarray:
    w, h = 420, 400
    lying = kw.get("trunk_incline_deg") == -90
    hip = (w * 0.6, h * 0.5) if lying else (w / 2, h * 0.45)
    track = build_track(np.zeros(1), image_size=(w, h), hip_px=hip, trunk_px=85, **kw)
    series = compute_angles(track)
    img = np.full((h, w, 3), 255, np.uint8)
    SkeletonAnnotator(thickness=3).annotate(img, track.landmarks[0])
    row = series.frame(0)
    AngleAnnotator(color=(0, 130, 0), font_scale=0.4).annotate(img, track.landmarks[0], row)
    lines = [title]
    for side in ("left", "right"):
        lines.append(
            f"{side}: hip ext {row[f'{side}_hip_extension_deg']:+.0f}, knee {row[f'{side}_knee_flexion_deg']:.0f}, "
            f"thigh/horiz {row[f'{side}_thigh_to_horizontal_deg']:+.0f}"
        )
    trunk = row["trunk_incline_deg"]
    lines.append("trunk incline " + ("n/a (lying)" if np.isnan(trunk) else f"{trunk:+.0f}"))
    for i, text in enumerate(lines):
        cv2.putText(
            img, text, (8, 20 + 18 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA
        )
    cv2.putText(
        img,
        "blue = left, orange = right",
        (8, h - 10),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.4,
        (90, 90, 90),
        1,
        cv2.LINE_AA,
    )
    return img


def main() -> None:
    figure = np.hstack([panel(t, kw) for t, kw in PANELS])
    cv2.imwrite(str(ROOT / "docs" / "angles.png"), figure)


if __name__ == "__main__":
    main()
