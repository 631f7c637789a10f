"""What a body can do: a reading beyond it is not a measurement, so its frames are left empty.

The one place these limits live, each with its source. `apply_limits` empties (NaN) the frames of
an angle that read beyond its anatomical range or jump between frames faster than a joint can move,
and returns a plain sentence per angle saying how many frames, when, and why — the report's
warnings (analysis.service) carry them to the person.

Sources:
- Hip extension: normal passive range about 10–20° (Norkin & White, CLINICAL.md), 0–30° in the
  AAOS tables (Greene & Heckman 1994); the measured angle also takes in the low back's extension and
  the pelvis' tilt (the trunk line runs from shoulder to hip) and a pose model's error of a few
  degrees, so the limit sits well above: +45°, as issue 11 set it. A reading above that is a wrong
  facing, a leg taken for the other one, or a hip opened out of the camera's plane (a yoga leg
  raise), never a hip extension.
- Knee: knees bend one way. A few degrees of hyperextension are common; the Beighton score counts
  more than 10° as hypermobile (Beighton, Solomon & Soskolne 1973). Issue 11 asked for about −10°;
  the limit is −15°, because MediaPipe reads a straight far knee up to 15° too far back (−12° on a
  rendered knee of +3°, ../synth/ACCURACY.md's library), and such frames are measurements, not
  impossible ones. A reading below −15° is a knee drawn bending backwards by a wrong facing or a
  misplaced ankle (a bent knee seen facing the wrong way reads −30° to −90°).
- Speed: walking moves the knee at up to about 400°/s (Winter, Biomechanics and Motor Control of
  Human Movement, gait data) and sprinting at the order of 1,000°/s (Novacheck 1998, The
  biomechanics of running, Gait Posture 7:77–95); stretches and these self-tests move far slower.
  1,500°/s is a working limit beyond all of them: a value that jumps that fast between two frames
  and back within `MAX_GLITCH_S` was a glitch of the pose model (a leg swapped with the other for a
  frame or two, a trunk line thrown by a far shoulder), not a movement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AngleLimit:
    """The range an angle can take; `beyond` says in words what a reading outside it claims."""

    name: str  # a per-leg angle name (pose.angles.SIDE_ANGLES)
    low: float | None
    high: float | None
    beyond: str
    #: other per-leg angles measured from the same wrong reference, emptied with it
    with_it: tuple[str, ...] = ()


HIP_EXTENSION_MAX_DEG = 45.0
KNEE_FLEXION_MIN_DEG = -15.0

LIMITS: tuple[AngleLimit, ...] = (
    # a hip "extended" past +45° is a wrong facing or a swapped leg: the thigh's angle to the table
    # line is taken against the same facing, so it goes too
    AngleLimit(
        "hip_extension_deg",
        None,
        HIP_EXTENSION_MAX_DEG,
        f"more than {HIP_EXTENSION_MAX_DEG:+.0f}° of hip extension, beyond what a hip can do",
        with_it=("thigh_to_horizontal_deg",),
    ),
    AngleLimit(
        "knee_flexion_deg",
        KNEE_FLEXION_MIN_DEG,
        None,
        f"a knee bent backwards by more than {-KNEE_FLEXION_MIN_DEG:.0f}°, beyond what a knee can do",
    ),
)

#: Faster than any joint moves in walking, running or stretching (see the module's sources).
MAX_RATE_DEG_S = 1500.0
#: ... and at least this far: at a high frame rate a few degrees of jitter is not a jump.
MIN_JUMP_DEG = 25.0
#: A stretch of frames between two such jumps, or between one and the start or end of the
#: measured run, lasting at most this long, is a glitch; longer, it may be the truth, and the
#: jump the glitch.
MAX_GLITCH_S = 0.3
#: Frames further apart than this are not compared: a body may have moved anywhere in between.
MAX_COMPARE_GAP_S = 0.25
#: Angles checked for jumps: per leg, and the trunk.
RATE_CHECKED: tuple[str, ...] = (
    "hip_extension_deg",
    "knee_flexion_deg",
    "thigh_to_horizontal_deg",
)
TRUNK_RATE_CHECKED: tuple[str, ...] = ("trunk_incline_deg",)


def _words(name: str) -> str:
    """ "left_hip_extension_deg" -> "left hip extension"."""
    return name.removesuffix("_deg").replace("_", " ")


def _frames(n: int) -> str:
    return f"{n} frame" if n == 1 else f"{n} frames"


def _span(t: np.ndarray, mask: np.ndarray) -> str:
    times = t[mask]
    if times.size == 1 or times[-1] - times[0] < 0.05:
        return f"at {times[0]:.1f} s"
    return f"between {times[0]:.1f} and {times[-1]:.1f} s"


def out_of_range(values: np.ndarray, limit: AngleLimit) -> np.ndarray:
    """(N,) bool: finite readings beyond `limit`."""
    # NaN (not measured) compares False, so it is never out of range
    low = values < limit.low if limit.low is not None else np.zeros(values.shape, bool)
    high = values > limit.high if limit.high is not None else np.zeros(values.shape, bool)
    return low | high


def glitches(
    t: np.ndarray,
    values: np.ndarray,
    max_rate: float = MAX_RATE_DEG_S,
    min_jump: float = MIN_JUMP_DEG,
    max_glitch_s: float = MAX_GLITCH_S,
) -> np.ndarray:
    """(N,) bool: frames in a short stretch cut off from its neighbours by impossible jumps.

    The measured frames are split wherever two consecutive ones (at most `MAX_COMPARE_GAP_S` apart)
    differ by more than `max_rate` · dt and `min_jump`, and wherever a gap breaks them. A piece
    that has such a jump at one end at least, lasts at most `max_glitch_s` and is shorter than the
    piece across each of its jumps is the glitch: the body cannot have gone there and back.
    """
    n = values.shape[0]
    out = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(np.isfinite(values))
    if idx.size < 2:
        return out
    dt = np.diff(t[idx])
    # signed angles live on (−180°, 180°]: crossing that seam is no jump
    step = np.abs((np.diff(values[idx]) + 180.0) % 360.0 - 180.0)
    compared = dt <= MAX_COMPARE_GAP_S
    jump = compared & (step > np.maximum(min_jump, max_rate * dt))
    # pieces: runs of measured frames between breaks (a jump or an uncompared gap)
    breaks = np.flatnonzero(jump | ~compared)
    starts = np.concatenate([[0], breaks + 1])
    stops = np.concatenate([breaks + 1, [idx.size]])
    frame_dt = float(np.median(dt)) if dt.size else 0.0

    def duration(k: int) -> float:
        a, b = starts[k], stops[k] - 1
        return float(t[idx[b]] - t[idx[a]]) + frame_dt

    for k in range(starts.size):
        before = k > 0 and jump[starts[k] - 1]
        after = k < starts.size - 1 and jump[stops[k] - 1]
        if not (before or after) or duration(k) > max_glitch_s + 1e-9:
            continue
        if before and duration(k - 1) <= duration(k):
            continue
        if after and duration(k + 1) <= duration(k):
            continue
        out[idx[starts[k] : stops[k]]] = True
    return out


def apply_limits(
    t: np.ndarray, values: dict[str, np.ndarray], sides: tuple[str, ...] = ("left", "right")
) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """The angle columns with impossible readings emptied, and a sentence for each angle emptied.

    `values` maps column names ("left_hip_extension_deg", ..., "trunk_incline_deg") to (N,) arrays;
    the columns are copied, never changed in place.
    """
    out = {k: np.array(v, dtype=np.float64, copy=True) for k, v in values.items()}
    notes: list[str] = []
    for side in sides:
        for limit in LIMITS:
            column = f"{side}_{limit.name}"
            if column not in out:
                continue
            bad = out_of_range(out[column], limit)
            if not bad.any():
                continue
            for name in (limit.name, *limit.with_it):
                if f"{side}_{name}" in out:
                    out[f"{side}_{name}"][bad] = np.nan
            also = "".join(f" (and its {_words(n)})" for n in limit.with_it)
            notes.append(
                f"{_words(column).capitalize()}{also}: {_frames(int(bad.sum()))} "
                f"{_span(t, bad)} read {limit.beyond}, and were left empty."
            )
    if len(t) < 3:  # a jump there and back needs frames either side (the live path's one frame)
        return out, tuple(notes)
    columns = [f"{side}_{name}" for side in sides for name in RATE_CHECKED]
    for column in (*columns, *TRUNK_RATE_CHECKED):
        if column not in out:
            continue
        bad = glitches(t, out[column])
        if not bad.any():
            continue
        out[column][bad] = np.nan
        notes.append(
            f"{_words(column).capitalize()}: {_frames(int(bad.sum()))} {_span(t, bad)} jumped "
            f"faster than a body can move (more than {MAX_RATE_DEG_S:,.0f}°/s, there and back "
            "within a moment), and were left empty."
        )
    return out, tuple(notes)
