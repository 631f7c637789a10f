"""Every resource has an owner that releases it: analysing again and again does not grow the
process without bound (pose estimators, their threads and buffers go after each analysis).

MediaPipe's graphs leave the allocator's heap fragmented, so the resident size moves by tens of
MB from one run to the next even when nothing is kept; the test asks for a plateau, not a flat
line: after the second run, no later run is more than LEAK_BOUND_MB above it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
from pathlib import Path

from analysis.service import AnalysisOptions, analyze_source

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "assets" / "demo_clips" / "thomas_tight_left.mp4"
PAGE = os.sysconf("SC_PAGE_SIZE")
LEAK_BOUND_MB = 150
RUNS = 5


def settled_rss_mb() -> float:
    """Resident size after returning freed heap to the system where glibc allows it."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 2**20


def test_memory_and_threads_come_back_after_each_analysis() -> None:
    options = AnalysisOptions(exercise="thomas_test")
    sizes, threads = [], []
    for _ in range(RUNS):
        analysis = analyze_source(CLIP, options)
        assert analysis.exercise.sides["left"].verdict == "tight"
        del analysis
        sizes.append(settled_rss_mb())
        threads.append(threading.active_count())
    base = sizes[1]
    worst = max(sizes[2:]) - base
    assert worst < LEAK_BOUND_MB, f"grew {worst:.0f} MB after run 2: {[round(s) for s in sizes]}"
    assert threads[-1] <= threads[0], f"threads left running: {threads}"
