"""The words a person reads, in one place: every front end (pages, live view, PDF, command line)
turns result records into text here, so a finding, a verdict or a number reads the same everywhere.

No code name (`hip_extension_deg`), Python repr or server path leaves this module; numbers carry
their units; every verdict is shown with the number it was decided on. Dates are ISO 8601 in the
computer's own time zone (2026-12-01 14:05).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from analysis.records import Report
from exercises.result import (
    BORDERLINE,
    COMPLETED,
    INCOMPLETE,
    INCONCLUSIVE,
    NORMAL,
    NOT_TESTED,
    TIGHT,
    CueRecord,
    ExerciseResult,
    FaultTime,
    Finding,
    NotAssessed,
    SideResult,
    ThresholdUsed,
)
from pose.view import ViewCheck

#: The safety notes (../shared/CLINICAL.md), one copy for every page and report.
SAFETY_NOTES: tuple[str, ...] = (
    "Stretch to a gentle pull, never pain.",
    "Stop on sharp, shooting or radiating pain, numbness or tingling.",
    "After a recent hip or back injury or surgery (a hip replacement brings movement limits of its "
    "own), ask a clinician before you start.",
    "Take care in pregnancy: ask a clinician first.",
)
NOT_A_DIAGNOSIS = "This app gives guidance on form and range of movement; it is not a diagnosis."
DISCLAIMER = (
    "This report gives guidance on form and range of movement; it is not a diagnosis. "
    "Stretch to a gentle pull, never pain; stop on sharp, shooting or radiating pain, numbness or "
    "tingling. After a recent hip or back injury or surgery, or in pregnancy, ask a clinician first."
)
DASH = "–"

ANGLE_WORDS: dict[str, str] = {
    "hip_extension_deg": "hip extension",
    "knee_flexion_deg": "knee flexion",
    "thigh_to_horizontal_deg": "thigh to the table line",
    "trunk_incline_deg": "trunk incline",
    "trunk_to_horizontal_deg": "trunk to the table",
    "visibility": "visibility",
    "body_speed_tl_s": "body speed",
    "view_off_axis_deg": "camera's angle from side-on",
}
ROLE_WORDS = {"working": "working leg", "other": "other leg"}
VERDICT_WORDS: dict[str, str] = {
    NORMAL: "normal",
    TIGHT: "tight",
    BORDERLINE: "borderline",
    INCONCLUSIVE: "inconclusive",
    NOT_TESTED: "not tested",
    COMPLETED: "completed",
    INCOMPLETE: "incomplete",
}
#: The range a finding's threshold leaves as normal, by the finding's comparison.
NORMAL_RANGE = {">": "at or below", ">=": "below", "<": "at or above", "<=": "above"}
OP_SIGNS = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}
UNIT_SIGNS = {"deg": "°", "s": " s", "count": "", "": "", "tl/s": " trunk lengths a second"}
ENGINE_WORDS: dict[str, str] = {
    "fault_min_s": "a fault counts after lasting",
    "cue_repeat_s": "the same cue is not repeated within",
    "cue_display_s": "a cue stays on screen for",
    "praise_after_s": "praise after this long in range with good form",
    "praise_repeat_s": "praise is not repeated within",
    "range_cue_after_s": "short of the range this long earns a cue",
    "rest_after_hold_s": "rest after a hold before the range cue",
    "position_enter_s": "in position this long before measuring",
    "position_leave_s": "out of position this long before it ends",
    "switch_s": "the other leg working this long before switching sides",
    "release_s": "time to release between sides",
    "max_gap_s": "a gap in the video longer than this breaks a hold",
    "min_listed_hold_s": "holds shorter than this are not listed",
    "range_hysteresis_deg": "back inside the range by this much to resume a hold",
    "min_visibility": "a leg counts as seen at visibility",
    "view_cue_after_s": "out of view this long earns a cue",
    "asymmetry_min_deg": "a stretch names a more limited leg only beyond a left–right difference of",
}
KEY_WORDS: dict[str, str] = {
    "target.hold_s": "hold time",
    "target.sets": "holds per side",
    "verdict.settle_s": "the leg must stay settled for",
    "verdict.steady_deg": "the leg counts as settled while it moves less than",
    "verdict.min_reps": "reps in good form needed for a verdict",
    "reps.enter_deg": "a rep starts past",
    "reps.exit_deg": "a rep ends back past",
    "reps.swing_deg": "a rep swings at least",
    "reps.rest_hold_s": "a rep starts from a stance held at least",
    "reps.per_side": "reps per side",
    "side.margin": "the working leg is found by a difference of",
    "verdict.side_on_max_deg": "the camera counts as side-on up to this far off",
}
#: The camera classes of a verdict's uncertainty (exercises.definition.CAMERA_CLASSES), in words.
CAMERA_WORDS = {"side_on": "camera side-on", "oblique": "camera oblique"}
UNCERTAINTY_KEY = "verdict.uncertainty."


# ----- numbers and names ------------------------------------------------------------------------


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def degrees(value: float | None, signed: bool = True) -> str:
    """+14.6° (signed: the sign means something, as for hip extension), 59.1°, or a dash."""
    if not _finite(value):
        return DASH
    return f"{value:+.1f}°" if signed else f"{value:.1f}°"


def seconds(value: float | None, digits: int = 1) -> str:
    return DASH if not _finite(value) else f"{value:.{digits}f} s"


def number(value: float | None, unit: str) -> str:
    """A value with its unit: 10°, 30 s, 3, 0.5."""
    if not _finite(value):
        return DASH
    text = f"{value:g}"
    return f"{text}{UNIT_SIGNS.get(unit, unit)}"


def percent(fraction: float | None) -> str:
    return DASH if not _finite(fraction) else f"{fraction:.0%}"


def when(moment: datetime) -> str:
    """ISO 8601 date and time to the minute, in this computer's time zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def angle_words(name: str) -> str:
    """A column or reference name in words: "working.knee_flexion_deg" -> "knee flexion of the
    working leg"; "left_hip_extension_deg" -> "left hip extension"."""
    role, dot, rest = name.partition(".")
    if dot:
        words = ANGLE_WORDS.get(rest, rest.replace("_deg", "").replace("_", " "))
        if role == "difference":
            return f"difference in {words} between the legs"
        return f"{words} of the {ROLE_WORDS.get(role, role)}"
    for side in ("left", "right"):
        if name.startswith(f"{side}_"):
            return f"{side} {angle_words(name[len(side) + 1 :])}"
    return ANGLE_WORDS.get(name, name.replace("_deg", "").replace("_", " "))


