"""Can this view be trusted for sagittal angles? Side-on or not, near side, posture, body in frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose import geometry
from pose.landmarks import SIDE_POINTS, VISIBILITY_THRESHOLD
from pose.track import PoseTrack

#: Trunk elevation (degrees above the image horizontal) below which a person counts as lying.
LYING_MAX_ELEVATION_DEG = 35.0
#: A shin this close to horizontal (vertical drop / shin length) is resting on the floor: kneeling.
KNEELING_MAX_SHIN_DROP = 0.45
#: ... and its knee is on the floor: at most this many shin lengths above the lowest foot point.
KNEELING_MAX_KNEE_HEIGHT = 0.4
FOOT_KEYS = ("ankle", "heel", "toe")
#: 2-D angles hold up to about 45° off the side-on axis (Puig-Diví et al. 2019, CLINICAL.md).
VALID_OFF_AXIS_DEG = 45.0
#: The view counts as side-on up to this estimate: the 45° above less the estimate's own error
#: (off_axis_deg against the rendered library's known cameras: mean absolute error 3.1°, 90th
#: percentile 7.5°, worst 13° — a lying body turned 27° read 14°), so a camera 40° off is not
#: taken for side-on.
MAX_OFF_AXIS_DEG = 35.0
#: MediaPipe's shoulder points seen face-on: their image width, in trunk lengths (shoulder to hip
#: midpoints). Fitted on the rendered library's known cameras (0–47° off, 28 clips); filmed people
#: face-on read 0.55–0.74 (dancing_front.mp4, sitting_knees_up.jpg).
FRONTAL_SHOULDER_WIDTH = 0.72
#: Without depth: the mean image-horizontal width of shoulders and hips, in trunk lengths, face-on
#: (the earlier estimate, measured on dancing_front.mp4 and the balance-lab clip of ../shared/data;
#: about 10° off on rendered clips). Used for tracks without z, such as the rendered truth files.
FRONTAL_WIDTH_RATIO = 0.55
#: MediaPipe's depth (z, in the image width's units) between the shoulders seen side-on, in trunk
#: lengths: about 3 times a real shoulder's depth, but the same on rendered people (2.2–2.7) and
#: filmed ones (walking, running, the yoga flow, the plank: 2.4–2.5), so it is a usable scale.
SIDE_ON_SHOULDER_DEPTH = 2.5
#: Margin (fraction of the image) inside which a point counts as in frame.
FRAME_MARGIN = 0.01


def classify_posture(
    trunk_elevation_deg: np.ndarray,
    side_pts: dict[str, dict[str, np.ndarray]],
    forward: np.ndarray,
) -> np.ndarray:
    """(N,) "standing", "kneeling", "lying" (on the back), "prone" or "unknown".

    A horizontal trunk is lying on the back only when the chest faces up: a plank, a lunge with the
    hands on the floor or a forward fold has a horizontal trunk too, chest down ("prone").
    """
    n = trunk_elevation_deg.shape[0]
    posture = np.full(n, "unknown", dtype=object)
    upright = trunk_elevation_deg >= LYING_MAX_ELEVATION_DEG
    flat = np.abs(trunk_elevation_deg) < LYING_MAX_ELEVATION_DEG
    chest_up = forward[:, 1] < 0
    lying = flat & chest_up
    prone = (flat & (forward[:, 1] >= 0)) | (trunk_elevation_deg <= -LYING_MAX_ELEVATION_DEG)
    # the floor: the lowest seen point of either foot (image y grows downwards)
    feet = np.stack([pts[k][:, 1] for pts in side_pts.values() for k in FOOT_KEYS], axis=1)
    floor_y = np.fmax.reduce(feet, axis=1)  # ignores NaN; NaN only where no foot is seen
    any_shin = np.zeros(n, dtype=bool)
    resting = np.zeros(n, dtype=bool)
    for pts in side_pts.values():
        shin = pts["ankle"] - pts["knee"]
        length = geometry.length(shin)
        drop = geometry.ratio(shin[:, 1], length)
        # a near-horizontal shin rests on the floor only if its knee is down there too: a
        # runner's swing leg has a horizontal shin a whole shin length above the floor
        knee_low = floor_y - pts["knee"][:, 1] <= KNEELING_MAX_KNEE_HEIGHT * length
        any_shin |= np.isfinite(drop)
        resting |= (drop < KNEELING_MAX_SHIN_DROP) & knee_low
    kneeling = upright & resting
    standing = upright & any_shin & ~resting
    posture[standing] = "standing"
    posture[kneeling] = "kneeling"
    posture[lying] = "lying"
    posture[prone] = "prone"
    return posture


@dataclass(frozen=True)
class ViewCheck:
    """What the view allows, over a stretch of frames."""

    side_on: bool | None
    off_axis_deg: float | None
    near_side: str | None
    posture: str
    whole_body_fraction: float
    messages: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "side_on": self.side_on,
            "off_axis_deg": None if self.off_axis_deg is None else round(self.off_axis_deg, 1),
            "near_side": self.near_side,
            "posture": self.posture,
            "whole_body_fraction": round(self.whole_body_fraction, 3),
            "messages": list(self.messages),
        }


def off_axis_deg(track: PoseTrack, seen: np.ndarray | None = None) -> np.ndarray:
    """(N,) estimated degrees between the camera's view and the side-on direction.

    The shoulders are a line across the body: side-on it points at the camera, so the two
    shoulders overlap in the image and lie a whole shoulder width apart in depth; face-on it is all
    width and no depth. The estimate is the angle of that line from both cues, each normalised by
    its side-on or face-on size in trunk lengths (`FRONTAL_SHOULDER_WIDTH`,
    `SIDE_ON_SHOULDER_DEPTH`): atan2(width / W, depth / D). The width counts in any image
    direction, because a camera set high sees the body from above as obliquely as one turned
    round (on the rendered library the 3-D angle between the view and the body's left-right axis is
    the truth). The hips are left out: MediaPipe's hips of a kneeling person sit apart in the image
    even side-on, and tilting the pelvis moves them (on the library they doubled the error).

    A track without depth (z all zero: the rendered truth files, tracks of other tools) falls back
    to the earlier estimate from widths alone: the image-horizontal width of shoulders and hips
    against `FRONTAL_WIDTH_RATIO`, arcsin(width / ratio). `seen`: the track's `seen()`, where the
    caller has it already.
    """
    pts = track.points_px
    if seen is None:
        seen = track.seen()
    ls, rs = SIDE_POINTS["left"]["shoulder"], SIDE_POINTS["right"]["shoulder"]
    lh, rh = SIDE_POINTS["left"]["hip"], SIDE_POINTS["right"]["hip"]
    width = geometry.length(pts[:, ls] - pts[:, rs])
    trunk = geometry.length((pts[:, ls] + pts[:, rs] - pts[:, lh] - pts[:, rh]) / 2.0)
    z = track.landmarks[:, [ls, rs], 2].astype(np.float64)
    depth = np.abs(z[:, 0] - z[:, 1]) * track.image_size[0]
    has_depth = bool((np.isfinite(z) & (z != 0.0)).any())
    # a far point in a side view is often below the threshold; MediaPipe still places it
    ok = seen[:, [ls, rs]].any(axis=1) & seen[:, [lh, rh]].any(axis=1) & (trunk > 0)
    if has_depth:
        across = geometry.ratio(width, trunk) / FRONTAL_SHOULDER_WIDTH
        along = geometry.ratio(depth, trunk) / SIDE_ON_SHOULDER_DEPTH
        est = np.degrees(np.arctan2(across, along))
    else:
        shoulders = np.abs(pts[:, ls, 0] - pts[:, rs, 0])
        hips = np.abs(pts[:, lh, 0] - pts[:, rh, 0])
        ratio = geometry.ratio((shoulders + hips) / 2.0, trunk) / FRONTAL_WIDTH_RATIO
        est = np.degrees(np.arcsin(np.clip(ratio, 0.0, 1.0)))
    return np.where(ok & np.isfinite(est), est, np.nan)


def near_side(track: PoseTrack) -> str | None:
    """The side nearer the camera: its hip and shoulder lie closer in MediaPipe's depth (smaller z)."""
    lm = track.landmarks.astype(np.float64)
    z = {}
    for side, pts in SIDE_POINTS.items():
        idx = [pts["hip"], pts["shoulder"], pts["knee"]]
        z[side] = np.nanmedian(lm[:, idx, 2]) if np.any(np.isfinite(lm[:, idx, 2])) else np.nan
    if not np.all(np.isfinite(list(z.values()))):
        return None
    return "left" if z["left"] < z["right"] else "right"


