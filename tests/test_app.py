"""The Streamlit page through Streamlit's AppTest: fast, no browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
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
    assert set(table["side"]) == {"left", "right"}


def test_a_missing_file_gets_a_plain_message(tmp_path: Path) -> None:
    at = _app()
    at.radio[0].set_value("A file on this computer").run()
    at.text_input[0].set_value(str(tmp_path / "nowhere.mp4")).run()
    at.button[0].click().run()
    assert not at.exception
    assert "does not exist" in at.error[0].value