def leg(side: str | None) -> str:
    return "both legs" if side == "both" else (DASH if side is None else f"{side} leg")


def verdict_word(verdict: str) -> str:
    return VERDICT_WORDS.get(verdict, verdict.replace("_", " "))


def verdict_title(side: str, verdict: str) -> str:
    """ "Left leg: tight"."""
    return f"{side.title()} leg: {verdict_word(verdict)}"


# ----- findings, values, faults -----------------------------------------------------------------


def plus_minus(uncertainty: float | None) -> str:
    """ " ± 2.5°" (how far a value may be off), or nothing when it is not known."""
    return f" ± {uncertainty:.1f}°" if _finite(uncertainty) else ""


def _measure(angle: str, value: float, uncertainty: float | None = None) -> str:
    """A decisive measure in plain words, as a therapist would say it, with its uncertainty."""
    name = angle.partition(".")[2] or angle
    pm = plus_minus(uncertainty)
    if name == "thigh_to_horizontal_deg":
        if abs(value) < 0.05:
            return f"Thigh level with the table line{f' ({pm.strip()})' if pm else ''}"
        where = "above" if value > 0 else "below"
        return f"Thigh {abs(value):.1f}°{pm} {where} the table line"
    if name == "knee_flexion_deg":
        return f"Knee bent {value:.1f}°{pm}"
    return f"{angle_words(name).capitalize()} {value:+.1f}°{pm}"


#: A decisive angle in one word or two, for a value shown with its sign: "thigh +1.2° ± 2.5°".
SHORT_WORDS: dict[str, str] = {
    "thigh_to_horizontal_deg": "thigh",
    "knee_flexion_deg": "knee",
    "hip_extension_deg": "hip extension",
}


def borderline_line(finding: Finding) -> str:
    """ "thigh +1.2° ± 2.5° — borderline": a value within its uncertainty of the threshold."""
    name = (finding.angle or "").partition(".")[2] or (finding.angle or "")
    words = SHORT_WORDS.get(name, angle_words(name))
    value = degrees(finding.value, signed=name != "knee_flexion_deg")
    return f"{words} {value}{plus_minus(finding.uncertainty)} — borderline"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def finding_sentence(finding: Finding, side: str) -> str:
    """ "Thigh 14.6° above the table line — normal is at or below 0°: short one-joint hip flexors
    (iliopsoas, iliacus) in the left leg"."""
    if finding.value is None or finding.angle is None or finding.op is None:
        return f"{finding.name[0].upper()}{finding.name[1:]} ({side} leg)"
    head = finding.name.split(":")[0].strip()
    normal = f"{NORMAL_RANGE[finding.op]} {number(finding.threshold, finding.unit)}"
    if finding.borderline:
        line = borderline_line(finding)
        return (
            f"{line[:1].upper()}{line[1:]}: normal is {normal}, and the value lies within its "
            f"uncertainty of that; it cannot tell whether there are {head} in the {side} leg"
        )
    measure = _measure(finding.angle, finding.value, finding.uncertainty)
    return f"{measure} — normal is {normal}: {head} in the {side} leg"


def fault_line(fault: FaultTime) -> str:
    return f"{fault.name[0].upper()}{fault.name[1:]}: {seconds(fault.seconds)}"


def not_assessed_line(item: NotAssessed) -> str:
    return f"Not assessed: {item.name} — {item.why}"


