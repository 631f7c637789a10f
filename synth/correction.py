"""Study: does moving MediaPipe's hip points onto the hip joint centres improve the angles?

MediaPipe's hip landmarks are not the hip joint centres. On the rendered clips we know both, so we
can fit the median offset of each (in the trunk's own frame, in trunk lengths, so it scales with
the person and turns with them), separately for the hip nearer the camera and the far one, whose
position a side view hides and the model guesses. Two candidate corrections are scored:
- "hip shift": move each measured hip by its fitted offset (near and far apart);
- "near trunk": take the trunk line from the near side's shoulder and hip only, ignoring the
  guessed far side (DESIGN.md's rule when only one side is seen), leaving the far leg unmeasured.
Real recordings have no truth; there we report how far each correction moves the numbers.

The per-leg trunk line (issue 11): each leg measured against the trunk line of its own side's
shoulder and hip. The pipeline uses it for the near leg kneeling side-on
(`pose.angles.OWN_TRUNK_POSTURES`); the study also scores it nowhere ("midpoint trunk", the rule
before) and everywhere ("per-leg trunk": every posture, every camera), so the choice shows.
Numpy only; uses `pose/` read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.angles import compute_angles, trunk_points
from pose.facing import decide_facing
from pose.geometry import facing_vote, forward_direction, trunk_down
from pose.landmarks import NOSE
from pose.track import PoseTrack

HIPS = (23, 24)
SHOULDERS = (11, 12)
LEGS = {23: (23, 25, 27), 24: (24, 26, 28)}


@dataclass(frozen=True)
class HipOffset:
    """Offsets from MediaPipe's hip points to the joint centres, in trunk lengths.

    Each is (along, forward): along the trunk line towards the shoulders (+), and towards the
    side the person faces (+).
    """

    near: tuple[float, float]
    far: tuple[float, float]


def _trunk_frame(track: PoseTrack) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(up, forward, length) per frame from the track's own points, as the pipeline sees them."""
    pts = track.points_px
    seen = track.seen()
    shoulder, hip = trunk_points(pts, seen)
    nose = np.where(seen[:, NOSE, None], pts[:, NOSE], np.nan)
    facing = decide_facing(track.t, facing_vote(shoulder, hip, nose))
    fwd = forward_direction(shoulder, hip, facing)
    up = -trunk_down(shoulder, hip)
    length = np.linalg.norm(shoulder - hip, axis=-1)
    return up, fwd, length


def near_hip(track: PoseTrack) -> np.ndarray:
    """(N,) index (23 or 24) of the hip whose leg the model sees better: the camera's side."""
    vis = np.nan_to_num(track.visibility, nan=0.0)
    left = vis[:, list(LEGS[23])].mean(axis=1)
    right = vis[:, list(LEGS[24])].mean(axis=1)
    return np.where(left >= right, 23, 24)


def measure_offset(track: PoseTrack, truth_px: np.ndarray) -> dict[str, np.ndarray]:
    """ "near"/"far" -> (M, 2) per frame: (along, forward) of truth − measured, trunk lengths."""
    up, fwd, length = _trunk_frame(track)
    pts = track.points_px
    near = near_hip(track)
    rows = np.arange(len(near))
    out = {}
    for role, idx in (("near", near), ("far", 47 - near)):
        d = truth_px[rows, idx] - pts[rows, idx]
        arr = np.stack([np.sum(d * up, -1) / length, np.sum(d * fwd, -1) / length], -1)
        out[role] = arr[np.all(np.isfinite(arr), axis=1)]
    return out


def apply_hip_shift(track: PoseTrack, offset: HipOffset) -> PoseTrack:
    """A copy of the track with the near and far hip points moved by their offsets."""
    up, fwd, length = _trunk_frame(track)
    near = near_hip(track)
    rows = np.arange(len(near))
    lm = track.landmarks.copy()
    w, h = track.image_size
    for role, idx in (("near", near), ("far", 47 - near)):
        a, f = getattr(offset, role)
        shift = np.nan_to_num((a * up + f * fwd) * length[:, None])
        moved = track.points_px[rows, idx] + shift
        lm[rows, idx, 0] = moved[:, 0] / w
        lm[rows, idx, 1] = moved[:, 1] / h
    return PoseTrack(t=track.t, landmarks=lm, image_size=track.image_size, warnings=track.warnings)


def apply_near_trunk(track: PoseTrack) -> PoseTrack:
    """A copy of the track with the far shoulder and hip unseen, so the trunk is the near side's."""
    near = near_hip(track)
    rows = np.arange(len(near))
    lm = track.landmarks.copy()
    far_hip = 47 - near
    far_shoulder = np.where(far_hip == 23, 11, 12)
    lm[rows, far_hip, 3] = 0.0
    lm[rows, far_shoulder, 3] = 0.0
    return PoseTrack(t=track.t, landmarks=lm, image_size=track.image_size, warnings=track.warnings)


#: Every posture a frame can have: the per-leg trunk line everywhere, for the study.
ALL_POSTURES = ("standing", "kneeling", "lying", "prone", "unknown")


def corrected_angles(track: PoseTrack, offset: HipOffset) -> dict[str, dict[str, np.ndarray]]:
    """Raw (unsmoothed) angles under each candidate correction."""
    return {
        "hip shift": compute_angles(apply_hip_shift(track, offset)).values,
        "near trunk": compute_angles(apply_near_trunk(track)).values,
        "midpoint trunk": compute_angles(track, own_trunk_postures=()).values,
        "per-leg trunk": compute_angles(
            track, own_trunk_postures=ALL_POSTURES, own_trunk_max_off_axis_deg=np.inf
        ).values,
    }
