"""Pure, vectorised angle geometry in pixel space (conventions: ../shared/DESIGN.md).

Every function takes arrays of 2-D pixel points with a leading time axis and returns degrees;
NaN in gives NaN out, so an unseen point can never turn into a guessed number.
Image coordinates: x to the right, y downwards.
"""

from __future__ import annotations

import numpy as np


def length(v: np.ndarray) -> np.ndarray:
    """Lengths of 2-D vectors (last axis): the same numbers as np.linalg.norm(v, axis=-1), bit
    for bit, at a fraction of its cost on the live path's one-frame arrays."""
    return np.sqrt(v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1])


def _nans(shape: tuple[int, ...]) -> np.ndarray:
    """An array of NaN (np.full's Python wrapper costs more than the fill on one-frame arrays)."""
    out = np.empty(shape)
    out.fill(np.nan)
    return out


#: (x, y) -> (-y, x) is (y, x) times this: one multiplication, exact.
_PERPENDICULAR = np.array([-1.0, 1.0])


def _unit(v: np.ndarray) -> np.ndarray:
    """Unit vectors along the last axis; a zero-length vector becomes NaN."""
    n = length(v)[..., None]
    # divided only where the length is positive (NaN stays NaN), so no warning to silence
    return np.divide(v, n, out=_nans(v.shape), where=n > 0)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products of 2-D vectors (last axis), as np.sum(a * b, axis=-1) bit for bit."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]


def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b (same shapes) where b is positive, NaN elsewhere: the divisions here are by a length,
    and a zero length (a point on top of another) is no direction. No warning to silence, which on
    the live path's one-frame arrays costs more than the division."""
    return np.divide(a, b, out=_nans(np.shape(a)), where=b > 0)


def perpendicular(v: np.ndarray) -> np.ndarray:
    """v rotated by +90° in image coordinates: (x, y) -> (-y, x)."""
    return v[..., ::-1] * _PERPENDICULAR


def trunk_down(shoulder: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """(N, 2) unit vector along the trunk, shoulder -> hip (the trunk line continued downwards)."""
    return _unit(hip - shoulder)


def facing_vote(shoulder: np.ndarray, hip: np.ndarray, nose: np.ndarray) -> np.ndarray:
    """Which perpendicular of the trunk the nose is on, in trunk lengths (+ = `perpendicular(down)`).

    Measured perpendicular to the trunk so it holds when leaning back or lying.
    """
    down = trunk_down(shoulder, hip)
    trunk = length(hip - shoulder)
    return ratio(_dot(nose - shoulder, perpendicular(down)), trunk)


def forward_direction(shoulder: np.ndarray, hip: np.ndarray, facing: np.ndarray) -> np.ndarray:
    """(N, 2) unit vector the person faces: perpendicular to the trunk, on the side `facing` (+1/−1) names."""
    return (
        perpendicular(trunk_down(shoulder, hip)) * np.asarray(facing, dtype=np.float64)[..., None]
    )


def hip_extension_deg(
    shoulder: np.ndarray,
    hip: np.ndarray,
    side_hip: np.ndarray,
    knee: np.ndarray,
    forward: np.ndarray,
) -> np.ndarray:
    """Angle between the thigh and the trunk line continued downwards.

    + knee behind the trunk line (extension), − in front (flexion), 0 = thigh in line with the trunk.
    """
    down = trunk_down(shoulder, hip)
    thigh = knee - side_hip
    return np.degrees(np.arctan2(_dot(thigh, -forward), _dot(thigh, down)))


def knee_bend_x(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """(N,) sin of the knee's bend, signed by the way it bends in the image.

    Knees bend one way: the shank folds behind the thigh. In image coordinates (y down) that makes
    the cross product thigh × shank positive for a person facing image-right and negative facing
    image-left, whatever the posture (an in-plane rotation, such as lying down, keeps its sign). So
    + means "bent as a person facing image-right bends it" (`facing_x` = +1).
    """
    thigh = _unit(knee - hip)
    shank = _unit(ankle - knee)
    return thigh[..., 0] * shank[..., 1] - thigh[..., 1] * shank[..., 0]


def knee_flexion_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, facing_x: np.ndarray | None = None
) -> np.ndarray:
    """180° − the interior hip–knee–ankle angle: 0 = straight knee, grows as it bends.

    With `facing_x` (+1 facing image-right, −1 image-left; NaN unknown) the angle is signed: a knee
    bent against the way knees bend (the shank in front of the thigh) reads negative, as a
    hyperextended knee does. Where the facing is unknown (or not given) the bend is unsigned.
    """
    thigh = knee - hip
    shank = ankle - knee
    cross = thigh[..., 0] * shank[..., 1] - thigh[..., 1] * shank[..., 0]
    if facing_x is None:
        return np.degrees(np.arctan2(np.abs(cross), _dot(thigh, shank)))
    fx = np.asarray(facing_x, dtype=np.float64)
    sign = np.where(np.isfinite(fx), np.sign(fx), 1.0)
    signed = np.where(np.isfinite(fx), cross * sign, np.abs(cross))
    return np.degrees(np.arctan2(signed, _dot(thigh, shank)))


def thigh_to_line_deg(
    hip: np.ndarray, knee: np.ndarray, along: np.ndarray, up: np.ndarray
) -> np.ndarray:
    """Angle of the thigh to a reference line: 0 along `along`, + towards `up`.

    `along` and `up` are (N, 2) unit vectors; the caller chooses the table line (the trunk line when
    lying, the image horizontal for a level camera).
    """
    thigh = knee - hip
    return np.degrees(np.arctan2(_dot(thigh, up), _dot(thigh, along)))


def trunk_incline_deg(shoulder: np.ndarray, hip: np.ndarray, facing_x: np.ndarray) -> np.ndarray:
    """Trunk (hip -> shoulder) against the image vertical: + leaning towards the facing side, − back.

    `facing_x` is the sign (+1 image right, −1 image left) of the horizontal way the person faces.
    """
    up = shoulder - hip
    return np.degrees(np.arctan2(up[..., 0] * facing_x, -up[..., 1]))


def trunk_to_horizontal_deg(shoulder: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """Elevation of the trunk above the image horizontal, 0 lying flat, 90 upright (shoulders above hips)."""
    up = shoulder - hip
    return np.degrees(np.arctan2(-up[..., 1], np.abs(up[..., 0])))