def decisive_values(side: SideResult, result: ExerciseResult) -> list[str]:
    """The numbers the side's verdict was decided on, each with its unit."""
    v = side.values
    if v is None:
        return []
    out: list[str] = []
    if v.angles:
        out += [
            _lower_first(_measure(name, value, v.uncertainty.get(name)))
            for name, value in v.angles.items()
            if _finite(value)
        ]
        if v.window is not None:
            out.append(
                f"settled from {seconds(v.window.start_s)} to {seconds(v.window.end_s)} "
                "(median of that stretch)"
            )
    if v.median_rep_peak_deg is not None:
        pm = plus_minus(v.uncertainty.get("median_rep_peak_deg"))
        out.append(
            f"median peak hip extension {degrees(v.median_rep_peak_deg)}{pm} over "
            f"{v.clean_reps} reps in good form"
        )
    if v.sets is not None:
        hold = result.threshold("target.hold_s")
        of = f" of {number(hold.value, 's')}" if hold is not None else ""
        out.append(f"{v.holds_completed} of {v.sets} holds{of} completed")
    return out


def side_summary(side: SideResult, result: ExerciseResult) -> str:
    """One plain line a therapist reads first: the verdict and the numbers it rests on."""
    line = verdict_word(side.verdict)
    if side.verdict in (INCONCLUSIVE, NOT_TESTED):
        if side.reasons:
            line += f": {side.reasons[0]}"
    else:
        values = decisive_values(side, result)
        if result.kind == "stretch" and side.time_in_target_s is not None:
            values.append(f"{side.time_in_target_s:.0f} s in the target range")
            if side.peak_hip_extension_deg is not None:
                values.append(f"peak hip extension {degrees(side.peak_hip_extension_deg)}")
        if values:
            line += ": " + ", ".join(values)
    if side.faults:
        line += "; faults: " + ", ".join(f"{f.name} {seconds(f.seconds)}" for f in side.faults)
    found = [f.name.split(":")[0].strip() for f in side.findings if not f.borderline]
    near = [
        f"{borderline_line(f)} ({f.name.split(':')[0].strip()}?)"
        for f in side.findings
        if f.borderline
    ]
    if found:
        line += f"; found: {'; '.join(found)}"
    return f"{line}; {'; '.join(near)}" if near else line


def side_details(side: SideResult, result: ExerciseResult) -> list[str]:
    """Holds, reps and time in range, for the lines under a verdict. Holds belong to stretches:
    a self-test's still stretch is its settled window, which its decisive values already state."""
    out = []
    if side.time_in_target_s and not result.is_self_test:
        out.append(f"{side.time_in_target_s:.0f} s in the target range")
    if side.holds and not result.is_self_test:
        out.append(
            f"{len(side.holds)} hold{'s' if len(side.holds) != 1 else ''} "
            f"({', '.join(seconds(h.duration_s, 0) for h in side.holds)})"
        )
    if side.reps is not None and (side.reps or side.measured):  # not "0 reps" of a leg not worked
        out.append(f"{side.reps} rep{'s' if side.reps != 1 else ''}")
    return out


def both_sides_line(result: ExerciseResult) -> str:
    """Which legs were measured, said only as far as it is true."""
    measured = result.measured_sides
    if len(measured) == 2:
        return "Both legs measured."
    if measured:
        return f"Only the {measured[0]} leg was measured."
    return "Neither leg was measured."


def asymmetry_line(result: ExerciseResult) -> str | None:
    """ "Left–right difference in hip extension: 12.0° ± 4.2° (left …, right …); the right leg is
    more limited", or "…: no clear difference" when it is within what the two may be off."""
    a = result.asymmetry
    if a is None:
        return None
    u = f" ± {a.uncertainty_deg:.1f}°" if a.uncertainty_deg is not None else ""
    line = (
        f"Left–right difference in {angle_words(a.angle.partition('.')[2] or a.angle)}: "
        f"{a.difference_deg:.1f}°{u} (left {degrees(a.left_deg)}, right {degrees(a.right_deg)})"
    )
    if a.more_limited_side:
        line += f"; the {a.more_limited_side} leg is more limited"
    elif a.difference_deg > 0 and a.uncertainty_deg is not None:
        line += ": no clear difference, within what the two measurements may be off"
    return line


@dataclass(frozen=True)
class Measure:
    """A measure followed over sessions: its name in words, unit, per-leg value, normal range."""

    name: str
    unit: str
    left: float | None
    right: float | None
    normal: tuple[float | None, float | None] = (None, None)
    #: how far each leg's value may be off (degrees), where the verdict carried it
    left_uncertainty: float | None = None
    right_uncertainty: float | None = None


def _band(result: ExerciseResult, ref: str) -> tuple[float | None, float | None]:
    """The normal range of `ref`: the target's, or what a finding's threshold leaves as normal."""
    lo, hi = result.threshold("target.min"), result.threshold("target.max")
    if lo is not None and lo.angle == ref:
        return lo.value, None
    if hi is not None and hi.angle == ref:
        return None, hi.value
    for t in result.thresholds_used:
        if t.key.startswith("verdict.findings.") and t.angle == ref and t.op:
            return (None, t.value) if t.op in (">", ">=") else (t.value, None)
    return None, None


