"""An `ExerciseSession`'s state -> an `ExerciseResult` (typed records, exercises/result.py).

Unknown values are None, never a made-up number; every result carries the thresholds it used with
their sources. The words a person reads come from `outputs.presenter`, not from here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from exercises.definition import (
    CAMERA_CLASSES,
    SIDES,
    SUMMARY_ANGLES,
    ExerciseDefinition,
    Sourced,
    read_value,
    ref_unit,
)
from exercises.result import (
    INCONCLUSIVE,
    NOT_TESTED,
    AngleStats,
    Asymmetry,
    CueRecord,
    ExerciseResult,
    FaultTime,
    Hold,
    NotAssessed,
    SideResult,
    ThresholdUsed,
)
from exercises.verdict import (
    SideVerdict,
    rep_test_verdict,
    self_test_verdict,
    stretch_verdict,
    view_reasons,
)

if TYPE_CHECKING:
    from exercises.session import ExerciseSession, SideState

#: A stretch's representative value: this percentile of the target angle over frames in good form
#: (the range reached, robust to single frames); the reverse percentile when lower is better.
STRETCH_RESULT_PERCENTILE = 90.0
#: Decimal places of the statistics (degrees): the exercise result's, and the whole recording's
#: per-side angles (report.json's angle summary, which keeps a finer grain).
STAT_DIGITS = 1
RECORDING_STAT_DIGITS = 2


def _r(value: float | None, digits: int = STAT_DIGITS) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def angle_stats(values: np.ndarray, digits: int = STAT_DIGITS) -> AngleStats:
    """min, median and max over the measured (finite) values; None when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return AngleStats()
    return AngleStats(
        _r(float(finite.min()), digits),
        _r(float(np.median(finite)), digits),
        _r(float(finite.max()), digits),
    )


def _column(frames: list, name: str, side: str) -> np.ndarray:
    return np.array([read_value(f, name, side) for f in frames], dtype=np.float64)


def _side_result(session: ExerciseSession, side: str) -> SideResult:
    d = session.definition
    state: SideState = session.sides[side]
    records = state.records
    measured = [r for r in records if r.measured]
    frames = [r.frame for r in measured]
    form_ok = [r.frame for r in measured if r.form_ok]
    reps = state.reps.reps if state.reps is not None else None
    names = {r.id: r.name for r in d.faults}
    faults = tuple(
        FaultTime(fid, names[fid], round(p.seconds, 2))
        for fid, p in state.faults.items()
        if p.seconds > 0
    )

    if not measured:
        word, reason = _unmeasured(session, side)
        verdict = SideVerdict(word, reasons=[*view_reasons(session.view), reason])
    elif d.kind == "self_test":
        verdict = self_test_verdict(
            d,
            side,
            [r.frame for r in records],
            np.array([r.t for r in records]),
            np.array([r.index for r in records]),
            np.array([r.good for r in records]),
            {f.name: f.seconds for f in faults},
            session.view,
        )
    elif d.kind == "rep_test":
        verdict = rep_test_verdict(
            d, reps or [], names, session.view, {f.name: f.seconds for f in faults}
        )
    else:
        verdict = stretch_verdict(d, True, session.holds_completed(side))
        target = _column(form_ok, d.target.ref, side)
        target = target[np.isfinite(target)]
        if target.size:
            q = (
                STRETCH_RESULT_PERCENTILE
                if d.target.higher_is_better
                else 100 - STRETCH_RESULT_PERCENTILE
            )
            verdict.result_deg = _r(float(np.percentile(target, q)))

    not_assessed = (
        tuple(NotAssessed(n.id, n.name, n.why) for n in d.verdict.not_assessed)
        if d.verdict is not None
        else ()
    )
    bad_view = view_reasons(session.view)
    if bad_view and measured:
        # A view that is not side-on makes every angle invalid, and with it whatever was judged
        # from an angle (time in the target range, holds): none of those; keep reps and faults.
        return SideResult(
            side=side,
            measured=True,
            angles={name: AngleStats() for name in SUMMARY_ANGLES},
            verdict=INCONCLUSIVE,
            holds_completed=session.holds_completed(side),
            reps=None if reps is None else len(reps),
            rep_peaks_deg=None if reps is None else tuple(None for _ in reps),
            reasons=(*bad_view, *(r for r in verdict.reasons if r not in bad_view)),
            faults=faults,
            measured_s=round(_measured_seconds(records), 2),
            not_assessed=not_assessed,
        )
    hip_ok = _column(form_ok, "working.hip_extension_deg", side)
    min_hold = d.timing.min_listed_hold_s.value
    return SideResult(
        side=side,
        measured=bool(measured),
        angles={
            name: angle_stats(_column(frames, f"working.{name}", side)) for name in SUMMARY_ANGLES
        },
        verdict=verdict.verdict,
        peak_hip_extension_deg=_r(float(np.nanmax(hip_ok)))
        if np.any(np.isfinite(hip_ok))
        else None,
        time_in_target_s=round(float(state.holds.total_s), 2),
        holds=tuple(
            Hold(_r(h.start_s, 2), _r(h.end_s, 2), _r(h.mean_deg))
            for h in state.holds.holds
            if h.duration_s >= min_hold - 1e-9
        ),
        holds_completed=session.holds_completed(side),
        reps=None if reps is None else len(reps),
        rep_peaks_deg=None if reps is None else tuple(_r(r.peak_deg) for r in reps),
        findings=tuple(verdict.findings),
        reasons=tuple(verdict.reasons),
        values=verdict.values,
        result_deg=verdict.result_deg,
        faults=faults,
        measured_s=round(_measured_seconds(records), 2),
        not_assessed=not_assessed,
    )


