"""The PDF a therapist files (outputs/pdf.py), read back with pypdf: date and time, references
written out, what a side view cannot assess and why, the key frames as pictures, no heading alone
at the foot of a page; and `analyze.py --key-frames`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import run_analyze
from pypdf import PdfReader

from analysis.service import AnalysisOptions, analyze_source
from outputs import presenter as say
from outputs.keyframes import key_frames
from outputs.pdf import pdf_bytes
from outputs.report_json import report_dict, report_from_dict

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "golden" / "tracks"
DATE = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")
HEADINGS = (
    "Result per leg",
    "Key frames: the moment each result comes from",
    "Not assessed from a side view",
    "Warnings",
    "Angles over time",
    "Angles over the whole recording",
    "Cues given",
    "Values used and their sources",
)


def analysis_of(name: str, exercise: str):
    return analyze_source(
        TRACKS / f"{name}.npz", AnalysisOptions(exercise=exercise, label=f"{name}.npz")
    )


@pytest.fixture(scope="module")
def thomas():
    analysis = analysis_of("thomas_tight_left", "thomas_test")
    frames = key_frames(analysis)
    return analysis, PdfReader(io.BytesIO(pdf_bytes(analysis.report, analysis.series, frames)))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_carries_date_and_time(thomas) -> None:
    analysis, reader = thomas
    text = text_of(reader)
    assert say.when(analysis.report.recorded_at) in text
    assert DATE.search(reader.pages[0].extract_text())


def test_references_are_written_out(thomas) -> None:
    analysis, reader = thomas
    text = text_of(reader)
    assert "CLINICAL.md" not in text and "../" not in text
    for source in ("Vigotsky et al. 2016 (PMC4991856)", "doi 10.1186/s13102-021-00242-y"):
        assert source in text
    for reference in say.references(analysis.exercise):
        assert " ".join(reference.split())[:40] in text


def test_what_a_side_view_cannot_assess_is_listed_with_why(thomas) -> None:
    _, reader = thomas
    text = text_of(reader)
    assert "Not assessed from a side view" in text
    assert "Short abductors / tensor fasciae latae" in text
    assert "a side view cannot measure it" in text


def test_the_key_frame_is_a_picture_on_its_page(thomas) -> None:
    _, reader = thomas
    page = next(
        p
        for p in reader.pages
        if "Key frames: the moment each result comes from" in p.extract_text()
    )
    assert len(page.images) >= 1  # the left leg's key frame (only the left was tested)
    widths = sorted(image.image.width for image in page.images)
    assert widths[-1] >= 600  # drawn at 640 pixels, not a thumbnail


def test_both_legs_key_frames_are_both_in_the_pdf() -> None:
    analysis = analysis_of("standing_ext_side_switch", "standing_hip_extension_test")
    frames = key_frames(analysis)
    assert [f.side for f in frames] == ["left", "right"]
    reader = PdfReader(io.BytesIO(pdf_bytes(analysis.report, analysis.series, frames)))
    page = next(p for p in reader.pages if "Key frames" in p.extract_text())
    assert len([i for i in page.images if i.image.width == 640]) == 2


def last_line(page) -> str:
    lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
    body = [ln for ln in lines if " · page " not in ln]  # the footer
    return body[-1] if body else ""


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("thomas_tight_left", "thomas_test"),
        ("standing_ext_side_switch", "standing_hip_extension_test"),
        ("half_kneel_right_lean_back", "half_kneeling_stretch"),
        ("lunge_left_lean_back", "standing_lunge_stretch"),
    ],
)
def test_no_heading_stands_alone_at_the_foot_of_a_page(name: str, exercise: str) -> None:
    analysis = analysis_of(name, exercise)
    data = pdf_bytes(analysis.report, analysis.series, key_frames(analysis))
    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, 1):
        assert last_line(page) not in HEADINGS, f"page {number} ends with a heading"


def test_plain_units_and_fault_seconds() -> None:
    analysis = analysis_of("half_kneel_right_lean_back", "half_kneeling_stretch")
    text = text_of(PdfReader(io.BytesIO(pdf_bytes(analysis.report, analysis.series))))
    assert "Fault: Leaning back (arching instead of tucking): 6.9 s" in text
    assert "0 of 2 holds of 30 s completed" in text
    assert say.FAULT_TIMES_UNKNOWN not in text  # the engine's replay gave the fault spans


def test_fault_times_unknown_is_said_when_the_replay_does_not_match() -> None:
    analysis = analysis_of("half_kneel_right_lean_back", "half_kneeling_stretch")
    other = analysis_of("half_kneel_right", "half_kneeling_stretch")
    text = text_of(PdfReader(io.BytesIO(pdf_bytes(analysis.report, other.series))))
    assert " ".join(say.FAULT_TIMES_UNKNOWN.split())[:60] in text


def test_a_saved_report_without_series_still_reads(thomas) -> None:
    analysis, _ = thomas
    back = report_from_dict(report_dict(analysis.report))
    reader = PdfReader(io.BytesIO(pdf_bytes(back, None)))
    text = text_of(reader)
    assert "Left leg: tight" in text and DATE.search(text)


def test_analyze_writes_one_key_frame_per_measured_side(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_analyze(
        TRACKS / "standing_ext_side_switch.npz",
        "--exercise",
        "standing_hip_extension_test",
        "--key-frames",
        "--pdf",
        "--out",
        out,
        "--quiet",
    )
    assert run.returncode == 0, run.stderr
    for side in ("left", "right"):
        data = (out / f"key_frame_{side}.png").read_bytes()
        assert data.startswith(b"\x89PNG")
    listed = json.loads((out / "report.json").read_text())["result_files"]
    assert {"key_frame_left.png", "key_frame_right.png", "report.pdf"} <= set(listed)
    reader = PdfReader(out / "report.pdf")
    assert sum(len(p.images) for p in reader.pages) >= 3  # two key frames and the plot

    # a later run without --key-frames removes them (they would pass for this run's)
    again = run_analyze(
        TRACKS / "thomas_tight_left.npz", "--exercise", "thomas_test", "--out", out, "--quiet"
    )
    assert again.returncode == 0, again.stderr
    assert not (out / "key_frame_left.png").exists()


def test_analyze_writes_only_measured_sides(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_analyze(
        TRACKS / "thomas_tight_left.npz",
        "--exercise",
        "thomas_test",
        "--key-frames",
        "--out",
        out,
        "--quiet",
    )
    assert run.returncode == 0, run.stderr
    assert (out / "key_frame_left.png").is_file()
    assert not (out / "key_frame_right.png").exists()
