"""How fast the pipeline is, against a bare MediaPipe loop, in one run on the same frames.

    python benchmarks/bench_pipeline.py [--video FILE] [--repeats 3] [--folder-repeats 2]
                                        [--jobs 2] [--skip-folder] [--skip-stages] [--skip-live]

1. One recording, whole processes (imports and model load included): a bare MediaPipe loop
   (`mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)` over cv2.VideoCapture
   frames, cvtColor, process) against `python analyze.py VIDEO --out DIR --quiet`, in `--repeats`
   pairs (A B, B A, A B, ... after an untimed pair); the medians and their ratio (bare time /
   our time: above 1 is faster than the bare loop), and the median of each pair's own ratio.
   CPU time and peak memory (ru_maxrss) of each process tree from wait4.
2. A folder of six recordings (the videos in ../shared/data, repeated if fewer) through
   `analyze.py FOLDER --out DIR --jobs 2` against one bare loop over the same files, the same way.
3. Per stage, in this process, ms per frame at the median and the 95th percentile: decode, to RGB,
   pose, the second-person look (per look, and spread over all frames), angles, filters, the view
   check, the exercise engine, drawing; and writing the result folder.
4. The live coach's per-frame cost beyond pose (`live.coach.LiveCoach.process` with a scripted
   estimator on a rendered clip's frames and landmarks): target at most 3 ms at the 95th percentile.

The machine's load average is printed before and after: another job on the machine slows both
sides of a ratio, but not always equally, so run it on a quiet machine for numbers to keep.
The bare loop runs as `python -c` code below: it is the only MediaPipe import outside
pose/estimator.py, and a whole process is what it must be measured as anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
CLIP = ROOT / "assets" / "demo_clips" / "half_kneel_right.mp4"
CLIP_TRACK = ROOT / "tests" / "golden" / "tracks" / "half_kneel_right.npz"
FOLDER_SIZE = 6
LIVE_TARGET_MS = 3.0

#: The bare loop: one process, one graph, every file's frames in turn; prints the frames it saw.
BARE_LOOP = """
import sys
import cv2
import mediapipe as mp

pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
frames = 0
for path in sys.argv[1:]:
    cap = cv2.VideoCapture(path)
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        frames += 1
    cap.release()
pose.close()
print(frames)
"""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    returncode: int
    stdout: str


def become_subreaper() -> bool:
    """Adopt this process's orphaned descendants (Linux), so that their CPU time and memory are
    counted too: a fork server outlives the analyze.py that started it by a moment, and its
    workers' usage is folded into its own."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


SUBREAPER = False


