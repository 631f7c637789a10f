"""Rebuild the README's screenshots: docs/live_page.png and docs/live_report.png (a live session
under way and its report, the camera fed from a rendered clip), docs/demonstration.png,
docs/progress.png and docs/report_pdf_page1.png (python docs/make_screenshots.py; about three
minutes).

The pages run in headless Chromium (tests/browser.py) against a scratch progress history made
from the rendered clips' landmark tracks; the PDF page is drawn by pdftoppm. Nothing is written
outside docs/ but a temporary folder.

Streamlit 1.60 serves pictures through Starlette; with Starlette 1.4 or later its compression
middleware answers every picture with an error (HTTP 500), and the pages show broken images.
The script says so and stops rather than save such pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import (  # noqa: E402
    body_text,
    chromium,
    click_button,
    click_in_webrtc,
    streamlit_server,
    wait_for_text,
    wait_until,
    write_y4m,
)

from analysis.service import AnalysisOptions, analyze_source  # noqa: E402
from outputs.history import record_session  # noqa: E402
from outputs.keyframes import key_frames  # noqa: E402
from outputs.pdf import pdf_bytes  # noqa: E402
from outputs.report_json import report_dict  # noqa: E402

TRACKS = ROOT / "tests" / "golden" / "tracks"
CLIPS = ROOT / "assets" / "demo_clips"
DOCS = ROOT / "docs"
#: A client's Thomas tests over five weeks (one leg each time), and other exercises between.
PLAN = [
    ("thomas_tight_left", "thomas_test", 0.0),
    ("thomas_tight_knee_right", "thomas_test", 0.01),
    ("standing_ext_left_lean_forward", "standing_hip_extension_test", 1.0),
    ("half_kneel_right", "half_kneeling_stretch", 2.0),
    ("thomas_trunk_lift_left", "thomas_test", 14.0),
    ("thomas_tight_right_high", "thomas_test", 14.01),
    ("standing_ext_right", "standing_hip_extension_test", 21.0),
    ("standing_ext_side_switch", "standing_hip_extension_test", 34.0),
    ("thomas_normal_left_mirror", "thomas_test", 35.0),
    ("thomas_normal_right", "thomas_test", 35.01),
]


def make_history(db: Path) -> None:
    start = datetime(2026, 10, 5, 16, 30, tzinfo=UTC)
    for name, exercise, days in PLAN:
        analysis = analyze_source(
            TRACKS / f"{name}.npz", AnalysisOptions(exercise=exercise, label=f"{name}.mp4")
        )
        when = start + timedelta(days=days)
        record_session(db, report_dict(replace(analysis.report, recorded_at=when)), when)


def settle(driver) -> None:
    time.sleep(3)
    wait_until(lambda: "Running" not in body_text(driver), 120)
    time.sleep(2)


def demonstration(url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with chromium(width=1600, height=1560) as driver:
        driver.get(f"{url}/Demonstration")
        wait_for_text(driver, "Measure from", 120)
        box = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSelectbox']")[0]
        box.click()
        field = box.find_element(By.TAG_NAME, "input")
        field.send_keys("Left leg: tight (both findings)")
        time.sleep(1)
        field.send_keys(Keys.ENTER)
        time.sleep(2)
        click_button(driver, "Measure", 60)
        wait_for_text(driver, "Measure again", 240)
        settle(driver)
        driver.save_screenshot(str(DOCS / "demonstration.png"))


def live(url: str, scratch: Path) -> None:
    """A live session of the half-kneeling stretch, 25 s in, and its report after STOP."""
    camera = write_y4m(CLIPS / "half_kneel_right.mp4", scratch / "camera.y4m", max_frames=165)
    with chromium(fake_video=camera, width=1440, height=760) as driver:
        driver.get(url)
        wait_for_text(driver, "The camera is this browser's", 120)
        click_in_webrtc(driver, "START")
        wait_until(lambda: "Right leg: being measured" in body_text(driver), 120)
        time.sleep(25)
        driver.save_screenshot(str(DOCS / "live_page.png"))
        click_in_webrtc(driver, "STOP")
        wait_for_text(driver, "Here is the report of this session.", 120)
        wait_until(lambda: "Report (PDF)" in body_text(driver), 60)
        settle(driver)
        driver.set_window_size(1440, 1500)
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(2)
        driver.save_screenshot(str(DOCS / "live_report.png"))


def progress(url: str) -> None:
    with chromium(width=1400, height=1250) as driver:
        driver.get(f"{url}/Progress")
        wait_for_text(driver, "Over time", 120)
        settle(driver)
        driver.save_screenshot(str(DOCS / "progress.png"))


def pdf_page(folder: Path) -> None:
    """Page 1 of the report of a standing test with both legs: key frames side by side."""
    name = "standing_ext_side_switch"
    analysis = analyze_source(
        TRACKS / f"{name}.npz",
        AnalysisOptions(
            exercise="standing_hip_extension_test", label=f"{name} (rendered)", kind="demo"
        ),
    )
    pdf = folder / "report.pdf"
    pdf.write_bytes(
        pdf_bytes(analysis.report, analysis.series, key_frames(analysis, CLIPS / f"{name}.mp4"))
    )
    out = DOCS / "report_pdf_page1"
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, out],
        check=True,
    )


def main() -> int:
    starlette = tuple(int(p) for p in version("starlette").split(".")[:2])
    if starlette >= (1, 4):
        print(
            f"starlette {version('starlette')} breaks Streamlit 1.60's pictures (HTTP 500): "
            "install starlette<1.4 first (or put such a copy first on PYTHONPATH).",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        folder = Path(scratch)
        db = folder / "history.sqlite"
        make_history(db)
        os.environ["ILIACUS_HISTORY"] = str(db)
        # no "file changed" banner in the pictures while someone edits the project
        os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
        with streamlit_server("app.py") as url:
            live(url, folder)
            demonstration(url)
            progress(url)
        pdf_page(folder)
    print(
        "written: docs/live_page.png, docs/live_report.png, docs/demonstration.png, "
        "docs/progress.png, docs/report_pdf_page1.png"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
