"""An exercise as data: what the engine needs to follow one exercise, each number with its source.

These records are built by `exercises.catalog` from the TOML files in `exercises/definitions/`, so a
therapist changes a threshold or a hold time there, never here. The engine (`exercises.session`)
reads nothing else.

Angle references used by conditions, targets, reps and findings:
    "working.<angle>"   the leg being worked/tested (the back leg of a lunge, the hanging leg of the
                        Thomas test, the leg that moves back in the standing test);
    "other.<angle>"     the opposite leg;
    "difference.<angle>" working minus other (e.g. how far a split stance opens the legs apart);
    "<frame key>"       a whole-body value such as "trunk_incline_deg" or "trunk_to_horizontal_deg".
where <angle> is one of `LEG_VALUES`. Values come from the per-frame mappings of
`pose.angles.AngleSeries.frame` (names in ../shared/DESIGN.md).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pose.angles import BODY_VALUES, LEG_VALUES, SIDE_ANGLES

#: The per-leg angles a report summarises: pose's own (LEG_VALUES and BODY_VALUES, the names a
#: reference may use, are pose's frame contract too).
SUMMARY_ANGLES: tuple[str, ...] = SIDE_ANGLES
ROLES: tuple[str, ...] = ("working", "other")
#: "difference.<x>" is working.<x> minus other.<x>: how far apart the legs are (a split stance).
DIFFERENCE = "difference"
SIDES: tuple[str, ...] = ("left", "right")
KINDS: tuple[str, ...] = ("self_test", "rep_test", "stretch")
POSTURES: tuple[str, ...] = ("standing", "kneeling", "lying", "prone")
VERDICT_METHODS: tuple[str, ...] = ("settled_median", "rep_peaks")

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def is_valid_ref(ref: str) -> bool:
    """Whether `ref` names a value the engine can read (see the module docstring)."""
    if ref in BODY_VALUES:
        return True
    role, _, name = ref.partition(".")
    return role in (*ROLES, DIFFERENCE) and name in LEG_VALUES


#: The unit of a value a reference names, for reports (exercises.result.UNITS): degrees, except
#: visibility (a plain number, 0..1) and the body's speed (trunk lengths per second).
VALUE_UNITS: dict[str, str] = {"visibility": "", "body_speed_tl_s": "tl/s"}


def ref_unit(ref: str) -> str:
    """The unit of the value `ref` names: "deg", "" (visibility) or "tl/s" (body speed)."""
    return VALUE_UNITS.get(ref.partition(".")[2] or ref, "deg")


def frame_keys(ref: str, working_side: str) -> tuple[str, ...]:
    """The frame mapping's keys `ref` reads when `working_side` is the working leg."""
    role, dot, name = ref.partition(".")
    if not dot:
        return (ref,)
    other = other_side(working_side)
    if role == DIFFERENCE:
        return (f"{working_side}_{name}", f"{other}_{name}")
    return (f"{working_side if role == 'working' else other}_{name}",)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def read_value(frame: Mapping[str, object], ref: str, working_side: str) -> float:
    """The value `ref` names in `frame`, NaN when the frame does not have it or it is not a number."""
    values = [_number(frame.get(key, math.nan)) for key in frame_keys(ref, working_side)]
    return values[0] - values[1] if len(values) == 2 else values[0]


@dataclass(frozen=True)
class Sourced:
    """A number and where it comes from (the text of the source, resolved from its key)."""

    value: float
    source: str

    def as_dict(self, unit: str) -> dict[str, object]:
        return {"value": self.value, "unit": unit, "source": self.source}


@dataclass(frozen=True)
class Condition:
    """`ref op threshold`, e.g. working.hip_extension_deg >= -30; NaN makes it unknown (None)."""

    ref: str
    op: str
    threshold: float
    source: str
    #: position only: a condition skipped while its value cannot be read (the other leg, in a side
    #: view often hidden behind the near one; a whole-body value a frame cannot tell)
    if_seen: bool = False

    def check(self, frame: Mapping[str, object], working_side: str) -> bool | None:
        value = read_value(frame, self.ref, working_side)
        if math.isnan(value):
            return None
        return OPS[self.op](value, self.threshold)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "angle": self.ref,
            "op": self.op,
            "value": self.threshold,
            "source": self.source,
        }
        if self.if_seen:
            out["if_seen"] = True
        return out


@dataclass(frozen=True)
class FormRule:
    """A posture fault: present while `condition` holds (after `fault_min_s`); `cue` says how to fix it."""

    id: str
    name: str
    cue: str
    condition: Condition

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "cue": self.cue, **self.condition.as_dict()}


