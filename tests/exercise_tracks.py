"""Constructed motion for the exercise engine's tests: keyframed angles, as an angle series (for the
engine alone) or as a landmark track built by `pose_builder` (for the whole pose -> engine path).

A performance is written as keyframes, (time s, value) pairs joined by straight lines, so every
expected number (peak, hold time, rep count) can be read off the script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pose_builder import build_track

from pose.angles import AngleSeries, compute_angles
from pose.landmarks import SIDE_POINTS
from pose.track import PoseTrack

Keys = Sequence[tuple[float, float]] | float

FPS = 30.0


#: A view check that found the camera side-on (pose.view.ViewCheck.as_dict()), for engine tests
#: on constructed angle series: verdicts then carry the side-on camera's uncertainty.
SIDE_ON = {
    "side_on": True,
    "off_axis_deg": 5.0,
    "near_side": None,
    "posture": "unknown",
    "whole_body_fraction": 1.0,
    "messages": [],
}


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
    body_speed: Keys = 0.0,
) -> AngleSeries:
    """An AngleSeries as pose.angles would give it for these joint angles (no landmarks involved).

    Lying frames get thigh_to_horizontal = −hip extension (the table line is the trunk line) and a
    NaN trunk incline; upright frames the thigh's angle to the image horizontal. `body_speed`:
    trunk lengths a second (0: in one place).
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
    values["body_speed_tl_s"] = keyed(t, body_speed)
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


# ----- scripted performances -------------------------------------------------------------------

CHANNELS = (
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "trunk_incline",
    "trunk_lift",
    "left_vis",
    "right_vis",
)


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def roles(side: str, **values: float) -> dict[str, float]:
    """Role names (work_hip, other_knee, ...) -> channel names for `side` as the working leg."""
    out = {}
    for name, value in values.items():
        role, _, joint = name.partition("_")
        if role in ("work", "other"):
            leg = side if role == "work" else other(side)
            out[f"{leg}_{joint}"] = value
        else:
            out[name] = value
    return out


@dataclass
class Script:
    """A performance as keyframes per channel, with posture labels from given times on.

    Channels: per-leg hip extension, knee flexion and visibility; trunk_incline (+ forward, upright);
    trunk_lift (lying: degrees the trunk rises off the table).
    """

    lying: bool
    posture: str
    t: float = 0.0
    values: dict[str, float] = field(default_factory=dict)
    keys: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    postures: list[tuple[float, str]] = field(default_factory=list)
    facings: list[tuple[float, float]] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        neutral = -120.0 if self.lying else 0.0
        self.values = {
            "left_hip": neutral,
            "right_hip": neutral,
            "left_knee": -neutral,
            "right_knee": -neutral,
            "trunk_incline": 0.0,
            "trunk_lift": 0.0,
            "left_vis": 0.95,
            "right_vis": 0.95,
        }
        self.keys = {c: [(0.0, v)] for c, v in self.values.items()}
        self.postures = [(0.0, self.posture)]
        self.facings = [(0.0, 1.0)]

    def _key(self) -> None:
        for c, v in self.values.items():
            self.keys[c].append((self.t, v))

    def wait(self, seconds: float) -> Script:
        self.t += seconds
        self._key()
        return self

    def move(self, seconds: float, **channels: float) -> Script:
        """Ramp the named channels (channel names, e.g. right_hip) to new values over `seconds`."""
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {unknown}")
        self._key()
        self.t += seconds
        self.values.update(channels)
        self._key()
        return self

    def set_posture(self, label: str) -> Script:
        self.postures.append((self.t, label))
        return self

    def face(self, facing: float) -> Script:
        self.facings.append((self.t, facing))
        return self

    def mark(self, name: str) -> Script:
        """Remember the current time under `name` (the tests read expected times from marks)."""
        self.marks[name] = self.t
        return self

    def _channel(self, t: np.ndarray, name: str) -> np.ndarray:
        kt, kv = zip(*self.keys[name], strict=True)
        return np.interp(t, np.asarray(kt), np.asarray(kv))

    def _labels(self, t: np.ndarray, spans: list[tuple[float, object]]) -> np.ndarray:
        starts = np.array([s for s, _ in spans])
        idx = np.searchsorted(starts, t + 1e-9, side="right") - 1
        return np.array([spans[i][1] for i in idx], dtype=object)

    def times(self, fps: float = FPS) -> np.ndarray:
        return times(self.t, fps)

    def series(self, fps: float = FPS, noise_deg: float = 0.0, seed: int = 0) -> AngleSeries:
        """The angle series pose would give (plus uniform noise of ±noise_deg on the leg angles)."""
        t = self.times(fps)
        ch = {c: self._channel(t, c) for c in CHANNELS}
        if noise_deg:
            rng = np.random.default_rng(seed)
            for c in ("left_hip", "right_hip", "left_knee", "right_knee"):
                ch[c] = ch[c] + rng.uniform(-noise_deg, noise_deg, t.shape)
        return angle_series(
            t,
            self._labels(t, self.postures),
            left_hip=list(zip(t, ch["left_hip"], strict=True)),
            right_hip=list(zip(t, ch["right_hip"], strict=True)),
            left_knee=list(zip(t, ch["left_knee"], strict=True)),
            right_knee=list(zip(t, ch["right_knee"], strict=True)),
            trunk_incline=list(zip(t, ch["trunk_incline"], strict=True)),
            trunk_elevation=list(
                zip(
                    t,
                    ch["trunk_lift"] if self.lying else 90.0 - np.abs(ch["trunk_incline"]),
                    strict=True,
                )
            ),
            left_visibility=list(zip(t, ch["left_vis"], strict=True)),
            right_visibility=list(zip(t, ch["right_vis"], strict=True)),
        )

    def track(self, fps: float = FPS) -> PoseTrack:
        """A constructed person (tests/pose_builder.py) doing the performance."""
        t = self.times(fps)
        ch = {c: self._channel(t, c) for c in CHANNELS}
        facing = self._labels(t, self.facings).astype(float)
        incline = ch["trunk_lift"] - 90.0 if self.lying else ch["trunk_incline"]
        track = build_track(
            t,
            facing=facing,
            trunk_incline_deg=incline,
            left_hip_extension_deg=ch["left_hip"],
            right_hip_extension_deg=ch["right_hip"],
            left_knee_flexion_deg=ch["left_knee"],
            right_knee_flexion_deg=ch["right_knee"],
        )
        landmarks = track.landmarks.copy()
        for side in ("left", "right"):
            low = ch[f"{side}_vis"] < 0.5
            leg = [SIDE_POINTS[side][k] for k in ("hip", "knee", "ankle")]
            for i in leg:
                landmarks[low, i, 3] = ch[f"{side}_vis"][low]
        return PoseTrack(t=track.t, landmarks=landmarks, image_size=track.image_size)


