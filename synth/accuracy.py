"""Accuracy of the pipeline on the rendered clips: `python -m synth.accuracy`.

For every clip it runs `analyze.py` on the video (our pipeline: MediaPipe, geometry, zero-phase
smoothing) and on the truth file (the same engine on perfect landmarks), then scores the tested
leg's angles and the trunk against the truth: bias / mean absolute error / worst, in degrees, for
the pipeline and for raw MediaPipe landmarks with exact geometry (no smoothing). It writes
synth/ACCURACY.md and the summary table into README.md between the accuracy-table markers.
Runs in the app's venv; needs no generator requirements.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pose.angles import compute_angles
from pose.track import PoseTrack
from synth import correction
from synth.evaluate import (
    SCORED,
    ErrorStats,
    leg_under_test,
    per_side_column,
    read_angles_csv,
    stats,
)
from synth.spec import CLIP_DIR, ClipSpec, load_specs
from synth.truth import PRIMARY, Truth, load

ROOT = Path(__file__).resolve().parent.parent
ANALYZE = ROOT / "analyze.py"
ACCURACY_MD = Path(__file__).resolve().parent / "ACCURACY.md"
README = ROOT / "README.md"
MARK_START, MARK_END = "<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->"
SHARED_DATA = ROOT.parent / "shared" / "data"
#: Real side-view recordings on which a correction must not make the numbers implausible.
REAL_RECORDINGS = ("walking_side.mp4", "running_side.mp4", "yoga_lunge_side.mp4")
SHORT = {"hip_extension_deg": "hip ext", "knee_flexion_deg": "knee flex",
         "thigh_to_horizontal_deg": "thigh–horiz", "trunk_incline_deg": "trunk incl"}  # fmt: skip


def camera_class(spec: ClipSpec) -> str:
    """ideal (side-on, level), off-axis (level, turned), poor (tilted high or low, maybe turned)."""
    cam = spec.camera
    if cam.get("pitch_deg") == "aim":
        return "poor"
    return "off-axis" if float(cam.get("off_axis_deg", 0)) > 0 else "ideal"


def analyze_flags() -> set[str]:
    """The options this checkout's analyze.py offers (the exercise engine lands separately)."""
    out = subprocess.run(
        [sys.executable, str(ANALYZE), "--help"], capture_output=True, text=True, cwd=ROOT
    )
    return {tok.strip("[],") for tok in out.stdout.split() if tok.startswith(("--", "[--"))}


def run_analyze(src: Path, out: Path, exercise: str | None, rerun: bool) -> Path:
    """analyze.py SRC --out OUT [--exercise ID]; skipped when OUT is newer than SRC."""
    report = out / "report.json"
    if not rerun and report.exists() and report.stat().st_mtime > src.stat().st_mtime:
        return out
    cmd = [sys.executable, str(ANALYZE), str(src), "--out", str(out), "--quiet"]
    if exercise:
        cmd += ["--exercise", exercise]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"analyze.py failed on {src}: {done.stderr.strip()}")
    return out


@dataclass
class ClipResult:
    """Scores of one clip."""

    spec: ClipSpec
    truth: Truth
    errors: dict[tuple[str, str, str], ErrorStats] = field(
        default_factory=dict
    )  # (source, definition, angle)
    hip_offsets: dict[str, np.ndarray] | None = None
    verdict_video: dict | None = None
    verdict_truth: dict | None = None
    seconds: float = 0.0


def _side_verdicts(report: dict) -> dict | None:
    """Per side: verdict, findings ids, fault ids (None when the report has no exercise part)."""
    sides = report.get("sides", {})
    if not any(isinstance(s, dict) and "verdict" in s for s in sides.values()):
        return None
    out = {}
    for side, s in sides.items():
        findings = s.get("findings") or []
        out[side] = {
            "verdict": s.get("verdict"),
            "findings": sorted(
                f.get("id", str(f)) if isinstance(f, dict) else str(f) for f in findings
            ),
            "faults": sorted((s.get("faults") or {}).keys()),
        }
    return out


