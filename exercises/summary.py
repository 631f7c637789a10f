"""An `ExerciseSession`'s state -> the report fields of ../shared/DESIGN.md.

Unknown values are None (null in JSON), never a made-up number; every report carries the thresholds
it used with their sources, and the disclaimer.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from exercises.definition import SIDES, SUMMARY_ANGLES, read_value
from exercises.verdict import (
    INCONCLUSIVE,
    SideVerdict,
    rep_test_verdict,
    self_test_verdict,
    stretch_verdict,
    view_reasons,
)

if TYPE_CHECKING:
    from exercises.session import ExerciseSession, SideState

DISCLAIMER = (
    "This report gives guidance on form and range of movement; it is not a diagnosis. "
    "Stretch to a gentle pull, never pain; stop on sharp, shooting or radiating pain, numbness or "
    "tingling. After a recent hip or back injury or surgery, or in pregnancy, ask a clinician first."
)
#: A stretch's representative value: this percentile of the target angle over frames in good form
#: (the range reached, robust to single frames); the reverse percentile when lower is better.
STRETCH_RESULT_PERCENTILE = 90.0


def _r(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _stats(values: np.ndarray) -> dict[str, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"min": None, "median": None, "max": None}
    return {
        "min": _r(float(finite.min())),
        "median": _r(float(np.median(finite))),
        "max": _r(float(finite.max())),
    }


def _column(frames: list, name: str, side: str) -> np.ndarray:
    return np.array([read_value(f, name, side) for f in frames], dtype=np.float64)


def _side_report(session: ExerciseSession, side: str) -> tuple[dict[str, object], SideVerdict]:
    d = session.definition
    state: SideState = session.sides[side]
    records = state.records
    measured = [r for r in records if r.measured]
    frames = [r.frame for r in measured]
    form_ok = [r.frame for r in measured if r.form_ok]
    reps = state.reps.reps if state.reps is not None else None
    fault_seconds = {fid: round(p.seconds, 2) for fid, p in state.faults.items() if p.seconds > 0}
    names = {r.id: r.name for r in d.faults}

    if not measured:
        verdict = SideVerdict(INCONCLUSIVE)
        verdict.reasons = [*view_reasons(session.view), _unmeasured_reason(session, side)]
    elif d.kind == "self_test":
        verdict = self_test_verdict(
            d,
            side,
            [r.frame for r in records],
            np.array([r.t for r in records]),
            np.array([r.index for r in records]),
            np.array([r.good for r in records]),
            {names[fid]: s for fid, s in fault_seconds.items()},
            session.view,
        )
    elif d.kind == "rep_test":
        verdict = rep_test_verdict(d, reps or [], names, session.view)
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

    hip_ok = _column(form_ok, "working.hip_extension_deg", side)
    min_hold = d.timing.min_listed_hold_s.value
    out: dict[str, object] = {
        "measured": bool(measured),
        "angles": {
            name: _stats(_column(frames, f"working.{name}", side)) for name in SUMMARY_ANGLES
        },
        "peak_hip_extension_deg": _r(float(np.nanmax(hip_ok)))
        if np.any(np.isfinite(hip_ok))
        else None,
        "time_in_target_s": round(float(state.holds.total_s), 2),
        "holds": [
            {"start_s": _r(h.start_s, 2), "end_s": _r(h.end_s, 2), "mean_deg": _r(h.mean_deg)}
            for h in state.holds.holds
            if h.duration_s >= min_hold - 1e-9
        ],
        "holds_completed": session.holds_completed(side),
        "reps": None if reps is None else len(reps),
        "rep_peaks_deg": None if reps is None else [_r(r.peak_deg) for r in reps],
        "verdict": verdict.verdict,
        "findings": verdict.findings,
        "reasons": verdict.reasons,
        "verdict_values": verdict.values,
        "result_deg": verdict.result_deg,
        "faults": fault_seconds,
        "measured_s": round(_measured_seconds(records), 2),
    }
    if d.verdict is not None and d.verdict.not_assessed:
        out["not_assessed"] = [
            {"id": n.id, "name": n.name, "why": n.why} for n in d.verdict.not_assessed
        ]
    bad_view = view_reasons(session.view)
    if bad_view and measured:
        _blank_angles(out, bad_view)
        verdict = SideVerdict(INCONCLUSIVE, reasons=out["reasons"])  # type: ignore[arg-type]
    return out, verdict


def _blank_angles(out: dict[str, object], reasons: list[str]) -> None:
    """A view that is not side-on makes every angle invalid, and with it whatever was judged from
    an angle (time in the target range, holds): null those; keep reps and fault times."""
    out["angles"] = {name: {"min": None, "median": None, "max": None} for name in SUMMARY_ANGLES}
    out["peak_hip_extension_deg"] = out["result_deg"] = out["verdict_values"] = None
    out["time_in_target_s"] = None
    out["holds"] = []
    if out["rep_peaks_deg"] is not None:
        out["rep_peaks_deg"] = [None for _ in out["rep_peaks_deg"]]  # type: ignore[attr-defined]
    out["verdict"], out["findings"] = INCONCLUSIVE, []
    out["reasons"] = [*reasons, *(r for r in out["reasons"] if r not in reasons)]  # type: ignore[attr-defined]


def _measured_seconds(records: list) -> float:
    """Seconds between consecutive measured frames (the time this side was actually measured)."""
    total = 0.0
    for prev, cur in itertools.pairwise(records):
        if prev.measured and cur.measured and cur.index == prev.index + 1:
            total += cur.t - prev.t
    return total


def _unmeasured_reason(session: ExerciseSession, side: str) -> str:
    if session.side_mode not in ("auto", side):
        return f"not tested: the session was limited to the {session.side_mode} side"
    unseen = session.unseen_fraction(side)
    if unseen is not None and unseen >= 0.5:
        return (
            f"the {side} leg was not seen well enough to measure ({unseen:.0%} of the frames with a "
            "person): turn it towards the camera, whole body in view"
        )
    if session.sides[side].records:
        return f"the {side} leg was never seen well enough while in position"
    return f"the {side} side was not tested in this recording (never in position with it working)"


def _asymmetry(session: ExerciseSession, results: dict[str, float | None]) -> dict[str, object]:
    d = session.definition
    left, right = results["left"], results["right"]
    if left is None or right is None:
        return {"asymmetry_deg": None, "asymmetry": None}
    higher_better = d.target.higher_is_better
    if left == right:
        limited = None
    else:
        limited = (
            ("left" if left < right else "right")
            if higher_better
            else ("left" if left > right else "right")
        )
    return {
        "asymmetry_deg": _r(abs(left - right)),
        "asymmetry": {
            "angle": d.target.ref,
            "left_deg": left,
            "right_deg": right,
            "more_limited_side": limited,
        },
    }


#: Angle names in words, for the one-line summaries.
ANGLE_WORDS = {
    "hip_extension_deg": "hip extension",
    "knee_flexion_deg": "knee flexion",
    "thigh_to_horizontal_deg": "thigh to the table line",
}


def side_sentence(session: ExerciseSession, s: dict) -> str:
    """One plain line a therapist reads first: the verdict and the numbers it rests on."""
    d = session.definition
    verdict, findings = s["verdict"], "; ".join(f["name"] for f in s["findings"])
    if verdict == INCONCLUSIVE:
        line = f"{verdict}: {s['reasons'][0]}" if s["reasons"] else verdict
    elif d.kind == "self_test":
        values = s["verdict_values"] or {}
        parts = [
            f"{ANGLE_WORDS[k]} {v:.1f}°"
            if k == "knee_flexion_deg"
            else f"{ANGLE_WORDS[k]} {v:+.1f}°"
            for k, v in values.items()
            if k in ANGLE_WORDS and v is not None
        ]
        line = f"{verdict}: {', '.join(parts)} (settled)"
    elif d.kind == "rep_test":
        values = s["verdict_values"] or {}
        line = (
            f"{verdict}: median peak hip extension {values.get('median_rep_peak_deg'):+.1f}° "
            f"over {values.get('clean_reps')} reps in good form"
        )
    else:
        hold = d.target.hold_s.value if d.target.hold_s else 0.0
        sets = int(d.target.sets.value) if d.target.sets else 1
        line = (
            f"{verdict}: {s['holds_completed']} of {sets} holds of {hold:g} s, "
            f"{s['time_in_target_s']:.0f} s in the target range"
        )
        if s["peak_hip_extension_deg"] is not None:
            line += f", peak hip extension {s['peak_hip_extension_deg']:+.1f}°"
    if s["faults"]:
        line += "; faults: " + ", ".join(f"{k} {v:.1f} s" for k, v in s["faults"].items())
    return f"{line}; {findings}" if findings else line


def build_report(session: ExerciseSession) -> dict[str, object]:
    """The report fields of ../shared/DESIGN.md (the caller adds source, frames, duration, warnings)."""
    d = session.definition
    sides: dict[str, object] = {}
    results: dict[str, float | None] = {}
    for side in SIDES:
        sides[side], verdict = _side_report(session, side)
        sides[side]["summary"] = side_sentence(session, sides[side])  # type: ignore[index]
        results[side] = verdict.result_deg
    measured = [s for s in SIDES if sides[s]["measured"]]  # type: ignore[index]
    if session.side_mode != "auto":
        tested = session.side_mode
    else:
        tested = "both" if len(measured) == 2 else (measured[0] if measured else None)
    return {
        "exercise": d.id,
        "exercise_name": d.name,
        "exercise_kind": d.kind,
        "measured_leg": d.measured_leg,
        "disclaimer": DISCLAIMER,
        "side_mode": session.side_mode,
        "tested_side": tested,
        "sides": sides,
        **_asymmetry(session, results),
        "thresholds": d.thresholds(),
        "cues": [
            {
                "t_s": _r(c.t_s, 2),
                "side": c.side,
                "fault": c.fault,
                "message": c.message,
                "kind": c.kind,
            }
            for c in session.cue_log
        ],
        "view": session.view,
        "notes": view_reasons(session.view),
    }
