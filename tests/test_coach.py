"""LiveCoach: the live page's core, fed frames one by one without a browser."""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest
from exercise_tracks import thomas_script
from pose_builder import build_track, times

from exercises.catalog import load_exercises
from live.coach import NO_PERSON, OTHER_PERSON, OUT_OF_FRAME, LiveCoach
from live.setup import SETUP_HOLD_S
from live.speech import PRAISE_EVERY_S, SpeechQueue
from live.store import FrameStore
from outputs import presenter as say
from pose.landmarks import SIDE_POINTS

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFS = load_exercises()


class ScriptedEstimator:
    """Stands in for MediaPipe: returns the landmarks of a constructed track, frame by frame."""

    def __init__(self, landmarks: np.ndarray, others: set[int] = frozenset()) -> None:
        self.landmarks = landmarks
        self.others = others
        self.i = -1
        self.closed = 0

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray:
        self.i += 1
        return self.landmarks[self.i % len(self.landmarks)]

    def other_person_in_view(self, rgb: np.ndarray, lm: np.ndarray) -> bool:
        return self.i in self.others

    def close(self) -> None:
        self.closed += 1


def _blank(w: int = 640, h: int = 360, grey: int = 120) -> np.ndarray:
    return np.full((h, w, 3), grey, np.uint8)


def _kneeling_lunge(seconds: float):
    """Kneeling lunge, right leg back and stretched to 15°, trunk upright."""
    return build_track(
        times(seconds), facing=1, right_hip_extension_deg=15.0, right_knee_flexion_deg=90.0,
        left_hip_extension_deg=-85.0, left_knee_flexion_deg=90.0,
        image_size=(640, 360), trunk_px=70, hip_px=(320, 150),
    )  # fmt: skip


def test_angles_cues_and_the_session_are_kept_when_the_camera_stops() -> None:
    track = _kneeling_lunge(14.0)
    est = ScriptedEstimator(track.landmarks)
    coach = LiveCoach(lambda: est, DEFS["half_kneeling_stretch"], side="right", setup_hold_s=None)
    for ti in track.t:
        out = coach.process(_blank(), 100.0 + ti)  # any clock origin
    status = coach.status()
    assert status.person and status.frames == len(track)
    assert status.stage == "measuring"
    assert status.angles["right_hip_extension_deg"] == pytest.approx(15.0, abs=0.5)
    assert status.feedback is not None and status.feedback.side == "right"
    assert dict(status.sides) == {"left": "not_chosen", "right": "working"}
    assert out.any()  # the skeleton and text were drawn on the frame
    kept = coach.track()
    assert kept is not None and len(kept) == len(track)
    assert kept.t[0] == 0.0 and kept.t[-1] == pytest.approx(track.t[-1])
    coach.finish("ended")
    assert est.closed == 1 and coach.released
    analysis = coach.analysis()
    assert analysis is not None and analysis.report.frames == len(track)
    assert analysis.series.filtered == "causal"  # what the person was coached on
    right = analysis.exercise.sides["right"]
    assert right.peak_hip_extension_deg == pytest.approx(15.0, abs=1.0)
    assert right.time_in_target_s > 5.0
    assert analysis.report.source_label == "webcam" and analysis.report.source_kind == "live"
    assert analysis.report.duration_s == pytest.approx(track.t[-1], abs=0.01)


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
    coach = LiveCoach(lambda: ScriptedEstimator(lm, others), threaded_checks=False)
    for ti in t:
        coach.process(_blank(), ti)
    assert coach.status().message == expected


def test_repeated_timestamps_are_ignored() -> None:
    track = build_track(times(0.2), image_size=(640, 360), trunk_px=70, hip_px=(320, 150))
    coach = LiveCoach(lambda: ScriptedEstimator(track.landmarks))
    coach.process(_blank(), 1.0)
    coach.process(_blank(), 1.0)
    assert coach.status().frames == 1


