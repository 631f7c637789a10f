"""Landmark track -> angle series: the one table of named angles, for both sides.

The series is what flows downstream (the exercise engine reads it frame by frame as plain
mappings), so it carries, beside the four angles, the little the engine needs to judge the view:
posture, trunk elevation, facing and per-side visibility.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from pose import geometry
from pose.facing import decide_facing
from pose.landmarks import NOSE, SIDE_POINTS, SIDES, VISIBILITY_THRESHOLD
from pose.limits import apply_limits
from pose.track import PoseTrack
from pose.view import classify_posture, off_axis_deg

#: The angle columns, in the order of angles.csv (../shared/DESIGN.md).
ANGLE_COLUMNS: tuple[str, ...] = (
    "left_hip_extension_deg",
    "right_hip_extension_deg",
    "left_knee_flexion_deg",
    "right_knee_flexion_deg",
    "left_thigh_to_horizontal_deg",
    "right_thigh_to_horizontal_deg",
    "trunk_incline_deg",
    "left_visibility",
    "right_visibility",
)
#: Columns smoothed as angles (visibility is not an angle and is left as measured).
SMOOTHED_COLUMNS: tuple[str, ...] = (*ANGLE_COLUMNS[:7], "trunk_to_horizontal_deg")
#: Per-side angle names, so code can ask for f"{side}_{name}".
SIDE_ANGLES: tuple[str, ...] = (
    "hip_extension_deg",
    "knee_flexion_deg",
    "thigh_to_horizontal_deg",
)

TABLE_LINES = ("trunk", "image")
#: The points of a leg (and its side's shoulder) that its angles are measured from.
LEG_KEYS = ("shoulder", "hip", "knee", "ankle")

# The frame contract: what `AngleSeries.frame` holds and an exercise definition may read (the
# engine checks each definition's references against these when it loads it).
#: Per-leg values, read as f"{side}_{name}".
LEG_VALUES: tuple[str, ...] = (*SIDE_ANGLES, "visibility")
#: Whole-body values. `body_speed_tl_s`: how fast the hips travel, in trunk lengths (shoulder to
#: hip) per second — a test is done in place; walking, running and jumping move the whole body.
#: `view_off_axis_deg`: the view check's estimate of how far the camera is from side-on, frame by
#: frame (a running median over a second; live, the frame's own): a person turning round passes
#: through face-on, where no hip angle can be read.
BODY_VALUES: tuple[str, ...] = (
    "trunk_incline_deg",
    "trunk_to_horizontal_deg",
    "body_speed_tl_s",
    "view_off_axis_deg",
)


@dataclass(frozen=True)
class AngleSeries:
    """Angles over time for one person.

    Attributes:
        t: (N,) seconds.
        values: column name -> (N,) float64 degrees (visibility columns in 0..1); NaN = not measured.
            Holds every `ANGLE_COLUMNS` entry plus `trunk_to_horizontal_deg`.
        posture: (N,) str: "standing", "kneeling", "lying" (on the back), "prone" or "unknown".
        facing_x: (N,) +1 facing image-right, −1 image-left (as if standing), NaN where unknown.
        filtered: which filter produced the values ("raw", "zero-phase", "causal").
    """

    t: np.ndarray
    values: dict[str, np.ndarray]
    posture: np.ndarray
    facing_x: np.ndarray
    filtered: str = "raw"
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def with_values(self, values: dict[str, np.ndarray], filtered: str) -> AngleSeries:
        return replace(self, values={**self.values, **values}, filtered=filtered)

    def frame(self, i: int) -> dict[str, float | str]:
        """Frame i as the plain mapping the exercise engine reads."""
        row: dict[str, float | str] = {
            "t_s": float(self.t[i]),
            "posture": str(self.posture[i]),
        }
        row["facing_x"] = float(self.facing_x[i])
        for name, arr in self.values.items():
            row[name] = float(arr[i])
        return row

    def frames(self) -> Iterator[dict[str, float | str]]:
        for i in range(len(self)):
            yield self.frame(i)


def seen_points(points: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """(N, 33, 2) pixels, NaN where a point is not seen: masked once, then indexed (a live frame
    reads some forty points, and one masking is cheaper than forty)."""
    return np.where(seen[..., None], points, np.nan)


def _pair_mean(masked: np.ndarray, left: int, right: int) -> np.ndarray:
    """Midpoint of a left/right pair where both are seen, the seen one where only one is."""
    a, b = masked[:, left], masked[:, right]
    both = np.isfinite(a[:, 0]) & np.isfinite(b[:, 0])
    one = np.where(np.isfinite(a), a, b)
    return np.where(both[:, None], (a + b) / 2.0, one)


def _trunk(masked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ls, rs = SIDE_POINTS["left"]["shoulder"], SIDE_POINTS["right"]["shoulder"]
    lh, rh = SIDE_POINTS["left"]["hip"], SIDE_POINTS["right"]["hip"]
    return _pair_mean(masked, ls, rs), _pair_mean(masked, lh, rh)


def trunk_points(points: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(shoulder, hip) of the trunk line, each (N, 2)."""
    return _trunk(seen_points(points, seen))


