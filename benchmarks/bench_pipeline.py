"""How fast the pipeline runs here: pose estimation per frame, then angles and smoothing per track.

    python benchmarks/bench_pipeline.py [VIDEO ...]   (default: the videos in ../shared/data)

Prints one row per video: frames, frames per second through decode + MediaPipe, and the time the
numpy stages take for the whole track. Speed is measured here, not asserted in tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scipy.signal  # noqa: E402, F401  (imported lazily by pose.smoothing: keep it out of the timing)

from pose.angles import compute_angles  # noqa: E402
from pose.estimator import PoseEstimator  # noqa: E402
from pose.pipeline import track_frames  # noqa: E402
from pose.smoothing import smooth_live, smooth_recording  # noqa: E402
from pose.sources import open_source  # noqa: E402
from pose.view import check_view  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def bench(path: Path) -> dict[str, float]:
    source = open_source(path)
    info = source.info()
    start = time.perf_counter()
    with PoseEstimator(video=True) as estimator:
        track = track_frames(source.frames(), estimator, (info.width, info.height))
    pose_s = time.perf_counter() - start
    start = time.perf_counter()
    raw = compute_angles(track)
    angles_s = time.perf_counter() - start
    start = time.perf_counter()
    smooth_recording(raw)
    zero_phase_s = time.perf_counter() - start
    start = time.perf_counter()
    smooth_live(raw)
    live_s = time.perf_counter() - start
    check_view(track, raw.posture)
    n = len(track)
    return {
        "frames": n,
        "size": f"{info.width}x{info.height}",
        "pose_fps": n / pose_s,
        "angles_ms": angles_s * 1e3,
        "zero_phase_ms": zero_phase_s * 1e3,
        "live_us_per_frame": live_s * 1e6 / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    videos = parser.parse_args().videos or sorted(SHARED.glob("*.mp4"))
    if not videos:
        sys.exit(f"no videos given and none in {SHARED}")
    print(
        f"{'video':34} {'frames':>6} {'size':>10} {'pose fps':>9} {'angles ms':>10} {'0-phase ms':>11} {'live us/f':>10}"
    )
    for video in videos:
        r = bench(video)
        print(
            f"{video.name:34} {r['frames']:6d} {r['size']:>10} {r['pose_fps']:9.1f} "
            f"{r['angles_ms']:10.1f} {r['zero_phase_ms']:11.1f} {r['live_us_per_frame']:10.0f}"
        )


if __name__ == "__main__":
    main()
