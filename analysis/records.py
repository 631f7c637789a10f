"""The typed result of one analysis: `Report` (what report.json holds) and `Analysis` (the report
with the arrays it was measured from). Frozen, checked on construction; dicts only at the JSON edge
(`outputs.report_json`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from exercises.definition import SIDES, SUMMARY_ANGLES
from exercises.result import AngleStats, ExerciseResult, ResultError
from pose.angles import AngleSeries
from pose.track import PoseTrack
from pose.view import ViewCheck

#: Where a session's frames came from.
SOURCE_KINDS: tuple[str, ...] = ("video", "image", "track", "webcam", "live", "demo")


@dataclass(frozen=True)
class SideAngles:
    """One leg over the whole recording: whether it was measured, and each angle's statistics."""

    side: str
    measured: bool
    angles: Mapping[str, AngleStats]

    def __post_init__(self) -> None:
        if self.side not in SIDES or set(self.angles) != set(SUMMARY_ANGLES):
            raise ResultError(f"SideAngles({self.side!r}) needs {', '.join(SUMMARY_ANGLES)}")


@dataclass(frozen=True)
class Report:
    """Everything report.json says about one session (see ../shared/DESIGN.md).

    Attributes:
        source: the input as it was given (a path, "camera:0", a clip's path): for the JSON only.
        source_label: what a person knows it by: the file's own name, "webcam", or a demo clip's
            name with "(rendered)" — never a server path.
        source_kind: one of SOURCE_KINDS.
        recorded_at: when the session was analysed (timezone-aware).
        frames, duration_s, image_size, pose_detected_fraction: the track's extent.
        filter: the filter the angles came from ("zero-phase" for recordings, "causal" live).
        table_line: "trunk" or "image" (lying tests).
        view: what the camera view allowed.
        warnings: what a person should know about the measurement, in plain words.
        angles: per side, each angle over the whole recording (the person may not have been in
            position all the time: the exercise result has the judged values).
        exercise: the exercise result, or None for angles only.
    """

    source: str
    source_label: str
    source_kind: str
    recorded_at: datetime
    frames: int
    duration_s: float
    image_size: tuple[int, int]
    pose_detected_fraction: float
    filter: str
    table_line: str
    view: ViewCheck
    warnings: tuple[str, ...]
    angles: Mapping[str, SideAngles]
    exercise: ExerciseResult | None = None

    def __post_init__(self) -> None:
        if self.source_kind not in SOURCE_KINDS:
            raise ResultError(f"unknown source kind {self.source_kind!r}")
        if self.recorded_at.tzinfo is None:
            raise ResultError("recorded_at must carry its time zone")
        if self.frames < 0 or not math.isfinite(self.duration_s) or self.duration_s < 0:
            raise ResultError(f"frames {self.frames} / duration {self.duration_s} out of range")
        if not 0.0 <= self.pose_detected_fraction <= 1.0:
            raise ResultError(f"pose_detected_fraction {self.pose_detected_fraction} not in 0..1")
        if set(self.angles) != set(SIDES):
            raise ResultError("angles need a left and a right side")
        if not self.source_label or "/" in self.source_label or "\\" in self.source_label:
            raise ResultError(f"source_label must be a name, not a path: {self.source_label!r}")
        object.__setattr__(self, "warnings", tuple(self.warnings))


@dataclass(frozen=True)
class Analysis:
    """A report with what it was measured from: the track and the raw and filtered angle series."""

    report: Report
    track: PoseTrack
    raw: AngleSeries
    series: AngleSeries

    def __post_init__(self) -> None:
        if not (len(self.track) == len(self.raw) == len(self.series) == self.report.frames):
            raise ResultError("track, angle series and report disagree on the number of frames")

    @property
    def exercise(self) -> ExerciseResult | None:
        return self.report.exercise