def run_process(cmd: Sequence[str]) -> Run:
    """Run `cmd` to the end; its wall time, and the CPU time and peak memory of it and every
    process under it (wait4: each process's own and its reaped children's; the largest RSS)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
        while SUBREAPER:  # the orphans it left (a fork server ends when its parent has gone)
            try:
                _, _, more = os.wait4(-1, 0)
            except ChildProcessError:
                break
            cpu, rss = cpu + more.ru_utime + more.ru_stime, max(rss, more.ru_maxrss)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    return Run(wall, cpu, rss / 1024, proc.returncode, stdout)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def interleaved(
    runs: int, bare: Callable[[int], Sequence[str]], ours: Callable[[int], Sequence[str]]
) -> tuple[list[Run], list[Run]]:
    """The bare loop and ours in turn, A B B A A B ..., so that a change in the machine's load
    falls on both and neither always goes first; one untimed pair before, so that both start
    with the files and libraries in the page cache."""
    run_process(bare(runs))
    run_process(ours(runs))
    a, b = [], []
    for i in range(runs):
        if i % 2 == 0:
            a.append(run_process(bare(i)))
            b.append(run_process(ours(i)))
        else:
            b.append(run_process(ours(i)))
            a.append(run_process(bare(i)))
        print(
            f"  pair {i + 1} ({'bare first' if i % 2 == 0 else 'ours first'}): bare "
            f"{a[-1].wall_s:6.2f} s   ours {b[-1].wall_s:6.2f} s   ratio "
            f"{a[-1].wall_s / b[-1].wall_s:.2f}   load {load()}",
            flush=True,
        )
    return a, b


@dataclass(frozen=True)
class Comparison:
    what: str
    frames: int
    bare_s: float
    ours_s: float
    bare_cpu_s: float
    ours_cpu_s: float
    bare_mb: float
    ours_mb: float

    paired: float  # the median of the pairs' own ratios

    @property
    def ratio(self) -> float:
        return self.bare_s / self.ours_s


def summarise(what: str, frames: int, bare: list[Run], ours: list[Run]) -> Comparison:
    med = statistics.median
    c = Comparison(
        what,
        frames,
        med(r.wall_s for r in bare),
        med(r.wall_s for r in ours),
        med(r.cpu_s for r in bare),
        med(r.cpu_s for r in ours),
        max(r.maxrss_mb for r in bare),
        max(r.maxrss_mb for r in ours),
        med(a.wall_s / b.wall_s for a, b in zip(bare, ours, strict=True)),
    )
    print(
        f"  median: bare {c.bare_s:.2f} s ({frames / c.bare_s:.1f} frames/s), ours {c.ours_s:.2f} s "
        f"({frames / c.ours_s:.1f} frames/s)  ->  ratio {c.ratio:.2f}x "
        f"(median of the pairs' ratios {c.paired:.2f}x)\n"
        f"  CPU (user+sys): bare {c.bare_cpu_s:.1f} s, ours {c.ours_cpu_s:.1f} s;  "
        f"peak memory (largest process): bare {c.bare_mb:.0f} MB, ours {c.ours_mb:.0f} MB"
    )
    return c


def one_recording(video: Path, repeats: int, work: Path) -> Comparison:
    print(f"\n== one recording: {video.name}, whole processes, {repeats} pairs (A B, B A, ...)")
    bare, ours = interleaved(
        repeats,
        lambda i: [sys.executable, "-c", BARE_LOOP, str(video)],
        lambda i: [sys.executable, "analyze.py", str(video), "--out", str(work / f"one-{i}"), "--quiet"],
    )  # fmt: skip
    frames_bare = {int(r.stdout.split()[-1]) for r in bare}
    frames_ours = {json.loads((work / f"one-{i}" / "report.json").read_text())["frames"] for i in range(repeats)}  # fmt: skip
    print(f"  frames: bare loop {sorted(frames_bare)}, ours {sorted(frames_ours)}")  # timed runs
    if frames_bare != frames_ours:
        print("  WARNING: the two did not see the same frames")
    return summarise(video.name, frames_bare.pop(), bare, ours)


def folder_of_six(videos: list[Path], repeats: int, jobs: int, work: Path) -> Comparison:
    folder = work / "six"
    folder.mkdir()
    files = []
    for i in range(FOLDER_SIZE):
        src = videos[i % len(videos)]
        link = folder / (src.name if i < len(videos) else f"{src.stem}-{i}{src.suffix}")
        link.symlink_to(src)  # the recordings stay where they are, read-only
        files.append(link)
    print(
        f"\n== a folder of {FOLDER_SIZE}: {', '.join(f.name for f in files)}\n"
        f"   analyze.py FOLDER --jobs {jobs} against one bare loop over the same files, "
        f"{repeats} pairs"
    )
    bare, ours = interleaved(
        repeats,
        lambda i: [sys.executable, "-c", BARE_LOOP, *map(str, files)],
        lambda i: [sys.executable, "analyze.py", str(folder), "--out", str(work / f"six-{i}"), "--jobs", str(jobs), "--quiet"],
    )  # fmt: skip
    from outputs.batch import read_summary

    rows = read_summary(work / "six-0" / "summary.csv")
    failed = [r["file"] for r in rows if r["status"] != "ok"]
    frames_ours = sum(int(r["frames"] or 0) for r in rows)
    frames_bare = int(bare[0].stdout.split()[-1])
    print(f"  frames: bare loop {frames_bare}, ours {frames_ours}; failed: {failed or 'none'}")
    return summarise(f"folder of {FOLDER_SIZE}, --jobs {jobs}", frames_bare, bare, ours)


# ----------------------------------------------------------------------------------------------
# per stage, in this process


def _ms(values: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray(values) * 1e3
    return float(np.median(arr)), float(np.percentile(arr, 95))


def _per_frame_of_whole(fn: Callable[[], object], frames: int, repeats: int = 15) -> list[float]:
    """A whole-track stage, timed `repeats` times, as seconds per frame."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) / frames)
    return out


