"""The live session as a person uses it: headless Chromium on the first page, loopback only.

Chromium's fake camera plays a recording (a rendered person doing the half-kneeling stretch) into
the page. Headless Chromium has no voices: a local voice is stubbed in and
`speechSynthesis.speak` spied on, to see what the page says and that muting silences it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from browser import (
    body_text,
    chromium,
    click_button,
    click_in_webrtc,
    need_browser,
    resident_mb,
    streamlit_server,
    wait_for_css,
    wait_until,
    write_y4m,
)
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "assets" / "demo_clips" / "half_kneel_right.mp4"
REPORT = "Here is the report of this session."
#: A local voice and a network one: the page must choose the local one (its language tells).
SPEECH_SPY = """
window.__spoken = [];
const voices = [
  {name: 'Network voice', lang: 'en-US', localService: false, voiceURI: 'net', default: true},
  {name: 'Local voice', lang: 'en-GB', localService: true, voiceURI: 'local', default: false},
];
speechSynthesis.getVoices = () => voices;
speechSynthesis.speak = (u) => window.__spoken.push([u.text, u.lang]);
"""


def _video(driver) -> dict:
    """The annotated video in the component's frame: size, time, and how much of its top band is
    the dark band the coach draws its cue on."""
    driver.switch_to.frame(wait_for_css(driver, "iframe[title*=webrtc]"))
    try:
        return driver.execute_script(
            """
            const v = document.querySelector('video');
            if (!v || !v.videoWidth) return {w: 0, t: 0, band: 0};
            const c = document.createElement('canvas');
            c.width = v.videoWidth; c.height = v.videoHeight;
            const g = c.getContext('2d');
            g.drawImage(v, 0, 0);
            const px = g.getImageData(0, 0, Math.floor(c.width / 3), 4).data;
            let dark = 0;
            for (let i = 0; i < px.length; i += 4) {
              if (Math.abs(px[i] - 30) < 14 && Math.abs(px[i + 1] - 30) < 14) dark++;
            }
            return {w: v.videoWidth, t: v.currentTime, band: dark / (px.length / 4)};
            """
        )
    finally:
        driver.switch_to.default_content()


def _spoken(driver) -> list[list[str]]:
    return driver.execute_script("return window.__spoken || []")


def _speech_switch(driver):
    return driver.find_element(
        By.XPATH, "//label[contains(., 'Speak the cues aloud')]//input[@type='checkbox']"
    )


def _speech_on(driver) -> bool:
    return _speech_switch(driver).is_selected()


def _toggle_speech(driver, on: bool) -> None:
    """Flip the switch and wait until the page has taken it (a panel redraw under way when it was
    flipped may still speak once)."""
    # (the switch takes a click on its input; selenium's click on the label does not reach it)
    driver.execute_script("arguments[0].click()", _speech_switch(driver))
    assert wait_until(lambda: _speech_on(driver) is on, 10)
    time.sleep(1.5)


def _run_session(driver, seconds: float) -> None:
    """START, let it run, STOP, and wait for the report."""
    click_in_webrtc(driver, "START")
    assert wait_until(lambda: _video(driver)["w"] > 0, 90), body_text(driver)[-600:]
    time.sleep(seconds)
    click_in_webrtc(driver, "STOP")
    assert wait_until(lambda: REPORT in body_text(driver), 60), body_text(driver)[-800:]


def test_a_live_session_speaks_reports_saves_and_frees_its_memory(tmp_path: Path) -> None:
    """START -> annotated video and spoken cues (muting silences them) -> STOP -> the report with
    verdicts and its PDF -> saved -> listed on Progress; and the server's memory after the third
    session is within 150 MB of where it was after the first."""
    need_browser()
    camera = write_y4m(CLIP, tmp_path / "camera.y4m", max_frames=165)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    env = {"ILIACUS_HISTORY": str(tmp_path / "history.sqlite")}
    with streamlit_server(env=env) as url, chromium(fake_video=camera, height=1400) as driver:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        # the stub goes in before the page's own scripts, and again should the page reload
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SPEECH_SPY})
        driver.get(url)
        assert wait_until(lambda: "Live stretch session" in body_text(driver), 60)
        # a browser with a camera starts on the webcam, on the half-kneeling stretch
        assert wait_until(lambda: "The camera is this browser's" in body_text(driver), 60)
        click_in_webrtc(driver, "START")
        assert wait_until(lambda: _video(driver)["band"] > 0.3, 90), body_text(driver)[-800:]
        assert wait_until(lambda: len(_spoken(driver)) >= 1, 120), body_text(driver)[-800:]
        spoken = _spoken(driver)
        assert all(lang == "en-GB" for _, lang in spoken), spoken  # the local voice only
        said = body_text(driver)  # what the coach said is listed as text too
        assert all(text in said for text, _ in spoken), spoken
        driver.save_screenshot(str(tmp_path / "live.png"))
        assert _speech_on(driver)
        _toggle_speech(driver, on=False)  # mute
        muted_at = len(_spoken(driver))
        said_before = body_text(driver).count("\n- ")
        time.sleep(8)
        assert len(_spoken(driver)) == muted_at, _spoken(driver)[muted_at:]
        assert body_text(driver).count("\n- ") >= said_before  # still listed as text
        _toggle_speech(driver, on=True)  # speak again: nothing said while muted is said now
        assert len(_spoken(driver)) <= muted_at + 1
        click_in_webrtc(driver, "STOP")
        assert wait_until(lambda: REPORT in body_text(driver), 60), body_text(driver)[-800:]
        body = body_text(driver)
        assert "Half-kneeling hip-flexor (iliacus) stretch: webcam" in body
        assert re.search(r"Right leg: (completed|incomplete)", body), body[-1500:]
        assert "Left leg: not tested" in body
        assert re.search(r"webcam · 20\d\d-\d\d-\d\d \d\d:\d\d · \d+ frames over \d+\.\d s", body)
        click_button(driver, "Report (PDF)")
        assert wait_until(lambda: (downloads / "report.pdf").exists(), 30)
        assert (downloads / "report.pdf").read_bytes()[:5] == b"%PDF-"
        click_button(driver, "Save to Progress")
        assert wait_until(lambda: "Saved to your progress history" in body_text(driver), 30)
        after_first = resident_mb(url.pid)

        driver.get(url + "/Progress")
        assert wait_until(lambda: "webcam" in body_text(driver), 60), body_text(driver)[-800:]
        assert "No saved sessions yet" not in body_text(driver)

        driver.get(url)
        assert wait_until(lambda: "Live stretch session" in body_text(driver), 60)
        for _ in range(2):
            _run_session(driver, 20.0)
        after_third = resident_mb(url.pid)
        assert "Traceback" not in body_text(driver)
    print(f"server memory after the first session {after_first:.0f} MB, third {after_third:.0f} MB")
    assert after_third - after_first < 150.0


def test_a_demo_clip_ends_into_its_report_without_stop() -> None:
    """A browser without a camera is offered the demo clip; when the clip ends the report comes."""
    need_browser()
    with streamlit_server() as url, chromium(camera=False) as driver:
        driver.get(url)
        assert wait_until(lambda: "No webcam needed" in body_text(driver), 60), body_text(driver)
        # the page shows it heard the browser's answer, so the browser stops repeating it
        heard = "return [window.__iliacusCamerasHeard, window.__iliacusCamerasTries]"
        assert wait_until(lambda: driver.execute_script(heard)[0] is True, 20)
        assert driver.execute_script(heard)[1] < 5
        # the pages are listed by the names a person reads, not the file names
        nav = body_text(driver).split("Live stretch session")[0].splitlines()
        assert nav[:4] == ["Live session", "Analyse a recording", "Progress", "Demonstration"]
        assert "rendered person" in body_text(driver)
        click_in_webrtc(driver, "START")
        assert wait_until(lambda: REPORT in body_text(driver), 90), body_text(driver)[-800:]
        # the page is drawn bit by bit: the downloads come last
        assert wait_until(lambda: "Report (PDF)" in body_text(driver), 60), body_text(driver)
        body = body_text(driver)
    assert "The demo clip ended." in body
    assert "(rendered)" in body and "Report (PDF)" in body
    assert re.search(r"(Left|Right) leg: \w+", body)
    assert "Traceback" not in body
