"""Frames -> landmark track: runs a frame source through the estimator, with progress and warnings.

Where the time goes, and what runs beside what (a recording, `load_track`):

- decoding: a video file is decoded and converted to RGB in a reader thread beside pose
  (`pose.sources.FrameReader`, a few frames ahead at most);
- pose: the estimator, frame by frame, in the calling thread;
- the look for a second person (`OtherPersonWatch`): an extra still-image pose estimate at most
  every OTHER_PERSON_CHECK_S of video, in a thread of its own, and only where the picture around
  the tracked person has changed since the last look;
- a video longer than SPLIT_ABOVE_S, given `workers` > 1, is cut into chunks tracked in parallel
  processes (`pose.chunks`), each starting a little before its chunk so that the seams match.

MediaPipe is imported by `pose.estimator` only when an estimator is made: a `.npz` track never
loads it.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pose import chunks
from pose.estimator import PoseEstimator
from pose.sources import (
    TRACK_SUFFIXES,
    FrameReader,
    ImageSource,
    InputError,
    SourceInfo,
    VideoFileSource,
    open_source,
    require_regular_file,
)
from pose.track import MAX_FRAMES, PoseTrack, TrackFormatError

#: How often (seconds of video) to look for a second person.
OTHER_PERSON_CHECK_S = 0.5
#: A look is made at least this often even where the picture around the tracked person is still.
OTHER_PERSON_RECHECK_S = 2.0
#: The picture around the tracked person is compared at this width (pixels, grey), and a cell
#: that changed by more than this many grey levels since the last look means a new look.
SCENE_WIDTH_PX = 64
SCENE_CHANGE_GREY = 12.0
#: Looks waiting for the watch thread (each holds one frame): it falls behind by this much at most.
WATCH_QUEUE = 2

ProgressFactory = Callable[[int | None], Callable[[int], None]]


def _person_box(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tracked person's box, normalised (x, y), with the margin the masked look hides."""
    pts = lm[np.isfinite(lm[:, 0]), :2]
    pad = 0.15 * np.ptp(pts, axis=0)
    return pts.min(axis=0) - pad, pts.max(axis=0) + pad


