"""Test helpers: the JSON edge of a result, so tests can compare report.json fields as written."""

from __future__ import annotations

from exercises.report import run_exercise
from exercises.session import ExerciseSession
from outputs.report_json import exercise_dict


def run_exercise_json(*args, **kwargs) -> dict:
    """`exercises.report.run_exercise(...)`'s result as report.json writes it."""
    return exercise_dict(run_exercise(*args, **kwargs))


def session_json(session: ExerciseSession) -> dict:
    """An engine session's result so far, as report.json writes it."""
    return exercise_dict(session.result())