#: Kneeling and seen side-on, the leg nearer the camera is measured against its own side's trunk
#: line (its shoulder and hip), not the midpoints: MediaPipe guesses the hidden far hip about 0.11
#: trunk lengths in front of the true joint, which tilts the midpoint line back and reads the near
#: hip too far extended. On the rendered library (synth/ACCURACY.md, "Per-leg trunk line") this cut the
#: kneeling hip-extension error with a side-on camera from 5.0° to 3.7° (the 6 side-on kneeling
#: clips: +3.9..+8.8° -> +0.5..+5.7° of bias); standing and lying it did not help (standing 4.4° ->
#: 4.5°, lying unchanged), and with an oblique camera it made the error worse (kneeling 30° off:
#: 2.8° -> 5.4°), so it is used only there. The far leg keeps the midpoint line: its own points are
#: the guessed ones.
#: On the same frames the trunk incline is read from that near side's line too (the midpoint line
#: leans back with the guessed hip): kneeling side-on its error went from 3.7° to 1.6°.
OWN_TRUNK_POSTURES: tuple[str, ...] = ("kneeling",)
#: ... and only while the view check's estimate (a running median over a second) is within this.
OWN_TRUNK_MAX_OFF_AXIS_DEG = 15.0


def own_trunk_legs(
    track: PoseTrack,
    posture: np.ndarray,
    postures: tuple[str, ...] = OWN_TRUNK_POSTURES,
    max_off_axis_deg: float = OWN_TRUNK_MAX_OFF_AXIS_DEG,
    off: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per side, (N,) bool: frames on which that leg is measured against its own side's trunk line
    (see OWN_TRUNK_POSTURES): kneeling, side-on, and the leg's hip nearer the camera (MediaPipe's
    depth; a track without depth has no nearer side, and keeps the midpoint line). The study in
    synth/ passes other `postures` and limits."""
    if not postures:
        return {side: np.zeros(len(track), dtype=bool) for side in SIDES}
    if off is None:
        off = view_off_axis(track)
    in_posture = np.zeros(len(track), dtype=bool)
    for name in postures:  # (np.isin on text costs more than the few comparisons)
        in_posture |= posture == name
    gate = in_posture & (off <= max_off_axis_deg)  # NaN (no estimate) compares False
    z = track.landmarks[:, [SIDE_POINTS["left"]["hip"], SIDE_POINTS["right"]["hip"]], 2]
    z = z.astype(np.float64)
    return {"left": gate & (z[:, 0] < z[:, 1]), "right": gate & (z[:, 1] < z[:, 0])}


def view_off_axis(track: PoseTrack, seen: np.ndarray | None = None) -> np.ndarray:
    """(N,) the view check's off-axis estimate, a running median over a second (`view_off_axis_deg`).
    `seen`: the track's `seen()`, where the caller has it already."""
    return smooth_votes(track.t, off_axis_deg(track, seen), window_s=1.0)


#: A foot votes for the facing side only when flat (heel -> toe within this of the image horizontal)
FLAT_FOOT_MAX_DEG = 25.0
#: ... and standing on it: its shin close to vertical (vertical drop / shin length at least this),
#: which rules out the back foot of a kneeling lunge, whose toes point behind.
STANDING_SHIN_MIN_DROP = 0.7
#: A foot's vote counts this much, in the nose vote's units (trunk lengths).
FOOT_VOTE_WEIGHT = 0.3
#: Knees bend one way, so a clearly bent knee tells which way the person faces: a knee bent more
#: than this (and not folded shut, where its direction is lost in the noise) votes ...
KNEE_VOTE_MIN_DEG = 30.0
KNEE_VOTE_MAX_DEG = 160.0
#: ... growing to its full weight by this bend (a crouch, a kneeling lunge, the Thomas test's
#: hanging leg). Two bent knees outvote a nose hanging near the trunk line in a crouch.
KNEE_VOTE_FULL_DEG = 50.0
KNEE_VOTE_WEIGHT = 0.3


