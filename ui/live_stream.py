"""The live coach's two ends of a WebRTC session: a sink for the camera's track and a source track
of annotated frames, with the analysis in a thread of its own between them.

Why not streamlit-webrtc's `video_frame_callback` with `async_processing`: that hands back an
annotated frame only when the *next* camera frame comes in (it answers each incoming frame with
the latest result), adding up to a frame's time of lag, and it repeats stale results. Here:

- the camera's frames are read on aiortc's event loop as they arrive, and only the newest is kept
  (a slow moment drops the older ones instead of queueing them);
- a worker thread analyses the newest frame (`LiveCoach.process`) and the annotated frame is sent
  the moment it is drawn, with the camera frame's own timestamp;
- when the camera's track ends (STOP, the camera unplugged, the tab gone) the coach is finished,
  which releases its estimator, and the worker thread ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from live.coach import LiveCoach
from live.frames import from_bgr, to_bgr


class AnnotatedVideo(MediaStreamTrack):
    """The source track: annotated frames, sent as they are drawn (the newest only)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._queue: asyncio.Queue | None = None

    def _q(self) -> asyncio.Queue:
        if self._queue is None:
            self._queue = asyncio.Queue()
        return self._queue

    def put(self, frame: av.VideoFrame | None) -> None:
        """On the event loop: the newest annotated frame (None: the end)."""
        q = self._q()
        while frame is not None and not q.empty():
            q.get_nowait()  # an older frame not yet sent: the newer one replaces it
        q.put_nowait(frame)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self._q().get()
        if frame is None:
            self.stop()
            raise MediaStreamError
        return frame


class CameraSink:
    """The sink (streamlit-webrtc's `MediaSink`): reads the camera's track on the event loop and
    hands the newest frame to the stream's worker."""

    def __init__(self, stream: LiveStream) -> None:
        self.stream = stream
        self._track: MediaStreamTrack | None = None
        self._task: asyncio.Task | None = None

    def addTrack(self, track: MediaStreamTrack) -> None:
        self._track = track

    def hasTrack(self) -> bool:
        return self._track is not None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.stream.start(loop)
        self._task = loop.create_task(self._read(self._track))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._track = None
        self.stream.stop()

    async def _read(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    return
                self.stream.offer(frame)
        finally:
            self.stream.stop()


class LiveStream:
    """One session's stream through one coach: `sink` and `source` go to `webrtc_streamer`.

    Args:
        coach: the session's coach (its `process` runs in this stream's worker thread).
        end_reason: what ending the camera's track means to the coach ("ended").
    """

    def __init__(self, coach: LiveCoach, end_reason: str = "ended") -> None:
        self.coach = coach
        self.end_reason = end_reason
        self.sink = CameraSink(self)
        self.source = AnnotatedVideo()
        self._cond = threading.Condition()
        self._latest: av.VideoFrame | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.frames_in = 0
        self.frames_out = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._cond:
            if self._thread is not None or self._stopped:
                return
            self._loop = loop
            self._thread = threading.Thread(target=self._run, name="live-stream", daemon=True)
            self._thread.start()

    def offer(self, frame: av.VideoFrame) -> None:
        """A camera frame (on the event loop): the newest replaces one not yet analysed."""
        with self._cond:
            self._latest = frame
            self.frames_in += 1
            self._cond.notify()

    def _next(self) -> av.VideoFrame | None:
        with self._cond:
            while self._latest is None and not self._stopped:
                self._cond.wait()
            frame, self._latest = self._latest, None
            return None if self._stopped else frame

    def _send(self, frame: av.VideoFrame | None) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # the loop may have closed meanwhile (the server stopping): nobody is left to send to
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.source.put, frame)

    def _run(self) -> None:
        """The worker: the newest camera frame -> the coach -> the annotated frame, sent."""
        try:
            while (frame := self._next()) is not None:
                image = to_bgr(frame)
                t = frame.time if frame.time is not None else time.monotonic()
                out = from_bgr(self.coach.process(image, t))
                out.pts, out.time_base = frame.pts, frame.time_base
                self.frames_out += 1
                self._send(out)
        finally:
            # off the event loop (finishing joins the coach's helper thread), then the end is sent
            self.coach.finish(self.end_reason)
            self._send(None)

    def stop(self) -> None:
        """The camera's track ended (or the session is torn down): end the worker (idempotent)."""
        with self._cond:
            if self._stopped:
                return
            self._stopped = True
            started = self._thread is not None
            self._cond.notify()
        if not started:
            self.coach.finish(self.end_reason)
