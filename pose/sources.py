"""Frame sources: a video file, a webcam, a still image. Each yields (t_seconds, BGR frame).

Bad input is found here and said plainly (`InputError`), so callers can show one human line: only
regular files are opened, a picture too large to analyse is refused from its header before it is
decoded, and what a damaged video loses (undecodable frames, implausible frame times) is counted on
the source for the pipeline to report.
"""

from __future__ import annotations

import io
import math
import os
import queue
import re
import stat
import struct
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Self

import cv2
import numpy as np

from pose.track import MAX_FRAMES, MIN_FRAME_INTERVAL_S

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
TRACK_SUFFIXES = {".npz"}
#: Videos by their usual names (any other file that is no image or track is still tried as one);
#: a folder of recordings is read for these, the images and the tracks.
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif"}

#: The largest picture analysed: 16 megapixels (4K video is 8.3). MediaPipe looks at 256×256
#: anyway, and a 30000×30000 PNG of a few MB would take 2.7 GB to decode and crash MediaPipe.
MAX_PIXELS = 16_000_000
#: Smaller than this a person cannot be found (MediaPipe's detector looks at 224×224).
MIN_SIDE_PX = 16
#: A failed read of a damaged video is retried this often before the stream is taken to have ended:
#: each retry decodes on from the next packets, and 200 kB of garbage in an H.264 file took 57.
MAX_FAILED_READS = 100
#: Two frames of one recording further apart than this mean a broken clock (a GIF may hold a
#: frame for a few seconds; frames lost to damage are counted from the gap they leave).
MAX_FRAME_GAP_S = 10.0
#: A gap this many frames after a failed read is the failure's: H.264 resumes a frame late.
NEAR_FAILURE_FRAMES = 3


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


#: Lines MediaPipe's C++ side (absl logging, TensorFlow Lite) writes to file descriptor 2.
NATIVE_LOG_LINE = re.compile(
    rb"^(?:[IWE]\d{4} [\d:.]+ +\d+ \S+:\d+\] "  # absl: W0000 00:00:1796161611.107384  14632 x.cc:114]
    rb"|INFO: (?:Created|Initialized) TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog\(\))"
)


class _NativeStderr:
    """File descriptor 2 sent into a temporary file while native code that logs there runs.

    MediaPipe and the image decoders (libpng, libjpeg) write their own lines straight to fd 2,
    past Python. fd 2 belongs to the process, so the windows of several threads share one capture,
    counted: when the last one closes, fd 2 is restored and every line that is not known native
    noise is passed on, so nothing another thread wrote is lost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = -1
        self._sink: BinaryIO | None = None
        self._claimed: list[tuple[int, int]] = []  # byte ranges of windows that drop everything

    def open(self) -> int | None:
        """Start (or join) the capture; the offset this window starts at, None if fd 2 stays."""
        with self._lock:
            if self._depth == 0:
                if not hasattr(os, "pread"):
                    return None  # not POSIX: the lines simply show
                _flush_stderr()
                sink = tempfile.TemporaryFile()
                try:
                    saved = os.dup(2)
                except OSError:  # out of descriptors, or no fd 2 at all
                    sink.close()
                    return None
                os.dup2(sink.fileno(), 2)
                self._sink, self._saved, self._claimed = sink, saved, []
            self._depth += 1
            return self._size()

    def close(self, start: int, drop_all: bool) -> list[str]:
        """End this window: the lines written during it; fd 2 restored when it is the last."""
        with self._lock:
            end = self._size()
            lines = self._bytes(start, end).decode("utf-8", "replace").splitlines()
            if drop_all:
                self._claimed.append((start, end))
            self._depth -= 1
            if self._depth == 0:
                _flush_stderr()
                os.dup2(self._saved, 2)
                os.close(self._saved)
                self._pass_on()
                self._sink.close()
                self._sink = None
            return lines

    def _size(self) -> int:
        return os.fstat(self._sink.fileno()).st_size

    def _bytes(self, start: int, end: int) -> bytes:
        return os.pread(self._sink.fileno(), end - start, start) if end > start else b""

    def _pass_on(self) -> None:
        offset = 0
        for line in self._bytes(0, self._size()).splitlines(keepends=True):
            claimed = any(a <= offset < b for a, b in self._claimed)
            offset += len(line)
            if not claimed and not NATIVE_LOG_LINE.match(line):
                try:
                    os.write(2, line)
                except OSError:  # stderr closed meanwhile: nobody is reading it
                    return


def _flush_stderr() -> None:
    """Python's own buffered stderr out first, so that it lands where it was written."""
    if sys.stderr is not None:
        sys.stderr.flush()


