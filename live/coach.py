"""Live coaching without Streamlit: frame -> landmarks -> angles -> exercise feedback -> drawn frame.

The live page's frame callback calls `LiveCoach.process` and nothing else; the page reads
`LiveCoach.status()` from its own thread. Everything measured is kept (the landmark track and the
exercise session), so a camera that stops mid-session loses nothing: `report()` and `track()` give
what was done so far.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from exercises.definition import ExerciseDefinition
from exercises.session import ExerciseSession, Feedback
from pose.live import LiveAngles
from pose.render import annotate_frame
from pose.track import PoseTrack
from pose.view import FRAME_MARGIN

NO_PERSON = "No one in view: step into the picture, side-on to the camera, head to feet."
OTHER_PERSON = (
    "Someone else is in view: following the person most in view. Best be alone in the picture."
)
#: How often (seconds) to look for a second person; the look costs about one extra pose estimate.
OTHER_PERSON_CHECK_S = 2.0
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
            self._landmarks.append(lm)
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

    def report(self) -> dict[str, object] | None:
        """The exercise report so far (None without an exercise)."""
        with self._lock:
            return self.session.report() if self.session else None

    def close(self) -> None:
        if self._estimator is not None and hasattr(self._estimator, "close"):
            self._estimator.close()


def fmt_deg(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:+.0f}°"
