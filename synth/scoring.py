"""Scoring one rendered clip: run analyze.py on its video and its truth, compare with the truth.

Used by the accuracy command (`synth.accuracy`); numpy and the app's packages only.
"""

from __future__ import annotations

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
from synth.angles import design_angles, sagittal_view
from synth.evaluate import (
    SCORED,
    ErrorStats,
    leg_under_test,
    per_side_column,
    read_angles_csv,
    stats,
)
from synth.spec import ClipSpec
from synth.truth import PRIMARY, Truth, load

ROOT = Path(__file__).resolve().parent.parent
ANALYZE = ROOT / "analyze.py"


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
    report_video: dict | None = None  # analyze.py's report.json on the video
    report_truth: dict | None = None  # ... and on the truth landmarks
    pipeline: dict[str, np.ndarray] | None = None  # angles.csv of the video, by column
    raw_video: dict[str, np.ndarray] | None = None  # MediaPipe's landmarks through the geometry


def _side_verdicts(report: dict) -> dict | None:
    """Per side: verdict, findings ids, fault ids (None when the report has no exercise part)."""
    sides = report.get("sides", {})
    if not any(isinstance(s, dict) and "verdict" in s for s in sides.values()):
        return None
    out = {}
    for side, s in sides.items():
        findings = s.get("findings") or []
        # a borderline finding is no finding: the measurement could not tell (listed apart)
        found = [f for f in findings if not (isinstance(f, dict) and f.get("borderline"))]
        out[side] = {
            "verdict": s.get("verdict"),
            "findings": sorted(
                f.get("id", str(f)) if isinstance(f, dict) else str(f) for f in found
            ),
            "borderline": sorted(
                f["id"] for f in findings if isinstance(f, dict) and f.get("borderline")
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
    refs = {d: truth.angles[d] for d in ("skeleton", "surface")}
    refs["sagittal"] = sagittal_angles(truth)
    sources["truth"] = truth.angles[PRIMARY]
    for src, vals in sources.items():
        for d, ref_vals in refs.items():
            for a in SCORED:
                est = per_side_column(vals, a, side)
                ref = per_side_column(ref_vals, a, side)
                res.errors[(src, d, a)] = stats(est, ref)
    res.hip_offsets = correction.measure_offset(track, truth.points[PRIMARY])
    res.report_video = json.loads((vid_out / "report.json").read_text())
    res.report_truth = json.loads((tru_out / "report.json").read_text())
    res.verdict_video = _side_verdicts(res.report_video)
    res.verdict_truth = _side_verdicts(res.report_truth)
    res.pipeline, res.raw_video = pipeline, raw
    res.seconds = time.perf_counter() - start
    return res


def sagittal_angles(truth: Truth) -> dict[str, np.ndarray]:
    """The skeleton's angles seen exactly side-on (orthographic, the body's own sagittal plane)."""
    pts, hint = sagittal_view(
        truth.arrays[f"joints_3d_{PRIMARY}"],
        truth.arrays["command.trunk"],
        truth.arrays["command.yaw"],
    )
    return design_angles(pts, hint, truth.lying)


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