# ----- the exercises, scripted ----------------------------------------------------------------


@dataclass(frozen=True)
class Stance:
    """A stretch position: the working leg's hip out of and in the target range, the rest fixed.

    The working knee may differ in and out of range: a back shin resting on the floor keeps its place
    as the thigh tilts, so its knee flexion is 90° minus the hip extension.
    """

    posture: str
    work_hip_out: float
    work_hip_in: float
    other_hip: float
    work_knee_out: float
    work_knee_in: float
    other_knee: float

    @property
    def lying(self) -> bool:
        return self.posture == "lying"


STANCES: dict[str, Stance] = {
    "half_kneeling_stretch": Stance("kneeling", -5.0, 15.0, -90.0, 95.0, 75.0, 90.0),
    "standing_lunge_stretch": Stance("standing", 0.0, 15.0, -40.0, 10.0, 10.0, 40.0),
    "couch_stretch": Stance("kneeling", -20.0, 5.0, -90.0, 150.0, 150.0, 90.0),
    "supine_edge_stretch": Stance("lying", -15.0, 8.0, -120.0, 80.0, 80.0, 120.0),
}

#: How each fault is acted out: role channels (work_*, other_*) or whole-body channels.
FAULT_ACTS: dict[str, dict[str, float]] = {
    "lean_back": {"trunk_incline": -15.0},
    "lean_forward": {"trunk_incline": 20.0},
    "front_knee_forward": {"other_knee": 145.0},
    "hug_released": {"other_hip": -65.0},
    "trunk_lifted": {"trunk_lift": 25.0},
    "knee_bent": {"work_knee": 40.0},
}
#: Faults where the legs keep their place on the floor while the trunk moves, so both hips'
#: extension changes by minus the trunk's lean (a stretch, unlike the standing test's moving leg).
LEGS_STAY = ("lean_back", "lean_forward")

RAMP_S = 0.2


def neutral(lying: bool) -> dict[str, float]:
    """Out of position: standing tall, or lying with both knees hugged."""
    if lying:
        return {"left_hip": -120.0, "right_hip": -120.0, "left_knee": 120.0, "right_knee": 120.0}
    return {"left_hip": 0.0, "right_hip": 0.0, "left_knee": 0.0, "right_knee": 0.0}


def act(side: str, fault: str, script: Script | None = None) -> dict[str, float]:
    """The channel values that act out `fault` with `side` working.

    Given the `script`, a lean in a stretch keeps the legs where they are (see LEGS_STAY).
    """
    values = roles(side, **FAULT_ACTS[fault])
    if script is not None and fault in LEGS_STAY:
        lean = values["trunk_incline"] - script.values["trunk_incline"]
        for leg in ("left", "right"):
            values[f"{leg}_hip"] = script.values[f"{leg}_hip"] - lean
    return values