@dataclass(frozen=True)
class Target:
    """The range the measured angle should reach (either bound may be open) and the stretch dose."""

    ref: str
    min: Sourced | None
    max: Sourced | None
    hold_s: Sourced | None
    sets: Sourced | None
    cue: str
    praise: str
    done: str

    def in_range(self, value: float, widen_deg: float = 0.0) -> bool:
        """Whether `value` lies in range, the range widened by `widen_deg` at each open end."""
        if math.isnan(value):
            return False
        if self.min is not None and value < self.min.value - widen_deg:
            return False
        return not (self.max is not None and value > self.max.value + widen_deg)

    @property
    def higher_is_better(self) -> bool:
        return self.min is not None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"angle": self.ref}
        for name, item, unit in (
            ("min", self.min, "deg"),
            ("max", self.max, "deg"),
            ("hold_s", self.hold_s, "s"),
            ("sets", self.sets, "count"),
        ):
            if item is not None:
                out[name] = item.as_dict(unit)
        return out


@dataclass(frozen=True)
class RepRule:
    """A rep: the angle passes `enter_deg` and comes back past `exit_deg` (the gap is the hysteresis);
    with `swing_deg`, also relative to the person's own resting level (see timing.RepCounter),
    which with `rest_hold_s` must be a level held that long.

    `enter_deg > exit_deg` counts upward movements (e.g. the leg going back); the reverse counts
    downward ones.
    """

    ref: str
    enter_deg: Sourced
    exit_deg: Sourced
    per_side: Sourced
    swing_deg: Sourced | None = None
    rest_hold_s: Sourced | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "angle": self.ref,
            "enter": self.enter_deg.as_dict("deg"),
            "exit": self.exit_deg.as_dict("deg"),
            "per_side": self.per_side.as_dict("count"),
            **({"swing": self.swing_deg.as_dict("deg")} if self.swing_deg else {}),
            **({"rest_hold": self.rest_hold_s.as_dict("s")} if self.rest_hold_s else {}),
        }


@dataclass(frozen=True)
class Finding:
    """A self-test finding: positive when the side's settled value of `condition.ref` meets it."""

    id: str
    name: str
    condition: Condition

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, **self.condition.as_dict()}


@dataclass(frozen=True)
class NotAssessed:
    """Something the clinical test checks that this camera view cannot, named so it is not forgotten."""

    id: str
    name: str
    why: str


#: Camera classes of an uncertainty, by the view check's off-axis estimate.
CAMERA_CLASSES: tuple[str, ...] = ("side_on", "oblique")


@dataclass(frozen=True)
class Uncertainty:
    """How far a decisive value may be off: the rendered library's error of it (degrees) for this
    exercise's posture, seen side-on (the view check's estimate up to `side_on_max_deg`) or
    obliquely (beyond it, up to the view check's limit)."""

    angle: str  # a per-leg angle name, e.g. "thigh_to_horizontal_deg"
    side_on: float
    oblique: float
    source: str

    def deg(self, camera: str) -> float:
        return self.side_on if camera == "side_on" else self.oblique

    def as_dict(self) -> dict[str, object]:
        return {
            "side_on": self.side_on,
            "oblique": self.oblique,
            "unit": "deg",
            "source": self.source,
        }