def stages(video: Path, exercise: str, work: Path) -> list[tuple[str, float, float, str]]:
    import cv2

    from analysis.records import Analysis
    from analysis.service import AnalysisOptions, make_report
    from exercises.catalog import get_exercise, load_exercises
    from exercises.session import ExerciseSession
    from outputs.folder import write_folder
    from pose.angles import compute_angles
    from pose.estimator import PoseEstimator
    from pose.pipeline import OtherPersonWatch
    from pose.render import annotate_frame
    from pose.smoothing import smooth_recording
    from pose.sources import VideoFileSource
    from pose.track import PoseTrack
    from pose.view import check_view

    print(f"\n== per stage, {video.name}, in this process (no threads: each stage alone)")
    source = VideoFileSource(video)
    decode, to_rgb, pose, looks = [], [], [], []
    times, rows = [], []

    class TimedLooks:
        def __init__(self, estimator) -> None:
            self.estimator = estimator

        def other_person_in_view(self, rgb, lm) -> bool:
            start = time.perf_counter()
            answer = self.estimator.other_person_in_view(rgb, lm)
            looks.append(time.perf_counter() - start)
            return answer

    frames = source.frames()
    with PoseEstimator(video=True) as estimator:
        watch = OtherPersonWatch(TimedLooks(estimator), threaded=False)
        while True:
            a = time.perf_counter()
            item = next(frames, None)
            b = time.perf_counter()
            if item is None:
                break
            t, bgr = item
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            c = time.perf_counter()
            lm = estimator.process(rgb, t)
            d = time.perf_counter()
            watch.offer(t, rgb, lm)
            decode.append(b - a)
            to_rgb.append(c - b)
            pose.append(d - c)
            times.append(t)
            rows.append(lm)
        watch.close()
    n = len(rows)
    track = PoseTrack(
        np.array(times), np.stack(rows), (source._first_shape[1], source._first_shape[0])
    )
    raw = compute_angles(track)
    series = smooth_recording(raw)
    view = check_view(track, raw.posture)
    definition = get_exercise(exercise, load_exercises())
    engine = []
    session = ExerciseSession(definition, side="auto", view=view.as_dict())
    it = iter(series.frames())
    while True:
        a = time.perf_counter()
        frame = next(it, None)
        if frame is None:
            break
        session.update(frame)
        engine.append(time.perf_counter() - a)
    result = session.result()
    drawing = []
    for i, (_, bgr) in enumerate(VideoFileSource(video).frames()):
        angles = series.frame(i)
        a = time.perf_counter()
        annotate_frame(bgr, track.landmarks[i], angles, "Keep the trunk upright")
        drawing.append(time.perf_counter() - a)
    options = AnalysisOptions(exercise=exercise)
    report = make_report(track, series, view, options, str(video), "video", result)
    start = time.perf_counter()
    write_folder(Analysis(report, track, raw, series), work / "stages")
    written_ms = (time.perf_counter() - start) * 1e3
    looks_per_frame = sum(looks) / n
    table = [
        ("decode", *_ms(decode), "per frame (FFmpeg via OpenCV)"),
        ("to RGB", *_ms(to_rgb), "per frame (cvtColor)"),
        ("pose", *_ms(pose), "per frame (MediaPipe BlazePose full)"),
        (
            "second-person look",
            *_ms(looks or [0.0]),
            f"per look; {len(looks)} looks in {n} frames = {looks_per_frame * 1e3:.2f} ms/frame",
        ),
        ("angles", *_ms(_per_frame_of_whole(lambda: compute_angles(track), n)), "whole track / frames"),
        ("filters", *_ms(_per_frame_of_whole(lambda: smooth_recording(raw), n)), "zero-phase, whole track / frames"),
        ("view check", *_ms(_per_frame_of_whole(lambda: check_view(track, raw.posture), n)), "whole track / frames"),
        ("engine", *_ms(engine), f"per frame ({exercise})"),
        ("drawing", *_ms(drawing), "per frame (annotate_frame, as the annotated video)"),
        ("result folder", written_ms, written_ms, "once: angles.csv, landmarks.npz, report.json"),
    ]  # fmt: skip
    print(f"  {'stage':20} {'median ms':>10} {'p95 ms':>8}")
    for name, med, p95, note in table:
        print(f"  {name:20} {med:10.2f} {p95:8.2f}   {note}")
    return table


