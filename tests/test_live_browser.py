"""Live coaching as a person uses it: Chromium's fake camera plays a real recording into the page."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser import chromium, need_browser, streamlit_server, write_y4m

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _click(driver, label: str, timeout_s: float = 60.0) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d):
        return next((b for b in d.find_elements(By.TAG_NAME, "button") if b.text == label), False)

    WebDriverWait(driver, timeout_s).until(find).click()


def _body(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "body").text


def _wait_until(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_live_page_measures_the_camera_and_keeps_the_session(tmp_path: Path) -> None:
    need_browser()
    video = SHARED / "walking_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    camera = write_y4m(video, tmp_path / "camera.y4m", max_frames=150, width=480)
    with streamlit_server() as url, chromium(fake_video=camera) as driver:
        driver.get(url + "/Live_coaching")
        frame = WebDriverWait(driver, 60).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "iframe[title*=webrtc]"))
        )
        driver.switch_to.frame(frame)
        _click(driver, "START")
        driver.switch_to.default_content()

        def measuring() -> bool:
            m = re.search(r"Frames analysed\n(\d+)", _body(driver))
            return bool(
                m and int(m.group(1)) >= 20 and re.search(r"hip extension\n[+-]\d+°", _body(driver))
            )

        assert _wait_until(measuring, 120), _body(driver)[-800:]
        driver.save_screenshot(str(tmp_path / "live.png"))
        driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe[title*=webrtc]"))
        _click(driver, "STOP")
        driver.switch_to.default_content()
        assert _wait_until(lambda: "This session so far" in _body(driver), 60), _body(driver)[-800:]
        body = _body(driver)
    assert "The video has stopped" in body
    assert re.search(r"\d+ frames over \d+\.\d s", body)
    assert "Traceback" not in body


def test_live_page_coaches_a_rendered_demo_clip_without_a_webcam() -> None:
    need_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    with streamlit_server() as url, chromium() as driver:
        driver.get(url + "/Live_coaching")
        label = WebDriverWait(driver, 60).until(
            ec.element_to_be_clickable(
                (By.XPATH, "//label[contains(., 'Built-in demo clip (rendered person)')]")
            )
        )
        label.click()
        assert _wait_until(lambda: "plays through the live coach" in _body(driver), 30)
        frame = WebDriverWait(driver, 60).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "iframe[title*=webrtc]"))
        )
        driver.switch_to.frame(frame)
        _click(driver, "START")
        driver.switch_to.default_content()

        def coaching() -> bool:
            body = _body(driver)
            return bool(re.search(r"Phase\n(hold|position|release)", body)) and bool(
                re.search(r"Frames analysed\n([1-9]\d+)", body)
            )

        assert _wait_until(coaching, 120), _body(driver)[-800:]
        body = _body(driver)
    # the clip's exercise (half-kneeling stretch: 30 s holds, 2 per side) was preselected
    assert re.search(r"Hold\n\d+ s / 30 s", body) and "Reps\n0 / 2" in body
    assert "Traceback" not in body
