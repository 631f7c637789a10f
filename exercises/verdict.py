"""Verdicts per side: from a settled stretch of good frames (self-tests) or from rep peaks, never
from the worst single frame. Where the data cannot support a verdict it is `inconclusive`, with the
reasons named and the values left null.

Verdict words (../shared/DESIGN.md): self-tests and rep tests give "not_tested" (the test's position
was never held for the settled window, or the leg never taken back and returned: walking, jumping and
squatting are no test), "inconclusive" (in position but not measurable: view, visibility, pelvis not
controlled, form not held), "borderline" (a decisive value within its uncertainty of a threshold:
the measurement cannot tell), "normal" or "tight"; stretches give "completed" (the asked number of
holds done), "incomplete" or "not_tested" (never worked). Each decisive value carries its
uncertainty: the rendered library's error for the posture and camera (the definition's
[verdict.uncertainty]) combined with the spread of the values it was taken from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from exercises.definition import OPS, ExerciseDefinition, read_value
from exercises.definition import Finding as FindingRule
from exercises.result import (
    BORDERLINE,
    COMPLETED,
    INCOMPLETE,
    INCONCLUSIVE,
    NORMAL,
    NOT_TESTED,
    TIGHT,
    Finding,
    VerdictValues,
    Window,
)
from exercises.timing import EPS_S, Rep


@dataclass
class SideVerdict:
    """A side's verdict while it is being worked out (the engine's scratch, not a result record)."""

    verdict: str
    findings: list[Finding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    values: VerdictValues | None = None
    result_deg: float | None = None


def _round(value: float, digits: int = 1) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def good_runs(
    t: np.ndarray, index: np.ndarray, good: np.ndarray, max_gap_s: float
) -> list[tuple[int, int]]:
    """(first, last) positions of every run of good, consecutive frames, in time order."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    n = len(t)
    for i in range(n + 1):
        breaks = (
            i == n
            or not good[i]
            or (start is not None and (index[i] != index[i - 1] + 1 or t[i] - t[i - 1] > max_gap_s))
        )
        if breaks and start is not None:
            runs.append((start, i - 1))
            start = None
        if i < n and good[i] and start is None:
            start = i
    return runs


def longest_run(
    t: np.ndarray, index: np.ndarray, good: np.ndarray, max_gap_s: float
) -> tuple[int, int] | None:
    """The longest run of good, consecutive frames (the latest on a tie)."""
    best: tuple[int, int] | None = None
    for a, b in good_runs(t, index, good, max_gap_s):
        if best is None or t[b] - t[a] >= t[best[1]] - t[best[0]] - EPS_S:
            best = (a, b)
    return best


def settled_window(
    t: np.ndarray,
    index: np.ndarray,
    good: np.ndarray,
    settle_s: float,
    max_gap_s: float,
    values: np.ndarray | None = None,
    steady_deg: float | None = None,
) -> tuple[int, int] | None:
    """The latest `settle_s` seconds of consecutive good frames in which every column of `values`
    ((N, k) degrees) stays within `steady_deg` (max − min): the leg has settled, not still sinking.
    None if there is no such stretch."""
    for a, b in reversed(good_runs(t, index, good, max_gap_s)):
        for end in range(b, a - 1, -1):
            # the latest start that still covers settle_s (frames may have been dropped)
            start = int(np.searchsorted(t[a : end + 1], t[end] - settle_s + EPS_S, "right")) + a - 1
            if start < a:
                break  # earlier ends have even less run behind them
            if steady_deg is None or values is None:
                return start, end
            if steady_columns(values[start : end + 1], steady_deg):
                return start, end
    return None


def steady_refs(d: ExerciseDefinition) -> list[str]:
    """The angles a self-test's leg must hold still: its findings' and its target's."""
    findings = d.verdict.findings if d.verdict is not None else ()
    return sorted({f.condition.ref for f in findings} | {d.target.ref})


def steady_columns(window: np.ndarray, steady_deg: float) -> bool:
    """Every column that was measured in the window stays within `steady_deg` (max − min); a
    column never measured is left to the findings, which then cannot say "normal"."""
    for column in window.T:
        finite = column[np.isfinite(column)]
        if finite.size and float(finite.max() - finite.min()) > steady_deg + 1e-9:
            return False
    return True


def finding_record(
    finding: FindingRule, value: float, uncertainty: float | None = None, borderline: bool = False
) -> Finding:
    return Finding(
        id=finding.id,
        name=finding.name,
        angle=finding.condition.ref,
        value=_round(value),
        op=finding.condition.op,
        threshold=finding.condition.threshold,
        source=finding.condition.source,
        uncertainty=_round(uncertainty),
        borderline=borderline,
    )


def combined_uncertainty(library_deg: float | None, spread_deg: float) -> float | None:
    """The library's error for this posture and camera combined with the spread of the values the
    decisive value was taken from (root sum of squares); None without a library error."""
    if library_deg is None:
        return None
    spread = spread_deg if math.isfinite(spread_deg) else 0.0
    return math.hypot(library_deg, spread)