_NATIVE_STDERR = _NativeStderr()


@contextmanager
def captured_native_stderr(drop_all: bool = False) -> Iterator[list[str]]:
    """Keep what C/C++ code prints to fd 2 meanwhile off the screen; yields a list that holds
    those lines afterwards.

    MediaPipe's log lines are always dropped, other lines passed on when the capture ends, unless
    `drop_all` (around an image decoder, whose complaints are the caller's to turn into words).
    Keep the window small: other threads' output to stderr is held back while it is open.
    """
    lines: list[str] = []
    start = _NATIVE_STDERR.open()
    try:
        yield lines
    finally:
        if start is not None:
            lines.extend(_NATIVE_STDERR.close(start, drop_all))


def require_regular_file(path: str | Path) -> Path:
    """`path` if it names a regular file on this computer; else InputError saying what it is.

    A FIFO would block the reader, a device (/dev/zero, a camera) never end; a folder is not a file.
    """
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{p} does not exist: check the path.") from None
    except OSError as exc:
        raise InputError(
            f"{p} could not be opened ({exc.strerror or exc}): check the path."
        ) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{p} is a folder: give a video, an image or a .npz track.")
    if not stat.S_ISREG(mode):
        raise InputError(
            f"{p} is not a regular file (a device, a pipe or a socket): give a file saved on "
            "this computer."
        )
    return p


def _check_pixels(path: Path, width: int, height: int) -> None:
    """Refuse a picture too large to analyse, or too small to hold a person."""
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{path} is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); at most "
            f"{MAX_PIXELS / 1e6:.0f} megapixels can be analysed: export it smaller."
        )
    if 0 < min(width, height) < MIN_SIDE_PX:
        raise InputError(
            f"{path} is only {width}×{height} pixels, too small to find a person in: give the "
            "original picture or video."
        )


def _png_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header chunk, which the format puts first."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    return None


_JPEG_FRAME_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(fh: BinaryIO) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame segment, skipping the segments before it."""
    fh.seek(0)
    if fh.read(2) != b"\xff\xd8":
        return None
    for _ in range(1000):  # EXIF, ICC profile, thumbnails: a few dozen segments at most
        marker = fh.read(2)
        for _ in range(64):  # fill bytes may pad a marker
            if marker != b"\xff\xff":
                break
            marker = b"\xff" + fh.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        code = marker[1]
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            continue  # markers without a length
        raw = fh.read(2)
        length = int.from_bytes(raw, "big")
        if len(raw) < 2 or length < 2 or code == 0xDA:  # start of scan before any frame
            return None
        if code in _JPEG_FRAME_MARKERS:
            frame = fh.read(5)  # precision, height, width
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:])
            return width, height
        fh.seek(length - 2, io.SEEK_CUR)
    return None


def _other_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a BMP, WebP or TIFF from Pillow, which reads the header only."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # Pillow comes with matplotlib; without it the decoded size is checked
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge the size
            with Image.open(path, formats=["BMP", "WEBP", "TIFF"]) as im:
                return im.size
    except Image.DecompressionBombError:
        raise InputError(
            f"{path} is over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; at most "
            f"{MAX_PIXELS / 1e6:.0f} megapixels can be analysed: export it smaller."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        return None  # not a picture Pillow knows: the decoder says whether it is one


def _gif_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) of a GIF's logical screen, which FFmpeg reads a GIF "video" at."""
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    return None