def _measured_seconds(records: list) -> float:
    """Seconds between consecutive measured frames (the time this side was actually measured)."""
    total = 0.0
    for prev, cur in itertools.pairwise(records):
        if prev.measured and cur.measured and cur.index == prev.index + 1:
            total += cur.t - prev.t
    return total


def _unmeasured(session: ExerciseSession, side: str) -> tuple[str, str]:
    """A side never measured: the verdict word and why. Never in position is `not_tested`; in
    position (or perhaps in position) but not seen, or seen from a view that cannot tell, is
    `inconclusive`."""
    if session.side_mode not in ("auto", side):
        return NOT_TESTED, f"the session was limited to the {session.side_mode} side"
    if view_reasons(session.view):
        return INCONCLUSIVE, f"whether the {side} side was ever in position cannot be told"
    unseen = session.unseen_fraction(side)
    if unseen is not None and unseen >= 0.5:
        return INCONCLUSIVE, (
            f"the {side} leg was not seen well enough to measure ({unseen:.0%} of the frames with a "
            "person): turn it towards the camera, whole body in view"
        )
    if session.sides[side].records:
        return INCONCLUSIVE, f"the {side} leg was never seen well enough while in position"
    return NOT_TESTED, f"the {side} side was never in the position of the exercise with it working"


def _result_uncertainty(d: ExerciseDefinition, side: SideResult) -> float | None:
    """How far a side's result may be off: its verdict value's uncertainty, if it has one."""
    v = side.values
    if v is None or not v.uncertainty:
        return None
    name = d.target.ref.partition(".")[2] or d.target.ref
    return v.uncertainty.get(name, v.uncertainty.get("median_rep_peak_deg"))


def _asymmetry(d: ExerciseDefinition, left: SideResult, right: SideResult) -> Asymmetry | None:
    """Left against right. A side is called more limited only when the difference is beyond
    what the two measurements may be off together (their uncertainties in quadrature), or, where
    they carry none (stretches), beyond the engine's `asymmetry_min_deg`."""
    lv, rv = left.result_deg, right.result_deg
    if lv is None or rv is None:
        return None
    lu, ru = _result_uncertainty(d, left), _result_uncertainty(d, right)
    if lu is not None and ru is not None:
        uncertainty = _r(math.hypot(lu, ru))
    else:
        uncertainty = d.timing.asymmetry_min_deg.value
    even = Asymmetry(d.target.ref, lv, rv, None, uncertainty)
    if even.difference_deg <= uncertainty:
        return even
    worse_left = lv < rv if d.target.higher_is_better else lv > rv
    return replace(even, more_limited_side="left" if worse_left else "right")