def stretch_side(
    script: Script,
    exercise: str,
    side: str,
    hold_s: float = 31.0,
    sets: int = 2,
    fault: tuple[str, float, float] | None = None,
) -> Script:
    """One side of a stretch: into position, `sets` holds of `hold_s` with a shift out between, out.

    `fault` = (fault id, seconds into the first hold, duration) acts the fault out mid-hold.
    Marks: "{side}_hold{k}_start/end" at the middle of the ramps in and out, "{side}_fault_start/end".
    """
    st = STANCES[exercise]
    pose = roles(
        side,
        work_hip=st.work_hip_out,
        other_hip=st.other_hip,
        work_knee=st.work_knee_out,
        other_knee=st.other_knee,
    )
    script.set_posture(st.posture).move(1.0, **pose).wait(1.0)
    for k in range(1, sets + 1):
        script.move(RAMP_S, **roles(side, work_hip=st.work_hip_in, work_knee=st.work_knee_in))
        script.marks[f"{side}_hold{k}_start"] = script.t - RAMP_S / 2
        if fault is not None and k == 1:
            fid, after, duration = fault
            before = {c: script.values[c] for c in act(side, fid, script)}
            script.wait(after).mark(f"{side}_fault_start").move(0.01, **act(side, fid, script))
            script.wait(duration - 0.01).mark(f"{side}_fault_end").move(0.01, **before)
            script.wait(hold_s - after - duration - 0.01)
        else:
            script.wait(hold_s)
        script.move(RAMP_S, **roles(side, work_hip=st.work_hip_out, work_knee=st.work_knee_out))
        script.marks[f"{side}_hold{k}_end"] = script.t - RAMP_S / 2
        script.wait(3.0)
    script.move(1.0, **neutral(st.lying))
    if not st.lying:
        script.set_posture("standing")
    return script.wait(4.0)


def stretch_script(exercise: str, sides: Sequence[str] = ("right",), **kwargs: object) -> Script:
    """A recording of a stretch done on each of `sides` in turn."""
    st = STANCES[exercise]
    script = Script(lying=st.lying, posture="lying" if st.lying else "standing").wait(1.0)
    for side in sides:
        stretch_side(script, exercise, side, **kwargs)  # type: ignore[arg-type]
    return script


def thomas_side(
    script: Script,
    side: str,
    thigh_deg: float,
    knee_deg: float,
    settle_s: float = 6.0,
    fault: tuple[str, float, float] | None = None,
) -> Script:
    """One side of the Thomas test: the working leg drops from the chest and hangs for `settle_s`.

    `thigh_deg` is the hanging thigh against the table line (+ above it), so its hip extension is
    −thigh_deg. Marks: "{side}_hang_start/end".
    """
    script.move(1.5, **roles(side, work_hip=-thigh_deg, work_knee=knee_deg)).mark(
        f"{side}_hang_start"
    )
    if fault is not None:
        fid, after, duration = fault
        before = {c: script.values[c] for c in act(side, fid)}
        script.wait(after).mark(f"{side}_fault_start").move(0.01, **act(side, fid))
        script.wait(duration - 0.01).mark(f"{side}_fault_end").move(0.01, **before)
        script.wait(settle_s - after - duration - 0.01)
    else:
        script.wait(settle_s)
    script.mark(f"{side}_hang_end").move(1.0, **neutral(True))
    return script.wait(1.5)


def thomas_script(legs: Sequence[tuple[str, float, float]], **kwargs: object) -> Script:
    """The Thomas test on each (side, thigh_deg, knee_deg) in turn, lying throughout."""
    script = Script(lying=True, posture="lying").wait(1.0)
    for side, thigh, knee in legs:
        thomas_side(script, side, thigh, knee, **kwargs)  # type: ignore[arg-type]
    return script


def standing_test_side(
    script: Script,
    side: str,
    peak_deg: float,
    reps: int = 3,
    faulty_reps: Sequence[int] = (),
    fault: str = "lean_forward",
) -> Script:
    """Reps of taking the straight leg back to `peak_deg` (1 s out, 1 s back, 1 s rest).

    Reps numbered from 1 in `faulty_reps` are done with `fault` acted out throughout.
    """
    script.wait(1.0)
    for k in range(1, reps + 1):
        faulty = k in faulty_reps
        before = {c: script.values[c] for c in act(side, fault)}
        if faulty:
            script.move(0.2, **act(side, fault))
        script.move(1.0, **roles(side, work_hip=peak_deg)).move(1.0, **roles(side, work_hip=0.0))
        if faulty:
            script.move(0.2, **before)
        script.wait(1.0)
    return script


def standing_test_script(
    legs: Sequence[tuple[str, float]], turn: bool = True, **kwargs: object
) -> Script:
    """The standing hip extension test on each (side, peak) in turn, turning round between legs
    (when `turn`) so the tested leg faces the camera."""
    script = Script(lying=False, posture="standing").wait(1.0)
    for n, (side, peak) in enumerate(legs):
        if turn:
            script.face(1.0 if side == "right" else -1.0)
        standing_test_side(script, side, peak, **kwargs)  # type: ignore[arg-type]
        if n < len(legs) - 1:
            script.wait(2.0)
    return script.wait(1.0)
