"""Measure hip, knee, thigh and trunk angles from a recording, an image or a saved landmark track.

    python analyze.py INPUT [--exercise ID [--side left|right|auto]] --out DIR

writes DIR/angles.csv (one row per frame), DIR/landmarks.npz (the landmark track, which can be
analysed again without the video) and DIR/report.json (per side: each angle's min, median and max;
what the view allowed; warnings; with --exercise the verdicts, holds, reps, faults and cues).
Bad input exits with status 2 and one plain line on stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from exercises.catalog import UnknownExerciseError, get_exercise, list_exercises, load_exercises
from exercises.report import run_exercise
from exercises.summary import DISCLAIMER
from outputs.angles_csv import side_summaries, write_angles_csv
from pose.angles import TABLE_LINES, compute_angles
from pose.pipeline import load_track
from pose.smoothing import smooth_recording
from pose.sources import InputError, quiet_decoder_logs
from pose.view import check_view

RESULT_FILES = (
    "angles.csv",
    "landmarks.npz",
    "report.json",
    "report.pdf",
    "annotated.mp4",
    "annotated.png",
)
#: How long a cue stays on the annotated video (seconds).
CUE_SHOWN_S = 2.5


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
        choices=("auto", "left", "right"),
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


def analyze(args: argparse.Namespace) -> dict:
    """Run the pipeline and write every result into a scratch folder first, then move it into place."""
    out = Path(args.out)
    # checked before the slow part, so a typo costs no minutes of pose estimation
    exercise = None
    if args.exercise:
        try:
            exercise = get_exercise(args.exercise, load_exercises())
        except UnknownExerciseError as exc:
            raise InputError(str(exc)) from None
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder: give --out a folder name.")
    if args.model and not Path(args.model).is_file():
        raise InputError(
            f"Model file {args.model} does not exist: check the path, or leave out --model "
            "to use the built-in model."
        )
    track, info = load_track(
        args.input,
        model_path=args.model,
        progress_factory=_progress_factory(args.quiet),
    )
    raw = compute_angles(track, table_line=args.table_line)
    series = smooth_recording(raw)
    view = check_view(track, raw.posture)
    warnings = list(track.warnings) + list(view.messages)
    detected = track.detected
    if detected.mean() < 0.5:
        warnings.append(
            f"A person was found in only {detected.mean():.0%} of the frames: keep the whole body in view."
        )
    duration = float(track.t[-1] - track.t[0]) if len(track) > 1 else 0.0
    report: dict = {
        "source": str(args.input),
        "source_kind": info.kind,
        "frames": len(track),
        "duration_s": round(duration, 3),
        "image_size": list(track.image_size),
        "pose_detected_fraction": round(float(detected.mean()), 4),
        "filter": series.filtered,
        "table_line": args.table_line,
        "view": view.as_dict(),
        "warnings": warnings,
        "exercise": None,
        "disclaimer": DISCLAIMER,
        "sides": side_summaries(series),
    }
    if exercise is not None:
        judged = run_exercise(series, exercise.id, side=args.side, view=view.as_dict())
        report.update({k: v for k, v in judged.items() if k != "warnings"})
        report["warnings"] = warnings + list(judged.get("warnings", []))
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".analyze-", dir=out))
    try:
        write_angles_csv(series, scratch / "angles.csv")
        track.save(scratch / "landmarks.npz")
        if args.annotated_video and info.kind in ("video", "image"):
            _write_annotated(args.input, info.kind, track, series, scratch, report.get("cues"))
        (scratch / "report.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
        if args.pdf:
            from outputs.pdf import write_pdf

            write_pdf(report, {"t_s": series.t, **series.values}, scratch / "report.pdf")
        # results of an earlier run that this run does not rewrite must not pass for this run's
        for stale in RESULT_FILES:
            if not (scratch / stale).exists():
                (out / stale).unlink(missing_ok=True)
        for item in scratch.iterdir():
            item.replace(out / item.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.history:
        from outputs.history import record_session

        record_session(args.history, report)
    return report


def cue_at(cues: list[dict] | None) -> Callable[[float], str]:
    """The cue to draw at time t: the latest one given in the last CUE_SHOWN_S seconds."""
    times = [float(c["t_s"]) for c in cues or []]

    def text(t: float) -> str:
        shown = [i for i, ct in enumerate(times) if ct <= t < ct + CUE_SHOWN_S]
        return str(cues[shown[-1]]["message"]) if shown else ""

    return text


def _write_annotated(
    input_path: str, kind: str, track, series, folder: Path, cues: list[dict] | None
) -> None:
    from pose.render import annotate_frame, write_annotated_video

    if kind == "image":
        import cv2

        frame = cv2.imread(str(input_path))
        cv2.imwrite(
            str(folder / "annotated.png"),
            annotate_frame(frame, track.landmarks[0], series.frame(0)),
        )
    else:
        write_annotated_video(input_path, track, series, folder / "annotated.mp4", cue_at(cues))


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
        report = analyze(args)
    except InputError as exc:
        print(f"analyze.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("analyze.py: stopped; nothing was written.", file=sys.stderr)
        return 130
    print(
        f"{report['frames']} frames, person found in {report['pose_detected_fraction']:.0%}; results in {args.out}"
    )
    for w in report["warnings"]:
        print(f"warning: {w}")
    if report.get("exercise"):
        for side in ("left", "right"):
            data = report["sides"][side]
            if data.get("measured"):
                peak = data.get("peak_hip_extension_deg")
                peak_text = "–" if peak is None else f"{peak:+.1f}°"
                print(f"{side}: {data.get('verdict')}, peak hip extension {peak_text}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