def progress_measures(result: ExerciseResult) -> list[Measure]:
    """What progress follows for this exercise: the values its verdicts are decided on.

    Self-tests: each settled angle (thigh to the table line and knee flexion for the Thomas test);
    rep tests: the median peak hip extension of clean reps; stretches: time in range and holds.
    """
    left, right = result.sides["left"], result.sides["right"]
    if result.kind == "self_test":
        names = list(dict.fromkeys(n for s in (left, right) if s.values for n in s.values.angles))
        if not names:
            names = [
                (t.angle or "").partition(".")[2]
                for t in result.thresholds_used
                if t.key.startswith("verdict.findings.")
            ]
        return [
            Measure(
                ANGLE_WORDS.get(n, n),
                "°",
                left.values.angles.get(n) if left.values else None,
                right.values.angles.get(n) if right.values else None,
                _band(result, f"working.{n}"),
                left.values.uncertainty.get(n) if left.values else None,
                right.values.uncertainty.get(n) if right.values else None,
            )
            for n in names
        ]
    if result.kind == "rep_test":
        return [
            Measure(
                "peak hip extension (median of clean reps)",
                "°",
                left.values.median_rep_peak_deg if left.values else None,
                right.values.median_rep_peak_deg if right.values else None,
                _band(result, "working.hip_extension_deg"),
                left.values.uncertainty.get("median_rep_peak_deg") if left.values else None,
                right.values.uncertainty.get("median_rep_peak_deg") if right.values else None,
            )
        ]
    return [
        Measure("time in the target range", "s", left.time_in_target_s, right.time_in_target_s),
        Measure("holds completed", "", float(left.holds_completed), float(right.holds_completed)),
    ]


# ----- thresholds and their sources -------------------------------------------------------------


def threshold_label(t: ThresholdUsed) -> str:
    """What a threshold decides, in words."""
    section, _, rest = t.key.partition(".")
    if t.key in KEY_WORDS:
        return KEY_WORDS[t.key]
    if t.key.startswith(UNCERTAINTY_KEY):
        camera = t.key.rpartition(".")[2]
        where = CAMERA_WORDS.get(camera, camera.replace("_", " "))
        return f"measuring uncertainty: {angle_words(t.angle or '')}, {where}"
    if section == "engine":
        return ENGINE_WORDS.get(rest, rest.replace("_", " "))
    if section == "target":
        return f"target: {angle_words(t.angle or '')}"
    if section == "position":
        return f"in position: {angle_words(t.angle or '')}"
    if t.name:
        head = t.name.split(":")[0].strip()
        return f"{head} ({angle_words(t.angle or '')})" if t.angle else head
    return rest.replace("_", " ")


def threshold_value(t: ThresholdUsed) -> str:
    sign = f"{OP_SIGNS[t.op]} " if t.op else ("± " if t.key.startswith(UNCERTAINTY_KEY) else "")
    return f"{sign}{number(t.value, t.unit)}"


def threshold_rows(result: ExerciseResult) -> list[tuple[str, str, str]]:
    """(what it decides, value with unit, source written out) for every value used."""
    return [(threshold_label(t), threshold_value(t), t.source) for t in result.thresholds_used]


def references(result: ExerciseResult) -> list[str]:
    """The distinct sources the result's values rest on, in order of first use."""
    seen: dict[str, None] = {}
    for t in result.thresholds_used:
        for part in t.source.split("; "):
            seen.setdefault(part, None)
    return list(seen)


# ----- the session ------------------------------------------------------------------------------


def cue_line(cue: CueRecord) -> str:
    side = f"{cue.side} leg: " if cue.side else ""
    return f"{seconds(cue.t_s)}  {side}{cue.message}"


def view_line(view: ViewCheck) -> str:
    if view.off_axis_deg is None:
        return "Camera angle: not known (too few frames with the body seen)"
    verdict = "side-on enough" if view.side_on else "not side-on: hip angles are not valid"
    near = f"; nearer the camera: the {view.near_side} side" if view.near_side else ""
    return f"Camera about {view.off_axis_deg:.0f}° from side-on ({verdict}){near}"


def report_title(report: Report) -> str:
    return report.exercise.name if report.exercise else "Angles only (no exercise chosen)"


def session_line(report: Report) -> str:
    """Source, date and time, frames, duration, how often the person was found."""
    return (
        f"{report.source_label} · {when(report.recorded_at)} · {report.frames} frames over "
        f"{seconds(report.duration_s)} · person found in {percent(report.pose_detected_fraction)} "
        "of the frames"
    )