def knee_votes(points: np.ndarray, seen: np.ndarray, side: str) -> np.ndarray:
    """(N,) one knee's facing vote (+ = `geometry.perpendicular(down)`), 0 where it is not clearly
    bent or not seen.

    A knee bends one way, so the image direction of its bend (`geometry.knee_bend_x`) says which
    way the person faces, in any posture, and a leg taken for the other one bends the same way.
    """
    return _knee_votes(seen_points(points, seen), (side,))[0]


def _legs(masked: np.ndarray, key: str, sides: tuple[str, ...]) -> np.ndarray:
    """(len(sides), N, 2): one point of each leg, stacked so both legs go through one call."""
    return masked[:, [SIDE_POINTS[side][key] for side in sides]].swapaxes(0, 1)


def _knee_votes(masked: np.ndarray, sides: tuple[str, ...]) -> np.ndarray:
    """(len(sides), N) `knee_votes` of each side."""
    hip, knee, ankle = (_legs(masked, k, sides) for k in ("hip", "knee", "ankle"))
    bend_x = geometry.knee_bend_x(hip, knee, ankle)
    flex = geometry.knee_flexion_deg(hip, knee, ankle)
    weight = np.clip(
        (flex - KNEE_VOTE_MIN_DEG) / (KNEE_VOTE_FULL_DEG - KNEE_VOTE_MIN_DEG), 0.0, 1.0
    )
    weight = np.where(flex <= KNEE_VOTE_MAX_DEG, weight, 0.0)
    # bent as by a person facing image-right (facing_x = +1) is facing = −1 (see compute_angles)
    vote = -np.sign(bend_x) * weight * KNEE_VOTE_WEIGHT
    return np.where(np.isnan(vote), 0.0, vote)