@pytest.mark.parametrize(
    ("case", "measures"),
    [("ready", True), ("dark room", False), ("half out of frame", False), ("confirmed", True)],
)
def test_the_set_up_checklist_must_hold_before_measuring(case: str, measures: bool) -> None:
    hip = (320, 330) if case == "half out of frame" else (320, 150)
    track = build_track(
        times(3.0), facing=1, image_size=(640, 360), trunk_px=70, hip_px=hip,
        right_hip_extension_deg=15.0, right_knee_flexion_deg=90.0,
        left_hip_extension_deg=-85.0, left_knee_flexion_deg=90.0,
    )  # fmt: skip
    side = "left" if case == "confirmed" else "auto"  # facing right shows the right leg
    coach = LiveCoach(
        lambda: ScriptedEstimator(track.landmarks), DEFS["half_kneeling_stretch"], side=side
    )
    if case == "confirmed":
        coach.confirm_near_leg()
    grey = 15 if case == "dark room" else 120
    first = coach.status()
    assert first.stage == "waiting"
    for ti in track.t[:10]:
        coach.process(_blank(grey=grey), ti)
    status = coach.status()
    assert status.stage == "setup" and status.setup is not None
    met = status.setup.met
    assert met["light"] is (case != "dark room")
    assert met["body"] is (case != "half out of frame")
    assert status.message == say.setup_cue(met, side) or status.message == OUT_OF_FRAME
    for ti in track.t[10:]:
        coach.process(_blank(grey=grey), ti)
    status = coach.status()
    assert (status.stage == "measuring") is measures
    if measures:
        # measuring began once everything had held SETUP_HOLD_S: the report starts there
        assert status.measured_frames < len(track) - SETUP_HOLD_S * 30 + 2
        assert coach.track().t[0] == 0.0


def test_start_measuring_skips_the_set_up() -> None:
    track = _kneeling_lunge(1.0)
    coach = LiveCoach(lambda: ScriptedEstimator(track.landmarks), DEFS["half_kneeling_stretch"])
    coach.process(_blank(grey=10), 0.0)  # too dark: the set-up would not hold
    coach.start_measuring()
    coach.process(_blank(grey=10), 0.1)
    assert coach.status().stage == "measuring"


def _run_thomas(side: str, legs) -> LiveCoach:
    track = thomas_script(legs).wait(3.0).track()
    coach = LiveCoach(
        lambda: ScriptedEstimator(track.landmarks), DEFS["thomas_test"], side=side,
        setup_hold_s=None,
    )  # fmt: skip
    for ti in track.t:
        coach.process(np.full((720, 1280, 3), 120, np.uint8), ti)
    return coach


def test_one_chosen_leg_is_not_said_to_be_both_sides() -> None:
    coach = _run_thomas("right", [("right", -6.0, 80.0)])
    assert coach.finished and coach.status().ended == "routine_done"
    said = [i.text for i in coach.speech_after(0)]
    done = say.one_leg_done_line("self_test", "right")
    assert done in said
    assert not any("Both sides" in s for s in said), said
    assert dict(coach.status().sides)["left"] == "not_chosen"
    analysis = coach.analysis()
    cues = [c.message for c in analysis.exercise.cues]
    assert done in cues and not any("Both sides" in c for c in cues)
    assert say.both_sides_line(analysis.exercise) == "Only the right leg was measured."
    assert coach.released  # the routine's end released the estimator


def test_both_legs_measured_says_so() -> None:
    coach = _run_thomas("auto", [("right", -6.0, 80.0), ("left", 10.0, 55.0)])
    analysis = coach.analysis()
    assert say.both_sides_line(analysis.exercise) == "Both legs measured."
    assert "Both sides measured. Well done." in [i.text for i in coach.speech_after(0)]