def angle_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(leg, angle, lowest, median, highest) over the whole recording, with units."""
    rows = []
    for side, data in report.angles.items():
        for name, s in data.angles.items():
            signed = name != "knee_flexion_deg"
            rows.append(
                (
                    f"{side} leg",
                    ANGLE_WORDS[name],
                    degrees(s.min, signed),
                    degrees(s.median, signed),
                    degrees(s.max, signed),
                )
            )
    return rows


def command_line_summary(report: Report) -> list[str]:
    """What analyze.py prints after a run."""
    lines = [f"{report_title(report)}: {session_line(report)}"]
    lines += [f"warning: {w}" for w in report.warnings]
    if report.exercise is not None:
        for side, s in report.exercise.sides.items():
            lines.append(f"{side} leg: {side_summary(s, report.exercise)}")
    return lines


def bullet(items: Iterable[str]) -> str:
    return "\n".join(f"- {i}" for i in items)


# ----- key frames, the hand-out and progress that follows the test ------------------------------

#: How often to stretch (../shared/CLINICAL.md "Stretch dose"; not in the exercise data yet).
DAYS_A_WEEK = "2–3 or more days a week"
DAYS_A_WEEK_SOURCE = "ACSM's Guidelines for Exercise Testing and Prescription, 2021"
KEY_FRAME_ON_VIDEO = "the recording's own frame"
KEY_FRAME_NO_VIDEO = "drawn from the saved body points (no video kept)"
KEY_FRAME_LEGEND = (
    "Amber: the measured line and angle. Dashed white: the line it is measured from. "
    "Green: the normal limit."
)
KEY_FRAMES_PDF_NOTE = (
    "Each picture is the frame a leg's result was taken from, with the angle drawn on the body "
    "as measured; the value written is the reported one."
)
KEY_FRAMES_NOT_KEPT = (
    "Key frames are not kept in the progress history (only the report is): open the recording "
    "again to see them."
)


def key_frame_label(angle: str, value: float) -> str:
    """The words written beside an angle on a key frame: "Thigh 8.7° above the table line"."""
    name = angle.partition(".")[2] or angle
    if name == "trunk_incline_deg":
        if abs(value) < 0.05:
            return "Trunk upright"
        return f"Trunk {abs(value):.1f}° {'forward' if value > 0 else 'back'} from upright"
    return _measure(name, value)


def _signed(value: float) -> str:
    """+12.3° or −4.0° (a true minus sign)."""
    return f"{'+' if value >= 0 else '−'}{abs(value):.1f}°"


def key_frame_value(angle: str, value: float) -> str:
    """The short text written at an angle's arc on a key frame: "8.7° above", "knee 49.8°"."""
    name = angle.partition(".")[2] or angle
    if name == "thigh_to_horizontal_deg":
        return (
            "level"
            if abs(value) < 0.05
            else f"{abs(value):.1f}° {'above' if value > 0 else 'below'}"
        )
    if name == "knee_flexion_deg":
        return f"knee {value:.1f}°"
    if name == "trunk_incline_deg":
        return f"trunk {_signed(value)}"
    return f"hip {_signed(value)}"


def reference_words(angle: str, lying: bool, table_line: str) -> str:
    """What the dashed reference line of a key frame is."""
    name = angle.partition(".")[2] or angle
    if name == "thigh_to_horizontal_deg":
        if lying:
            return "table line (along the trunk)" if table_line == "trunk" else "table line (level)"
        return "horizontal"
    if name == "hip_extension_deg":
        return "trunk line continued"
    if name == "knee_flexion_deg":
        return "thigh line continued"
    return "upright"


def normal_limit_words(op: str, value: float) -> str:
    """ "normal ≤ 0°" for a threshold drawn on the body (op: the side normal lies on)."""
    return f"normal {OP_SIGNS[op]} {number(value, 'deg')}"


def normal_band(result: ExerciseResult, ref: str) -> tuple[float | None, float | None]:
    """The normal range (low, high) of `ref` ("working.knee_flexion_deg") for this exercise."""
    return _band(result, ref)


def key_frame_reason(basis: str, t_s: float, span: tuple[float, float] | None) -> str:
    """Why this frame: "6.4 s, the middle of the settled stretch 4.9–7.9 s"."""
    at = seconds(t_s)
    if basis == "settled" and span:
        return f"{at}, the middle of the settled stretch {span[0]:.1f}–{span[1]:.1f} s"
    if basis == "rep":
        return f"{at}, the peak of the rep nearest the median of the reps in good form"
    if basis == "highest_rep":
        return f"{at}, the peak of the highest rep (no rep was in good form)"
    if basis == "hold" and span:
        return f"{at}, the middle of the best hold {span[0]:.1f}–{span[1]:.1f} s (its mean below)"
    return f"{at}, the highest hip extension in good form"


KEY_FRAME_BASIS_WORDS = {
    "settled": "median of the settled stretch",
    "rep": "this rep's peak",
    "highest_rep": "this rep's peak",
    "hold": "mean of the hold",
    "peak": "the peak",
}


def key_frame_line(label: str, basis: str, limit: str = "", frame_note: str = "") -> str:
    """One line under a key frame: "Thigh 8.7° above the table line (median of the settled
    stretch; normal ≤ 0°)"."""
    inside = "; ".join(x for x in (KEY_FRAME_BASIS_WORDS.get(basis, ""), limit) if x)
    line = f"{label} ({inside})" if inside else label
    return f"{line}; {frame_note}" if frame_note else line


def key_frame_title(side: str, verdict: str) -> str:
    return verdict_title(side, verdict)


def frame_differs_line(angle: str, frame_value: float) -> str:
    """Said when the frame's own angle differs from the reported value it stands for."""
    return f"on this frame: {_lower_first(key_frame_label(angle, frame_value))}"