def image_header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) declared by an image file's header, read without decoding any pixels."""
    with open(path, "rb") as fh:
        head = fh.read(32)
        size = _png_size(head) or _gif_size(head)
        if size is None and head[:2] == b"\xff\xd8":
            size = _jpeg_size(fh)
    return size or _other_size(path)


def _open_capture(path: Path) -> cv2.VideoCapture:
    """A capture that applies the rotation a phone stores in the file.

    OpenCV's default here is off; it must be on for every capture of a file, or the size taken
    from one (the image size of the track) would not match the frames read by another.
    """
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def _frame_rate(cap: cv2.VideoCapture) -> float:
    """The container's frame rate, or 30 where it gives none a camera could have."""
    fps = cap.get(cv2.CAP_PROP_FPS)
    return fps if math.isfinite(fps) and 0.1 <= fps <= 1000 else 30.0


def _frame_count(cap: cv2.VideoCapture) -> int | None:
    """The container's frame count where it is one (images report -2**63, streams 0)."""
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    return int(count) if math.isfinite(count) and 0 < count <= MAX_FRAMES else None


@dataclass
class FrameTimer:
    """Times for the frames of a video, and what was lost on the way.

    The container's time steps are kept where they are plausible: at least MIN_FRAME_INTERVAL_S
    and at most MAX_FRAME_GAP_S. An implausible one (no time, a repeated or backward time, a
    jump) is replaced by one frame interval and counted in `retimed`; the frames after it keep the
    container's steps from there. A gap of more than one interval is frames the file lacks: lost
    where reads failed just before it, or where the container's frame count says frames are
    missing (a variable frame rate leaves gaps too, without missing any).
    """

    fps: float
    declared: int | None = None  # the container's frame count, where it gives one
    retimed: int = 0
    lost_counts: list[int] = field(default_factory=list)
    lost_spans: list[tuple[float, float]] = field(default_factory=list)
    unplaced: int = 0  # frames the container lists that never came, at times unknown
    delivered: int = 0
    failed_reads: int = 0  # since the last frame
    since_failure: int = NEAR_FAILURE_FRAMES + 1  # frames delivered since a failed read
    last_t: float = -math.inf
    _offset: float = 0.0  # container time minus frame time, changed at each replaced step
    _gaps: list[tuple[int, float, float, bool]] = field(default_factory=list)

    def failed(self) -> None:
        self.failed_reads += 1

    def place(self, pos_s: float) -> float | None:
        """The time of the next decoded frame; None where decoding resumed behind the last frame
        after a failure (a stream that starts over), which ends the video."""
        if self.failed_reads:
            self.since_failure = 0
        self.since_failure += 1
        step = 1.0 / self.fps
        t = pos_s - self._offset
        if self.delivered == 0:
            plausible = math.isfinite(t) and 0.0 <= t <= MAX_FRAME_GAP_S
            first = t if plausible else 0.0
        else:
            dt = t - self.last_t
            if self.failed_reads and not dt > 0:
                return None
            plausible = math.isfinite(dt) and MIN_FRAME_INTERVAL_S <= dt <= MAX_FRAME_GAP_S
            if plausible and dt > 1.5 * step:
                missing = round(dt * self.fps) - 1
                near = self.since_failure <= NEAR_FAILURE_FRAMES
                self._gaps.append((missing, self.last_t, t, near))
            first = self.last_t + step
        if not plausible:
            t = first
            self.retimed += 1
            if math.isfinite(pos_s):
                self._offset = pos_s - t
        self.failed_reads = 0
        self.delivered += 1
        self.last_t = t
        return t

    def skip(self) -> None:
        """A decoded frame that cannot be analysed with the others (its size changed)."""
        self._lose(1, self.last_t, self.last_t)

    def finish(self) -> None:
        """Count the frames lost: gaps just after failed reads always; other gaps, and frames
        missing without a gap (`unplaced`), as far as the container's frame count says frames
        are missing."""
        missing = None if self.declared is None else self.declared - self.delivered
        for count, start, end, near in sorted(self._gaps, key=lambda g: not g[3]):
            if missing is None and near:
                self._lose(count, start, end)
            elif missing is not None and count <= missing:
                self._lose(count, start, end)
                missing -= count
        if missing is not None and missing > 0 and self.delivered:
            self.unplaced = missing
        order = sorted(range(len(self.lost_spans)), key=lambda i: self.lost_spans[i])
        self.lost_counts = [self.lost_counts[i] for i in order]
        self.lost_spans = [self.lost_spans[i] for i in order]

    def _lose(self, count: int, start: float, end: float) -> None:
        self.lost_counts.append(count)
        self.lost_spans.append((start, end))