def scene_around(rgb: np.ndarray, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A small grey picture of the frame, and the mask of its cells clear of the tracked person
    (the person's box and one cell more: their own movement is no new scene)."""
    h, w = rgb.shape[:2]
    sw = min(SCENE_WIDTH_PX, w)
    sh = max(1, round(h * sw / w))
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32).mean(axis=2)
    lo, hi = _person_box(lm)
    x0, y0 = (np.floor(lo * (sw, sh)) - 1).astype(int).clip(0, (sw, sh))
    x1, y1 = (np.ceil(hi * (sw, sh)) + 1).astype(int).clip(0, (sw, sh))
    clear = np.ones((sh, sw), bool)
    clear[y0:y1, x0:x1] = False
    return small, clear


class OtherPersonWatch:
    """Looks for a second person at most every `every_s` of video, beside the pose loop.

    A look is the estimator's `other_person_in_view` (an extra still-image pose estimate with the
    tracked person hidden, about as costly as a frame's pose). It is made only where the picture
    around the tracked person (`scene_around`: clear of them now and at the last look) has changed
    since the last look, or `recheck_s` has passed; otherwise the last look's answer stands for
    this moment too: someone who walks in changes the picture, a still room does not. Which
    moments are looked at depends on the frames alone, so a recording gives the same answer
    whether the looks run in a thread or not.

    With `threaded`, the looks run in a thread this object owns: `close()` waits for them and
    joins it, and raises an error a look raised. `crowded` (after `close`) holds the moments at
    which someone else was in view; `looks` counts the estimates made.
    """

    def __init__(
        self,
        estimator,
        threaded: bool = True,
        every_s: float = OTHER_PERSON_CHECK_S,
        recheck_s: float = OTHER_PERSON_RECHECK_S,
    ) -> None:
        self._estimator = estimator
        self._every_s = every_s
        self._recheck_s = recheck_s
        self._next_t = -math.inf
        self._last_look_t = -math.inf
        self._scene: np.ndarray | None = None  # the picture at the last look ...
        self._clear: np.ndarray | None = None  # ... and its cells clear of the person
        self._moments: list[tuple[float, int]] = []  # (t, the look whose answer holds then)
        self._answers: dict[int, bool] = {}
        self._error: BaseException | None = None
        self._stopped = False
        self.looks = 0
        self.crowded: list[float] = []
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._queue = queue.Queue(maxsize=WATCH_QUEUE)
            self._thread = threading.Thread(target=self._run, name="person-watch", daemon=True)
            self._thread.start()

    def offer(self, t: float, rgb: np.ndarray, lm: np.ndarray) -> None:
        """The frame at `t` and the tracked person's landmarks in it (all NaN: nobody)."""
        if self._error is not None:
            self.stop()
            raise self._error
        if t < self._next_t or not np.isfinite(lm[0, 0]):
            return
        self._next_t = t + self._every_s
        small, clear = scene_around(rgb, lm)
        if self._scene is not None and t - self._last_look_t < self._recheck_s:
            both = clear & self._clear  # clear of the person now and at the last look
            if both.any() and not np.any(np.abs(small - self._scene)[both] > SCENE_CHANGE_GREY):
                self._moments.append((t, self.looks - 1))
                return
        look = self.looks
        self.looks += 1
        self._scene, self._clear, self._last_look_t = small, clear, t
        self._moments.append((t, look))
        if self._queue is None:
            self._answers[look] = bool(self._estimator.other_person_in_view(rgb, lm))
        else:
            self._queue.put((look, rgb, lm))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None or self._stopped:
                continue  # drain: nothing more to look at
            look, rgb, lm = item
            try:
                self._answers[look] = bool(self._estimator.other_person_in_view(rgb, lm))
            except BaseException as exc:
                self._error = exc

    def close(self) -> None:
        """Wait for the looks still queued; then `crowded` is complete."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        self.crowded = [t for t, look in self._moments if self._answers.get(look)]

    def stop(self) -> None:
        """Give up the looks still queued (an error ended the pass) and join the thread."""
        if self._thread is not None:
            self._stopped = True
            self._queue.put(None)
            self._thread.join()
            self._thread = None


@dataclass
class Tracked:
    """What a pass of the estimator over frames gave: per frame the time and landmarks, and the
    moments a second person was in view; `capped` when MAX_FRAMES cut the pass short."""

    t: list[float] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    crowded: list[float] = field(default_factory=list)
    looks: int = 0
    capped: bool = False


def track_rgb(
    frames: Iterable[tuple[float, np.ndarray]],
    estimator,
    progress: Callable[[int], None] | None = None,
    check_people: bool = True,
    keep_from_s: float = -math.inf,
    threaded_watch: bool = True,
) -> Tracked:
    """Run every (t, RGB frame) through the estimator, in order.

    Frames before `keep_from_s` are tracked (they warm the tracking up) but not kept, nor looked
    at for a second person, nor counted: `progress(1)` is called per frame kept.
    """
    out = Tracked()
    watch = OtherPersonWatch(estimator, threaded=threaded_watch) if check_people else None
    try:
        for t, rgb in frames:
            if len(out.rows) == MAX_FRAMES:
                out.capped = True  # a track holds at most this many (see pose/track.py)
                break
            lm = estimator.process(rgb, t)
            if t >= keep_from_s:
                if watch is not None:
                    watch.offer(t, rgb, lm)
                out.t.append(t)
                out.rows.append(lm)
                if progress:
                    progress(1)
        if watch is not None:
            watch.close()
            out.crowded, out.looks = watch.crowded, watch.looks
    finally:
        if watch is not None:
            watch.stop()
    return out


def crowded_note(crowded: list[float]) -> str:
    return (
        f"More than one person was in view (first at {crowded[0]:.1f} s, {len(crowded)} checks): "
        "the angles follow one person, the one most in view. For a clean measurement, be alone "
        "in the picture."
    )


def capped_note(t_last: float) -> str:
    return (
        f"Only the first {MAX_FRAMES} frames ({t_last / 3600:.1f} hours) were analysed: cut "
        "longer recordings into parts."
    )


def _as_track(tracked: Tracked, image_size: tuple[int, int]) -> PoseTrack:
    if not tracked.rows:
        raise InputError(
            "The video has no frames that could be decoded: record or export it again."
        )
    warnings = [capped_note(tracked.t[-1])] if tracked.capped else []
    if tracked.crowded:
        warnings.append(crowded_note(tracked.crowded))
    return PoseTrack(
        t=np.array(tracked.t),
        landmarks=np.stack(tracked.rows),
        image_size=image_size,
        warnings=tuple(warnings),
    )


def track_frames(
    frames: Iterable[tuple[float, np.ndarray]],
    estimator: PoseEstimator,
    image_size: tuple[int, int],
    progress: Callable[[int], None] | None = None,
    check_people: bool = True,
) -> PoseTrack:
    """Run every (t, BGR frame) through the estimator into a PoseTrack (converted in line; for a
    file, `load_track` decodes in a reader thread instead)."""
    rgb = ((t, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)) for t, frame in frames)
    return _as_track(track_rgb(rgb, estimator, progress, check_people), image_size)


def _new_estimator(video: bool, model_path: str | Path | None) -> PoseEstimator:
    """The estimator; a user's model file that MediaPipe cannot load is bad input, said plainly."""
    if model_path is None:
        return PoseEstimator(video=video)
    try:
        return PoseEstimator(video=video, model_path=model_path)
    except (OSError, RuntimeError, ValueError) as exc:
        # MediaPipe says "Unable to open zip archive." for a file that is not a .task model
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"The model {model_path} could not be loaded ({reason}): give a MediaPipe pose "
            "landmarker .task file, or leave the model out to use the built-in one."
        ) from exc