def dose_lines(result: ExerciseResult) -> list[str]:
    """Hold, sets and days a week for a stretch, with units and sources."""
    return dose_lines_from(result.thresholds_used)


def dose_lines_from(used: Iterable[ThresholdUsed]) -> list[str]:
    """Hold, sets and days a week from a definition's values (`exercises.summary.thresholds_used`)."""
    by_key = {t.key: t for t in used}
    hold, sets = by_key.get("target.hold_s"), by_key.get("target.sets")
    out = []
    if hold is not None and hold.value is not None:
        out.append(f"Hold each stretch {number(hold.value, 's')} (source: {hold.source}).")
    if sets is not None and sets.value is not None:
        n = int(sets.value)
        out.append(
            f"{n} hold{'s' if n != 1 else ''} per leg, with a short rest between "
            f"(source: {sets.source})."
        )
    out.append(f"Stretch {DAYS_A_WEEK} (source: {DAYS_A_WEEK_SOURCE}).")
    return out


def compensated_reps(side: SideResult) -> float | None:
    """Reps that had compensation (a rep test): all reps less the clean ones."""
    if side.reps is None:
        return None
    if side.values is not None and side.values.clean_reps is not None:
        return float(side.reps - side.values.clean_reps)
    return float(max((f.reps or 0 for f in side.findings if f.compensation), default=0))


def followed_measures(result: ExerciseResult) -> list[Measure]:
    """What Progress follows: `progress_measures`, and for a rep test the reps with compensation
    beside the peak (compensation fakes range, so it is shown alongside the angle)."""
    left_seen, right_seen = result.sides["left"].measured, result.sides["right"].measured
    measures = [
        Measure(
            m.name,
            m.unit,
            m.left if left_seen else None,
            m.right if right_seen else None,
            m.normal,
            m.left_uncertainty if left_seen else None,
            m.right_uncertainty if right_seen else None,
        )
        for m in progress_measures(result)
    ]  # a leg that was never measured has no value to follow (not 0 s, not 0 holds)
    if result.kind == "rep_test":
        left, right = result.sides["left"], result.sides["right"]
        measures.append(
            Measure(
                "reps with compensation",
                "",
                compensated_reps(left) if left_seen else None,
                compensated_reps(right) if right_seen else None,
            )
        )
    return measures


def measure_text(
    value: float | None, unit: str, signed: bool = True, uncertainty: float | None = None
) -> str:
    """A followed measure's value as the Progress table shows it: 8.7° ± 2.8°, 12 s, 2."""
    if unit == "°":
        if not _finite(value):
            return DASH
        sign = "−" if signed and value < 0 else ""  # type: ignore[operator]
        return f"{sign}{abs(value):.1f}°{plus_minus(uncertainty)}"  # type: ignore[arg-type]
    return seconds(value) if unit == "s" else number(value, "")


def progress_difference_line(measure: Measure) -> str | None:
    """The latest session's left–right difference in a followed measure, when both were measured."""
    gap = difference(measure.left, measure.right)
    if gap is None or measure.unit not in ("°", "s"):
        return None  # a difference of counts (holds, reps) says nothing the two counts do not
    text = measure_text(gap, measure.unit, signed=False)
    return f"Latest session: left–right difference in {measure.name} {text}."


def progress_intro(count: int) -> str:
    return (
        f"{count} saved session{'s' if count != 1 else ''}: each chart follows one value the "
        "result is decided on, per leg; the green band is the normal range (a test) or the target "
        "(a stretch)."
    )


def difference(left: float | None, right: float | None) -> float | None:
    """|left − right|, None unless both were measured."""
    if not (_finite(left) and _finite(right)):
        return None
    return round(abs(left - right), 1)  # type: ignore[operator]


def plot_band_words(kind: str) -> str:
    return "target range" if kind == "stretch" else "normal range"


def plot_axis_words(angle: str) -> str:
    """A plot's axis label: "thigh to the table line (°)"."""
    name = angle.partition(".")[2] or angle
    return f"{ANGLE_WORDS.get(name, name)} (°)"


def plot_title(angles: Iterable[str]) -> str:
    names = [ANGLE_WORDS.get(a, a) for a in angles]
    return f"{' and '.join(names).capitalize()} over time"


def plot_window_words(side: str) -> str:
    return f"settled stretch the {side} verdict comes from"


def plot_fault_words(name: str, side: str) -> str:
    return f"fault: {name} ({side} leg)"


def plot_key_frame_words(side: str) -> str:
    return f"key frame, {side} leg"


FAULT_TIMES_UNKNOWN = (
    "When each fault happened is not known for this report (only how long it lasted): the times "
    "are kept only while the recording's angles are at hand."
)


def headline_measure(side: SideResult, result: ExerciseResult) -> tuple[str, str]:
    """The one number a leg's result is shown with: a self-test's settled target angle (the
    Thomas test's thigh to the table line), else the peak hip extension."""
    if result.kind == "self_test":
        target = result.threshold("target.max") or result.threshold("target.min")
        name = (target.angle or "").partition(".")[2] if target else ""
        value = side.values.angles.get(name) if side.values is not None and name else None
        if name:
            return f"{ANGLE_WORDS.get(name, name).capitalize()} (settled)", degrees(value)
    return "Peak hip extension", degrees(side.peak_hip_extension_deg)


