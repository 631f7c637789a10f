"""Live coaching without Streamlit: frame -> landmarks -> angles -> exercise feedback -> drawn frame.

The live page's frame callback calls `LiveCoach.process` and nothing else; the page reads
`LiveCoach.status()` from its own thread. Everything measured is kept (the landmark track, the
causal angles and the exercise session), so a camera that stops mid-session loses nothing:
`analysis()` gives the same typed `Analysis` a recording gets, for what was done so far.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analysis.records import Analysis
from analysis.service import AnalysisOptions, make_report
from exercises.definition import ExerciseDefinition
from exercises.session import ExerciseSession, Feedback
from pose.angles import ANGLE_COLUMNS, AngleSeries, compute_angles
from pose.live import LiveAngles
from pose.pipeline import OTHER_PERSON_CHECK_S
from pose.render import annotate_frame
from pose.track import PoseTrack
from pose.view import FRAME_MARGIN, check_view

NO_PERSON = "No one in view: step into the picture, side-on to the camera, head to feet."
OTHER_PERSON = (
    "Someone else is in view: following the person most in view. Best be alone in the picture."
)
#: The per-frame values kept for the live report (the causal angles the person was coached on).
KEPT_COLUMNS: tuple[str, ...] = (*ANGLE_COLUMNS, "trunk_to_horizontal_deg")
OUT_OF_FRAME = "Part of your body is out of the picture: move back until head and feet are in view."


@dataclass(frozen=True)
class LiveStatus:
    """What the page shows beside the video, as of the newest processed frame."""

    t_s: float = 0.0
    frames: int = 0
    person: bool = False
    message: str = ""
    angles: dict[str, float] = field(default_factory=dict)
    feedback: Feedback | None = None


def _body_out_of_frame(landmarks: np.ndarray) -> bool:
    """Hips, knees or ankles of both legs outside the image (shoulders to ankles must show)."""
    xy = landmarks[[11, 12, 23, 24, 25, 26, 27, 28], :2]
    inside = np.all((xy >= FRAME_MARGIN) & (xy <= 1 - FRAME_MARGIN), axis=1)
    left, right = inside[[0, 2, 4, 6]], inside[[1, 3, 5, 7]]
    return not (np.all(left) or np.all(right))


class LiveCoach:
    """One person's live session. Thread-safe: `process` on the video thread, the rest anywhere.

    Args:
        estimator_factory: builds the pose estimator on first use (in the video thread).
        definition: the exercise to coach, or None to show angles only.
        side: "auto", "left" or "right".
    """

    def __init__(
        self,
        estimator_factory: Callable[[], object],
        definition: ExerciseDefinition | None = None,
        side: str = "auto",
        table_line: str = "trunk",
    ) -> None:
        self._factory = estimator_factory
        self._estimator = None
        self.definition = definition
        self.session = ExerciseSession(definition, side=side) if definition else None
        self.table_line = table_line
        self._angles: LiveAngles | None = None
        self._lock = threading.Lock()
        self._status = LiveStatus()
        self._times: list[float] = []
        self._landmarks: list[np.ndarray] = []
        self._values: list[tuple[float, ...]] = []  # KEPT_COLUMNS per frame
        self._postures: list[str] = []
        self._facing: list[float] = []
        self._image_size: tuple[int, int] | None = None
        self._t0: float | None = None
        self._next_people_check = 0.0
        self._other_person = False

    def process(self, bgr: np.ndarray, t: float) -> np.ndarray:
        """Analyse one BGR frame at time t (seconds, any origin) and return it annotated."""
        import cv2

        if self._estimator is None:
            self._estimator = self._factory()
        h, w = bgr.shape[:2]
        if self._angles is None or self._image_size != (w, h):
            self._angles = LiveAngles((w, h), self.table_line)
            self._image_size = (w, h)
        if self._t0 is None:
            self._t0 = t
        t_rel = t - self._t0
        if self._times and t_rel <= self._times[-1]:
            return bgr  # a repeated or late frame: nothing new to say
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        lm = self._estimator.process(rgb, t_rel)
        if t_rel >= self._next_people_check and hasattr(self._estimator, "other_person_in_view"):
            self._next_people_check = t_rel + OTHER_PERSON_CHECK_S
            self._other_person = bool(self._estimator.other_person_in_view(rgb, lm))
        frame = self._angles.update(t_rel, lm)
        with self._lock:  # the engine update and a report read never interleave
            feedback = self.session.update(frame) if self.session else None
        person = bool(np.isfinite(lm[0, 0]))
        if not person:
            message = NO_PERSON
        elif _body_out_of_frame(lm):
            message = OUT_OF_FRAME
        elif self._other_person:
            message = OTHER_PERSON
        elif feedback and feedback.cue:
            message = feedback.cue.message
        elif feedback:
            message = feedback.instruction
        else:
            message = ""
        angles = {k: v for k, v in frame.items() if isinstance(v, float) and k != "t_s"}
        with self._lock:
            self._times.append(t_rel)
            self._landmarks.append(lm.astype(np.float32))
            self._values.append(tuple(float(frame.get(c, math.nan)) for c in KEPT_COLUMNS))
            self._postures.append(str(frame.get("posture", "unknown")))
            self._facing.append(float(frame.get("facing_x", math.nan)))
            self._status = LiveStatus(t_rel, len(self._times), person, message, angles, feedback)
        return annotate_frame(bgr, lm, frame, message)

    def status(self) -> LiveStatus:
        with self._lock:
            return self._status

    def track(self) -> PoseTrack | None:
        """Everything seen so far as a landmark track (None before the first frame)."""
        with self._lock:
            if not self._times or self._image_size is None:
                return None
            return PoseTrack(np.array(self._times), np.stack(self._landmarks), self._image_size)

    def analysis(self, label: str = "webcam", kind: str = "live") -> Analysis | None:
        """Everything so far as the typed `Analysis` a recording gets (None before the first frame).

        The angles are the causal ones the person was coached on, and the exercise result is the
        live session's own, so the report says what the person was told.
        """
        with self._lock:
            if not self._times or self._image_size is None:
                return None
            track = PoseTrack(np.array(self._times), np.stack(self._landmarks), self._image_size)
            values = np.array(self._values, dtype=np.float64).reshape(len(self._times), -1)
            postures, facing = np.array(self._postures), np.array(self._facing)
            result = self.session.result() if self.session else None
        raw = compute_angles(track, table_line=self.table_line)
        series = AngleSeries(
            t=track.t,
            values={c: values[:, i] for i, c in enumerate(KEPT_COLUMNS)},
            posture=postures,
            facing_x=facing,
            filtered="causal",
        )
        options = AnalysisOptions(
            exercise=self.definition.id if self.definition else None,
            side=self.session.side_mode if self.session else "auto",
            table_line=self.table_line,
            label=label,
        )
        view = check_view(track, raw.posture)
        report = make_report(track, series, view, options, label, kind, result)
        return Analysis(report, track, raw, series)

    def close(self) -> None:
        if self._estimator is not None and hasattr(self._estimator, "close"):
            self._estimator.close()
