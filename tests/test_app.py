"""The recording page (app_pages/1_Analyse_a_recording.py) and Progress through Streamlit's AppTest:
fast, no browser. (The live page, app.py, needs a browser: tests/test_live_browser.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
RECORDING_PAGE = ROOT / "app_pages" / "1_Analyse_a_recording.py"
SHARED = ROOT.parent / "shared" / "data"


def _app() -> AppTest:
    at = AppTest.from_file(str(RECORDING_PAGE), default_timeout=180)
    at.run()
    return at


def test_page_opens_with_safety_note_and_no_error() -> None:
    at = _app()
    assert not at.exception
    assert at.title[0].value == "Iliacus stretch form checker"
    assert any("never pain" in md.value for md in at.markdown)


def test_a_file_on_this_computer_is_measured() -> None:
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    at = _app()
    at.radio[0].set_value("A file on this computer").run()
    at.text_input[0].set_value(str(video)).run()
    at.button[0].click().run()
    assert not at.exception
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frames"] == "47"
    assert metrics["Person found"] == "70%"
    table = at.dataframe[0].value
    assert set(table["leg"]) == {"left leg", "right leg"}
    assert "running_side.mp4" in at.caption[0].value  # the file's own name, not its path
    assert str(video.parent) not in " ".join(c.value for c in at.caption)


def test_a_missing_file_gets_a_plain_message(tmp_path: Path) -> None:
    at = _app()
    at.radio[0].set_value("A file on this computer").run()
    at.text_input[0].set_value(str(tmp_path / "nowhere.mp4")).run()
    assert not at.exception
    assert at.error[0].value == "nowhere.mp4 was not found or cannot be read."
    assert not at.button  # nothing to analyse


def test_an_exercise_verdict_is_shown_saved_and_seen_on_the_progress_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = SHARED / "walking_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    monkeypatch.setenv("ILIACUS_HISTORY", str(tmp_path / "history.sqlite"))
    at = _app()
    at.radio[0].set_value("A file on this computer").run()
    at.text_input[0].set_value(str(video)).run()
    at.selectbox[0].set_value("standing_hip_extension_test").run()
    at.checkbox[1].check().run()  # save to history
    at.button[0].click().run()
    assert not at.exception and not at.error
    shown = " ".join(s.value for s in at.success) + " ".join(i.value for i in at.info)
    assert "Left leg:" in shown and "Right leg:" in shown
    assert any(m.label == "Peak hip extension" for m in at.metric)
    assert (tmp_path / "history.sqlite").exists()

    progress = AppTest.from_file(str(ROOT / "app_pages" / "2_Progress.py"), default_timeout=60)
    progress.run()
    assert not progress.exception
    table = progress.dataframe[0].value
    assert len(table) == 1 and table["recording"][0] == "walking_side.mp4"  # its name, no path


def test_progress_page_without_history_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILIACUS_HISTORY", str(tmp_path / "none.sqlite"))
    progress = AppTest.from_file(str(ROOT / "app_pages" / "2_Progress.py"), default_timeout=60)
    progress.run()
    assert not progress.exception
    assert "No saved sessions yet" in progress.info[0].value


def test_a_rendered_demo_clip_is_labelled_and_judged_as_its_exercise() -> None:
    at = _app()
    at.radio[0].set_value("Built-in demo clip (rendered person)").run()
    labels = at.selectbox[0].options
    at.selectbox[0].select_index(
        next(
            i
            for i, o in enumerate(labels)
            if o.startswith("Left leg: tight (both findings)") and "Thomas" in o
        )
    )
    at.run()
    assert any("rendered person" in c.value for c in at.caption)
    assert at.selectbox[1].value == "thomas_test"  # preselected from the clip
    at.button[0].click().run()
    assert not at.exception and not at.error
    left = next(s.value for s in [*at.warning, *at.success, *at.info] if "Left leg" in s.value)
    assert "tight" in left
