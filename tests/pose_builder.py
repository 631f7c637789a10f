"""Constructed people with known angles, for exact geometry tests (no video, no MediaPipe).

A person is built in the image plane of a side-on camera from the angles DESIGN.md defines:
trunk incline (lying on the back is an incline of −90°: tipped fully backwards), hip extension
and knee flexion per side. The result is anatomically right: a person facing image-right shows
the camera their right side, so their right-side points are nearer (smaller z) and better seen.
"""

from __future__ import annotations

import numpy as np

from pose.landmarks import NUM_LANDMARKS, SIDE_POINTS
from pose.track import PoseTrack

# segment lengths in trunk lengths
THIGH, SHANK, FOOT, HEAD = 0.9, 0.85, 0.3, 0.35


def _arr(v: float | np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()


def _rotate_toward(a: np.ndarray, b: np.ndarray, deg: np.ndarray) -> np.ndarray:
    """Rotate unit vector a towards its orthogonal b by deg (both (N, 2))."""
    r = np.radians(deg)[:, None]
    return np.cos(r) * a + np.sin(r) * b


def build_track(
    t: np.ndarray,
    facing: float | np.ndarray = 1.0,
    trunk_incline_deg: float | np.ndarray = 0.0,
    left_hip_extension_deg: float | np.ndarray = 0.0,
    right_hip_extension_deg: float | np.ndarray = 0.0,
    left_knee_flexion_deg: float | np.ndarray = 0.0,
    right_knee_flexion_deg: float | np.ndarray = 0.0,
    image_size: tuple[int, int] = (1280, 720),
    hip_px: tuple[float, float] | None = None,
    trunk_px: float = 180.0,
    near_visibility: float = 0.99,
    far_visibility: float = 0.9,
    ankle_deg: float = 0.0,
    left_ankle_deg: float | None = None,
    right_ankle_deg: float | None = None,
) -> PoseTrack:
    """A PoseTrack of one constructed person; every angle may be a scalar or an (N,) array.

    Args:
        t: (N,) seconds.
        facing: +1 facing image-right, −1 image-left (per frame for a person who turns round).
        trunk_incline_deg: + leaning forward, − back; −90 lies on the back, head behind.
        *_hip_extension_deg: + thigh behind the trunk line, − in front.
        *_knee_flexion_deg: 0 straight.
        hip_px: where the hip joint is drawn (default: image centre).
        trunk_px: shoulder-to-hip length in pixels.
        ankle_deg: foot rotation from the shank's front (0 = foot at right angles to the shank).
        left_ankle_deg, right_ankle_deg: per-side override of `ankle_deg` (90 points the foot
            along the shank, as the back foot of a kneeling lunge whose toes point behind).
    """
    t = np.asarray(t, dtype=np.float64)
    n = t.shape[0]
    w, h = image_size
    s = np.sign(_arr(facing, n))
    theta = np.radians(_arr(trunk_incline_deg, n))
    up = np.stack([s * np.sin(theta), -np.cos(theta)], axis=-1)
    fwd = np.stack([s * np.cos(theta), np.sin(theta)], axis=-1)
    down = -up
    hip = np.broadcast_to(np.array(hip_px if hip_px else (w / 2.0, h / 2.0)), (n, 2)).astype(float)
    shoulder = hip + up * trunk_px

    xy = np.full((n, NUM_LANDMARKS, 2), np.nan)
    z = np.zeros((n, NUM_LANDMARKS))
    vis = np.zeros((n, NUM_LANDMARKS))
    angles = {
        "left": (_arr(left_hip_extension_deg, n), _arr(left_knee_flexion_deg, n)),
        "right": (_arr(right_hip_extension_deg, n), _arr(right_knee_flexion_deg, n)),
    }
    ankles = {
        "left": ankle_deg if left_ankle_deg is None else left_ankle_deg,
        "right": ankle_deg if right_ankle_deg is None else right_ankle_deg,
    }
    for side, (ext, flex) in angles.items():
        pts = SIDE_POINTS[side]
        thigh = _rotate_toward(down, -fwd, ext)
        thigh_front = _rotate_toward(fwd, down, ext)
        shank = _rotate_toward(thigh, -thigh_front, flex)
        shank_front = _rotate_toward(thigh_front, thigh, flex)
        foot = _rotate_toward(shank_front, shank, np.full(n, ankles[side]))
        knee = hip + thigh * THIGH * trunk_px
        ankle = knee + shank * SHANK * trunk_px
        xy[:, pts["shoulder"]] = shoulder
        xy[:, pts["hip"]] = hip
        xy[:, pts["knee"]] = knee
        xy[:, pts["ankle"]] = ankle
        xy[:, pts["heel"]] = ankle - foot * 0.25 * FOOT * trunk_px + shank * 0.1 * trunk_px
        xy[:, pts["toe"]] = ankle + foot * FOOT * trunk_px + shank * 0.1 * trunk_px
        xy[:, pts["ear"]] = shoulder + up * 0.25 * trunk_px
        elbow = shoulder + down * 0.45 * trunk_px
        xy[:, pts["shoulder"] + 2] = elbow  # elbow (13/14)
        xy[:, pts["shoulder"] + 4] = elbow + fwd * 0.4 * trunk_px  # wrist (15/17)
        # the person's right is nearer the camera when they face image-right
        near = (s > 0) == (side == "right")
        z_side = np.where(near, -0.1, 0.1)
        v_side = np.where(near, near_visibility, far_visibility)
        side_idx = [i for i in range(NUM_LANDMARKS) if i > 0 and (i % 2 == 1) == (side == "left")]
        z[:, side_idx] = z_side[:, None]
        vis[:, side_idx] = v_side[:, None]
    head = shoulder + up * HEAD * trunk_px
    xy[:, 0] = head + fwd * 0.12 * trunk_px  # nose
    vis[:, 0] = near_visibility
    face = list(range(1, 11))
    xy[:, face] = head[:, None, :] + fwd[:, None, :] * 0.06 * trunk_px
    for idx in (17, 18, 19, 20, 21, 22):  # hands: at the wrists
        xy[:, idx] = xy[:, 15 + (idx % 2 == 0)]
    landmarks = np.concatenate(
        [xy / np.array([w, h]), z[..., None] / 1.0, vis[..., None]], axis=-1
    ).astype(np.float32)
    return PoseTrack(t=t, landmarks=landmarks, image_size=(w, h))


def times(seconds: float, fps: float = 30.0) -> np.ndarray:
    """Frame times for a clip of `seconds` at `fps`."""
    return np.arange(round(seconds * fps)) / fps


#: Each landmark's mirror partner: left and right swapped (the nose is its own partner).
MIRROR_INDEX = np.array(
    [0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9]
    + [i + 1 if i % 2 else i - 1 for i in range(11, NUM_LANDMARKS)]
)


def mirrored(track: PoseTrack) -> PoseTrack:
    """The same person seen in a horizontally mirrored image, with left and right swapped.

    A mirror turns a person's right side into what looks like a left side; swapping the labels
    keeps them anatomically right, so every left angle of the result is the right angle of
    `track`.
    """
    lm = track.landmarks[:, MIRROR_INDEX].copy()
    lm[..., 0] = 1.0 - lm[..., 0]
    return PoseTrack(t=track.t, landmarks=lm, image_size=track.image_size)


def with_point(
    track: PoseTrack,
    index: int,
    frames: slice | np.ndarray | int = slice(None),
    xy_px: tuple[float, float] | None = None,
    visibility: float | None = None,
) -> PoseTrack:
    """A copy of `track` with one landmark moved (in pixels) or its visibility changed."""
    lm = track.landmarks.copy()
    if xy_px is not None:
        w, h = track.image_size
        lm[frames, index, 0] = xy_px[0] / w
        lm[frames, index, 1] = xy_px[1] / h
    if visibility is not None:
        lm[frames, index, 3] = visibility
    return PoseTrack(t=track.t, landmarks=lm, image_size=track.image_size)