#: Estimators kept for the next recording of this process, inside `kept_estimators()`.
_KEPT: ContextVar[dict | None] = ContextVar("kept_estimators", default=None)


@contextmanager
def kept_estimators() -> Iterator[None]:
    """Within this block, `load_track` keeps its estimators and resets them for the next recording
    instead of loading the model again (a batch worker analyses many files). They are closed when
    the block ends; one that failed during a recording is closed at once and not reused."""
    kept: dict = {}
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)
        for estimator in kept.values():
            estimator.close()


@contextmanager
def _estimator(video: bool, model_path: str | Path | None) -> Iterator[PoseEstimator]:
    """An estimator for one recording: a new one, or a kept one reset (see `kept_estimators`)."""
    kept = _KEPT.get()
    key = (video, None if model_path is None else str(model_path))
    if kept is None:
        with _new_estimator(video, model_path) as estimator:
            yield estimator
        return
    estimator = kept.pop(key, None)
    try:
        if estimator is None:
            estimator = _new_estimator(video, model_path)
        else:
            estimator.reset()
        yield estimator
    except BaseException:
        if estimator is not None:
            estimator.close()
        raise
    kept[key] = estimator


def _camera_note(track: PoseTrack, source) -> str:
    """Say how a camera session ended; the frames read until then are all kept."""
    how = (
        "The session was stopped with Ctrl-C"
        if source.stopped_by_user
        else "The camera stopped sending frames (disconnected or closed)"
    )
    return f"{how} after {track.t[-1]:.1f} s; everything up to then was analysed."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: Lost stretches named one by one in a warning; more are counted.
SPANS_NAMED = 3