@dataclass(frozen=True)
class VerdictRule:
    """How a self-test reaches `normal` / `tight` / `inconclusive`.

    method "settled_median": the medians over the latest `settle_s` seconds of good frames (in
    position, form good, leg seen) in which the measured angles stay within `steady_deg`. method "rep_peaks": the median of the peaks of
    reps done in good form, needing at least `min_reps` of them.
    """

    method: str
    findings: tuple[Finding, ...]
    settle_s: Sourced | None = None
    min_reps: Sourced | None = None
    steady_deg: Sourced | None = None
    not_assessed: tuple[NotAssessed, ...] = ()
    #: per decisive angle: the measurement's own uncertainty (a value within it of a threshold is
    #: "borderline"); `side_on_max_deg` divides side-on from oblique cameras
    uncertainty: tuple[Uncertainty, ...] = ()
    side_on_max_deg: Sourced | None = None

    def camera(self, view: Mapping[str, object] | None) -> str:
        """The camera class of a view check (`pose.view.ViewCheck.as_dict()`): "side_on" when its
        off-axis estimate is at most `side_on_max_deg`, else (or unknown) "oblique"."""
        off = None if view is None else view.get("off_axis_deg")
        limit = self.side_on_max_deg
        if limit is None or not isinstance(off, int | float) or not math.isfinite(off):
            return "oblique"
        return "side_on" if off <= limit.value else "oblique"

    def uncertainty_deg(self, angle: str, view: Mapping[str, object] | None) -> float | None:
        """The library's error of `angle` (a per-leg angle or reference name) for this view."""
        name = angle.partition(".")[2] or angle
        u = next((u for u in self.uncertainty if u.angle == name), None)
        return None if u is None else u.deg(self.camera(view))

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "method": self.method,
            "findings": {f.id: f.as_dict() for f in self.findings},
        }
        if self.uncertainty:
            out["uncertainty"] = {u.angle: u.as_dict() for u in self.uncertainty}
        if self.side_on_max_deg is not None:
            out["side_on_max_deg"] = self.side_on_max_deg.as_dict("deg")
        if self.settle_s is not None:
            out["settle_s"] = self.settle_s.as_dict("s")
        if self.steady_deg is not None:
            out["steady_deg"] = self.steady_deg.as_dict("deg")
        if self.min_reps is not None:
            out["min_reps"] = self.min_reps.as_dict("count")
        return out


@dataclass(frozen=True)
class Phases:
    """What to tell the person in each phase; `active_label` names the active phase ("hold", ...)."""

    position: str
    active: str
    active_label: str
    release: str
    other_side: str
    done: str


@dataclass(frozen=True)
class EngineTiming:
    """Engine timing and tolerances (meaning of each in exercises/definitions/_common.toml)."""

    fault_min_s: Sourced
    cue_repeat_s: Sourced
    cue_display_s: Sourced
    praise_after_s: Sourced
    praise_repeat_s: Sourced
    range_cue_after_s: Sourced
    rest_after_hold_s: Sourced
    position_enter_s: Sourced
    position_leave_s: Sourced
    switch_s: Sourced
    release_s: Sourced
    max_gap_s: Sourced
    min_listed_hold_s: Sourced
    range_hysteresis_deg: Sourced
    min_visibility: Sourced
    view_cue_after_s: Sourced
    asymmetry_min_deg: Sourced

    def as_dict(self) -> dict[str, object]:
        return {
            name: getattr(self, name).as_dict(
                "deg" if name.endswith("_deg") else ("" if name == "min_visibility" else "s")
            )
            for name in self.__dataclass_fields__
        }


@dataclass(frozen=True)
class ExerciseDefinition:
    """One exercise, as read from its data file.

    Attributes:
        id, name, description: identity; `description` is one line for `--list-exercises`.
        kind: "self_test" (verdict from a settled stretch of frames), "rep_test" (verdict from rep
            peaks) or "stretch" (holds in the target range).
        view: the camera view the measures need ("side_on").
        postures: the postures (pose.view.classify_posture labels) the exercise is done in.
        measured_leg: which leg is measured, in words.
        setup: set-up guidance shown before starting.
        side_margin_deg: --side auto: the working leg is the one whose `side_angle` is larger by this.
        position: all must hold (with working = the chosen leg) for the person to be in position.
        target, reps, verdict: see their classes; `reps` and `verdict` may be None.
        faults: form rules, most important first (the order cues are given in).
        timing: the engine's timing, defaults from _common.toml merged with the file's overrides.
        path: the file it was read from.
    """

    id: str
    name: str
    description: str
    kind: str
    view: str
    postures: tuple[str, ...]
    measured_leg: str
    setup: str
    phases: Phases
    side_angle: str
    side_margin_deg: Sourced
    position: tuple[Condition, ...]
    target: Target
    faults: tuple[FormRule, ...]
    timing: EngineTiming
    reps: RepRule | None = None
    verdict: VerdictRule | None = None
    path: str = ""

    def thresholds(self) -> dict[str, object]:
        """Every value the engine uses for this exercise, with its source (for report.json)."""
        out: dict[str, object] = {
            "definition_file": self.path,
            "postures": list(self.postures),
            "view": self.view,
            "side": {
                "angle": self.side_angle,
                "margin": self.side_margin_deg.as_dict("deg"),
            },
            "position": [c.as_dict() for c in self.position],
            "target": self.target.as_dict(),
            "faults": {rule.id: rule.as_dict() for rule in self.faults},
            "engine": self.timing.as_dict(),
        }
        if self.reps is not None:
            out["reps"] = self.reps.as_dict()
        if self.verdict is not None:
            out["verdict"] = self.verdict.as_dict()
        return out
