"""The Progress page through AppTest, with a temporary history of sessions analysed from the
rendered clips' landmark tracks: the decisive measure per exercise, open a session, its PDF,
delete (with a confirmation), CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from analysis.service import AnalysisOptions, analyze_source
from outputs.history import read_history, record_session
from outputs.report_json import report_dict

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "golden" / "tracks"
PAGE = ROOT / "app_pages" / "2_Progress.py"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

#: (track, exercise, days after START): two Thomas tests, two standing tests, one stretch.
SESSIONS = [
    ("thomas_tight_left", "thomas_test", 0),
    ("thomas_normal_right", "thomas_test", 7),
    ("standing_ext_left_lean_forward", "standing_hip_extension_test", 1),
    ("standing_ext_right", "standing_hip_extension_test", 8),
    ("half_kneel_right", "half_kneeling_stretch", 2),
]


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    out = {}
    for name, exercise, days in SESSIONS:
        analysis = analyze_source(
            TRACKS / f"{name}.npz", AnalysisOptions(exercise=exercise, label=f"{name}.mp4")
        )
        report = replace(analysis.report, recorded_at=START + timedelta(days=days))
        out[name] = report_dict(report)
    return out


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reports) -> Path:
    db = tmp_path / "history.sqlite"
    for name, _exercise, days in SESSIONS:
        record_session(db, reports[name], recorded_at=START + timedelta(days=days))
    monkeypatch.setenv("ILIACUS_HISTORY", str(db))
    return db


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What each download button would hand over, by its media URL's file id."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes | str) and not isinstance(path_or_data, str):
            files[file_id] = path_or_data
        elif isinstance(path_or_data, str):
            files[file_id] = path_or_data.encode()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def download(at: AppTest, label: str, files: dict[str, bytes]) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return files[file_id]


def page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, label: str, text: str) -> None:
    box = next(s for s in at.selectbox if s.label == label)
    options = list(box.options)
    box.select_index(next(i for i, o in enumerate(options) if text in o)).run()
    assert not at.exception, at.exception


def table(at: AppTest):
    return at.dataframe[0].value


def test_thomas_progress_follows_thigh_to_table_and_knee_not_hip_extension(history) -> None:
    at = page()
    choose(at, "Exercise", "Modified Thomas")
    rows = table(at)
    assert list(rows["recording"]) == ["thomas_normal_right.mp4", "thomas_tight_left.mp4"]
    assert list(rows["when"]) == [
        (START + timedelta(days=d)).astimezone().strftime("%Y-%m-%d %H:%M") for d in (7, 0)
    ]
    tight = rows[rows["recording"] == "thomas_tight_left.mp4"].iloc[0]
    assert tight["thigh to the table line, left"] == "8.7° ± 2.8°"
    assert tight["knee flexion, left"] == "49.8° ± 3.3°"
    assert tight["left leg"] == "tight"
    normal = rows[rows["recording"] == "thomas_normal_right.mp4"].iloc[0]
    assert normal["thigh to the table line, right"] == "−7.9° ± 2.8°"
    assert normal["knee flexion, right"] == "82.5° ± 3.3°"
    assert not any("hip extension" in c for c in rows.columns)
    charts = at.image
    assert len(charts) == 2  # one chart per decisive measure


def test_standing_test_follows_peak_hip_extension_with_compensation(history) -> None:
    at = page()
    choose(at, "Exercise", "Standing hip extension")
    rows = table(at)
    clean = rows[rows["recording"] == "standing_ext_right.mp4"].iloc[0]
    assert clean["peak hip extension (median of clean reps), right"] == "17.8° ± 3.0°"
    assert clean["reps with compensation, right"] == "0"
    leaning = rows[rows["recording"] == "standing_ext_left_lean_forward.mp4"].iloc[0]
    assert leaning["reps with compensation, left"] == "2"
    assert leaning["left leg"] == "inconclusive"


def test_a_stretch_follows_time_in_range_and_holds(history) -> None:
    at = page()
    choose(at, "Exercise", "Half-kneeling")
    row = table(at).iloc[0]
    assert row["time in the target range, right"] == "8.7 s"
    assert row["holds completed, right"] == "0"


def test_left_right_difference_is_given_when_both_legs_were_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "both.sqlite"
    analysis = analyze_source(
        TRACKS / "standing_ext_side_switch.npz",
        AnalysisOptions(exercise="standing_hip_extension_test", label="switch.mp4"),
    )
    record_session(db, report_dict(analysis.report))
    monkeypatch.setenv("ILIACUS_HISTORY", str(db))
    at = page()
    row = table(at).iloc[0]
    left = analysis.exercise.sides["left"].values.median_rep_peak_deg
    right = analysis.exercise.sides["right"].values.median_rep_peak_deg
    column = "peak hip extension (median of clean reps), left–right difference"
    assert row[column] == f"{abs(left - right):.1f}°"
    assert any("left–right difference" in c.value for c in at.caption)


def test_open_a_session_shows_its_full_report_and_pdf(history, downloads) -> None:
    at = page()
    choose(at, "Exercise", "Modified Thomas")
    choose(at, "Open a session", "thomas_tight_left.mp4")
    shown = " ".join(s.value for s in [*at.warning, *at.success, *at.info])
    assert "Left leg: tight" in shown
    assert any("Key frames are not kept" in c.value for c in at.caption)
    data = download(at, "Report (PDF)", downloads)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Modified Thomas self-test" in text and "Left leg: tight" in text
    assert "thomas_tight_left.mp4" in text


def test_delete_asks_first_and_keeps_the_session_on_no(history) -> None:
    at = page()
    choose(at, "Exercise", "Modified Thomas")
    choose(at, "Open a session", "thomas_tight_left.mp4")
    next(b for b in at.button if b.label == "Delete this session…").click().run()
    assert any("Delete the session of" in w.value for w in at.warning)
    assert len(read_history(history).sessions) == 5  # nothing deleted yet
    next(b for b in at.button if b.label == "No, keep it").click().run()
    assert len(read_history(history).sessions) == 5
    assert not any("Delete the session of" in w.value for w in at.warning)


def test_delete_on_yes_removes_the_session_and_says_so(history) -> None:
    at = page()
    choose(at, "Exercise", "Modified Thomas")
    choose(at, "Open a session", "thomas_tight_left.mp4")
    next(b for b in at.button if b.label == "Delete this session…").click().run()
    next(b for b in at.button if b.label == "Yes, delete it").click().run()
    assert not at.exception
    assert any("Deleted the session of" in s.value for s in at.success)
    left = read_history(history).sessions
    assert len(left) == 4 and all(s.label != "thomas_tight_left.mp4" for s in left)
    choose(at, "Exercise", "Modified Thomas")
    assert list(table(at)["recording"]) == ["thomas_normal_right.mp4"]


def test_csv_export_holds_every_session_and_the_table(history, downloads) -> None:
    at = page()
    every = list(
        csv.DictReader(io.StringIO(download(at, "All sessions (CSV)", downloads).decode()))
    )
    assert len(every) == 5
    assert {r["exercise"] for r in every} == {e for _, e, _ in SESSIONS}
    choose(at, "Exercise", "Modified Thomas")
    shown = list(csv.DictReader(io.StringIO(download(at, "This table (CSV)", downloads).decode())))
    assert [r["recording"] for r in shown] == ["thomas_normal_right.mp4", "thomas_tight_left.mp4"]
    assert shown[1]["thigh to the table line, left"] == "8.7° ± 2.8°"