def spread_deg(values: Sequence[float]) -> float:
    """Standard deviation of the finite values (0 for fewer than two)."""
    finite = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    return float(np.std(finite, ddof=1)) if finite.size > 1 else 0.0


def judge(
    d: ExerciseDefinition, values: Mapping[str, float], uncertainty: Mapping[str, float | None]
) -> tuple[str, list[Finding]]:
    """normal / tight / borderline from the decisive values (by reference) and their uncertainty.

    A finding whose value lies within its uncertainty of the threshold is borderline, on either
    side of it; one clearly met makes the side tight (borderline ones listed beside it); only
    borderline ones make it borderline; none, normal.
    """
    assert d.verdict is not None
    findings: list[Finding] = []
    clear = False
    for finding in d.verdict.findings:
        ref, value = finding.condition.ref, values.get(finding.condition.ref, math.nan)
        if not math.isfinite(value):
            continue
        u = uncertainty.get(ref)
        # judged on the numbers the report shows (one decimal), so a reader can check it
        shown, u_shown = _round(value), _round(u)
        near = u_shown is not None and abs(shown - finding.condition.threshold) <= u_shown + 1e-9
        positive = finding_positive(finding, value)
        clear |= positive and not near
        if positive or near:
            findings.append(finding_record(finding, value, u, near))
    if clear:
        return TIGHT, findings
    return (BORDERLINE if findings else NORMAL), findings


def view_reasons(view: Mapping[str, object] | None) -> list[str]:
    """Why the view rules out a verdict: a camera that is not side-on."""
    if view is None or view.get("side_on") is not False:
        return []
    off = view.get("off_axis_deg")
    about = f" (about {off:.0f}° off)" if isinstance(off, int | float) else ""
    return [f"camera not side-on{about}: hip angles are only valid from the side"]


def self_test_verdict(
    d: ExerciseDefinition,
    side: str,
    frames: Sequence[Mapping[str, object]],
    t: np.ndarray,
    index: np.ndarray,
    good: np.ndarray,
    fault_names: Mapping[str, float],
    view: Mapping[str, object] | None,
) -> SideVerdict:
    """`normal`/`tight` from the medians over the settled window, else `inconclusive` with reasons.

    `frames` are the side's worked frames (with `t`, `index`, `good` beside them); `fault_names`
    maps the name of each fault that happened on this side to its seconds.
    """
    assert d.verdict is not None and d.verdict.settle_s is not None
    reasons = view_reasons(view)
    settle_s = d.verdict.settle_s.value
    max_gap = d.timing.max_gap_s.value
    held = longest_run(t, index, np.ones(len(t), dtype=bool), max_gap)
    held_s = 0.0 if held is None else float(t[held[1]] - t[held[0]])
    if held_s < settle_s - EPS_S:
        # never in the test's position for the settled window: no test was done
        return SideVerdict(
            NOT_TESTED,
            reasons=[
                f"in the test's position for at most {held_s:.1f} s, and the test needs it held "
                f"for {settle_s:g} s",
                *reasons,
            ],
        )
    steady = d.verdict.steady_deg.value if d.verdict.steady_deg is not None else None
    refs = steady_refs(d)
    columns = np.array([[read_value(f, ref, side) for ref in refs] for f in frames]).reshape(
        len(frames), len(refs)
    )
    window = settled_window(t, index, good, settle_s, max_gap, columns, steady)
    if window is None:
        run = longest_run(t, index, good, max_gap)
        longest = 0.0 if run is None else float(t[run[1]] - t[run[0]])
        if longest >= settle_s - EPS_S:
            reasons.append(
                f"the leg did not settle: it moved more than {steady:g}° in every {settle_s:g} s "
                "in position; let it hang still"
            )
        else:
            reasons.append(
                f"too few good frames: the longest stretch in position with good form lasted "
                f"{longest:.1f} s, {settle_s:g} s needed"
            )
        reasons.extend(
            f"form not held: {name} ({seconds:.1f} s)" for name, seconds in fault_names.items()
        )
        return SideVerdict(INCONCLUSIVE, reasons=reasons)
    a, b = window
    window_frames = frames[a : b + 1]
    medians: dict[str, float] = {}
    uncertainty: dict[str, float | None] = {}
    refs_judged = [f.condition.ref for f in d.verdict.findings]
    for ref in dict.fromkeys([*refs_judged, d.target.ref]):
        medians[ref] = settled_median(window_frames, ref, side)
        spread = spread_deg([read_value(f, ref, side) for f in window_frames])
        uncertainty[ref] = combined_uncertainty(d.verdict.uncertainty_deg(ref, view), spread)
    unmeasured = [ref for ref in dict.fromkeys(refs_judged) if not math.isfinite(medians[ref])]
    verdict, findings = judge(d, medians, uncertainty)
    values = VerdictValues(
        window=Window(_round(t[a], 2), _round(t[b], 2)),
        angles={ref.split(".")[-1]: _round(v) for ref, v in medians.items()},
        uncertainty={
            ref.split(".")[-1]: _round(u)
            for ref, u in uncertainty.items()
            if u is not None and math.isfinite(medians[ref])
        },
    )
    if unmeasured and verdict != TIGHT:  # "normal" (or borderline) needs every finding checked
        reasons.append(f"not measured in the settled stretch: {', '.join(unmeasured)}")
    if reasons:  # keep no number that looks like a result
        return SideVerdict(INCONCLUSIVE, reasons=reasons)
    return SideVerdict(verdict, findings, [], values, _round(medians[d.target.ref]))


