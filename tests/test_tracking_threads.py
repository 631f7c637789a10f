"""What runs beside the pose loop: the reader thread that decodes ahead (pose.sources.FrameReader)
and the look for a second person (pose.pipeline.OtherPersonWatch), each owned, joined, bounded,
and raising its errors where the pose loop can see them."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from pose.pipeline import OTHER_PERSON_CHECK_S, OTHER_PERSON_RECHECK_S, OtherPersonWatch
from pose.sources import READ_AHEAD_FRAMES, FrameReader

FPS = 30.0


def _bgr(i: int) -> np.ndarray:
    frame = np.zeros((8, 8, 3), np.uint8)
    frame[..., 0] = i  # blue carries the frame number
    return frame


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate()}


def test_the_reader_gives_every_frame_in_order_as_rgb_and_ends() -> None:
    frames = [(i / FPS, _bgr(i)) for i in range(20)]
    with FrameReader(iter(frames)) as reader:
        got = list(reader)
    assert [t for t, _ in got] == [t for t, _ in frames]
    assert [int(rgb[0, 0, 2]) for _, rgb in got] == list(range(20))  # blue is now last
    assert "frame-reader" not in _threads()


def test_an_error_while_reading_reaches_the_pose_loop_after_the_frames_before_it() -> None:
    def frames():
        for i in range(3):
            yield i / FPS, _bgr(i)
        raise OSError("the disk went away")

    got = []
    with pytest.raises(OSError, match="the disk went away"), FrameReader(frames()) as reader:
        got.extend(t for t, _ in reader)
    assert len(got) == 3


def test_stopping_early_joins_the_reader_closes_the_source_and_reads_only_a_few_ahead() -> None:
    read = itertools.count()
    closed = threading.Event()

    def endless():
        try:
            while True:
                i = next(read)
                yield i / FPS, _bgr(i % 256)
        finally:
            closed.set()

    with FrameReader(endless()) as reader:
        for n, _ in enumerate(reader):
            if n == 1:
                break
    assert closed.is_set() and "frame-reader" not in _threads()
    assert next(read) <= 2 + READ_AHEAD_FRAMES + 1  # memory stays bounded


# --------------------------------------------------------------------------------------------
# the second-person watch


class CountingEstimator:
    """Answers a look with `answers` in turn (then the last), counting the looks."""

    def __init__(self, answers=(False,), fail_at: int | None = None) -> None:
        self.answers = list(answers)
        self.looks = 0
        self.fail_at = fail_at

    def other_person_in_view(self, rgb: np.ndarray, lm: np.ndarray) -> bool:
        if self.fail_at is not None and self.looks == self.fail_at:
            raise RuntimeError("the checker broke")
        answer = self.answers[min(self.looks, len(self.answers) - 1)]
        self.looks += 1
        return answer


def _person(x: float) -> np.ndarray:
    """Landmarks of someone standing in a narrow box from x to x + 0.1 (normalised)."""
    lm = np.ones((33, 4), np.float32)
    lm[:, 0] = np.linspace(x, x + 0.1, 33)
    lm[:, 1] = np.linspace(0.2, 0.8, 33)
    return lm


def _scene(t: float, person_x: float, visitor: bool) -> np.ndarray:
    """A still grey room, the person a dark bar, and (if `visitor`) a bright square moving in
    the corner far from them."""
    rgb = np.full((90, 160, 3), 120, np.uint8)
    x = int(person_x * 160)
    rgb[18:72, x : x + 16] = 30
    if visitor:
        left = 100 + int(6 * t)  # 100 to 136 px, far right of the person
        rgb[5:25, left : left + 20] = 250
    return rgb


def _watch(estimator, threaded: bool, moving_person=False, visitor=False, seconds=6.0):
    watch = OtherPersonWatch(estimator, threaded=threaded)
    for i in range(int(seconds * FPS)):
        t = i / FPS
        x = 0.1 + 0.05 * t if moving_person else 0.3  # walks 0.3 of the picture in 6 s
        watch.offer(t, _scene(t, x, visitor), _person(x))
    watch.close()
    return watch


@pytest.mark.parametrize("threaded", [False, True])
def test_a_still_room_is_looked_at_only_every_recheck(threaded: bool) -> None:
    est = CountingEstimator()
    watch = _watch(est, threaded)
    assert est.looks == watch.looks == int(6.0 / OTHER_PERSON_RECHECK_S)  # at 0, 2 and 4 s
    assert watch.crowded == []


def test_the_tracked_persons_own_movement_is_no_reason_to_look() -> None:
    est = CountingEstimator()
    _watch(est, threaded=False, moving_person=True)
    assert est.looks == int(6.0 / OTHER_PERSON_RECHECK_S)


def test_a_change_around_the_person_is_looked_at_every_time() -> None:
    est = CountingEstimator()
    _watch(est, threaded=False, visitor=True)
    assert est.looks == int(6.0 / OTHER_PERSON_CHECK_S)  # every 0.5 s, as without the gate


@pytest.mark.parametrize("visitor", [False, True])
def test_the_answer_is_the_same_in_a_thread_or_not_and_holds_until_the_next_look(
    visitor: bool,
) -> None:
    answers = (True, False, True)
    plain = _watch(CountingEstimator(answers), threaded=False, visitor=visitor)
    threaded = _watch(CountingEstimator(answers), threaded=True, visitor=visitor)
    assert plain.crowded == threaded.crowded and plain.looks == threaded.looks
    if not visitor:  # looks at 0 (yes), 2 (no), 4 (yes): each answer stands until the next look
        moments = np.arange(0.0, 6.0, OTHER_PERSON_CHECK_S)
        assert plain.crowded == pytest.approx([t for t in moments if t < 2.0 or t >= 4.0])


def test_an_error_in_a_look_is_raised_and_the_thread_is_joined() -> None:
    with pytest.raises(RuntimeError, match="the checker broke"):
        _watch(CountingEstimator(fail_at=1), threaded=True, visitor=True)
    assert "person-watch" not in _threads()