def test_a_routine_runs_its_exercises_in_turn_each_with_its_own_report() -> None:
    thomas = thomas_script([("right", -6.0, 80.0)]).wait(3.0).track()
    lunge = _kneeling_lunge(6.0)
    # the same person, frame size and camera: Thomas (right leg), then the kneeling stretch
    lm = np.concatenate([thomas.landmarks, _rescaled(lunge.landmarks, (640, 360), (1280, 720))])
    coach = LiveCoach(
        lambda: ScriptedEstimator(lm), [DEFS["thomas_test"], DEFS["half_kneeling_stretch"]],
        side="right", setup_hold_s=0.5,
    )  # fmt: skip
    stages = []
    for i in range(len(lm)):
        coach.process(np.full((720, 1280, 3), 120, np.uint8), i / 30.0)
        s = coach.status()
        stages.append((s.step, s.stage))
    assert (0, "setup") in stages and (0, "measuring") in stages
    assert (1, "setup") in stages and (1, "measuring") in stages
    said = [i.text for i in coach.speech_after(0)]
    assert any(t.startswith("Next: the Half-kneeling") for t in said), said
    reports = coach.analyses()
    assert [a.exercise.exercise for a in reports] == ["thomas_test", "half_kneeling_stretch"]
    assert all(a.report.frames > 30 for a in reports)


def _rescaled(lm: np.ndarray, src: tuple[int, int], dst: tuple[int, int]) -> np.ndarray:
    """Normalised landmarks of a person drawn in a `src` frame, placed in a `dst` frame's middle."""
    out = lm.copy()
    out[..., 0] = (lm[..., 0] * src[0] + (dst[0] - src[0]) / 2) / dst[0]
    out[..., 1] = (lm[..., 1] * src[1] + (dst[1] - src[1]) / 2) / dst[1]
    return out


def test_the_estimator_is_released_when_the_coach_goes_away() -> None:
    track = _kneeling_lunge(0.5)
    est = ScriptedEstimator(track.landmarks)
    coach = LiveCoach(lambda: est)
    coach.process(_blank(), 0.0)
    del coach
    gc.collect()
    assert est.closed == 1


def test_a_frame_after_the_end_is_passed_through() -> None:
    track = _kneeling_lunge(0.5)
    est = ScriptedEstimator(track.landmarks)
    coach = LiveCoach(lambda: est)
    coach.process(_blank(), 0.0)
    coach.finish("stopped")
    coach.finish("stopped")  # twice is harmless
    frame = _blank()
    assert coach.process(frame, 1.0) is frame and est.closed == 1 and est.i == 0


def test_reports_read_while_frames_arrive_see_whole_frames() -> None:
    """The engine update and a report read never interleave: reads from another thread always see
    a store and an engine that agree."""
    track = _kneeling_lunge(6.0)
    coach = LiveCoach(
        lambda: ScriptedEstimator(track.landmarks), DEFS["half_kneeling_stretch"],
        side="right", setup_hold_s=None,
    )  # fmt: skip
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                analysis = coach.analysis()
                if analysis is not None:
                    assert analysis.report.frames == len(analysis.series)
                coach.status()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    for ti in track.t:
        coach.process(_blank(), ti)
    stop.set()
    reader.join()
    assert not errors, errors


def test_speech_says_each_thing_once_in_a_while_and_praise_rarely() -> None:
    q = SpeechQueue()
    assert q.add(0.0, "Bring your chest up.", "fault") is not None
    assert q.add(3.0, "Bring your chest up.", "fault") is None  # said just now
    assert q.add(9.0, "Bring your chest up.", "fault") is not None
    assert q.add(10.0, "Good: hold it there.", "praise") is not None
    assert q.add(25.0, "Good: stay tall.", "praise") is None  # praise at most every 30 s
    assert q.add(10.0 + PRAISE_EVERY_S, "Good: stay tall.", "praise") is not None
    assert [i.seq for i in q.after(2)] == [3, 4]


def test_the_frame_store_keeps_numbers_only() -> None:
    store = FrameStore(("a", "b"), block_frames=4)
    for i in range(10):
        store.append(i * 0.1, np.full((33, 4), i, np.float32), np.array([i, -i]), "lying", 1.0)
    a = store.arrays()
    assert a["t"].shape == (10,) and a["landmarks"].shape == (10, 33, 4)
    assert a["values"][7].tolist() == [7.0, -7.0] and a["posture"][3] == "lying"
    assert store.nbytes == 3 * 4 * (8 + 33 * 2 * 4 + 33 * 2 * 2 + 2 * 4 + 1 + 4)  # three blocks


#: Bounded caches (text masks, text sizes) and the coach's preallocated blocks are left out of a
#: window's count: the blocks come a minute at a time and are counted exactly (`coach.nbytes`).
_NOT_COUNTED = ("*/pose/drawing.py", "*/functools.py", "*/live/store.py")


