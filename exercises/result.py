"""The exercise result as frozen, typed records, checked once on construction.

The engine (`exercises.summary.build_result`) builds them; every front end and writer reads their
attributes (words through `outputs.presenter`, files through `outputs.report_json` and the other
writers). Dicts exist only at the JSON edge. Unknown values are None, never a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from exercises.definition import KINDS, OPS, SIDES, SUMMARY_ANGLES

#: Verdict words. Self-tests and rep tests: normal, tight, borderline, inconclusive, not_tested;
#: stretches: completed, incomplete, not_tested.
NORMAL, TIGHT, BORDERLINE = "normal", "tight", "borderline"
INCONCLUSIVE, NOT_TESTED = "inconclusive", "not_tested"
COMPLETED, INCOMPLETE = "completed", "incomplete"
VERDICTS: tuple[str, ...] = (
    NORMAL,
    TIGHT,
    BORDERLINE,
    INCONCLUSIVE,
    NOT_TESTED,
    COMPLETED,
    INCOMPLETE,
)
#: "" = a plain number (visibility 0..1); "tl/s" = trunk lengths (shoulder to hip) per second.
UNITS: tuple[str, ...] = ("deg", "s", "count", "", "tl/s")


class ResultError(ValueError):
    """A result record built with values that break its contract (a bug, never user input)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ResultError(message)


def _finite_or_none(name: str, value: float | None) -> None:
    _check(
        value is None or (isinstance(value, int | float) and math.isfinite(value)),
        f"{name} must be a finite number or None, got {value!r}",
    )


def _side(name: str, value: str | None, allow_none: bool = True) -> None:
    _check(
        (value is None and allow_none) or value in SIDES, f"{name} must be left/right: {value!r}"
    )


@dataclass(frozen=True)
class AngleStats:
    """An angle's min, median and max over the measured frames (degrees; None when never measured)."""

    min: float | None = None
    median: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        for name in ("min", "median", "max"):
            _finite_or_none(name, getattr(self, name))

    @property
    def measured(self) -> bool:
        return self.median is not None


@dataclass(frozen=True)
class Finding:
    """What a self-test found on one side: the value measured against its threshold.

    `value`, `op` and `threshold` are None for a compensation finding (counted in reps instead).
    `uncertainty` is how far the value may be off (degrees: the measurement's own error for this
    posture and camera, with the spread of the values it was taken from); `borderline` marks a
    value within its uncertainty of the threshold, on either side: it may or may not be a finding.
    """

    id: str
    name: str
    angle: str | None  # the definition's reference, e.g. "working.thigh_to_horizontal_deg"
    value: float | None
    op: str | None
    threshold: float | None
    unit: str = "deg"
    source: str = ""
    reps: int | None = None
    uncertainty: float | None = None
    borderline: bool = False

    def __post_init__(self) -> None:
        _check(bool(self.id) and bool(self.name), "a finding needs an id and a name")
        _finite_or_none(f"finding {self.id} value", self.value)
        _finite_or_none(f"finding {self.id} threshold", self.threshold)
        _finite_or_none(f"finding {self.id} uncertainty", self.uncertainty)
        _check(
            self.uncertainty is None or self.uncertainty >= 0,
            f"finding {self.id}: a negative uncertainty",
        )
        _check(
            not self.borderline or (self.value is not None and self.uncertainty is not None),
            f"finding {self.id}: borderline needs a value and its uncertainty",
        )
        _check(self.op is None or self.op in OPS, f"finding {self.id}: unknown op {self.op!r}")
        _check(self.unit in UNITS, f"finding {self.id}: unknown unit {self.unit!r}")

    @property
    def compensation(self) -> bool:
        return self.id.startswith("compensation:")


@dataclass(frozen=True)
class Hold:
    """One hold in the target range: seconds from the start, and the mean angle over it."""

    start_s: float
    end_s: float
    mean_deg: float | None

    def __post_init__(self) -> None:
        _check(self.end_s >= self.start_s, f"a hold ends before it starts: {self}")

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class FaultTime:
    """A posture fault on one side and how long it lasted in all (seconds)."""

    id: str
    name: str
    seconds: float

    def __post_init__(self) -> None:
        _check(self.seconds >= 0, f"fault {self.id}: negative time {self.seconds}")


@dataclass(frozen=True)
class NotAssessed:
    """Something the clinical test checks that this view cannot, with why."""

    id: str
    name: str
    why: str


