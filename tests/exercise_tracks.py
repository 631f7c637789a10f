"""Constructed motion for the exercise engine's tests: keyframed angles, as an angle series (for the
engine alone) or as a landmark track built by `pose_builder` (for the whole pose -> engine path).

A performance is written as keyframes, (time s, value) pairs joined by straight lines, so every
expected number (peak, hold time, rep count) can be read off the script.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pose_builder import build_track

from pose.angles import AngleSeries, compute_angles
from pose.track import PoseTrack

Keys = Sequence[tuple[float, float]] | float

FPS = 30.0


def times(seconds: float, fps: float = FPS) -> np.ndarray:
    """Frame times of a clip of `seconds` at `fps`."""
    return np.arange(round(seconds * fps) + 1) / fps


def keyed(t: np.ndarray, keys: Keys) -> np.ndarray:
    """(N,) values: a constant, or straight lines through (time, value) keyframes, held at the ends."""
    if isinstance(keys, int | float):
        return np.full(t.shape, float(keys))
    kt, kv = zip(*keys, strict=True)
    return np.interp(t, np.asarray(kt, float), np.asarray(kv, float))


def steps(
    t: np.ndarray, spans: Sequence[tuple[float, float, object]], default: object
) -> np.ndarray:
    """(N,) object array: `value` on [start, end) of each (start, end, value) span, else `default`."""
    out = np.full(t.shape, default, dtype=object)
    for start, end, value in spans:
        out[(t >= start - 1e-9) & (t < end - 1e-9)] = value
    return out


def angle_series(
    t: np.ndarray,
    posture: str | np.ndarray,
    left_hip: Keys,
    right_hip: Keys,
    left_knee: Keys = 0.0,
    right_knee: Keys = 0.0,
    trunk_incline: Keys = 0.0,
    trunk_elevation: Keys | None = None,
    visibility: Keys = 0.95,
    left_visibility: Keys | None = None,
    right_visibility: Keys | None = None,
    facing_x: float = 1.0,
) -> AngleSeries:
    """An AngleSeries as pose.angles would give it for these joint angles (no landmarks involved).

    Lying frames get thigh_to_horizontal = −hip extension (the table line is the trunk line) and a
    NaN trunk incline; upright frames the thigh's angle to the image horizontal.
    """
    n = t.shape[0]
    posture_arr = (
        np.full(n, posture, dtype=object) if isinstance(posture, str) else np.asarray(posture)
    )
    lying = posture_arr == "lying"
    incline = keyed(t, trunk_incline)
    elevation = (
        np.where(lying, 0.0, 90.0 - np.abs(incline))
        if trunk_elevation is None
        else keyed(t, trunk_elevation)
    )
    values: dict[str, np.ndarray] = {"trunk_incline_deg": np.where(lying, np.nan, incline)}
    values["trunk_to_horizontal_deg"] = elevation
    for side, hip, knee, vis in (
        ("left", left_hip, left_knee, left_visibility),
        ("right", right_hip, right_knee, right_visibility),
    ):
        ext = keyed(t, hip)
        values[f"{side}_hip_extension_deg"] = ext
        values[f"{side}_knee_flexion_deg"] = keyed(t, knee)
        values[f"{side}_thigh_to_horizontal_deg"] = np.where(lying, -ext, -90.0 - (incline + ext))
        values[f"{side}_visibility"] = keyed(t, visibility if vis is None else vis)
    for side in ("left", "right"):
        unseen = values[f"{side}_visibility"] < 0.5
        for name in ("hip_extension_deg", "knee_flexion_deg", "thigh_to_horizontal_deg"):
            values[f"{side}_{name}"] = np.where(unseen, np.nan, values[f"{side}_{name}"])
    return AngleSeries(
        t=t, values=values, posture=posture_arr, facing_x=np.full(n, float(facing_x))
    )


def person_track(
    t: np.ndarray,
    left_hip: Keys,
    right_hip: Keys,
    left_knee: Keys = 0.0,
    right_knee: Keys = 0.0,
    trunk_incline: Keys = 0.0,
    facing: float = 1.0,
    lying: bool = False,
    kneeling_hip_px: float | None = None,
) -> PoseTrack:
    """A constructed person (tests/pose_builder.py) moving through the keyed angles.

    `lying` lays the trunk on its back (incline −90 plus the keyed incline, which then tilts the
    trunk up from the table: + lifts the shoulders).
    """
    incline = keyed(t, trunk_incline)
    return build_track(
        t,
        facing=facing,
        trunk_incline_deg=(incline - 90.0) if lying else incline,
        left_hip_extension_deg=keyed(t, left_hip),
        right_hip_extension_deg=keyed(t, right_hip),
        left_knee_flexion_deg=keyed(t, left_knee),
        right_knee_flexion_deg=keyed(t, right_knee),
        hip_px=None if kneeling_hip_px is None else (640.0, kneeling_hip_px),
    )


def track_series(track: PoseTrack) -> AngleSeries:
    """The angle series pose computes from a constructed track (unsmoothed: constructed motion is exact)."""
    return compute_angles(track)
