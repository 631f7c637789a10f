"""The webcam's stream through the coach (ui/live_stream.py), without a browser: a camera track
that plays constructed frames, read on an event loop as aiortc would."""

from __future__ import annotations

import asyncio
import fractions

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from pose_builder import build_track, times
from test_coach import ScriptedEstimator

from live.coach import LiveCoach
from ui.live_stream import LiveStream


class CameraTrack(MediaStreamTrack):
    """`n` frames at `fps`, then the end (as a camera unplugged or a STOP gives)."""

    kind = "video"

    def __init__(self, n: int, fps: float) -> None:
        super().__init__()
        self.n, self.fps, self.sent = n, fps, 0

    async def recv(self) -> av.VideoFrame:
        if self.sent >= self.n:
            self.stop()
            raise MediaStreamError
        await asyncio.sleep(1.0 / self.fps)
        frame = av.VideoFrame.from_ndarray(np.full((360, 640, 3), 120, np.uint8), format="bgr24")
        frame.pts, frame.time_base = self.sent * 3000, fractions.Fraction(1, 90000)
        self.sent += 1
        return frame


class SlowEstimator(ScriptedEstimator):
    """Takes `seconds` a frame, as a busy machine's pose model would."""

    def __init__(self, landmarks: np.ndarray, seconds: float) -> None:
        super().__init__(landmarks)
        self.seconds = seconds

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray:
        import time

        time.sleep(self.seconds)
        return super().process(rgb, t)


def _play(stream: LiveStream, camera: CameraTrack) -> list[av.VideoFrame]:
    """Run the sink on `camera` and collect what the source sends until it ends."""

    async def run() -> list[av.VideoFrame]:
        stream.sink.addTrack(camera)
        stream.sink.start()
        out = []
        while True:
            try:
                out.append(await asyncio.wait_for(stream.source.recv(), timeout=10))
            except MediaStreamError:
                return out

    return asyncio.run(run())


def _landmarks() -> np.ndarray:
    return build_track(times(2.0), image_size=(640, 360), trunk_px=70, hip_px=(320, 150)).landmarks


def test_every_frame_comes_back_annotated_and_the_end_releases_the_estimator() -> None:
    est = ScriptedEstimator(_landmarks())
    coach = LiveCoach(lambda: est, setup_hold_s=None)
    stream = LiveStream(coach)
    out = _play(stream, CameraTrack(30, fps=30.0))
    assert len(out) >= 27 and stream.frames_in == 30  # a quick analysis keeps up with the camera
    pts = [f.pts for f in out]
    assert pts == sorted(set(pts))  # the camera's own timestamps, in order
    assert any(f.to_ndarray(format="bgr24").max() > 200 for f in out)  # drawn on
    assert coach.finished and coach.released and est.closed == 1


def test_a_slow_analysis_drops_old_frames_instead_of_falling_behind() -> None:
    est = SlowEstimator(_landmarks(), seconds=0.1)  # 10 frames/s at most
    coach = LiveCoach(lambda: est, setup_hold_s=None)
    stream = LiveStream(coach)
    out = _play(stream, CameraTrack(30, fps=30.0))
    assert 4 <= len(out) <= 15, len(out)
    # what was analysed last is (nearly) the camera's last frame: no queue of stale frames
    assert out[-1].pts >= 26 * 3000
    assert coach.released
