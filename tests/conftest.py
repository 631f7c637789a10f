"""Shared fixtures: the real recordings of ../shared/data, each run through MediaPipe once a session.

Running MediaPipe costs about 30 ms a frame here, and several test files look at the same
recordings, so each recording's track is computed on first use and kept for the session.
Tests that need the recordings skip, with a reason, where ../shared/data is absent.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pose.pipeline import load_track
from pose.sources import SourceInfo
from pose.track import PoseTrack

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO.parent / "shared" / "data"

#: Lines MediaPipe's C++ side (absl logging, TensorFlow Lite) writes straight to file descriptor 2
#: when its graph starts. pose/estimator.py keeps them off stderr (test_hostile_inputs.py checks
#: that a whole run prints nothing there); new tests assert stderr exactly, and this filter stays
#: only for the older tests that count stderr lines through it.
MEDIAPIPE_LOG_PREFIXES = (
    "W0000 ",
    "I0000 ",
    "E0000 ",
    "INFO: Created TensorFlow Lite",
    "WARNING: All log messages before absl::InitializeLog()",
)

RealTracks = Callable[[str], tuple[PoseTrack, SourceInfo]]


def data_file(name: str) -> Path:
    """Path of a recording in ../shared/data; skips the test where it is absent."""
    path = DATA_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real recordings live in ../shared/data")
    return path


def without_mediapipe_noise(stderr: str) -> list[str]:
    """The non-empty stderr lines that are not MediaPipe's own log lines (there should be none)."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith(MEDIAPIPE_LOG_PREFIXES)
    ]


def run_analyze(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python analyze.py ARGS` from the repository root, as a user would run it."""
    return subprocess.run(
        [sys.executable, "analyze.py", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def real_tracks() -> RealTracks:
    """name -> (track, source info) of a recording in ../shared/data, computed once a session."""
    cache: dict[str, tuple[PoseTrack, SourceInfo]] = {}

    def get(name: str) -> tuple[PoseTrack, SourceInfo]:
        path = data_file(name)
        if name not in cache:
            cache[name] = load_track(path)
        return cache[name]

    return get