def facing_votes(points: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """(N,) votes for the facing side (+ = `geometry.perpendicular(down)`), NaN where none.

    The nose's side of the trunk is the main vote; each flat foot that is stood on adds a second
    vote (its toes point the way the person faces), which settles a forward fold where the head
    hangs near the trunk line; each clearly bent knee adds a third (knees bend one way), which
    settles a crouch or a landing, where the head is down and the feet are not flat.
    """
    return facing_votes_of_seen(seen_points(points, seen))


def facing_votes_of_seen(masked: np.ndarray) -> np.ndarray:
    """`facing_votes` from the `seen_points` (N, 33, 2) a caller has masked already."""
    shoulder, hip = _trunk(masked)
    nose_vote = geometry.facing_vote(shoulder, hip, masked[:, NOSE])
    total = np.where(np.isnan(nose_vote), 0.0, nose_vote)
    any_vote = np.isfinite(nose_vote)
    down = geometry.trunk_down(shoulder, hip)
    heel, toe, knee, ankle = (_legs(masked, k, SIDES) for k in ("heel", "toe", "knee", "ankle"))
    foot, shin = toe - heel, ankle - knee
    flat = np.abs(np.degrees(np.arctan2(foot[..., 1], np.abs(foot[..., 0])))) <= FLAT_FOOT_MAX_DEG
    stood_on = geometry.ratio(shin[..., 1], geometry.length(shin)) >= STANDING_SHIN_MIN_DROP
    foot_ok = flat & stood_on & np.isfinite(down).all(axis=-1)
    # toes to image-right mean facing_x = +1, which is facing = −1 (see compute_angles)
    foot_vote = np.where(foot_ok, -np.sign(foot[..., 0]) * FOOT_VOTE_WEIGHT, 0.0)
    knee_vote = _knee_votes(masked, SIDES)
    for i in range(len(SIDES)):  # added in this order, so the sum is the same to the last bit
        total = total + foot_vote[i] + knee_vote[i]
    any_vote |= foot_ok.any(axis=0) | (knee_vote != 0.0).any(axis=0)
    return np.where(any_vote, total, np.nan)


def smooth_votes(t: np.ndarray, votes: np.ndarray, window_s: float = 0.5) -> np.ndarray:
    """Centred running median of the votes over `window_s` (at least 3 frames), ignoring NaN."""
    n = votes.shape[0]
    if n < 3:
        return votes
    dt = float(np.median(np.diff(t)))
    half = max(1, round(window_s / 2.0 / dt)) if dt > 0 else 1
    padded = np.concatenate([np.full(half, np.nan), votes, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window is a frame with no vote
        return np.nanmedian(windows, axis=1)


#: The body's speed is the hips' travel over this long (seconds): long enough that a pose model's
#: jitter of a few pixels is no speed, short enough that a jump (up and down in about half a second)
#: is not averaged away.
BODY_SPEED_WINDOW_S = 0.5


def body_speed_tl_s(
    t: np.ndarray,
    hip: np.ndarray,
    trunk_px: np.ndarray,
    window_s: float = BODY_SPEED_WINDOW_S,
    causal: bool = False,
) -> np.ndarray:
    """(N,) speed of the hip point in trunk lengths per second, NaN where it cannot be told.

    `hip` (N, 2) pixels, `trunk_px` (N,) the trunk's length in pixels. The travel is measured
    between the first and last frames with a hip seen in a window of `window_s` centred on each
    frame (recordings) or ending at it (`causal`, live); that span must cover a quarter of the
    window (at the start and end of a recording the window is cut short).
    """
    t = np.asarray(t, dtype=np.float64)
    n = t.shape[0]
    out = np.full(n, np.nan)
    ok = np.isfinite(hip).all(axis=-1) & np.isfinite(trunk_px) & (trunk_px > 0)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return out
    tt = t[idx]
    lo = t - (window_s if causal else window_s / 2.0)
    hi = t if causal else t + window_s / 2.0
    a = np.clip(np.searchsorted(tt, lo - 1e-9, "left"), 0, idx.size - 1)
    b = np.clip(np.searchsorted(tt, hi + 1e-9, "right") - 1, 0, idx.size - 1)
    first, last = idx[a], idx[b]
    span = t[last] - t[first]
    valid = ok & (span >= window_s / 4.0 - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = geometry.length(hip[last] - hip[first]) / span / trunk_px
    out[valid] = speed[valid]
    return out


class CausalBodySpeed:
    """Live: the body's speed from the frames seen so far (`body_speed_tl_s`, causal), in plain
    floats: the same numbers, without a dozen numpy calls on a window of a few frames."""

    def __init__(self, window_s: float = BODY_SPEED_WINDOW_S) -> None:
        self.window_s = window_s
        self.reset()

    def reset(self) -> None:
        #: (t, hip x, hip y) of the frames with a hip and a trunk, the last window's worth
        self._seen: deque[tuple[float, float, float]] = deque()

    def update(self, t: float, masked: np.ndarray) -> float:
        """The speed at time t (seconds) from one frame's `seen_points` (33, 2) px."""
        shoulder, hip = _trunk(masked[None])
        (sx, sy), (hx, hy) = shoulder[0].tolist(), hip[0].tolist()
        trunk = math.sqrt((hx - sx) * (hx - sx) + (hy - sy) * (hy - sy))
        t = float(t)
        lo = t - self.window_s - 1e-9
        while self._seen and self._seen[0][0] < lo:
            self._seen.popleft()
        if not (math.isfinite(hx) and math.isfinite(hy) and math.isfinite(trunk) and trunk > 0):
            return math.nan
        self._seen.append((t, hx, hy))
        t0, x0, y0 = self._seen[0]  # the first frame with a hip in the window ending now
        span = t - t0
        if span < self.window_s / 4.0 - 1e-9:
            return math.nan
        return math.sqrt((hx - x0) * (hx - x0) + (hy - y0) * (hy - y0)) / span / trunk


def compute_angles(
    track: PoseTrack,
    table_line: str = "trunk",
    visibility_threshold: float = VISIBILITY_THRESHOLD,
    facing: np.ndarray | None = None,
    own_trunk_postures: tuple[str, ...] = OWN_TRUNK_POSTURES,
    own_trunk_max_off_axis_deg: float = OWN_TRUNK_MAX_OFF_AXIS_DEG,
    seen: np.ndarray | None = None,
) -> AngleSeries:
    """All DESIGN.md angles for both sides of a track, unfiltered.

    `table_line` applies to lying frames: "trunk" (default) measures the thigh against the trunk
    line; "image" against the image horizontal, for a user who says the camera is level.
    Upright frames always measure the thigh against the image horizontal.
    `facing` (N,) ±1 relative to `geometry.perpendicular(down)` is given by the live path, which
    decides it causally (`pose.facing.CausalFacing`); by default it is decided over the recording.
    `own_trunk_*`: where the near leg is measured against its own side's trunk line (see
    OWN_TRUNK_POSTURES; the defaults are the measuring rule, other values are for the study).
    `seen`: the track's `seen(visibility_threshold)`, where the caller has it already (the live
    path, which needed it for its facing vote).
    """
    if table_line not in TABLE_LINES:
        raise ValueError(f"table_line must be one of {TABLE_LINES}, got {table_line!r}")
    if seen is None:
        seen = track.seen(visibility_threshold)
    masked = seen_points(track.points_px, seen)
    shoulder, hip = _trunk(masked)
    if facing is None:
        facing = decide_facing(track.t, smooth_votes(track.t, facing_votes_of_seen(masked)))
    forward = geometry.forward_direction(shoulder, hip, facing)
    down = geometry.trunk_down(shoulder, hip)
    # The way the person faces, as if standing: the handedness of (forward, up) does not change as
    # the body tips, so a forward fold or lying on the back keeps the sign it had upright.
    facing_x = -facing
    elevation = geometry.trunk_to_horizontal_deg(shoulder, hip)

    side_pts = {
        side: {name: masked[:, idx] for name, idx in SIDE_POINTS[side].items()} for side in SIDES
    }
    posture = classify_posture(elevation, side_pts, forward)
    lying = posture == "lying"

    # Upright: the image horizontal pointing the way the person faces, "up" = image up.
    image_up = np.broadcast_to(np.array([0.0, -1.0]), down.shape)
    toward_face = np.stack([facing_x, np.zeros_like(facing_x)], axis=-1)
    if table_line == "trunk":
        lying_along, lying_up = down, forward
    else:
        lying_along = np.stack([np.sign(down[:, 0]), np.zeros_like(facing_x)], axis=-1)
        lying_up = image_up
    along = np.where(lying[:, None], lying_along, toward_face)
    up = np.where(lying[:, None], lying_up, image_up)

    values: dict[str, np.ndarray] = {}
    off = view_off_axis(track, seen if visibility_threshold == VISIBILITY_THRESHOLD else None)
    own = own_trunk_legs(track, posture, own_trunk_postures, own_trunk_max_off_axis_deg, off)
    # both legs at once, stacked on a leading axis (the geometry works on any leading axes): on
    # the live path's one-frame arrays each numpy call costs more than its arithmetic
    leg = {k: _legs(masked, k, SIDES) for k in LEG_KEYS}
    # the near leg, kneeling side-on: its own side's trunk line (see OWN_TRUNK_POSTURES)
    use = np.stack([own[side] for side in SIDES]) & np.all(
        np.isfinite(leg["shoulder"]) & np.isfinite(leg["hip"]), axis=-1
    )
    leg_shoulder = np.where(use[..., None], leg["shoulder"], shoulder)
    leg_hip = np.where(use[..., None], leg["hip"], hip)
    leg_forward = geometry.forward_direction(leg_shoulder, leg_hip, facing)
    hip_ext = geometry.hip_extension_deg(
        leg_shoulder, leg_hip, leg["hip"], leg["knee"], leg_forward
    )
    knee_flex = geometry.knee_flexion_deg(leg["hip"], leg["knee"], leg["ankle"], facing_x)
    thigh = geometry.thigh_to_line_deg(leg["hip"], leg["knee"], along, up)
    vis = track.visibility[
        :, [[SIDE_POINTS[side][k] for k in ("hip", "knee", "ankle")] for side in SIDES]
    ]
    visibility = vis.min(axis=2)
    for i, side in enumerate(SIDES):
        values[f"{side}_hip_extension_deg"] = hip_ext[i]
        values[f"{side}_knee_flexion_deg"] = knee_flex[i]
        values[f"{side}_thigh_to_horizontal_deg"] = thigh[i]
        values[f"{side}_visibility"] = visibility[:, i]
    # the trunk's incline on the same frames, from the same near side's line (see OWN_TRUNK_POSTURES)
    near, left_near = use.any(axis=0)[:, None], use[0][:, None]
    trunk_shoulder, trunk_hip = (
        np.where(near, np.where(left_near, leg[k][0], leg[k][1]), mid)
        for k, mid in (("shoulder", shoulder), ("hip", hip))
    )
    values["trunk_incline_deg"] = np.where(
        lying, np.nan, geometry.trunk_incline_deg(trunk_shoulder, trunk_hip, facing_x)
    )
    values["trunk_to_horizontal_deg"] = elevation
    values["body_speed_tl_s"] = body_speed_tl_s(track.t, hip, geometry.length(hip - shoulder))
    values["view_off_axis_deg"] = off
    # a reading beyond what a body can do is not a measurement (pose/limits.py says which and why)
    values, notes = apply_limits(track.t, values, SIDES)
    return AngleSeries(t=track.t, values=values, posture=posture, facing_x=facing_x, notes=notes)