def _sourced(key: str, name: str, item: Sourced, unit: str, angle=None, op=None) -> ThresholdUsed:
    return ThresholdUsed(key, name, angle, op, item.value, unit, item.source)


def thresholds_used(d: ExerciseDefinition) -> tuple[ThresholdUsed, ...]:
    """Every value the engine uses for `d`, each with its source, in the definition's order."""
    out: list[ThresholdUsed] = []
    t = d.target
    for bound, item in (("min", t.min), ("max", t.max)):
        if item is not None:
            out.append(
                _sourced(
                    f"target.{bound}", "", item, "deg", t.ref, ">=" if bound == "min" else "<="
                )
            )
    if t.hold_s is not None:
        out.append(_sourced("target.hold_s", "", t.hold_s, "s"))
    if t.sets is not None:
        out.append(_sourced("target.sets", "", t.sets, "count"))
    if d.verdict is not None:
        for f in d.verdict.findings:
            c = f.condition
            out.append(
                ThresholdUsed(
                    f"verdict.findings.{f.id}", f.name, c.ref, c.op, c.threshold, "deg", c.source
                )
            )
        for name, item, unit in (
            ("settle_s", d.verdict.settle_s, "s"),
            ("steady_deg", d.verdict.steady_deg, "deg"),
            ("min_reps", d.verdict.min_reps, "count"),
            ("side_on_max_deg", d.verdict.side_on_max_deg, "deg"),
        ):
            if item is not None:
                out.append(_sourced(f"verdict.{name}", "", item, unit))
        for u in d.verdict.uncertainty:
            for camera in CAMERA_CLASSES:
                out.append(
                    ThresholdUsed(
                        f"verdict.uncertainty.{u.angle}.{camera}",
                        "",
                        f"working.{u.angle}",
                        None,
                        u.deg(camera),
                        "deg",
                        u.source,
                    )
                )
    for rule in d.faults:
        c = rule.condition
        out.append(
            ThresholdUsed(
                f"faults.{rule.id}", rule.name, c.ref, c.op, c.threshold, ref_unit(c.ref), c.source
            )
        )
    for i, c in enumerate(d.position):
        out.append(
            ThresholdUsed(f"position.{i}", "", c.ref, c.op, c.threshold, ref_unit(c.ref), c.source)
        )
    if d.reps is not None:
        units = {"enter_deg": "deg", "exit_deg": "deg", "swing_deg": "deg", "rest_hold_s": "s"}
        for name in (*units, "per_side"):
            item = getattr(d.reps, name, None)
            if isinstance(item, Sourced):
                out.append(_sourced(f"reps.{name}", "", item, units.get(name, "count")))
    out.append(_sourced("side.margin", "", d.side_margin_deg, "deg", f"working.{d.side_angle}"))
    for name in d.timing.__dataclass_fields__:
        item = getattr(d.timing, name)
        unit = "deg" if name.endswith("_deg") else ("" if name == "min_visibility" else "s")
        out.append(_sourced(f"engine.{name}", "", item, unit))
    return tuple(out)


def build_result(session: ExerciseSession) -> ExerciseResult:
    """The typed result of everything fed to `session` so far."""
    d = session.definition
    sides = {side: _side_result(session, side) for side in SIDES}
    measured = [s for s in SIDES if sides[s].measured and sides[s].verdict != NOT_TESTED]
    if session.side_mode != "auto":
        tested = session.side_mode
    else:
        tested = "both" if len(measured) == 2 else (measured[0] if measured else None)
    return ExerciseResult(
        exercise=d.id,
        name=d.name,
        kind=d.kind,
        measured_leg=d.measured_leg,
        side_mode=session.side_mode,
        tested_side=tested,
        sides=sides,
        asymmetry=_asymmetry(d, sides["left"], sides["right"]),
        thresholds=d.thresholds(),
        thresholds_used=thresholds_used(d),
        cues=tuple(
            CueRecord(_r(c.t_s, 2), c.side, c.fault, c.message, c.kind) for c in session.cue_log
        ),
        notes=tuple(view_reasons(session.view)),
        view=session.view,
    )
