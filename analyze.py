"""Measure hip, knee, thigh and trunk angles from a recording, an image or a saved landmark track.

    python analyze.py INPUT [--exercise ID [--side left|right|auto]] --out DIR

writes DIR/angles.csv (one row per frame), DIR/landmarks.npz (the landmark track, which can be
analysed again without the video) and DIR/report.json (per side: each angle's min, median and max;
what the view allowed; warnings; with --exercise the verdicts, holds, reps, faults and cues).
Bad input exits with status 2 and one plain line on stderr.

    python analyze.py FOLDER_OR_FILES... --out DIR [--jobs N]

analyses each recording into its own folder under DIR, `--jobs` at a time (default: every core),
and writes DIR/summary.csv, a row per recording (verdicts, peaks, warnings, or why it failed). A
file that fails does not stop the others; the exit status is 2 if any failed, else 0.

This file is argument parsing and nothing else: the analysis is `analysis.service`, the files are
`outputs.folder`, the words `outputs.presenter`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from analysis.records import Analysis
from analysis.service import AnalysisOptions, analyze_source, exercise_definition
from exercises.catalog import list_exercises
from exercises.session import SIDE_CHOICES
from outputs.folder import OutputError, WriteOptions, check_writable, write_folder
from outputs.presenter import command_line_summary
from pose.angles import TABLE_LINES
from pose.sources import InputError, quiet_decoder_logs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analyze.py",
        description=(
            "Measure hip extension, knee flexion, thigh-to-horizontal and trunk incline angles for "
            "both sides from a side-on video, a still image or a landmark track (.npz) saved by a "
            "previous run. Writes angles.csv, landmarks.npz and report.json into --out."
        ),
    )
    parser.add_argument(
        "input",
        nargs="*",
        metavar="INPUT",
        help="a video (.mp4, .mov, ...), an image (.jpg, .png), a landmark track (.npz), or "
        "camera:N to measure live from camera N until it stops or Ctrl-C (everything up to then is kept); "
        "a folder or several files: each into its own folder under --out, with summary.csv",
    )
    parser.add_argument("--out", help="folder for the results (created if missing)")
    parser.add_argument(
        "--exercise",
        metavar="ID",
        help="judge the recording as this exercise (see --list-exercises): verdicts, holds, reps, "
        "faults and cues go into report.json",
    )
    parser.add_argument(
        "--side",
        choices=SIDE_CHOICES,
        default="auto",
        help="the working leg; auto (default) finds it: the back leg of a lunge, the hanging leg "
        "of the Thomas test, the leg that moves back in the standing test",
    )
    parser.add_argument(
        "--list-exercises",
        action="store_true",
        help="list the exercises with a one-line description",
    )
    parser.add_argument("--pdf", action="store_true", help="also write report.pdf")
    parser.add_argument(
        "--history",
        metavar="DB",
        help="also add this session to a progress history (an SQLite file, created if missing)",
    )
    parser.add_argument(
        "--model",
        help="optional MediaPipe pose landmarker .task file (lite or heavy); default: the full model built into mediapipe",
    )
    parser.add_argument(
        "--table-line",
        choices=TABLE_LINES,
        default="trunk",
        help="lying tests: measure the thigh against the trunk line (default) or the image horizontal "
        "(only if the camera is level)",
    )
    parser.add_argument(
        "--annotated-video",
        action="store_true",
        help="also write annotated.mp4 (or annotated.png for an image)",
    )
    parser.add_argument(
        "--key-frames",
        action="store_true",
        help="also write key_frame_left.png / key_frame_right.png: for each measured leg the frame "
        "its result came from, with the thigh line, the reference line and the angle drawn",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes to use at once (default: every core): recordings of a folder side by "
        "side, or a video longer than 20 s in parts",
    )
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1, not {text!r}")
    return int(text)


def _jobs(args: argparse.Namespace) -> int:
    """--jobs, or the cores this process may run on."""
    if args.jobs:
        return args.jobs
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores we are allowed, not all there are
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _progress_factory(
    quiet: bool,
) -> Callable[[int | None], Callable[[int], None]] | None:
    if quiet:
        return None
    from tqdm import tqdm

    def factory(total: int | None) -> Callable[[int], None]:
        bar = tqdm(
            total=total,
            unit="frame",
            desc="pose",
            file=sys.stderr,
            leave=False,
            disable=None,
        )
        return bar.update

    return factory


def analyze(args: argparse.Namespace) -> Analysis:
    """Analyse INPUT and write the result folder; the --out folder is checked before pose runs."""
    out = Path(args.out)
    options = AnalysisOptions(
        exercise=args.exercise,
        side=args.side,
        table_line=args.table_line,
        model_path=args.model,
        workers=_jobs(args),
    )
    exercise_definition(args.exercise)  # a typo or an unwritable folder costs no minutes of
    check_writable(out)  # pose estimation: both are checked first
    analysis = analyze_source(args.input, options, _progress_factory(args.quiet))
    write_folder(
        analysis,
        out,
        WriteOptions(
            pdf=args.pdf,
            annotated=args.annotated_video,
            key_frames=args.key_frames,
            input_path=str(args.input),
        ),
    )
    if args.history:
        from outputs.history import HistoryError, record_session
        from outputs.report_json import report_dict

        try:
            record_session(args.history, report_dict(analysis.report))
        except HistoryError as exc:
            raise InputError(
                f"The results were written to {out}, but the session was not added to the "
                f"history: {exc}"
            ) from exc
    return analysis


def analyze_many(args: argparse.Namespace) -> int:
    """A folder or several files: each recording into its own folder under --out, `jobs` at a
    time, and --out/summary.csv with a row per recording. A file that fails is reported (on stderr
    and in the summary) and the others go on: exit status 0 when all were analysed, else 2."""
    from analysis.batch import batch_items, run_batch
    from outputs.batch import (
        BatchOptions,
        analyze_item,
        batch_lines,
        crashed_item,
        worker_context,
        write_summary,
    )
    from pose.sources import frames_hint

    out = Path(args.out)
    jobs = _jobs(args)
    try:
        exercise_definition(args.exercise)  # checked once, before any file
        if args.model is not None and not Path(args.model).is_file():
            raise InputError(
                f"Model file {Path(args.model).name} does not exist: check the path, or leave "
                "the model out to use the built-in one."
            )
        check_writable(out)
        items = batch_items(args.input, out)
        analysis_options = AnalysisOptions(
            exercise=args.exercise,
            side=args.side,
            table_line=args.table_line,
            model_path=args.model,
            workers=max(1, jobs // len(items)),  # cores left over go to long videos' parts
        )
    except (InputError, OutputError) as exc:
        return _fail(str(exc))
    options = BatchOptions(
        analysis_options,
        WriteOptions(pdf=args.pdf, annotated=args.annotated_video, key_frames=args.key_frames),
        history=args.history,
    )
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(
            total=len(items),
            unit="file",
            desc="recordings",
            file=sys.stderr,
            leave=False,
            disable=None,
        )
    try:
        rows = run_batch(
            analyze_item,
            [(item, options) for item in items],
            jobs,
            crashed_item,
            done=(lambda _i, _row: bar.update(1)) if bar else None,
            context=worker_context,
            cost=lambda job: frames_hint(job[0].input),
            preload=_preload(items),
        )
    except KeyboardInterrupt:
        print(
            "analyze.py: stopped; recordings finished so far are in their folders.", file=sys.stderr
        )
        return 130
    finally:
        if bar is not None:
            bar.close()
    try:
        summary = write_summary(rows, out)
    except OutputError as exc:
        return _fail(str(exc))
    for row in rows:
        if not row.ok:
            print(f"analyze.py: {row.file}: {row.reason}", file=sys.stderr)
    for line in batch_lines(rows, summary):
        print(line)
    return 0 if all(row.ok for row in rows) else 2


def _preload(items) -> tuple[str, ...]:
    """What the workers import once, before they start (only what the files need: landmark
    tracks alone need no pose model)."""
    from pose.chunks import POSE_PRELOAD
    from pose.sources import TRACK_SUFFIXES

    needs_pose = any(item.input.suffix.lower() not in TRACK_SUFFIXES for item in items)
    return (*POSE_PRELOAD, "outputs.batch") if needs_pose else ("outputs.batch",)


def _fail(message: str) -> int:
    print(f"analyze.py: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_exercises:
        print(list_exercises())
        return 0
    if not args.input or not args.out:
        parser.error("INPUT and --out are needed (or --list-exercises)")
    quiet_decoder_logs()  # bad input is said in one line of ours, not FFmpeg's
    if len(args.input) > 1 or Path(args.input[0]).is_dir():
        return analyze_many(args)
    args.input = args.input[0]  # one recording: its results go into --out itself
    try:
        analysis = analyze(args)
    except (InputError, OutputError) as exc:
        return _fail(str(exc))
    except MemoryError:
        return _fail("not enough memory for this input: try a shorter or smaller recording.")
    except KeyboardInterrupt:
        print("analyze.py: stopped; nothing was written.", file=sys.stderr)
        return 130
    for line in command_line_summary(analysis.report):
        print(line)
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")  # NaN is "not measured" here, not a floating-point accident
    sys.exit(main())