@dataclass(frozen=True)
class VideoDamage:
    """What reading a video lost (`VideoFileSource` counts it): frames that could not be decoded,
    the spans around the gaps they left, and frame times taken from the frame rate instead."""

    lost_frames: int
    lost_spans: tuple[tuple[float, float], ...]
    retimed_frames: int
    fps: float

    @classmethod
    def of(cls, source: VideoFileSource) -> VideoDamage:
        return cls(source.lost_frames, tuple(source.lost_spans), source.retimed_frames, source.fps)


def damage_notes(source) -> list[str]:
    """Plain warnings for what a damaged file lost: frames that could not be decoded, frame times
    that had to be made up, an image decoded only in part. Nothing is lost silently.

    `source` is the source that was read, or the `VideoDamage` of a video read in chunks."""
    notes: list[str] = []
    if isinstance(source, ImageSource) and source.damaged:
        notes.append(
            "The image file is damaged or cut short: only the part that could be decoded was "
            "analysed."
        )
    if isinstance(source, VideoFileSource):
        source = VideoDamage.of(source)
    if not isinstance(source, VideoDamage):
        return notes
    if source.lost_frames:
        spans = [f"{a:.1f}–{b:.1f} s" for a, b in source.lost_spans[:SPANS_NAMED]]
        more = len(source.lost_spans) - SPANS_NAMED
        where = ", ".join(spans) + (f" and {_plural(more, 'more place')}" if more > 0 else "")
        verb = "was" if source.lost_frames == 1 else "were"
        notes.append(
            f"{_plural(source.lost_frames, 'frame')}{f' ({where})' if where else ''} could not be "
            f"decoded and {verb} skipped: the file may be damaged."
        )
    if source.retimed_frames:
        notes.append(
            f"The file's frame times were implausible for {_plural(source.retimed_frames, 'frame')}; "
            f"times were taken from its frame rate ({source.fps:.4g} fps) instead."
        )
    return notes


def _with_notes(track: PoseTrack, notes: list[str]) -> PoseTrack:
    if not notes:
        return track
    return PoseTrack(track.t, track.landmarks, track.image_size, (*track.warnings, *notes))


@dataclass(frozen=True)
class ChunkSpec:
    """One chunk of a video: frames from `start_s` (inclusive) to `end_s` (exclusive) are kept;
    tracking starts `warm_up_s` earlier."""

    path: str
    model_path: str | None
    start_s: float
    end_s: float
    warm_up_s: float


@dataclass(frozen=True)
class ChunkResult:
    """A chunk's frames; `damage` from the last chunk only, which has read the whole file."""

    t: np.ndarray  # (N,) seconds
    landmarks: np.ndarray  # (N, 33, 4)
    crowded: tuple[float, ...]
    looks: int
    damage: VideoDamage | None


def _between(
    frames: Iterator[tuple[float, np.ndarray]], begin_s: float, end_s: float
) -> Iterator[tuple[float, np.ndarray]]:
    """The frames from `begin_s` to before `end_s` (the ones before are decoded, not converted)."""
    try:
        for t, frame in frames:
            if t >= end_s:
                return
            if t >= begin_s:
                yield t, frame
    finally:
        frames.close()


def track_chunk(spec: ChunkSpec, progress: Callable[[int], None] | None = None) -> ChunkResult:
    """Track one chunk of a video (in whichever process runs it; see pose.chunks)."""
    source = VideoFileSource(spec.path)
    begin = spec.start_s - spec.warm_up_s
    with (
        _estimator(True, spec.model_path) as estimator,
        FrameReader(_between(source.frames(), begin, spec.end_s)) as frames,
    ):
        tracked = track_rgb(frames, estimator, progress, keep_from_s=spec.start_s)
    rows = np.stack(tracked.rows) if tracked.rows else np.empty((0, 33, 4), np.float32)
    return ChunkResult(
        np.array(tracked.t, np.float64),
        rows,
        tuple(tracked.crowded),
        tracked.looks,
        VideoDamage.of(source) if math.isinf(spec.end_s) else None,
    )


