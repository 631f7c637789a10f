"""Measure hip, knee, thigh and trunk angles from a recording, an image or a saved landmark track.

    python analyze.py INPUT [--exercise ID [--side left|right|auto]] --out DIR

writes DIR/angles.csv (one row per frame), DIR/landmarks.npz (the landmark track, which can be
analysed again without the video) and DIR/report.json (per side: each angle's min, median and max;
what the view allowed; warnings; with --exercise the verdicts, holds, reps, faults and cues).
Bad input exits with status 2 and one plain line on stderr.

This file is argument parsing and nothing else: the analysis is `analysis.service`, the files are
`outputs.folder`, the words `outputs.presenter`.
"""

from __future__ import annotations

import argparse
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
        nargs="?",
        help="a video (.mp4, .mov, ...), an image (.jpg, .png), a landmark track (.npz), or "
        "camera:N to measure live from camera N until it stops or Ctrl-C (everything up to then is kept)",
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
    return parser


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