@dataclass(frozen=True)
class Window:
    """The settled stretch a self-test verdict was taken from (seconds)."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class VerdictValues:
    """The numbers a verdict rests on.

    Self-tests: the settled `window` and the medians of `angles` over it (angle name -> degrees);
    rep tests: `median_rep_peak_deg` over `clean_reps`; stretches: `holds_completed` of `sets`.
    `uncertainty`: how far each value may be off, degrees, under the same names as `angles` (and
    "median_rep_peak_deg").
    """

    window: Window | None = None
    angles: Mapping[str, float | None] = field(default_factory=dict)
    median_rep_peak_deg: float | None = None
    clean_reps: int | None = None
    holds_completed: int | None = None
    sets: int | None = None
    uncertainty: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.angles.items():
            _finite_or_none(f"verdict value {name}", value)
        _finite_or_none("median_rep_peak_deg", self.median_rep_peak_deg)
        for name, value in self.uncertainty.items():
            _finite_or_none(f"uncertainty of {name}", value)
            _check(
                name in self.angles or name == "median_rep_peak_deg",
                f"an uncertainty of {name}, which is no verdict value",
            )


@dataclass(frozen=True)
class SideResult:
    """Everything measured and judged for one leg."""

    side: str
    measured: bool
    angles: Mapping[str, AngleStats]
    verdict: str
    peak_hip_extension_deg: float | None = None
    time_in_target_s: float | None = None
    holds: tuple[Hold, ...] = ()
    holds_completed: int = 0
    reps: int | None = None
    rep_peaks_deg: tuple[float | None, ...] | None = None
    findings: tuple[Finding, ...] = ()
    reasons: tuple[str, ...] = ()
    values: VerdictValues | None = None
    result_deg: float | None = None
    faults: tuple[FaultTime, ...] = ()
    measured_s: float = 0.0
    not_assessed: tuple[NotAssessed, ...] = ()

    def __post_init__(self) -> None:
        _side("side", self.side, allow_none=False)
        _check(self.verdict in VERDICTS, f"{self.side}: unknown verdict {self.verdict!r}")
        _check(
            set(self.angles) == set(SUMMARY_ANGLES),
            f"{self.side}: angles must be {', '.join(SUMMARY_ANGLES)}, got {sorted(self.angles)}",
        )
        for name in ("peak_hip_extension_deg", "time_in_target_s", "result_deg"):
            _finite_or_none(f"{self.side} {name}", getattr(self, name))
        _check(
            self.verdict not in (NORMAL, TIGHT, BORDERLINE) or self.measured,
            f"{self.side}: a {self.verdict} verdict needs a measured side",
        )
        _check(
            self.verdict != TIGHT
            or any(not f.compensation and not f.borderline for f in self.findings),
            f"{self.side}: tight needs a finding beyond its uncertainty",
        )
        _check(
            self.verdict != BORDERLINE or any(f.borderline for f in self.findings),
            f"{self.side}: borderline needs a finding within its uncertainty of the threshold",
        )
        _check(
            self.verdict != NOT_TESTED
            or (self.values is None and all(f.compensation for f in self.findings)),
            f"{self.side}: a side not tested has no verdict values or findings",
        )

    def fault_seconds(self) -> dict[str, float]:
        return {f.id: f.seconds for f in self.faults}


@dataclass(frozen=True)
class CueRecord:
    """A cue given during the session, at `t_s` seconds."""

    t_s: float | None
    side: str | None
    fault: str | None
    message: str
    kind: str


@dataclass(frozen=True)
class Asymmetry:
    """Left against right on the exercise's target angle. `uncertainty_deg`: how far the
    difference itself may be off (the two results' uncertainties combined, or the engine's floor);
    `more_limited_side` is None unless the difference is beyond it."""

    angle: str
    left_deg: float
    right_deg: float
    more_limited_side: str | None
    uncertainty_deg: float | None = None

    def __post_init__(self) -> None:
        _finite_or_none("left_deg", self.left_deg)
        _finite_or_none("right_deg", self.right_deg)
        _finite_or_none("uncertainty_deg", self.uncertainty_deg)
        _side("more_limited_side", self.more_limited_side)
        _check(
            self.more_limited_side is None
            or self.uncertainty_deg is None
            or self.difference_deg > self.uncertainty_deg,
            "a more limited side needs a difference beyond its uncertainty",
        )

    @property
    def difference_deg(self) -> float:
        return round(abs(self.left_deg - self.right_deg), 1)


@dataclass(frozen=True)
class ThresholdUsed:
    """One value the engine used, with its unit and its published source.

    `key` says where it sits in the definition ("target.min", "faults.leaning_back",
    "engine.fault_min_s"); `name` is the definition's own words for it where it has them; `angle`
    the reference it compares. `outputs.presenter` turns these into a sentence.
    """

    key: str
    name: str
    angle: str | None
    op: str | None
    value: float | None
    unit: str
    source: str

    def __post_init__(self) -> None:
        _finite_or_none(f"threshold {self.key}", self.value)
        _check(self.op is None or self.op in OPS, f"threshold {self.key}: op {self.op!r}")
        _check(self.unit in UNITS, f"threshold {self.key}: unit {self.unit!r}")


@dataclass(frozen=True)
class ExerciseResult:
    """An exercise judged over a session: both sides, cues, the values used and their sources.

    `thresholds` is the definition's values as data (for report.json, key for key);
    `thresholds_used` is the same in words, for people.
    """

    exercise: str
    name: str
    kind: str
    measured_leg: str
    side_mode: str
    tested_side: str | None  # "left", "right", "both" or None (never in position)
    sides: Mapping[str, SideResult]
    asymmetry: Asymmetry | None
    thresholds: Mapping[str, object]
    thresholds_used: tuple[ThresholdUsed, ...]
    cues: tuple[CueRecord, ...]
    notes: tuple[str, ...] = ()
    view: Mapping[str, object] | None = None  # the view check the verdicts were judged with

    def __post_init__(self) -> None:
        _check(self.kind in KINDS, f"unknown exercise kind {self.kind!r}")
        _check(set(self.sides) == set(SIDES), "an exercise result has a left and a right side")
        _check(all(self.sides[s].side == s for s in SIDES), "sides must be filed under their name")
        _check(self.tested_side in (None, "both", *SIDES), f"tested_side {self.tested_side!r}")

    @property
    def is_self_test(self) -> bool:
        return self.kind in ("self_test", "rep_test")

    @property
    def asymmetry_deg(self) -> float | None:
        return None if self.asymmetry is None else self.asymmetry.difference_deg

    @property
    def measured_sides(self) -> tuple[str, ...]:
        return tuple(s for s in SIDES if self.sides[s].measured)

    def threshold(self, key: str) -> ThresholdUsed | None:
        """The value used under `key` ("target.hold_s", "engine.cue_display_s", ...), if any."""
        return next((t for t in self.thresholds_used if t.key == key), None)
