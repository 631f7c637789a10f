"""Measure hip, knee, thigh and trunk angles from a recording, an image or a saved landmark track.

    python analyze.py INPUT --out DIR

writes DIR/angles.csv (one row per frame), DIR/landmarks.npz (the landmark track, which can be
analysed again without the video) and DIR/report.json (per side: each angle's min, median and max;
what the view allowed; warnings). Bad input exits with status 2 and one plain line on stderr.
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

from pose.angles import TABLE_LINES, compute_angles
from pose.export import side_summaries, write_angles_csv
from pose.pipeline import load_track
from pose.smoothing import smooth_recording
from pose.sources import InputError, quiet_decoder_logs
from pose.view import check_view

DISCLAIMER = (
    "This report gives guidance on form and range of motion; it is not a diagnosis. "
    "Stretch to a gentle pull, never pain, and ask a clinician about pain, numbness or tingling."
)

RESULT_FILES = ("angles.csv", "landmarks.npz", "report.json", "annotated.mp4", "annotated.png")


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
        help="a video (.mp4, .mov, ...), an image (.jpg, .png) or a landmark track (.npz)",
    )
    parser.add_argument("--out", required=True, help="folder for the results (created if missing)")
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
        "disclaimer": DISCLAIMER,
        "sides": side_summaries(series),
    }
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".analyze-", dir=out))
    try:
        write_angles_csv(series, scratch / "angles.csv")
        track.save(scratch / "landmarks.npz")
        if args.annotated_video and info.kind in ("video", "image"):
            _write_annotated(args.input, info.kind, track, series, scratch)
        (scratch / "report.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
        # results of an earlier run that this run does not rewrite must not pass for this run's
        for stale in RESULT_FILES:
            if not (scratch / stale).exists():
                (out / stale).unlink(missing_ok=True)
        for item in scratch.iterdir():
            item.replace(out / item.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report


def _write_annotated(input_path: str, kind: str, track, series, folder: Path) -> None:
    from pose.render import annotate_frame, write_annotated_video

    if kind == "image":
        import cv2

        frame = cv2.imread(str(input_path))
        cv2.imwrite(
            str(folder / "annotated.png"),
            annotate_frame(frame, track.landmarks[0], series.frame(0)),
        )
    else:
        write_annotated_video(input_path, track, series, folder / "annotated.mp4")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
