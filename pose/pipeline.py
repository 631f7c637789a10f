"""Frames -> landmark track: runs a frame source through the estimator, with progress and warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from pose.estimator import PoseEstimator
from pose.sources import TRACK_SUFFIXES, InputError, SourceInfo, open_source
from pose.track import PoseTrack, TrackFormatError

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
    for t, frame in frames:
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
    warnings: list[str] = []
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


def _with_camera_note(track: PoseTrack, source) -> PoseTrack:
    """Say how a camera session ended; the frames read until then are all kept."""
    how = (
        "The session was stopped with Ctrl-C"
        if source.stopped_by_user
        else "The camera stopped sending frames (disconnected or closed)"
    )
    note = f"{how} after {track.t[-1]:.1f} s; everything up to then was analysed."
    return PoseTrack(track.t, track.landmarks, track.image_size, (*track.warnings, note))


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
        if not p.exists():
            raise InputError(f"{p} does not exist: check the path.")
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
        if info.kind == "webcam":
            track = _with_camera_note(track, source)
    if not np.any(track.detected):
        raise InputError(
            f"No person was found in {p.name}: make sure the whole body is in view, well lit, "
            "and seen from the side."
        )
    return track, info
