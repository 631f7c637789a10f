"""The recording page as a person uses it: a real browser uploads a recording and reads the angles."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import (
    body_text,
    chromium,
    click_button,
    need_browser,
    streamlit_server,
    wait_for_css,
    wait_for_text,
    wait_until,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_upload_a_recording_and_see_its_angles(tmp_path: Path) -> None:
    need_browser()
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(
            f"{video} is absent (../shared/data is beside the checkout on CI and dev machines)"
        )
    with streamlit_server() as url, chromium() as driver:
        driver.get(url + "/Analyse_a_recording")
        wait_for_text(driver, "Iliacus stretch form checker", 60)
        # opened at its own address, the page still lists the pages by the names a person reads
        nav = body_text(driver).split("Iliacus stretch form checker")[0].splitlines()
        assert nav[:4] == ["Live session", "Analyse a recording", "Progress", "Demonstration"]
        wait_for_css(driver, "input[type=file]").send_keys(str(video))
        wait_for_text(driver, "running_side.mp4", 60)
        click_button(driver, "Analyse")
        # the page is drawn bit by bit: wait for the last element, then for the numbers
        wait_for_text(driver, "Landmark track (.npz, no video)", 120)
        assert wait_until(lambda: "Frames\n47" in body_text(driver), 30), body_text(driver)
        body = body_text(driver)
        driver.save_screenshot(str(tmp_path / "app.png"))
    assert "Angles over the whole recording" in body and "Angles over time" in body
    assert "Person found" in body
    assert (tmp_path / "app.png").stat().st_size > 10_000


def test_a_bad_file_gets_a_plain_message(tmp_path: Path) -> None:
    need_browser()
    bad = tmp_path / "holiday.mp4"
    bad.write_bytes(b"this is not a video")
    with streamlit_server() as url, chromium() as driver:
        driver.get(url + "/Analyse_a_recording")
        wait_for_text(driver, "Iliacus stretch form checker", 60)
        wait_for_css(driver, "input[type=file]").send_keys(str(bad))
        wait_for_text(driver, "holiday.mp4", 60)
        click_button(driver, "Analyse")
        wait_for_text(driver, "could not be read as a video", 60)
        body = body_text(driver)
    assert "Traceback" not in body
