"""Session history (SQLite) and the PDF report, on reports made from constructed tracks."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pose_builder import build_track, times

from exercises.report import run_exercise
from outputs.history import list_sessions, record_session
from outputs.pdf import sourced_values, write_pdf
from pose.angles import compute_angles
from pose.smoothing import smooth_recording


def _report(peak_deg: float) -> tuple[dict, dict]:
    t = times(12.0)
    track = build_track(
        t, facing=1, right_hip_extension_deg=peak_deg, right_knee_flexion_deg=90.0,
        left_hip_extension_deg=-85.0, left_knee_flexion_deg=90.0,
    )  # fmt: skip
    series = smooth_recording(compute_angles(track))
    report = run_exercise(series, "half_kneeling_stretch")
    report.update(source="constructed", frames=len(t), duration_s=float(t[-1]), warnings=[])
    report["pose_detected_fraction"] = 1.0
    return report, {"t_s": series.t, **series.values}


def test_history_keeps_sessions_in_order_with_their_numbers(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    assert list_sessions(db) == []
    for day, peak in ((3, 12.0), (1, 8.0), (2, 14.0)):
        report, _ = _report(peak)
        record_session(db, report, datetime(2026, 11, day, tzinfo=UTC))
    rows = list_sessions(db, exercise="half_kneeling_stretch")
    assert [r.recorded_at[:10] for r in rows] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert [r.right_peak_deg for r in rows] == pytest.approx([8.0, 14.0, 12.0], abs=1.0)
    assert all(r.tested_side == "right" and r.left_peak_deg is None for r in rows)
    assert rows[0].report(db)["sides"]["right"]["peak_hip_extension_deg"] == rows[0].right_peak_deg
    assert list_sessions(db, exercise="thomas_test") == []


def test_thresholds_with_sources_are_all_listed() -> None:
    report, _ = _report(15.0)
    rows = list(sourced_values(report["thresholds"]))
    names = [r[0] for r in rows]
    assert any(n.startswith("target.min") for n in names)
    assert any("lean_back" in n for n in names)
    assert all(source for _, _, source in rows)


def test_pdf_report_holds_the_verdicts_plot_and_sources(tmp_path: Path) -> None:
    report, angles = _report(15.0)
    pdf = tmp_path / "report.pdf"
    write_pdf(report, angles, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000  # text, a table and an embedded plot
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: PDF written, text not checked")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Half-kneeling hip-flexor" in text
    assert "not a diagnosis" in text
    assert "15.0°" in text
    assert "Norkin" in text  # the source of the 10° target