def settled_median(frames: Sequence[Mapping[str, object]], ref: str, side: str) -> float:
    """Median of `ref` over the window, NaN unless at least half its frames measured it."""
    values = np.array([read_value(f, ref, side) for f in frames], dtype=np.float64)
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size and 2 * finite.size >= values.size else math.nan


def finding_positive(finding: FindingRule, value: float) -> bool:
    """Whether a side's settled value meets a finding's condition (NaN never does)."""
    return math.isfinite(value) and OPS[finding.condition.op](value, finding.condition.threshold)


def rep_test_verdict(
    d: ExerciseDefinition,
    reps: Sequence[Rep],
    fault_names: Mapping[str, str],
    view: Mapping[str, object] | None,
    faults_seen: Mapping[str, float] | None = None,
) -> SideVerdict:
    """`normal`/`tight` from the median peak of the clean reps; compensation is named as a finding.

    `fault_names` maps fault ids to their names; `faults_seen` the names of the faults that
    happened on this side to their seconds. Reps with compensation do not count towards the
    verdict (compensation fakes range); if too few clean reps remain, the side is inconclusive.
    No rep at all is "not tested", unless a fault was held meanwhile: then the leg may have gone
    back with compensation instead of extension, and the side is inconclusive.
    """
    assert d.verdict is not None and d.verdict.min_reps is not None
    reasons = view_reasons(view)
    min_reps = int(d.verdict.min_reps.value)
    clean = [r for r in reps if r.clean]
    compensated = [r for r in reps if not r.clean]
    findings: list[Finding] = []
    for fid, name in fault_names.items():
        n = sum(1 for r in compensated if fid in r.faults)
        if n:
            findings.append(
                Finding(
                    id=f"compensation:{fid}",
                    name=f"compensation: {name} in {n} of {len(reps)} reps",
                    angle=None,
                    value=None,
                    op=None,
                    threshold=None,
                    unit="count",
                    reps=n,
                )
            )
    if not reps and faults_seen:
        # the leg may have gone back with the trunk (compensation) rather than from the hip
        return SideVerdict(
            INCONCLUSIVE,
            reasons=[
                *reasons,
                "no rep counted, and the form was not held: "
                + ", ".join(f"{name} ({sec:.1f} s)" for name, sec in faults_seen.items()),
            ],
        )
    if not reps:
        # in the stance, perhaps, but the leg was never taken back and returned: no test was done
        return SideVerdict(
            NOT_TESTED,
            reasons=["the leg was never taken back and returned (no rep)", *reasons],
        )
    if len(clean) < min_reps:
        reasons.append(
            f"too few reps in good form: {len(clean)} of {len(reps)}, {min_reps} needed"
            + (" (compensation fakes range: redo them without it)" if compensated else "")
        )
    if reasons:
        return SideVerdict(INCONCLUSIVE, findings=findings, reasons=reasons)
    peaks = np.array([r.peak_deg for r in clean])
    result = float(np.median(peaks))
    # the median peak's own spread: the reps' standard deviation over the square root of their number
    spread = spread_deg(list(peaks)) / math.sqrt(len(peaks))
    u = combined_uncertainty(d.verdict.uncertainty_deg(d.reps.ref, view), spread)  # type: ignore[union-attr]
    refs = {f.condition.ref for f in d.verdict.findings}
    verdict, judged = judge(d, dict.fromkeys(refs, result), dict.fromkeys(refs, u))
    findings = [*judged, *findings]
    values = VerdictValues(
        median_rep_peak_deg=_round(result),
        clean_reps=len(clean),
        uncertainty={} if u is None else {"median_rep_peak_deg": _round(u)},
    )
    return SideVerdict(verdict, findings, [], values, _round(result))


def stretch_verdict(d: ExerciseDefinition, measured: bool, holds_completed: int) -> SideVerdict:
    """`completed` when the asked number of holds is done, `incomplete` when not, `not_tested`
    when the side was never worked."""
    if not measured:
        return SideVerdict(NOT_TESTED)
    sets = int(d.target.sets.value) if d.target.sets is not None else 1
    values = VerdictValues(holds_completed=holds_completed, sets=sets)
    return SideVerdict(COMPLETED if holds_completed >= sets else INCOMPLETE, values=values)
