"""A webcam as a frame source, simulated by a recording: clock times, disconnects, Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

import pose.sources
from pose.pipeline import load_track
from pose.sources import InputError, WebcamSource, camera_index, open_source
from pose.track import MIN_FRAME_INTERVAL_S

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class FakeClock:
    """A webcam's clock: 25 ms between reads, starting anywhere."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.025
        return self.now


class InterruptedCapture:
    """A camera that delivers `n` frames, then the person presses Ctrl-C."""

    def __init__(self, n: int) -> None:
        self.n = n

    def isOpened(self) -> bool:
        return True

    def read(self):
        if self.n == 0:
            raise KeyboardInterrupt
        self.n -= 1
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, prop: int) -> float:
        return {cv2.CAP_PROP_FRAME_WIDTH: 64, cv2.CAP_PROP_FRAME_HEIGHT: 48}.get(prop, 0.0)

    def release(self) -> None:
        pass


@pytest.mark.parametrize(
    ("text", "index"), [("camera:0", 0), ("camera:12", 12), ("camera:x", None), ("clip.mp4", None)]
)
def test_camera_inputs_are_written_camera_n(text: str, index: int | None) -> None:
    assert camera_index(text) == index


def test_a_camera_that_cannot_be_opened_is_a_plain_error() -> None:
    class Closed(InterruptedCapture):
        def isOpened(self) -> bool:
            return False

    with pytest.raises(InputError, match="Camera 3 could not be opened"):
        WebcamSource(3, capture_factory=lambda i: Closed(0))


def test_ctrl_c_ends_the_stream_and_keeps_the_frames() -> None:
    cam = WebcamSource(0, clock=FakeClock(), capture_factory=lambda i: InterruptedCapture(5))
    frames = list(cam.frames())
    assert len(frames) == 5 and cam.stopped_by_user
    times = [t for t, _ in frames]
    assert times == pytest.approx([0.025 * k for k in range(1, 6)])  # from the clock, from zero


def test_frame_times_increase_even_when_the_clock_does_not() -> None:
    """A coarse clock read twice within one tick: the track still needs increasing times."""
    cam = WebcamSource(0, clock=lambda: 5.0, capture_factory=lambda i: InterruptedCapture(4))
    times = [t for t, _ in cam.frames()]
    assert times[0] == 0.0 and np.all(np.diff(times) >= MIN_FRAME_INTERVAL_S)


def test_a_camera_that_disconnects_mid_session_loses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    real = cv2.VideoCapture

    def capture(source):  # camera 0 "is" the recording, which ends like an unplugged camera
        return real(str(video)) if isinstance(source, int) else real(source)

    monkeypatch.setattr(pose.sources.cv2, "VideoCapture", capture)
    assert isinstance(open_source("camera:0"), WebcamSource)
    track, info = load_track("camera:0")
    assert info.kind == "webcam" and (info.width, info.height) == (480, 352)
    assert len(track) == 47  # every frame read before the "disconnect" is kept
    assert np.all(np.diff(track.t) > 0)
    assert 0.6 <= track.detected.mean() <= 0.8
    assert any("stopped sending frames" in w for w in track.warnings)
