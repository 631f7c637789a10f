"""LiveCoach: the live page's core, fed frames one by one without a browser."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from pose_builder import build_track, times

from exercises.catalog import load_exercises
from live.coach import NO_PERSON, OTHER_PERSON, OUT_OF_FRAME, LiveCoach

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class ScriptedEstimator:
    """Stands in for MediaPipe: returns the landmarks of a constructed track, frame by frame."""

    def __init__(self, landmarks: np.ndarray, others: set[int] = frozenset()) -> None:
        self.landmarks = landmarks
        self.others = others
        self.i = -1

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray:
        self.i += 1
        return self.landmarks[self.i]

    def other_person_in_view(self, rgb: np.ndarray, lm: np.ndarray) -> bool:
        return self.i in self.others


def _blank(w: int = 640, h: int = 360) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def test_angles_cues_and_the_session_are_kept_when_the_camera_stops() -> None:
    t = times(14.0)
    # kneeling lunge, right leg back and stretched to 15°, trunk upright
    track = build_track(
        t, facing=1, right_hip_extension_deg=15.0, right_knee_flexion_deg=90.0,
        left_hip_extension_deg=-85.0, left_knee_flexion_deg=90.0,
        image_size=(640, 360), trunk_px=70, hip_px=(320, 150),
    )  # fmt: skip
    est = ScriptedEstimator(track.landmarks)
    coach = LiveCoach(lambda: est, load_exercises()["half_kneeling_stretch"], side="right")
    for ti in t:
        out = coach.process(_blank(), 100.0 + ti)  # any clock origin
    status = coach.status()
    assert status.person and status.frames == len(t)
    assert status.angles["right_hip_extension_deg"] == pytest.approx(15.0, abs=0.5)
    assert status.feedback is not None and status.feedback.side == "right"
    assert out.any()  # the skeleton and text were drawn on the frame
    kept = coach.track()
    assert kept is not None and len(kept) == len(t)
    assert kept.t[0] == 0.0 and kept.t[-1] == pytest.approx(t[-1])
    analysis = coach.analysis()
    assert analysis is not None and analysis.report.frames == len(t)
    assert analysis.series.filtered == "causal"  # what the person was coached on
    right = analysis.exercise.sides["right"]
    assert right.peak_hip_extension_deg == pytest.approx(15.0, abs=1.0)
    assert right.time_in_target_s > 5.0
    assert analysis.report.source_label == "webcam"


@pytest.mark.parametrize(
    ("case", "expected"),
    [("nobody", NO_PERSON), ("half out of frame", OUT_OF_FRAME), ("two people", OTHER_PERSON)],
)
def test_plain_messages_for_what_the_camera_sees(case: str, expected: str) -> None:
    t = times(1.0)
    hip = (320, 330) if case == "half out of frame" else (320, 150)
    track = build_track(t, facing=-1, image_size=(640, 360), trunk_px=70, hip_px=hip)
    lm = track.landmarks.copy()
    if case == "nobody":
        lm[:] = np.nan
    others = set(range(len(t))) if case == "two people" else set()
    coach = LiveCoach(lambda: ScriptedEstimator(lm, others))
    for ti in t:
        coach.process(_blank(), ti)
    assert coach.status().message == expected


def test_repeated_timestamps_are_ignored() -> None:
    track = build_track(times(0.2), image_size=(640, 360), trunk_px=70, hip_px=(320, 150))
    coach = LiveCoach(lambda: ScriptedEstimator(track.landmarks))
    coach.process(_blank(), 1.0)
    coach.process(_blank(), 1.0)
    assert coach.status().frames == 1


def test_real_recording_through_the_live_path() -> None:
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    from pose.estimator import PoseEstimator

    coach = LiveCoach(lambda: PoseEstimator(video=True))
    cap = cv2.VideoCapture(str(video))
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        coach.process(frame, i / 30.0)
        i += 1
    coach.close()
    track = coach.track()
    assert len(track) == 47
    assert 0.6 <= track.detected.mean() <= 0.8
