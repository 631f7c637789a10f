"""Frame sources: a video file, a webcam, a still image. Each yields (t_seconds, BGR frame).

Bad input is found here and said plainly (`InputError`), so callers can show one human line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
TRACK_SUFFIXES = {".npz"}


class InputError(ValueError):
    """Input a person gave that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a source before reading it."""

    kind: str  # "video", "image", "webcam"
    name: str
    width: int
    height: int
    fps: float | None
    frame_count: int | None


def quiet_decoder_logs() -> None:
    """Keep FFmpeg's and OpenCV's own log lines ("moov atom not found", ...) off stderr.

    For a command-line entry point: bad input is reported in one plain line of our own. It must
    run before the first video is opened (OpenCV reads the setting then); a level the user set
    explicitly is kept.
    """
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    if "OPENCV_LOG_LEVEL" not in os.environ:
        # OpenCV's own lines ("can't open camera by index") likewise; set at run time, since
        # cv2 reads the environment variable only when it is first imported
        cv2.setLogLevel(0)  # 0 = silent


def _open_capture(path: Path) -> cv2.VideoCapture:
    """A capture that applies the rotation a phone stores in the file.

    OpenCV's default here is off; it must be on for every capture of a file, or the size taken
    from one (the image size of the track) would not match the frames read by another.
    """
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


class VideoFileSource:
    """A recorded video, with its real frame times and its rotation metadata honoured."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"{self.path} does not exist: check the path.")
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder: give a video, an image or a .npz track.")
        if self.path.stat().st_size == 0:
            raise InputError(f"{self.path} is empty (0 bytes): record or copy the video again.")
        if self.path.suffix.lower() != ".gif" and cv2.haveImageReader(str(self.path)):
            # FFmpeg would read a photo named .mp4 as a one-frame "video", tracked in video mode
            raise InputError(
                f"{self.path} is a still image, not a video: give it an image suffix "
                "(.jpg or .png) to analyse it as an image."
            )
        cap = _open_capture(self.path)
        ok, frame = cap.read() if cap.isOpened() else (False, None)
        cap.release()
        if not ok or frame is None:
            raise InputError(
                f"{self.path} could not be read as a video (corrupt, truncated or not a video): "
                "try another file or re-export it as .mp4."
            )
        # the size of a frame as frames() yields it (rotated upright), so that landmarks
        # normalised to the frame scale back to the right pixels
        self._first_shape = frame.shape

    def info(self) -> SourceInfo:
        cap = _open_capture(self.path)
        fps = cap.get(cv2.CAP_PROP_FPS) or None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
        cap.release()
        h, w = self._first_shape[:2]
        return SourceInfo("video", self.path.name, w, h, fps, count)

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        """Frames with their presentation times; a truncated tail simply ends the stream."""
        cap = _open_capture(self.path)
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        last_t = -np.inf
        index = 0
        try:
            while True:
                ok, frame = cap.read()
                if not ok or frame is None:
                    break
                t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if not np.isfinite(t) or t <= last_t:
                    # some containers report no or repeated times: fall back to the nominal rate
                    t = max(last_t + 1e-3, index / fps)
                last_t = t
                index += 1
                yield t, frame
        finally:
            cap.release()


class ImageSource:
    """A still image: one frame at t = 0."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"{self.path} does not exist: check the path.")
        frame = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if frame is None:
            raise InputError(f"{self.path} could not be read as an image: try a .jpg or .png.")
        self._frame = frame

    def info(self) -> SourceInfo:
        h, w = self._frame.shape[:2]
        return SourceInfo("image", self.path.name, w, h, None, 1)

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        yield 0.0, self._frame


CAMERA_PREFIX = "camera:"


class WebcamSource:
    """A local camera by index; times come from a monotonic clock because webcam rates vary.

    `capture_factory` opens the device (cv2.VideoCapture); tests pass one that plays a file.
    """

    def __init__(self, index: int = 0, clock=time.monotonic, capture_factory=None) -> None:
        self.index = index
        self.clock = clock
        self.stopped_by_user = False
        self._cap = (capture_factory or cv2.VideoCapture)(index)
        if not self._cap.isOpened():
            raise InputError(
                f"Camera {index} could not be opened: check it is connected and not used by another app."
            )

    def info(self) -> SourceInfo:
        w = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        return SourceInfo("webcam", f"camera {self.index}", w, h, None, None)

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        """Frames until the camera stops answering (unplugged) or Ctrl-C: the stream simply ends,
        and everything read until then is kept."""
        start = self.clock()
        try:
            while True:
                try:
                    ok, frame = self._cap.read()
                except KeyboardInterrupt:
                    self.stopped_by_user = True
                    break
                if not ok or frame is None:
                    break
                yield self.clock() - start, frame
        finally:
            self._cap.release()


FrameSource = VideoFileSource | ImageSource | WebcamSource


def camera_index(path: str | Path) -> int | None:
    """The camera index of an input written `camera:N`, else None."""
    text = str(path)
    if text.startswith(CAMERA_PREFIX) and text[len(CAMERA_PREFIX) :].isdigit():
        return int(text[len(CAMERA_PREFIX) :])
    return None


def open_source(path: str | Path) -> FrameSource:
    """The right source: `camera:N` a webcam, an image by its suffix, anything else tried as a video."""
    index = camera_index(path)
    if index is not None:
        return WebcamSource(index)
    p = Path(path)
    if p.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(p)
    return VideoFileSource(p)