HANDOUT_FIGURE_CAPTION = "The green mark is where you should feel a gentle stretch."
HANDOUT_NOTE = (
    "Your therapist chose this stretch for you. Do it slowly, breathe out as you ease into it, "
    "and keep the form below; it should feel like a gentle pull, never pain."
)


def handout_title(stretch_name: str) -> str:
    return f"Your stretch: {stretch_name}"


def handout_result_line(side: SideResult, result: ExerciseResult) -> str:
    """ "Left leg: tight — thigh 8.7° above the table line, knee bent 49.8°"."""
    title = verdict_title(side.side, side.verdict)
    values = [v for v in decisive_values(side, result) if not v.startswith("settled from")]
    return f"{title} — {', '.join(values)}" if values else title


HANDOUT_FORM_HEADING = "Keep good form"


def form_rule_line(name: str, cue: str) -> str:
    """One form rule for the hand-out: its cue, which already says what to do."""
    return f"• {cue}"


DEMO_INTRO = (
    "For showing a client the test, on this screen or a second one: measure a side-on recording "
    "once, and the result stays frozen on the settled measurement, each leg's key frame large, "
    "with the normal limit drawn on the body in green."
)
DEMO_FROZEN_NOTE = (
    "Frozen on the moment each result comes from. Amber: the measured line and angle; dashed "
    "white: the line it is measured from; green: the normal limit. Record the client again and "
    "press “Measure again” to compare."
)
DEMO_NO_EXERCISE = "Choose the exercise the client did, then measure again."


def no_key_frame_line(side: SideResult) -> str:
    """Why a leg has no key frame."""
    if side.reasons:
        return f"No key frame: {side.reasons[0]}."
    return "No key frame: no settled measurement, hold or rep to show."


def plot_caption(
    result: ExerciseResult | None, timeline_known: object, key_frames_shown: bool = False
) -> str:
    """What the angle plot shows, under it."""
    parts = [
        "Hip extension: + knee behind the trunk line, − in front. Thigh to the table line: + above "
        "it. The green band is the normal range (a test) or the target range (a stretch)."
    ]
    if result is not None and result.kind == "self_test":
        parts.append("The pale band is the settled stretch a leg's verdict comes from.")
    if result is not None and any(s.faults for s in result.sides.values()):
        parts.append(
            "Hatched spans: when each fault lasted." if timeline_known else FAULT_TIMES_UNKNOWN
        )
    if key_frames_shown:
        parts.append("Dotted lines: the key frames.")
    return " ".join(parts)


# ----- the live session: the live page and its video ------------------------------------------

#: The set-up checklist (ids of live.setup.SETUP_ITEMS): what is checked, and what to do if not.
SETUP_WORDS: dict[str, tuple[str, str]] = {
    "body": (
        "Whole body in the picture",
        "Step back until the camera sees you from head to feet.",
    ),
    "side_on": (
        "Side-on to the camera",
        "Turn side-on: the camera should see you from the side.",
    ),
    "near_leg": (
        "Working leg nearer the camera",
        "Turn so the leg you work is nearer the camera, or confirm it on the page.",
    ),
    "light": (
        "Enough light",
        "Turn on a light or face a window: the picture is too dark.",
    ),
}
SETUP_HOLD = "All set: hold still, measuring starts in a moment."
LIVE_SIDE_WORDS: dict[str, str] = {
    "not_tested": "not tested",
    "not_chosen": "not tested (not chosen)",
    "working": "being measured",
    "started": "started, not finished",
    "done": "done",
}
LIVE_END_WORDS: dict[str, str] = {
    "stopped": "You stopped the session.",
    "ended": "The camera stopped.",
    "clip_ended": "The demo clip ended.",
    "routine_done": "All done. Well done.",
}


def setup_item_line(item: str, ok: bool, side: str) -> str:
    """One checklist line: "✓ Whole body in the picture" or "✗ Side-on to the camera: turn ..."."""
    label, hint = SETUP_WORDS[item]
    if item == "near_leg" and side in ("left", "right"):
        label = f"Your {side} leg nearer the camera"
        hint = f"Turn so your {side} leg is nearer the camera, or confirm it on the page."
    if item == "near_leg" and side == "auto":
        label = "The leg you work nearer the camera (found as you go)"
    return f"✓ {label}" if ok else f"✗ {label}: {hint[0].lower()}{hint[1:]}"


#: The same checklist before START, as what to arrange (nothing has been checked yet).
SETUP_BEFORE: dict[str, str] = {
    "body": "Whole body in the picture, head to feet: step back if the camera cannot see it all.",
    "side_on": "Side-on to the camera: it should see you from the side.",
    "near_leg": "The leg you work nearer the camera: it is found as you go, or choose it here.",
    "light": "Enough light: a lamp on, or face a window.",
}