def _chunk_main(spec: ChunkSpec, progress: Callable[[int], None]) -> ChunkResult:
    """A chunk in a process of its own: the command line's quiet logs and numpy settings first."""
    from pose.sources import quiet_decoder_logs

    quiet_decoder_logs()
    np.seterr(all="ignore")
    return track_chunk(spec, progress)


def track_in_chunks(
    path: Path,
    spans: list[tuple[float, float]],
    model_path: str | Path | None,
    image_size: tuple[int, int],
    progress: Callable[[int], None] | None = None,
    warm_up_s: float = chunks.WARM_UP_S,
) -> tuple[PoseTrack, VideoDamage]:
    """A video tracked in chunks at once (`spans` from `pose.chunks.plan`), joined into one track."""
    model = None if model_path is None else str(model_path)
    specs = [
        ChunkSpec(str(path), model, a, b, 0.0 if i == 0 else warm_up_s)
        for i, (a, b) in enumerate(spans)
    ]
    try:
        parts = chunks.run_chunks(_chunk_main, specs, progress, here=track_chunk)
    except chunks.ChunkError as exc:
        raise InputError(
            f"{path.name} could not be analysed in parts ({exc}): try again with --jobs 1."
        ) from exc
    tracked = Tracked(
        t=[float(t) for part in parts for t in part.t],
        rows=[row for part in parts for row in part.landmarks],
        crowded=sorted(t for part in parts for t in part.crowded),
        looks=sum(part.looks for part in parts),
    )
    return _as_track(tracked, image_size), parts[-1].damage


def _duration_s(info: SourceInfo) -> float | None:
    """The container's idea of a video's length, where it gives frames and a rate."""
    if info.kind != "video" or not info.frame_count or not info.fps:
        return None
    return info.frame_count / info.fps


def load_track(
    path: str | Path,
    model_path: str | Path | None = None,
    progress_factory: ProgressFactory | None = None,
    workers: int = 1,
    split_above_s: float = chunks.SPLIT_ABOVE_S,
) -> tuple[PoseTrack, SourceInfo]:
    """A landmark track from a video, an image, a `.npz` track file or a camera (`camera:N`).

    With `workers` > 1, a video longer than `split_above_s` is tracked in chunks by that many
    processes at once (pose.chunks). Raises InputError with a plain message for anything
    unusable, including a recording in which nobody was found.
    """
    p = Path(path)
    if p.suffix.lower() in TRACK_SUFFIXES:
        require_regular_file(p)
        try:
            track = PoseTrack.load(p)
        except TrackFormatError as exc:
            raise InputError(
                f"{exc}: give a track saved by this app, a video or an image."
            ) from exc
        w, h = track.image_size
        info = SourceInfo("track", p.name, w, h, None, len(track))
    else:
        source = open_source(p)
        info = source.info()
        size = (info.width, info.height)
        progress = progress_factory(info.frame_count) if progress_factory else None
        spans = chunks.plan(_duration_s(info), workers, split_above_s)
        if len(spans) > 1:
            track, damage = track_in_chunks(p, spans, model_path, size, progress)
            notes = damage_notes(damage)
        else:
            with _estimator(info.kind != "image", model_path) as estimator:
                if isinstance(source, VideoFileSource):
                    with FrameReader(source.frames()) as frames:
                        track = _as_track(track_rgb(frames, estimator, progress), size)
                else:
                    track = track_frames(source.frames(), estimator, size, progress)
            notes = damage_notes(source)
        if info.kind == "webcam":
            notes.append(_camera_note(track, source))
        track = _with_notes(track, notes)
    if not np.any(track.detected):
        raise InputError(
            f"No person was found in {p.name}: make sure the whole body is in view, well lit, "
            "and seen from the side."
        )
    return track, info
