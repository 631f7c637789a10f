"""Run an exercise over a whole angle series, frame by frame, as the live page does.

Feeding the series through the same `ExerciseSession` the live page uses is what makes a recording
and the same recording played live give the same verdicts, holds and reps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from exercises.catalog import get_exercise
from exercises.definition import ExerciseDefinition
from exercises.result import ExerciseResult
from exercises.session import ExerciseSession

__all__ = ["run_exercise", "run_frames"]


class FrameSource(Protocol):
    """What `run_exercise` needs of `pose.angles.AngleSeries`: its frames as plain mappings."""

    def frames(self) -> Iterable[Mapping[str, object]]: ...


def run_frames(
    frames: Iterable[Mapping[str, object]],
    definition: ExerciseDefinition,
    side: str = "auto",
    view: Mapping[str, object] | None = None,
) -> ExerciseSession:
    """Feed frames one by one into a new session and return it (for its report and cue log)."""
    session = ExerciseSession(definition, side=side, view=view)
    for frame in frames:
        session.update(frame)
    return session


def run_exercise(
    series: FrameSource,
    exercise_id: str,
    side: str = "auto",
    view: Mapping[str, object] | None = None,
    definitions: Mapping[str, ExerciseDefinition] | None = None,
) -> ExerciseResult:
    """The exercise judged over `series` (a `pose.angles.AngleSeries`), as a typed result.

    Args:
        series: the angle series (zero-phase filtered for recordings, as DESIGN.md asks).
        exercise_id: a definition id; UnknownExerciseError (listing the known ids) if there is none.
        side: "auto" (default: find the working leg), "left" or "right".
        view: `pose.view.check_view(...).as_dict()`; a self-test not side-on is inconclusive.
        definitions: `exercises.catalog.load_exercises(...)`; None reads the shipped definitions.
    """
    definition = get_exercise(exercise_id, definitions)
    return run_frames(series.frames(), definition, side=side, view=view).result()
