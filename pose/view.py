"""Can this view be trusted for sagittal angles? Side-on or not, near side, posture, body in frame."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

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
MAX_OFF_AXIS_DEG = 45.0
#: Mean shoulder and hip width of MediaPipe's points, in trunk lengths, facing the camera
#: (measured on dancing_front.mp4 and the balance-lab clip of ../shared/data).
FRONTAL_WIDTH_RATIO = 0.55
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no foot seen: no floor
        floor_y = np.nanmax(feet, axis=1)
    any_shin = np.zeros(n, dtype=bool)
    resting = np.zeros(n, dtype=bool)
    for pts in side_pts.values():
        shin = pts["ankle"] - pts["knee"]
        length = np.linalg.norm(shin, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            drop = shin[:, 1] / length
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


def off_axis_deg(track: PoseTrack) -> np.ndarray:
    """(N,) estimated degrees between the camera axis and the side-on direction.

    Side-on, the shoulders (and the hips) overlap in the image; facing the camera they are
    `FRONTAL_WIDTH_RATIO` trunk lengths apart. The width in between grows as the sine of the
    camera's offset from side-on. Only the image-horizontal part of the width counts: turning
    the camera about the vertical spreads the points sideways, while a camera set high (looking
    down) spreads them vertically without the view being any less side-on (on the rendered clips a
    high camera read 29° off before, 9° after). MediaPipe's depth (z) is not used: on real side-on
    footage it came out about 3.5 times too deep to trust as a scale.
    """
    pts = track.points_px
    seen = track.seen()
    ls, rs = SIDE_POINTS["left"]["shoulder"], SIDE_POINTS["right"]["shoulder"]
    lh, rh = SIDE_POINTS["left"]["hip"], SIDE_POINTS["right"]["hip"]
    shoulders = np.abs(pts[:, ls, 0] - pts[:, rs, 0])
    hips = np.abs(pts[:, lh, 0] - pts[:, rh, 0])
    trunk = np.linalg.norm((pts[:, ls] + pts[:, rs] - pts[:, lh] - pts[:, rh]) / 2.0, axis=-1)
    # a far point in a side view is often below the threshold; MediaPipe still places it
    ok = np.any(seen[:, [ls, rs]], axis=1) & np.any(seen[:, [lh, rh]], axis=1) & (trunk > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (shoulders + hips) / 2.0 / trunk / FRONTAL_WIDTH_RATIO
    return np.where(ok, np.degrees(np.arcsin(np.clip(ratio, 0.0, 1.0))), np.nan)


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
            f"{MAX_OFF_AXIS_DEG:.0f}°. Turn so the camera sees you from the side."
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
