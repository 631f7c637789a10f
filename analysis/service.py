"""The analysis service: one function from a source and options to a typed `Analysis`.

The command line, the app's pages and the live coach call this, never each other: the app does not
build an argv list, and nothing reads back a file it wrote.

    frames -> landmarks (pose.pipeline) -> angles (pose.angles) -> filtered (pose.smoothing)
           -> view check (pose.view) -> exercise result (exercises) -> Report / Analysis
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from analysis.records import Analysis, Report, SideAngles
from exercises.catalog import UnknownExerciseError, get_exercise, load_exercises
from exercises.definition import SIDES, SUMMARY_ANGLES, ExerciseDefinition
from exercises.report import run_frames
from exercises.result import ExerciseResult
from exercises.session import SIDE_CHOICES
from exercises.summary import RECORDING_STAT_DIGITS, angle_stats
from pose.angles import TABLE_LINES, AngleSeries, compute_angles
from pose.pipeline import ProgressFactory, load_track
from pose.smoothing import smooth_recording
from pose.sources import InputError, camera_index
from pose.track import PoseTrack
from pose.view import check_view

#: Below this share of frames with a person the report warns.
MIN_DETECTED_FRACTION = 0.5


@dataclass(frozen=True)
class AnalysisOptions:
    """How to analyse. `label` is what a person knows the source by (default: its file name)."""

    exercise: str | None = None
    side: str = "auto"
    table_line: str = "trunk"
    model_path: str | Path | None = None
    label: str | None = None
    kind: str | None = None  # "demo" for a built-in rendered clip; None: from the source
    #: processes a long video may be tracked by at once (pose.chunks); 1: this process only
    workers: int = 1

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise InputError(f"The number of workers must be at least 1, not {self.workers}.")
        if self.side not in SIDE_CHOICES:
            raise InputError(f"The side must be one of {', '.join(SIDE_CHOICES)}.")
        if self.table_line not in TABLE_LINES:
            raise InputError(f"The table line must be one of {', '.join(TABLE_LINES)}.")


def exercise_definition(exercise_id: str | None) -> ExerciseDefinition | None:
    """The definition of `exercise_id` (None: angles only); an unknown id is bad input."""
    if exercise_id is None:
        return None
    try:
        return get_exercise(exercise_id, load_exercises())
    except UnknownExerciseError as exc:
        raise InputError(str(exc)) from None


def source_label(source: str | Path) -> str:
    """The name a person knows a source by: "webcam" for a camera, else the file's own name."""
    if camera_index(source) is not None:
        return "webcam"
    return Path(str(source)).name or "recording"


def side_angles(series: AngleSeries) -> dict[str, SideAngles]:
    """Per side over the whole series: measured or not, and each angle's min, median and max."""
    return {
        side: SideAngles(
            side,
            bool(np.any(np.isfinite(series.values[f"{side}_hip_extension_deg"]))),
            {
                name: angle_stats(series.values[f"{side}_{name}"], RECORDING_STAT_DIGITS)
                for name in SUMMARY_ANGLES
            },
        )
        for side in SIDES
    }


def _warnings(
    track: PoseTrack, view_messages: tuple[str, ...], angle_notes: tuple[str, ...] = ()
) -> list[str]:
    """The track's own warnings, the view check's, and the angle series' notes (frames emptied
    because they read beyond what a body can do, pose/limits.py)."""
    warnings = [*track.warnings, *view_messages, *angle_notes]
    detected = float(track.detected.mean()) if len(track) else 0.0
    if detected < MIN_DETECTED_FRACTION:
        warnings.append(
            f"A person was found in only {detected:.0%} of the frames: keep the whole body in view."
        )
    return warnings


def analyze_track(
    track: PoseTrack,
    options: AnalysisOptions,
    source: str,
    kind: str,
    definition: ExerciseDefinition | None = None,
    recorded_at: datetime | None = None,
) -> Analysis:
    """Angles, view check and exercise result for a landmark track (recordings: zero-phase)."""
    if definition is None:
        definition = exercise_definition(options.exercise)
    raw = compute_angles(track, table_line=options.table_line)
    series = smooth_recording(raw)
    view = check_view(track, raw.posture)
    result = None
    if definition is not None:
        result = run_frames(
            series.frames(), definition, side=options.side, view=view.as_dict()
        ).result()
    report = make_report(track, series, view, options, source, kind, result, recorded_at)
    return Analysis(report, track, raw, series)


def make_report(
    track: PoseTrack,
    series: AngleSeries,
    view,
    options: AnalysisOptions,
    source: str,
    kind: str,
    result: ExerciseResult | None,
    recorded_at: datetime | None = None,
) -> Report:
    """The `Report` of a measured track (shared by recordings and the live coach)."""
    duration = float(track.t[-1] - track.t[0]) if len(track) > 1 else 0.0
    return Report(
        source=str(source),
        source_label=options.label or source_label(source),
        source_kind=options.kind or kind,
        recorded_at=recorded_at or datetime.now(UTC),
        frames=len(track),
        duration_s=round(duration, 3),
        image_size=track.image_size,
        pose_detected_fraction=round(float(track.detected.mean()), 4) if len(track) else 0.0,
        filter=series.filtered,
        table_line=options.table_line,
        view=view,
        warnings=tuple(_warnings(track, view.messages, series.notes)),
        angles=side_angles(series),
        exercise=result,
    )


def analyze_source(
    source: str | Path,
    options: AnalysisOptions = AnalysisOptions(),
    progress_factory: ProgressFactory | None = None,
) -> Analysis:
    """Analyse a video, an image, a `.npz` landmark track or a camera (`camera:N`).

    Bad input (unreadable, empty, nobody found, unknown exercise, ...) raises `InputError` with one
    plain sentence. The exercise id is checked before the slow pose pass.
    """
    definition = exercise_definition(options.exercise)
    if options.model_path is not None and not Path(options.model_path).is_file():
        raise InputError(
            f"Model file {Path(options.model_path).name} does not exist: check the path, or "
            "leave the model out to use the built-in one."
        )
    track, info = load_track(
        source,
        model_path=options.model_path,
        progress_factory=progress_factory,
        workers=options.workers,
    )
    # a page passes the name a person knows the file by: no server path goes into the report
    return analyze_track(track, options, options.label or str(source), info.kind, definition)