def live_coach() -> tuple[float, float, int]:
    import cv2

    from exercises.catalog import load_exercises
    from live.coach import LiveCoach
    from pose.track import PoseTrack

    track = PoseTrack.load(CLIP_TRACK)

    class Scripted:
        """Stands in for MediaPipe: the clip's own landmarks, frame by frame."""

        def __init__(self) -> None:
            self.i = -1

        def process(self, rgb, t):
            self.i += 1
            return track.landmarks[self.i % len(track)]

        def other_person_in_view(self, rgb, lm) -> bool:
            return False

        def close(self) -> None:
            """Nothing to release: it holds no model."""

    cap = cv2.VideoCapture(str(CLIP))
    frames = []
    while len(frames) < len(track):
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    definition = load_exercises()["half_kneeling_stretch"]
    coach = LiveCoach(lambda: Scripted(), definition, side="right", setup_hold_s=None)
    cost = []
    for i, frame in enumerate(frames * 2):
        bgr = frame.copy()
        t = i / 15.0
        start = time.perf_counter()
        coach.process(bgr, t)
        cost.append(time.perf_counter() - start)
    coach.close()
    med, p95 = _ms(cost[5:])
    h, w = frames[0].shape[:2]
    verdict = "within" if p95 <= LIVE_TARGET_MS else "OVER"
    print(
        f"\n== live coach beyond pose ({CLIP.name}, {w}x{h}, scripted estimator, {len(cost)} frames)\n"
        f"  LiveCoach.process: median {med:.2f} ms, p95 {p95:.2f} ms per frame "
        f"({verdict} the {LIVE_TARGET_MS:.0f} ms target)"
    )
    # where it goes: two of its parts alone, on the same frames
    from pose.live import LiveAngles
    from pose.render import annotate_frame

    live_angles = LiveAngles((w, h))
    angles_cost, drawing_cost = [], []
    for i, frame in enumerate(frames):
        a = time.perf_counter()
        values = live_angles.update(i / 15.0, track.landmarks[i])
        b = time.perf_counter()
        annotate_frame(frame.copy(), track.landmarks[i], values, "Keep the trunk upright")
        drawing_cost.append(time.perf_counter() - b)
        angles_cost.append(b - a)
    for name, values in (("live angles + causal filters", angles_cost), ("drawing", drawing_cost)):
        part_med, part_p95 = _ms(values[5:])
        print(f"    of which {name}: median {part_med:.2f} ms, p95 {part_p95:.2f} ms")
    return med, p95, len(cost)


def markdown(single: Comparison | None, folder: Comparison | None, command: str) -> None:
    print("\n== README speed table (markdown)\n")
    print(f"`{command}`, on this 2-core machine, load average {load()} at the end:\n")
    print("| ratio (ours ÷ bare loop, throughput) | pairs' median ratio | what | bare MediaPipe loop | ours | CPU bare / ours | peak memory bare / ours |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for c, label in ((single, "one recording"), (folder, "a folder")):
        if c is None:
            continue
        print(
            f"| **{c.ratio:.2f}×** | {c.paired:.2f}× | {label}: {c.what}, {c.frames} frames, "
            "whole processes | "
            f"{c.bare_s:.1f} s ({c.frames / c.bare_s:.0f} frames/s) | "
            f"{c.ours_s:.1f} s ({c.frames / c.ours_s:.0f} frames/s) | "
            f"{c.bare_cpu_s:.1f} s / {c.ours_cpu_s:.1f} s | {c.bare_mb:.0f} MB / {c.ours_mb:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=SHARED / "walking_side.mp4")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder-repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--exercise", default="standing_lunge_stretch")
    parser.add_argument("--skip-folder", action="store_true")
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument(
        "--live-only", type=int, metavar="RUNS", default=0,
        help="only the live coach's cost beyond pose, this many runs (its spread shows the noise)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.live_only:
        print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) before: {load()}")
        for _ in range(args.live_only):
            live_coach()
        print(f"\nload average after: {load()}")
        return
    if not args.video.is_file():
        sys.exit(f"{args.video} is absent: give --video, or put the recordings in {SHARED}")
    from pose.sources import VIDEO_SUFFIXES

    videos = sorted(p for p in SHARED.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    global SUBREAPER
    SUBREAPER = become_subreaper()
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) before: {load()}")
    if not SUBREAPER:
        print("  (not Linux: a fork server's CPU time and memory are not counted)")
    single = folder = None
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        single = one_recording(args.video, args.repeats, work)
        print(f"  load average: {load()}")
        if not args.skip_folder and videos:
            folder = folder_of_six(videos, args.folder_repeats, args.jobs, work)
            print(f"  load average: {load()}")
        if not args.skip_stages:
            stages(args.video, args.exercise, work)
            print(f"  load average: {load()}")
    if not args.skip_live:
        live_coach()
    print(f"\nload average after: {load()}")
    markdown(single, folder, "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
