"""Frames -> landmark track: runs a frame source through the estimator, with progress and warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from pose.estimator import PoseEstimator
from pose.sources import (
    TRACK_SUFFIXES,
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

ProgressFactory = Callable[[int | None], Callable[[int], None]]


def track_frames(
    frames: Iterable[tuple[float, np.ndarray]],
    estimator: PoseEstimator,
    image_size: tuple[int, int],
    progress: Callable[[int], None] | None = None,
    check_people: bool = True,
) -> PoseTrack:
    """Run every (t, BGR frame) through the estimator into a PoseTrack."""
    times: list[float] = []
    rows: list[np.ndarray] = []
    crowded: list[float] = []
    next_check = 0.0
    warnings: list[str] = []
    for t, frame in frames:
        if len(rows) == MAX_FRAMES:
            # a track holds at most this many (a longer file is no session; see pose/track.py)
            warnings.append(
                f"Only the first {MAX_FRAMES} frames ({times[-1] / 3600:.1f} hours) were "
                "analysed: cut longer recordings into parts."
            )
            break
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        lm = estimator.process(rgb, t)
        if check_people and t >= next_check and np.isfinite(lm[0, 0]):
            next_check = t + OTHER_PERSON_CHECK_S
            if estimator.other_person_in_view(rgb, lm):
                crowded.append(t)
        times.append(t)
        rows.append(lm)
        if progress:
            progress(1)
    if not rows:
        raise InputError(
            "The video has no frames that could be decoded: record or export it again."
        )
    if crowded:
        warnings.append(
            f"More than one person was in view (first at {crowded[0]:.1f} s, {len(crowded)} checks): "
            "the angles follow one person, the one most in view. For a clean measurement, be alone "
            "in the picture."
        )
    return PoseTrack(
        t=np.array(times),
        landmarks=np.stack(rows),
        image_size=image_size,
        warnings=tuple(warnings),
    )


def _estimator(video: bool, model_path: str | Path | None) -> PoseEstimator:
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


def damage_notes(source) -> list[str]:
    """Plain warnings for what a damaged file lost: frames that could not be decoded, frame times
    that had to be made up, an image decoded only in part. Nothing is lost silently."""
    notes: list[str] = []
    if isinstance(source, ImageSource) and source.damaged:
        notes.append(
            "The image file is damaged or cut short: only the part that could be decoded was "
            "analysed."
        )
    if not isinstance(source, VideoFileSource):
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


def load_track(
    path: str | Path,
    model_path: str | Path | None = None,
    progress_factory: ProgressFactory | None = None,
) -> tuple[PoseTrack, SourceInfo]:
    """A landmark track from a video, an image, a `.npz` track file or a camera (`camera:N`).

    Raises InputError with a plain message for anything unusable, including a recording in which
    nobody was found.
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
        progress = progress_factory(info.frame_count) if progress_factory else None
        with _estimator(info.kind != "image", model_path) as estimator:
            track = track_frames(source.frames(), estimator, (info.width, info.height), progress)
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
