"""A long video in chunks on every core (pose.chunks): how it is cut, that a failing chunk is said,
and that the chunked angles agree with a single pass at the seams.

The real test lowers the split threshold instead of building a long video: walking_side.mp4
(13.4 s, 401 frames, 1280×720) in two chunks, the second starting its tracking 1.5 s early.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from conftest import RealTracks, data_file

from pose import chunks
from pose.angles import compute_angles
from pose.pipeline import load_track
from pose.smoothing import smooth_recording

INF = math.inf


@pytest.mark.parametrize(
    ("duration", "workers", "spans"),
    [
        (60.0, 1, [(-INF, INF)]),  # one worker: one pass
        (19.0, 4, [(-INF, INF)]),  # short clips stay single-process
        (None, 4, [(-INF, INF)]),  # the container gives no duration
        (21.0, 2, [(-INF, 10.5), (10.5, INF)]),
        (30.0, 8, [(-INF, 10.0), (10.0, 20.0), (20.0, INF)]),  # chunks of 10 s at least
        (100.0, 2, [(-INF, 50.0), (50.0, INF)]),
    ],
)
def test_how_a_video_is_cut(
    duration: float | None, workers: int, spans: list[tuple[float, float]]
) -> None:
    assert chunks.plan(duration, workers) == spans


def _fail_in_child(spec: int, progress) -> int:
    if spec == 1:
        raise ValueError("chunk one is broken")
    if spec == 2:
        os._exit(9)  # as a crash in native code would end it
    return spec


def test_a_chunk_that_fails_stops_the_recording_with_its_error() -> None:
    with pytest.raises(ValueError, match="chunk one is broken"):
        chunks.run_chunks(_fail_in_child, [0, 1])
    with pytest.raises(chunks.ChunkError, match=r"part 2 stopped \(exit code 9\)"):
        chunks.run_chunks(_fail_in_child, [0, 2])


def test_chunked_angles_agree_with_a_single_pass_at_the_seam(real_tracks: RealTracks) -> None:
    """Frames up to the seam are the single pass's, bit for bit (the same process, the same
    frames). Within 0.5 s either side of the seam the zero-phase angles of the chunked track
    differ from the single pass's by no more than that pass's own jitter (|raw − zero-phase|):
    at most its median on average, at most its 95th percentile anywhere."""
    path = data_file("walking_side.mp4")
    single, info = real_tracks("walking_side.mp4")
    seen: list[int] = []
    chunked, _ = load_track(
        path, workers=2, split_above_s=5.0, progress_factory=lambda total: seen.append
    )
    assert sum(seen) == len(single)  # the progress bar heard of every frame, from both parts
    assert np.array_equal(chunked.t, single.t)
    assert chunked.warnings == single.warnings
    seam_s = info.frame_count / info.fps / 2
    k = int(np.searchsorted(single.t, seam_s))
    assert np.array_equal(chunked.landmarks[:k], single.landmarks[:k], equal_nan=True)

    raw = compute_angles(single)
    one, two = smooth_recording(raw), smooth_recording(compute_angles(chunked))
    near = np.abs(single.t - seam_s) <= 0.5
    checked = 0
    for name in (
        "left_hip_extension_deg",
        "right_hip_extension_deg",
        "left_knee_flexion_deg",
        "right_knee_flexion_deg",
        "trunk_incline_deg",
    ):
        jitter = np.abs(raw.values[name] - one.values[name])
        diff = np.abs(two.values[name] - one.values[name])[near]
        if not np.any(np.isfinite(diff)):
            continue
        checked += 1
        assert np.nanmedian(diff) <= np.nanmedian(jitter), name
        assert np.nanmax(diff) <= np.nanpercentile(jitter, 95), name
    assert checked >= 4
