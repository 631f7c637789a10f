"""Demonstration mode (app_pages/3_Demonstration.py, AppTest) and the client's one-page hand-out
(outputs/handout.py, read back with pypdf)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from analysis.service import AnalysisOptions, analyze_source
from exercises.catalog import load_exercises
from outputs import presenter as say
from outputs.handout import FIGURES, figure_png, handout_pdf
from outputs.keyframes import key_frames

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "golden" / "tracks"
PAGE = ROOT / "app_pages" / "3_Demonstration.py"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def thomas():
    return analyze_source(
        TRACKS / "thomas_tight_left.npz",
        AnalysisOptions(exercise="thomas_test", label="thomas_tight_left.mp4"),
    )


STRETCHES = sorted(k for k, d in load_exercises().items() if d.kind == "stretch")


@pytest.mark.parametrize("stretch", STRETCHES)
def test_the_hand_out_is_one_page_with_steps_figure_result_dose_and_safety(
    thomas, stretch: str
) -> None:
    d = load_exercises()[stretch]
    reader = PdfReader(io.BytesIO(handout_pdf(thomas.report, key_frames(thomas), stretch)))
    assert len(reader.pages) == 1
    text = flat(reader.pages[0].extract_text())
    assert d.name in text
    for step in (d.phases.position, d.phases.active):
        assert flat(step)[:50] in text
    assert (
        "Left leg: tight — thigh 8.7° ± 2.8° above the table line, knee bent 49.8° ± 3.3°" in text
    )
    hold = int(d.target.hold_s.value)
    assert f"Hold each stretch {hold} s" in text
    assert f"{int(d.target.sets.value)} holds per leg" in text
    assert say.DAYS_A_WEEK in text
    for note in say.SAFETY_NOTES:
        assert flat(note)[:45] in text
    assert "not a diagnosis" in text
    assert len(reader.pages[0].images) >= 2  # the drawn figure and the client's key frame


def test_a_stretch_recording_gets_its_own_stretch_as_the_hand_out() -> None:
    analysis = analyze_source(
        TRACKS / "half_kneel_right.npz",
        AnalysisOptions(exercise="half_kneeling_stretch", label="half_kneel_right.mp4"),
    )
    reader = PdfReader(io.BytesIO(handout_pdf(analysis.report, key_frames(analysis))))
    text = flat(reader.pages[0].extract_text())
    assert "Your stretch: Half-kneeling hip-flexor (iliacus) stretch" in text
    assert "Right leg: incomplete — 0 of 2 holds of 30 s completed" in text


@pytest.mark.parametrize("exercise", sorted(FIGURES))
def test_every_figure_is_drawn(exercise: str) -> None:
    assert figure_png(exercise).startswith(b"\x89PNG")


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        file_id = original(self, data, mimetype, kind, filename)
        files[file_id] = data if isinstance(data, bytes) else str(data).encode()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def test_demonstration_freezes_on_the_settled_measurement_and_measures_again(downloads) -> None:
    at = AppTest.from_file(str(PAGE), default_timeout=240)
    at.run()
    assert not at.exception
    assert at.button[0].label == "Measure"
    clips = at.selectbox[0]
    clips.select_index(
        next(
            i
            for i, o in enumerate(clips.options)
            if o.startswith("Left leg: tight (both findings)") and "Thomas" in o
        )
    )
    at.run()
    assert at.selectbox[1].value == "thomas_test"  # preselected from the clip
    at.button[0].click().run()
    assert not at.exception and not at.error
    big = [m.value for m in at.markdown]
    assert "## Left leg: tight" in big
    assert "### Thigh 8.7° ± 2.8° above the table line" in big
    assert len(at.image) == 1  # the left leg's key frame, large (the right was not tested)
    analysis, _ = at.session_state["demo"]
    (frame,) = key_frames(analysis, width=960)
    assert "the middle of the settled stretch" in frame.reason
    assert any("Right leg" in i.value and "No key frame" in i.value for i in at.info)
    assert at.button[0].label == "Measure again"

    button = next(b for b in at.get("download_button") if b.proto.label.startswith("Hand-out"))
    data = downloads[button.proto.url.rsplit("/", 1)[-1].split(".")[0]]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and "Your stretch" in reader.pages[0].extract_text()

    at.button[0].click().run()  # measure again: a new, equal measurement replaces the frozen one
    assert not at.exception
    assert "## Left leg: tight" in [m.value for m in at.markdown]
