"""The app as a person uses it: a real browser uploads a recording and reads the angles."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium, need_browser, streamlit_server

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _wait_for_text(driver, text: str, timeout_s: float = 120.0) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s).until(
        ec.presence_of_element_located((By.XPATH, f"//*[contains(text(), {text!r})]"))
    )


def _file_input(driver, timeout_s: float = 60.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=file]"))
    )


def _click_button(driver, label: str, timeout_s: float = 60.0) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d):
        return next((b for b in d.find_elements(By.TAG_NAME, "button") if b.text == label), False)

    WebDriverWait(driver, timeout_s).until(find).click()


def test_upload_a_recording_and_see_its_angles(tmp_path: Path) -> None:
    need_browser()
    video = SHARED / "running_side.mp4"
    if not video.exists():
        pytest.skip(
            f"{video} is absent (../shared/data is beside the checkout on CI and dev machines)"
        )
    from selenium.webdriver.common.by import By

    with streamlit_server() as url, chromium() as driver:
        driver.get(url)
        _wait_for_text(driver, "Iliacus stretch form checker", 60)
        _file_input(driver).send_keys(str(video))
        _wait_for_text(driver, "running_side.mp4", 60)
        _click_button(driver, "Analyse")
        _wait_for_text(driver, "Angles per side", 120)
        _wait_for_text(driver, "Hip extension over time", 30)
        body = driver.find_element(By.TAG_NAME, "body").text
        driver.save_screenshot(str(tmp_path / "app.png"))
    assert "Frames" in body and "47" in body
    assert "Person found" in body
    assert (tmp_path / "app.png").stat().st_size > 10_000


def test_a_bad_file_gets_a_plain_message(tmp_path: Path) -> None:
    need_browser()
    from selenium.webdriver.common.by import By

    bad = tmp_path / "holiday.mp4"
    bad.write_bytes(b"this is not a video")
    with streamlit_server() as url, chromium() as driver:
        driver.get(url)
        _wait_for_text(driver, "Iliacus stretch form checker", 60)
        _file_input(driver).send_keys(str(bad))
        _wait_for_text(driver, "holiday.mp4", 60)
        _click_button(driver, "Analyse")
        _wait_for_text(driver, "could not be read as a video", 60)
        body = driver.find_element(By.TAG_NAME, "body").text
    assert "Traceback" not in body