def _kept_per_frame(coach: LiveCoach, frame: np.ndarray, start: int, end: int, fps: float) -> float:
    """Bytes allocated while frames start..end went through the coach and still held after them."""
    gc.collect()
    tracemalloc.start()
    try:
        for k in range(start, end):
            coach.process(frame, k / fps)
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    kept = snapshot.filter_traces([tracemalloc.Filter(False, p) for p in _NOT_COUNTED])
    return sum(s.size for s in kept.statistics("filename")) / (end - start)


def test_an_hour_long_session_holds_its_memory() -> None:
    """An hour of frames through the coach (one a second, to keep the test short): a frame keeps
    as much at the end of the hour as near its start (nothing grows with the session's length),
    what it keeps bounds an hour at 30 frames/s, and reading the status costs nothing."""
    fps, n, window = 1.0, 3600, 500
    track = _kneeling_lunge(10.0)
    coach = LiveCoach(
        lambda: ScriptedEstimator(track.landmarks), DEFS["half_kneeling_stretch"],
        side="right", setup_hold_s=None,
    )  # fmt: skip
    frame = _blank(160, 90)
    t0 = time.perf_counter()
    for k in range(600):
        coach.process(frame, k / fps)
    early = _kept_per_frame(coach, frame, 600, 600 + window, fps)
    for k in range(600 + window, n - window):
        coach.process(frame, k / fps)
        if k % 50 == 0:
            coach.status()
    late = _kept_per_frame(coach, frame, n - window, n, fps)
    elapsed = time.perf_counter() - t0
    arrays = coach.nbytes / n  # landmarks and the kept angles: 449 B a frame (live.store)
    assert coach.status().frames == n
    assert coach.nbytes <= (n + 1800) * 449
    assert late < 1.2 * early + 50, (early, late)
    assert (arrays + late) * 3600 * 30 < 150e6, (arrays, late)  # an hour at 30 frames/s
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            coach.status()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 10_000
    print(
        f"an hour at {fps:g} frame/s in {elapsed:.1f} s: the coach's arrays {arrays:.0f} B a "
        f"frame, the rest {early:.0f} B a frame near the start, {late:.0f} at the end"
    )


def test_real_recording_through_the_live_path() -> None:
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    from pose.estimator import PoseEstimator

    coach = LiveCoach(lambda: PoseEstimator(video=True), setup_hold_s=None)
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


def _thomas_verdict(landmarks: np.ndarray, t: np.ndarray):
    coach = LiveCoach(
        lambda: ScriptedEstimator(landmarks), DEFS["thomas_test"], side="right", setup_hold_s=None
    )
    for ti in t:
        coach.process(np.full((720, 1280, 3), 120, np.uint8), ti)
    return coach.analysis().report


def test_a_self_test_seen_from_far_off_side_on_is_inconclusive_live_as_in_a_recording() -> None:
    """The live report's verdict is judged with the view check over what was measured, as a
    recording's is: the same Thomas test with the shoulders spread apart as a camera about 50° off
    side-on sees them (their midpoint, and so every angle, unchanged) is inconclusive."""
    track = thomas_script([("right", -6.0, 80.0)]).wait(3.0).track()
    oblique = track.landmarks.copy()
    spread = 44.0 / track.image_size[0]  # half the 88 px shoulder width that reads about 50°
    oblique[:, SIDE_POINTS["left"]["shoulder"], 0] += spread
    oblique[:, SIDE_POINTS["right"]["shoulder"], 0] -= spread
    side_on = _thomas_verdict(track.landmarks, track.t)
    off = _thomas_verdict(oblique, track.t)
    assert side_on.view.side_on is True and side_on.exercise.view["side_on"] is True
    assert side_on.exercise.sides["right"].verdict in ("normal", "tight", "borderline")
    assert off.view.side_on is False and off.view.off_axis_deg == pytest.approx(50.0, abs=3.0)
    assert off.exercise.view["side_on"] is False
    assert off.exercise.sides["right"].verdict == "inconclusive"
    assert off.exercise.sides["left"].verdict == "not_tested"
