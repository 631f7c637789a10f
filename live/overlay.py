"""What the live video shows beyond the skeleton, from the engine's feedback (words: presenter)."""

from __future__ import annotations

from exercises.definition import ExerciseDefinition
from exercises.session import Feedback
from outputs import presenter as say
from pose.render import Gauge, Overlay

#: The gauge's range (degrees) per measured angle: wide enough for the target band and a margin.
GAUGE_RANGES: dict[str, tuple[float, float]] = {
    "hip_extension_deg": (-30.0, 40.0),
    "thigh_to_horizontal_deg": (-30.0, 30.0),
    "knee_flexion_deg": (0.0, 140.0),
}


def setup_overlay(message: str) -> Overlay:
    """During the set-up: the next thing to do, on the top band."""
    return Overlay(cue=message)


def build_overlay(
    definition: ExerciseDefinition | None,
    feedback: Feedback | None,
    message: str,
    frame: dict[str, float | str],
    table_line: str,
) -> Overlay:
    """The cue, and while a leg is worked: its angle large against the target (a gauge; for a
    thigh measured against the table line, that line too), hold or steady progress, counts."""
    if definition is None or feedback is None:
        return Overlay(cue=message)
    target = definition.target
    ref = target.ref
    name = ref.partition(".")[2] or ref
    lo = target.min.value if target.min is not None else None
    hi = target.max.value if target.max is not None else None
    counts = say.counts_words(
        feedback.reps, feedback.reps_target, feedback.holds_completed, feedback.sets_target
    )
    side = feedback.side
    if side is None:
        return Overlay(cue=message, counts=counts)
    value = feedback.angle_deg
    if feedback.faults:
        state = "fault"
    elif feedback.in_range is None:
        state = "neutral"
    else:
        state = "good" if feedback.in_range else "short"
    progress, progress_text = None, ""
    if feedback.steady_target_s:
        steady = feedback.steady_s or 0.0
        progress = steady / feedback.steady_target_s
        progress_text = say.steady_words(steady, feedback.steady_target_s)
    elif feedback.hold_target_s:
        progress = feedback.hold_s / feedback.hold_target_s
        progress_text = say.hold_words(feedback.hold_s, feedback.hold_target_s)
    g_lo, g_hi = GAUGE_RANGES.get(name, (-30.0, 40.0))
    return Overlay(
        cue=message,
        side=side,
        value=say.working_value(value, ref),
        caption=say.working_caption(side, ref, lo, hi),
        state=state,
        progress=progress,
        progress_text=progress_text,
        counts=counts,
        gauge=Gauge(value, lo, hi, g_lo, g_hi) if (lo is not None or hi is not None) else None,
        table_line=table_line if name == "thigh_to_horizontal_deg" else None,
    )