def score_clip(
    spec: ClipSpec,
    work: Path,
    exercise_flag: bool,
    rerun: bool,
    offset: correction.HipOffset | None,
) -> ClipResult:
    start = time.perf_counter()
    truth = load(spec.truth_path)
    n = len(truth.t)
    ex = spec.exercise if exercise_flag else None
    vid_out = run_analyze(spec.video_path, work / spec.name / "video", ex, rerun)
    tru_out = run_analyze(spec.truth_path, work / spec.name / "truth", ex, rerun)
    pipeline = read_angles_csv(vid_out / "angles.csv", n)
    track = PoseTrack.load(vid_out / "landmarks.npz")
    raw = compute_angles(track).values
    sources = {"pipeline": pipeline, "raw": raw}
    if offset is not None:
        for variant, vals in correction.corrected_angles(track, offset).items():
            sources[variant] = vals
    side = leg_under_test(truth)
    res = ClipResult(spec, truth)
    for src, vals in sources.items():
        for d in ("skeleton", "surface"):
            for a in SCORED:
                est = per_side_column(vals, a, side)
                ref = per_side_column(truth.angles[d], a, side)
                res.errors[(src, d, a)] = stats(est, ref)
    res.hip_offsets = correction.measure_offset(track, truth.points[PRIMARY])
    res.verdict_video = _side_verdicts(json.loads((vid_out / "report.json").read_text()))
    res.verdict_truth = _side_verdicts(json.loads((tru_out / "report.json").read_text()))
    res.seconds = time.perf_counter() - start
    return res


def fit_offset(results: list[ClipResult]) -> correction.HipOffset:
    """Median hip offsets over the ideal-camera clips (median: robust to a stray frame)."""
    ideal = [r for r in results if camera_class(r.spec) == "ideal"]
    med = {
        role: np.median(np.concatenate([r.hip_offsets[role] for r in ideal]), axis=0)
        for role in ("near", "far")
    }
    return correction.HipOffset(
        near=(float(med["near"][0]), float(med["near"][1])),
        far=(float(med["far"][0]), float(med["far"][1])),
    )


def _pooled(results: list[ClipResult], src: str, d: str, a: str) -> ErrorStats:
    """Stats pooled over clips, weighting each frame equally."""
    parts = [r.errors[(src, d, a)] for r in results if r.errors[(src, d, a)].n]
    if not parts:
        return ErrorStats(np.nan, np.nan, np.nan, 0)
    n = sum(p.n for p in parts)
    return ErrorStats(
        sum(p.bias * p.n for p in parts) / n,
        sum(p.mae * p.n for p in parts) / n,
        max(p.worst for p in parts),
        n,
    )


