"""The DESIGN.md angles computed from projected truth joints — written apart from `pose/`.

The truth must not inherit a bug from the code it checks, so this is a second, independent
implementation. It also knows what the pipeline has to guess: which way the person faces (from
the body's own forward direction, projected) and whether they are lying (from the scene).
Pixels, x right, y down; degrees out.
"""

from __future__ import annotations

import numpy as np

LEFT = {"shoulder": 11, "hip": 23, "knee": 25, "ankle": 27}
RIGHT = {"shoulder": 12, "hip": 24, "knee": 26, "ankle": 28}
ANGLE_NAMES: tuple[str, ...] = (
    "left_hip_extension_deg",
    "right_hip_extension_deg",
    "left_knee_flexion_deg",
    "right_knee_flexion_deg",
    "left_thigh_to_horizontal_deg",
    "right_thigh_to_horizontal_deg",
    "trunk_incline_deg",
)


def _norm(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _signed_angle(v: np.ndarray, zero: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Angle of v from the `zero` direction, + when turning towards `positive` (degrees)."""
    return np.degrees(np.arctan2(np.sum(v * positive, -1), np.sum(v * zero, -1)))


def design_angles(
    points: np.ndarray, forward_hint: np.ndarray, lying: np.ndarray
) -> dict[str, np.ndarray]:
    """All DESIGN.md angles per frame.

    Args:
        points: (N, 33, 2) pixels in BlazePose's layout.
        forward_hint: (N, 2) any image vector on the side the person faces.
        lying: (N,) bool, the person lies on the table (table line = trunk line, no trunk incline).
    """
    shoulder = (points[:, 11] + points[:, 12]) / 2
    hip = (points[:, 23] + points[:, 24]) / 2
    down = _norm(hip - shoulder)
    perp = np.stack([-down[:, 1], down[:, 0]], axis=-1)
    sign = np.sign(np.sum(perp * forward_hint, -1))
    forward = perp * sign[:, None]
    facing_x = np.sign(forward[:, 0])
    horizontal = np.stack([facing_x, np.zeros_like(facing_x)], -1)
    image_up = np.broadcast_to([0.0, -1.0], forward.shape)
    along = np.where(lying[:, None], down, horizontal)
    up = np.where(lying[:, None], forward, image_up)
    out: dict[str, np.ndarray] = {}
    for side, idx in (("left", LEFT), ("right", RIGHT)):
        h, k, a = points[:, idx["hip"]], points[:, idx["knee"]], points[:, idx["ankle"]]
        thigh, shank = k - h, a - k
        out[f"{side}_hip_extension_deg"] = _signed_angle(thigh, down, -forward)
        cos = np.sum(_norm(thigh) * _norm(shank), -1)
        out[f"{side}_knee_flexion_deg"] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        out[f"{side}_thigh_to_horizontal_deg"] = _signed_angle(thigh, along, up)
    trunk_up = shoulder - hip
    incline = np.degrees(np.arctan2(trunk_up[:, 0] * facing_x, -trunk_up[:, 1]))
    out["trunk_incline_deg"] = np.where(lying, np.nan, incline)
    return {name: out[name] for name in ANGLE_NAMES}


def body_forward(trunk_deg: np.ndarray, yaw_deg: np.ndarray) -> np.ndarray:
    """(N, 3) the way the trunk faces in the world (−Y at rest), after its incline and turn."""
    a, y = np.radians(trunk_deg), np.radians(yaw_deg)
    fy, fz = -np.cos(a), -np.sin(a)
    return np.stack([-fy * np.sin(y), fy * np.cos(y), fz], axis=-1)


def sagittal_view(
    points3d: np.ndarray, trunk_deg: np.ndarray, yaw_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The body seen exactly side-on from infinitely far: the anatomical (sagittal) angles' view.

    Projects (N, 33, 3) world points orthographically onto the body's sagittal plane, with x along
    the body's horizontal forward and y down, so `design_angles` on the result gives the angles a
    perfect side-on camera would: what a tilted or turned camera's projection is compared with.
    Returns (points (N, 33, 2), forward hint (N, 2)).
    """
    y = np.radians(yaw_deg)
    ahead = np.stack([np.sin(y), -np.cos(y), np.zeros_like(y)], axis=-1)  # horizontal forward
    x = np.einsum("nkd,nd->nk", points3d, ahead)
    pts = np.stack([x, -points3d[..., 2]], axis=-1)
    f = body_forward(trunk_deg, yaw_deg)
    hint = np.stack([np.sum(f * ahead, -1), -f[:, 2]], axis=-1)
    return pts, hint