def whole_body_in_frame(track: PoseTrack) -> np.ndarray:
    """(N,) bool: shoulders, hips, knees and ankles of at least one side are seen inside the image."""
    lm = track.landmarks.astype(np.float64)
    seen = track.seen(VISIBILITY_THRESHOLD)
    result = np.zeros(len(track), dtype=bool)
    for pts in SIDE_POINTS.values():
        idx = [pts[k] for k in ("shoulder", "hip", "knee", "ankle")]
        xy = lm[:, idx, :2]
        inside = np.all((xy >= FRAME_MARGIN) & (xy <= 1 - FRAME_MARGIN), axis=(1, 2))
        result |= inside & np.all(seen[:, idx], axis=1)
    return result


def check_view(track: PoseTrack, posture: np.ndarray | None = None) -> ViewCheck:
    """Summarise a stretch of frames: side-on enough, which side is near, posture, body in frame."""
    detected = track.detected
    messages: list[str] = []
    if not np.any(detected):
        return ViewCheck(None, None, None, "unknown", 0.0, ("No person was found.",))
    off = off_axis_deg(track)
    off_med = float(np.nanmedian(off)) if np.any(np.isfinite(off)) else None
    side_on = None if off_med is None else off_med <= MAX_OFF_AXIS_DEG
    if side_on is False:
        messages.append(
            f"The camera is about {off_med:.0f}° from side-on; hip angles are only valid within "
            f"about {VALID_OFF_AXIS_DEG:.0f}°, and the view counts as side-on up to "
            f"{MAX_OFF_AXIS_DEG:.0f}° (the estimate can be several degrees off). Turn so the "
            "camera sees you from the side."
        )
    in_frame = whole_body_in_frame(track)
    frac = float(np.mean(in_frame[detected]))
    if frac < 0.8:
        messages.append(
            f"The whole body (shoulders to ankles) was in frame in only {frac:.0%} of the frames with a "
            "person: step back or move the camera so it sees you from head to feet."
        )
    label = "unknown"
    if posture is not None:
        known = posture[detected & (posture != "unknown")]
        if known.size:
            values, counts = np.unique(known.astype(str), return_counts=True)
            label = str(values[np.argmax(counts)])
    return ViewCheck(side_on, off_med, near_side(track), label, frac, tuple(messages))