def summary_table(results: list[ClipResult]) -> list[str]:
    """Per exercise and camera class: pipeline and raw errors against the skeleton truth."""
    lines = [
        "| exercise | camera | clips | angle (tested leg) | pipeline bias / MAE / worst | raw MediaPipe bias / MAE / worst | pipeline MAE vs surface truth |",
        "|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[ClipResult]] = {}
    for r in results:
        groups.setdefault((r.spec.exercise, camera_class(r.spec)), []).append(r)
    order = {"ideal": 0, "off-axis": 1, "poor": 2}
    for (ex, cam), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        for a in SCORED:
            p = _pooled(rs, "pipeline", PRIMARY, a)
            if p.n == 0:
                continue
            raw = _pooled(rs, "raw", PRIMARY, a)
            surf = _pooled(rs, "pipeline", "surface", a)
            lines.append(
                f"| {ex} | {cam} | {len(rs)} | {SHORT[a]} | {p.cell()} | {raw.cell()} | {surf.mae:.1f} |"
            )
    return lines


def clip_table(results: list[ClipResult]) -> list[str]:
    lines = [
        "| clip | exercise | camera | "
        + " | ".join(f"{SHORT[a]}: pipeline / raw MAE" for a in SCORED)
        + " |",
        "|---|---|---|" + "---|" * len(SCORED),
    ]
    for r in results:
        cells = []
        for a in SCORED:
            p, raw = r.errors[("pipeline", PRIMARY, a)], r.errors[("raw", PRIMARY, a)]
            cells.append(
                "–" if p.n == 0 else f"{p.bias:+.1f} / {p.mae:.1f} / {p.worst:.1f} · {raw.mae:.1f}"
            )
        cam = f"{r.spec.camera_name} ({camera_class(r.spec)})"
        lines.append(f"| {r.spec.name} | {r.spec.exercise} | {cam} | " + " | ".join(cells) + " |")
    return lines


def _verdict_cell(v: dict | None, sides: list[str]) -> str:
    if v is None:
        return "n/a"
    parts = []
    for s in sides:
        sv = v.get(s, {})
        extra = ", ".join(sv.get("findings", []) + sv.get("faults", []))
        parts.append(f"{s}: {sv.get('verdict')}" + (f" ({extra})" if extra else ""))
    return "; ".join(parts)


def verdict_table(results: list[ClipResult]) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Engine verdicts on the truth landmarks and on the video, each against the spec's intent.

    Truth ≠ spec points at the engine's rules or the clip; truth = spec but video ≠ spec points at
    the measurement.
    """
    lines = [
        "| clip | expected (spec) | engine on truth landmarks | engine on video | truth as expected | video as expected |",
        "|---|---|---|---|---|---|",
    ]
    counts = {"truth": [0, 0], "video": [0, 0]}
    for r in results:
        exp = r.spec.expect
        sides = exp.get("sides") or [r.spec.side]
        named = exp.get("findings", []) + exp.get("faults", [])
        want = f"{exp.get('verdict', '–')}" + (f" ({', '.join(named)})" if named else "")
        oks = []
        for key, got in (("truth", r.verdict_truth), ("video", r.verdict_video)):
            if got is None:
                oks.append("n/a")
                continue
            good = all(_matches(exp, got.get(s, {})) for s in sides)
            counts[key][0] += good
            counts[key][1] += 1
            oks.append("yes" if good else "**no**")
        lines.append(
            f"| {r.spec.name} | {want} | {_verdict_cell(r.verdict_truth, sides)} "
            f"| {_verdict_cell(r.verdict_video, sides)} | {oks[0]} | {oks[1]} |"
        )
    return lines, {k: (v[0], v[1]) for k, v in counts.items()}


def _matches(exp: dict, got: dict) -> bool:
    """The side's verdict, findings and faults are what the spec expects (where it says)."""
    if "verdict" in exp and got.get("verdict") != exp["verdict"]:
        return False
    if "findings" in exp and sorted(exp["findings"]) != sorted(got.get("findings", [])):
        return False
    return "faults" not in exp or set(exp["faults"]) == set(got.get("faults", []))


def correction_section(
    results: list[ClipResult], offset: correction.HipOffset, real: list[str]
) -> list[str]:
    lines = [
        "Median offset from MediaPipe's hip point to the rig's hip joint centre, ideal-camera clips, in "
        "trunk lengths (along the trunk towards the shoulders, towards the front): "
        f"near hip ({offset.near[0]:+.3f}, {offset.near[1]:+.3f}), "
        f"far hip ({offset.far[0]:+.3f}, {offset.far[1]:+.3f}).",
        "",
        "Raw MediaPipe MAE (degrees, tested leg) without and with each candidate correction:",
        "",
        "| angle | clips | raw | hip shift | near trunk |",
        "|---|---|---|---|---|",
    ]
    groups = {
        "all": results,
        "ideal camera": [r for r in results if camera_class(r.spec) == "ideal"],
    }
    for a in SCORED:
        for label, rs in groups.items():
            cells = [
                f"{_pooled(rs, src, PRIMARY, a).mae:.2f}"
                for src in ("raw", "hip shift", "near trunk")
            ]
            lines.append(f"| {SHORT[a]} | {label} | " + " | ".join(cells) + " |")
    lines += ["", *real]
    return lines


def real_recordings(work: Path, offset: correction.HipOffset, rerun: bool) -> list[str]:
    """What each correction does to real side-view recordings (no truth: size and plausibility)."""
    if not SHARED_DATA.is_dir():
        return ["Real recordings: ../shared/data absent, not checked."]
    lines = [
        "Real recordings, no truth (walking reaches about 10–20° of hip extension, CLINICAL.md); "
        "peak = 95th percentile of the per-frame raw hip extension of the leg nearer the camera:",
        "",
        "| recording | peak raw | peak hip shift | peak near trunk | median abs change: hip shift | near trunk |",
        "|---|---|---|---|---|---|",
    ]
    for name in REAL_RECORDINGS:
        src = SHARED_DATA / name
        if not src.exists():
            continue
        out = run_analyze(src, work / "_real" / src.stem, None, rerun)
        track = PoseTrack.load(out / "landmarks.npz")
        raw = compute_angles(track).values
        cor = correction.corrected_angles(track, offset)
        near = correction.near_hip(track)
        a, b, c = (_near_leg(v, near) for v in (raw, cor["hip shift"], cor["near trunk"]))
        ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
        if ok.sum() < 5:
            continue
        pa, pb, pc = (np.percentile(v[ok], 95) for v in (a, b, c))
        lines.append(
            f"| {name} | {pa:.1f} | {pb:.1f} | {pc:.1f} "
            f"| {np.median(np.abs(b[ok] - a[ok])):.1f} | {np.median(np.abs(c[ok] - a[ok])):.1f} |"
        )
    return lines


def _near_leg(values: dict[str, np.ndarray], near: np.ndarray) -> np.ndarray:
    """Hip extension of the leg nearer the camera, frame by frame."""
    return np.where(near == 23, values["left_hip_extension_deg"], values["right_hip_extension_deg"])


def write_readme_table(table: str) -> bool:
    """Replace the README's accuracy table between its markers; False when there are no markers."""
    if not README.exists():
        return False
    text = README.read_text()
    if MARK_START not in text or MARK_END not in text:
        return False
    head, rest = text.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    README.write_text(f"{head}{MARK_START}\n{table}\n{MARK_END}{tail}")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="clips to score (default: all)")
    ap.add_argument(
        "--work", default="/tmp/synth-accuracy", help="folder for analyze.py outputs (reused)"
    )
    ap.add_argument(
        "--rerun", action="store_true", help="run analyze.py again even where outputs exist"
    )
    ap.add_argument(
        "--no-write", action="store_true", help="print only; leave ACCURACY.md and README alone"
    )
    args = ap.parse_args(argv)
    work = Path(args.work)
    specs = [
        s
        for s in load_specs()
        if (not args.names or s.name in args.names) and s.truth_path.exists()
    ]
    if not specs:
        print("no clips with truth files found in", CLIP_DIR, file=sys.stderr)
        return 2
    exercise_flag = "--exercise" in analyze_flags()
    t0 = time.perf_counter()
    first = [score_clip(s, work, exercise_flag, args.rerun, None) for s in specs]
    offset = fit_offset(first)
    results = [score_clip(s, work, exercise_flag, False, offset) for s in specs]
    summary = summary_table(results)
    verdicts, counts = verdict_table(results)
    (agree, total), (t_agree, t_total) = counts["video"], counts["truth"]
    real = real_recordings(work, offset, args.rerun)
    took = time.perf_counter() - t0
    cells = "cells: bias / mean absolute error / worst, degrees, measured − truth, over every frame of the tested leg"
    readme_table = "\n".join(
        [
            f"Rendered clips ({len(results)}; `python -m synth.accuracy`, generated, not typed). "
            f"Truth: the body model's joint centres, projected. {cells}. "
            f"Engine verdicts and faults as each clip was made to show: {agree}/{total} clips from "
            f"the video, {t_agree}/{t_total} from the truth landmarks"
            + ("." if total else " (analyze.py has no --exercise yet)."),
            "",
            *summary,
        ]
    )
    doc = [
        "# Accuracy on rendered clips",
        "",
        "Generated by `python -m synth.accuracy` (do not edit by hand). Truth definitions, the clip",
        "library and how to regenerate it: synth/README.md.",
        "",
        f"- {cells}.",
        "- pipeline = analyze.py's angles.csv (MediaPipe full model, DESIGN.md geometry, zero-phase smoothing);",
        "  raw = the same landmarks through the geometry without smoothing.",
        "- Primary truth: joint centres of the rendered body's skeleton. The 'surface' truth (anny's COCO",
        "  keypoints, where annotators click) is shown for comparison.",
        "- Camera classes: ideal = side-on and level; off-axis = level, turned 20–30° towards the front;"
        " poor = high or low and tilted, turned 10–45°.",
        f"- Scored {len(results)} clips in {took:.0f} s.",
        "",
        "## Summary",
        "",
        *summary,
        "",
        "## Per clip (pipeline bias / MAE / worst · raw MAE)",
        "",
        *clip_table(results),
        "",
        "## Verdicts",
        "",
        f"Spec expectations met: {agree}/{total} clips from the video, {t_agree}/{t_total} from the "
        "truth landmarks (the same engine on perfect points: a miss there is the engine's rule or the "
        "clip, not the measurement)."
        if total
        else "analyze.py has no --exercise option in this checkout yet: verdicts not scored.",
        "",
        *verdicts,
        "",
        "## Correction study: MediaPipe's hip point versus the hip joint centre",
        "",
        *correction_section(results, offset, real),
        "",
    ]
    text = "\n".join(doc)
    print(text)
    if not args.no_write:
        ACCURACY_MD.write_text(text)
        wrote = write_readme_table(readme_table)
        print(
            f"wrote {ACCURACY_MD}"
            + (" and README.md" if wrote else " (README.md has no accuracy-table markers)")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
