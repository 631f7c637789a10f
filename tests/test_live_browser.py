"""Live coaching as a person uses it: Chromium's fake camera plays a real recording into the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import (
    body_text,
    chromium,
    click_in_webrtc,
    need_browser,
    streamlit_server,
    wait_until,
    write_y4m,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_live_page_measures_the_camera_and_keeps_the_session(tmp_path: Path) -> None:
    need_browser()
    video = SHARED / "walking_side.mp4"
    if not video.exists():
        pytest.skip(f"{video} is absent")

    camera = write_y4m(video, tmp_path / "camera.y4m", max_frames=150, width=480)
    with streamlit_server() as url, chromium(fake_video=camera) as driver:
        driver.get(url + "/Live_coaching")
        click_in_webrtc(driver, "START")

        def measuring() -> bool:
            m = re.search(r"Frames analysed\n(\d+)", body_text(driver))
            return bool(
                m
                and int(m.group(1)) >= 20
                and re.search(r"hip extension\n[+-]\d+°", body_text(driver))
            )

        assert wait_until(measuring, 120), body_text(driver)[-800:]
        driver.save_screenshot(str(tmp_path / "live.png"))
        click_in_webrtc(driver, "STOP")
        assert wait_until(lambda: "This session so far" in body_text(driver), 60), body_text(
            driver
        )[-800:]
        body = body_text(driver)
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
        assert wait_until(lambda: "plays through the live coach" in body_text(driver), 30)
        click_in_webrtc(driver, "START")

        def coaching() -> bool:
            body = body_text(driver)
            return bool(re.search(r"Phase\n(hold|position|release)", body)) and bool(
                re.search(r"Frames analysed\n([1-9]\d+)", body)
            )

        assert wait_until(coaching, 120), body_text(driver)[-800:]
        body = body_text(driver)
    # the clip's exercise (half-kneeling stretch: 30 s holds, 2 per side) was preselected
    assert re.search(r"Hold\n\d+ s / 30 s", body) and "Reps\n0 / 2" in body
    assert "Traceback" not in body
