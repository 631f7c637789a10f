"""analyze.py with an exercise: the full report.json, the PDF and the history, on a saved track."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pose_builder import build_track, times

import analyze
from exercises.catalog import load_exercises
from outputs.history import list_sessions

ROOT = Path(__file__).resolve().parents[1]


def _kneeling_track(path: Path) -> Path:
    """A right-leg half-kneeling stretch held at 15°, trunk upright, 14 s, saved as a track."""
    track = build_track(
        times(14.0), facing=1, right_hip_extension_deg=15.0, right_knee_flexion_deg=90.0,
        left_hip_extension_deg=-85.0, left_knee_flexion_deg=90.0,
    )  # fmt: skip
    track.save(path)
    return path


def test_list_exercises_names_every_definition_with_a_line() -> None:
    run = subprocess.run(
        [sys.executable, "analyze.py", "--list-exercises"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0
    lines = run.stdout.strip().splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(load_exercises())
    assert all(len(line.split(None, 1)[1]) > 20 for line in lines)


def test_exercise_report_pdf_and_history(tmp_path: Path) -> None:
    npz = _kneeling_track(tmp_path / "session.npz")
    db = tmp_path / "history.sqlite"
    out = tmp_path / "out"
    argv = [str(npz), "--exercise", "half_kneeling_stretch", "--out", str(out)]
    assert analyze.main([*argv, "--pdf", "--history", str(db), "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text())
    for key in ("exercise", "source", "frames", "duration_s", "pose_detected_fraction", "warnings",
                "disclaimer", "asymmetry_deg", "thresholds", "cues", "tested_side"):  # fmt: skip
        assert key in report
    right = report["sides"]["right"]
    assert report["exercise"] == "half_kneeling_stretch" and report["tested_side"] == "right"
    assert right["peak_hip_extension_deg"] == pytest.approx(15.0, abs=1.0)
    assert right["time_in_target_s"] == pytest.approx(13.5, abs=0.5)
    assert right["faults"] == {}
    assert report["sides"]["left"]["measured"] is False
    assert report["thresholds"]["target"]["min"]["value"] == 10.0
    assert "not a diagnosis" in report["disclaimer"]
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    [row] = list_sessions(db)
    assert row.exercise == "half_kneeling_stretch"
    assert row.right_peak_deg == pytest.approx(15.0, abs=1.0)


def test_side_option_limits_the_judged_leg(tmp_path: Path) -> None:
    npz = _kneeling_track(tmp_path / "session.npz")
    out = tmp_path / "out"
    argv = [str(npz), "--exercise", "half_kneeling_stretch", "--side", "left", "--out", str(out)]
    assert analyze.main([*argv, "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["sides"]["right"]["measured"] is False
    assert report["sides"]["left"]["verdict"] == "not_tested"