def demo_clip_title(exercise_name: str, side: str, description: str) -> str:
    """A demo clip as a person reads it in a list, what tells it apart first: "Left leg: tight
    (both findings): … (Modified Thomas self-test)" (its file's name is the generator's)."""
    what = f"{side.title()} leg: {description}" if description else f"{side.title()} leg"
    return f"{what} ({exercise_name})"


def demo_clip_label(name: str) -> str:
    """A demo clip as the recording's label in reports and Progress: "thomas tight left (rendered)"."""
    return f"{name.replace('_', ' ')} (rendered)"


def setup_item_before(item: str, side: str) -> str:
    """One checklist line before START: what to arrange, not what is wrong."""
    if item == "near_leg" and side in ("left", "right"):
        return f"Your {side} leg nearer the camera."
    return SETUP_BEFORE[item]


def setup_cue(met: dict[str, bool], side: str) -> str:
    """What to do next in the set-up: the first item not met, or hold still."""
    for item in SETUP_WORDS:
        if not met.get(item, False):
            hint = SETUP_WORDS[item][1]
            if item == "near_leg" and side in ("left", "right"):
                hint = f"Turn so your {side} leg is nearer the camera."
            return hint
    return SETUP_HOLD


def setup_title(name: str, step: int, steps: int) -> str:
    """ "Set up for the Modified Thomas self-test (exercise 1 of 2)"."""
    where = f" (exercise {step + 1} of {steps})" if steps > 1 else ""
    return f"Set up for the {name}{where}"


def measuring_line(name: str, instruction: str) -> str:
    """Said when the set-up holds: measuring starts, and what to do first."""
    return f"Measuring the {name}. {instruction}"


def next_exercise_line(name: str, setup: str) -> str:
    return f"Next: the {name}. {setup}"


def one_leg_done_line(kind: str, side: str) -> str:
    """The end of an exercise done with one chosen leg (not "both sides")."""
    what = "measured" if kind in ("self_test", "rep_test") else "done"
    return f"The {side} leg is {what}. Well done."


def live_side_line(side: str, state: str) -> str:
    """ "Left leg: not tested"."""
    return f"{side.title()} leg: {LIVE_SIDE_WORDS.get(state, state.replace('_', ' '))}"


def hold_words(hold_s: float, target_s: float | None) -> str:
    """ "Hold 12 / 30 s"."""
    return f"Hold {hold_s:.0f} / {target_s:.0f} s" if target_s else f"Hold {hold_s:.0f} s"


def steady_words(steady_s: float, target_s: float) -> str:
    """ "Keep still 2.1 / 3 s" (a self-test measures once the leg has settled)."""
    return f"Keep still {min(steady_s, target_s):.1f} / {target_s:g} s"


def counts_words(
    reps: int | None, reps_target: int | None, holds: int, holds_target: int | None
) -> str:
    """ "Reps 1 / 2 · Holds 0 / 2", only what the exercise counts."""
    parts = []
    if reps is not None:
        parts.append(f"Reps {reps}" + (f" / {reps_target}" if reps_target else ""))
    if holds_target:
        parts.append(f"Holds {holds} / {holds_target}")
    return " · ".join(parts)


def working_value(value: float | None, ref: str) -> str:
    """The working leg's angle in large type: "+12°"; a dash when not seen."""
    if not _finite(value):
        return DASH
    return f"{value:+.0f}°" if not ref.endswith("knee_flexion_deg") else f"{value:.0f}°"


def working_caption(side: str, ref: str, lo: float | None, hi: float | None) -> str:
    """What the large angle is, with its target: "right hip extension, target ≥ 10°"."""
    name = ANGLE_WORDS.get(ref.partition(".")[2] or ref, ref)
    if lo is not None and hi is not None:
        target = f"{lo:g}° to {hi:g}°"
    elif lo is not None:
        target = f"≥ {lo:g}°"
    elif hi is not None:
        target = f"≤ {hi:g}°"
    else:
        return f"{side} {name}"
    return f"{side} {name}, target {target}"


def live_rate_line(fps: float, frame_ms: float = 0.0, pose_ms: float = 0.0) -> str:
    """ "30 frames a second analysed, 24 ms a frame (pose 19 ms)"."""
    line = f"{fps:.0f} frames a second analysed"
    if frame_ms:
        line += f", {frame_ms:.0f} ms a frame (pose {pose_ms:.0f} ms)"
    return line


def live_end_line(reason: str | None) -> str:
    return LIVE_END_WORDS.get(reason or "", "The session has ended.")


CAMERA_PICTURE_WORDS: dict[str, str] = {
    "camera": "camera",
    "height_standing": "at hip height",
    "height_lying": "at bed height",
    "distance": "2–3 m",
    "near_leg": "working leg nearer the camera",
    "side_on": "side-on: the camera sees you from the side",
}


def of(done: float, target: float | None, unit: str = "") -> str:
    """ "7 / 30 s", "1 / 2": progress against a target (the target left out when there is none)."""
    sign = UNIT_SIGNS.get(unit, unit)
    whole = float(done).is_integer() or (unit == "s" and (target or 0) >= 10)
    value = f"{done:.0f}" if whole else f"{done:.1f}"
    return f"{value} / {target:g}{sign}" if target else f"{value}{sign}"