class VideoFileSource:
    """A recorded video, with its real frame times and its rotation metadata honoured.

    After `frames()` has run, `lost_frames` says how many frames could not be decoded and
    `lost_spans` (start, end) the seconds around each gap they leave where the times show one;
    `retimed_frames` says how many frame times were taken from `fps` instead of the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = require_regular_file(path)
        self.lost_frames = 0
        self.lost_spans: list[tuple[float, float]] = []
        self.retimed_frames = 0
        if self.path.stat().st_size == 0:
            raise InputError(f"{self.path} is empty (0 bytes): record or copy the video again.")
        if self.path.suffix.lower() != ".gif" and cv2.haveImageReader(str(self.path)):
            # FFmpeg would read a photo named .mp4 as a one-frame "video", tracked in video mode
            raise InputError(
                f"{self.path} is a still image, not a video: give it an image suffix "
                "(.jpg or .png) to analyse it as an image."
            )
        with open(self.path, "rb") as fh:
            gif = _gif_size(fh.read(32))
        if gif is not None:
            _check_pixels(self.path, *gif)  # FFmpeg decodes a frame while it opens the file
        cap = _open_capture(self.path)
        #: the frame rate that frame times are taken from where the file's are implausible
        self.fps = _frame_rate(cap)
        try:
            if cap.isOpened():
                # the stream's size, before a frame of it is decoded
                _check_pixels(
                    self.path,
                    int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                    int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                )
            ok, frame = cap.read() if cap.isOpened() else (False, None)
        finally:
            cap.release()
        if not ok or frame is None:
            raise InputError(
                f"{self.path} could not be read as a video (corrupt, truncated or not a video): "
                "try another file or re-export it as .mp4."
            )
        _check_pixels(self.path, frame.shape[1], frame.shape[0])
        # the size of a frame as frames() yields it (rotated upright), so that landmarks
        # normalised to the frame scale back to the right pixels
        self._first_shape = frame.shape

    def info(self) -> SourceInfo:
        cap = _open_capture(self.path)
        fps = cap.get(cv2.CAP_PROP_FPS)
        count = _frame_count(cap)
        cap.release()
        h, w = self._first_shape[:2]
        fps = fps if math.isfinite(fps) and fps > 0 else None
        return SourceInfo("video", self.path.name, w, h, fps, count)

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        """Frames with their presentation times, read on past frames that cannot be decoded."""
        cap = _open_capture(self.path)
        timer = FrameTimer(_frame_rate(cap), _frame_count(cap))
        ended = False
        try:
            while True:
                ok, frame = cap.read()
                if not ok or frame is None:
                    timer.failed()
                    if timer.failed_reads > MAX_FAILED_READS:
                        ended = True  # the end, or a damaged tail that finish() accounts for
                        break
                    continue
                t = timer.place(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
                if t is None:
                    ended = True
                    break
                if frame.shape != self._first_shape:
                    timer.skip()
                    continue
                yield t, frame
        finally:
            cap.release()
            if ended:
                timer.finish()
            self.lost_frames = sum(timer.lost_counts) + timer.unplaced
            self.lost_spans = list(timer.lost_spans)
            self.retimed_frames = timer.retimed


#: Frames decoded ahead of pose by a FrameReader: enough to ride out a slow frame, few enough that
#: memory stays bounded (a 4K RGB frame is 25 MB).
READ_AHEAD_FRAMES = 4
_END = object()


class FrameReader:
    """(t, RGB frame) from an iterator of (t, BGR frame), decoded and converted in a thread of
    its own, so that decoding runs beside pose estimation instead of waiting for it.

    At most `depth` frames wait in between, so memory stays bounded whatever the video's length.
    The thread belongs to this object: leaving the `with` block (or `close()`) stops and joins it,
    and closes the frame iterator in it; an error raised while reading is raised in the consumer,
    in order, after the frames read before it. For files only: a webcam is read where Ctrl-C
    arrives (the main thread), so that it can end the session.
    """

    def __init__(
        self, frames: Iterator[tuple[float, np.ndarray]], depth: int = READ_AHEAD_FRAMES
    ) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self._frames = frames
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="frame-reader", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        """Hand one item over; False once the consumer has stopped listening."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            for t, frame in self._frames:
                if not self._put((t, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))):
                    break
            else:
                self._put(_END)
        except BaseException as exc:  # handed to the consumer, who raises it
            self._put(exc)
        finally:
            close = getattr(self._frames, "close", None)
            if close is not None:
                close()  # a generator's clean-up (VideoFileSource counts lost frames there)

    def __iter__(self) -> Iterator[tuple[float, np.ndarray]]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop reading and wait for the thread (it ends within a frame's decoding)."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: What libjpeg and libpng say about a file they could only partly decode.
_DAMAGE_COMPLAINTS = ("Premature end of JPEG", "Corrupt JPEG data", "libpng error")


class ImageSource:
    """A still image: one frame at t = 0.

    `damaged` says the decoder found the file cut short or corrupt and gave what it could read.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = require_regular_file(path)
        size = image_header_size(self.path)
        if size is not None:
            _check_pixels(self.path, *size)  # before a byte of pixels is decoded
        with captured_native_stderr(drop_all=True) as complaints:
            try:
                frame = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
            except cv2.error:  # OpenCV's own size limit, or a decoder that gave up
                frame = None
        if frame is None or frame.size == 0:
            raise InputError(f"{self.path} could not be read as an image: try a .jpg or .png.")
        _check_pixels(self.path, frame.shape[1], frame.shape[0])
        self.damaged = any(line.startswith(_DAMAGE_COMPLAINTS) for line in complaints)
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
        last = -math.inf
        try:
            while True:
                try:
                    ok, frame = self._cap.read()
                except KeyboardInterrupt:
                    self.stopped_by_user = True
                    break
                if not ok or frame is None:
                    break
                # a clock read twice within a tick must still give increasing frame times
                last = max(self.clock() - start, last + MIN_FRAME_INTERVAL_S)
                yield last, frame
        finally:
            self._cap.release()


FrameSource = VideoFileSource | ImageSource | WebcamSource


def frames_hint(path: str | Path) -> int:
    """About how many frames pose will run on for `path`, from the container's header alone, to
    order work by (0 for a track, 1 for an image or anything unreadable: the real read says why)."""
    p = Path(path)
    if p.suffix.lower() in TRACK_SUFFIXES:
        return 0
    if p.suffix.lower() in IMAGE_SUFFIXES or not p.is_file():
        return 1
    cap = cv2.VideoCapture(str(p))
    try:
        return (_frame_count(cap) or 1) if cap.isOpened() else 1
    finally:
        cap.release()


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
