"""Drive the Streamlit app in headless Chromium (Debian's chromium + chromium-driver), on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_browser() -> None:
    """Skip, with the reason, where the browser or its driver is not installed."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in requirements-dev.txt")


class ServerURL(str):
    """The server's URL (a str, as before), with the server's process id."""

    pid: int


def resident_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux: /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def streamlit_server(
    script: str = "app.py", timeout_s: float = 60.0, env: dict[str, str] | None = None
) -> Iterator[ServerURL]:
    """Start `streamlit run` on a free local port and yield its URL; stop it afterwards."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log = tempfile.TemporaryFile()
    full_env = None if env is None else {**os.environ, **env}
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=full_env)
    url = ServerURL(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(
                    f"streamlit exited: {log.read().decode(errors='replace')[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start in time")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium(
    fake_video: Path | None = None, width: int = 1400, height: int = 1000, camera: bool = True
):
    """A headless Chromium driven by selenium; `fake_video` (.y4m/.mjpeg) becomes its camera.

    `camera=False` (and no `fake_video`): a browser with no camera at all."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--window-size={width},{height}",
    ):  # fmt: skip
        opts.add_argument(arg)
    if camera or fake_video is not None:
        opts.add_argument("--use-fake-ui-for-media-stream")
        opts.add_argument("--use-fake-device-for-media-stream")
    if fake_video is not None:
        opts.add_argument(f"--use-file-for-fake-video-capture={fake_video}")
    profile = tempfile.mkdtemp(prefix="chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def write_y4m(video: Path, out: Path, max_frames: int = 300, width: int | None = None) -> Path:
    """Convert a video to the .y4m Chromium's fake camera plays (in a loop), without ffmpeg."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    with open(out, "wb") as fh:
        header_written = False
        for _ in range(max_frames):
            ok, frame = cap.read()
            if not ok:
                break
            if width is not None:
                h, w = frame.shape[:2]
                frame = cv2.resize(frame, (width, round(h * width / w / 2) * 2))
            h, w = frame.shape[:2]
            if not header_written:
                fh.write(
                    f"YUV4MPEG2 W{w} H{h} F{round(fps * 1000)}:1000 Ip A1:1 C420jpeg\n".encode()
                )
                header_written = True
            fh.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    cap.release()
    return out


def body_text(driver) -> str:
    """What the page says, as a person reads it."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):
        try:
            return driver.find_element(By.TAG_NAME, "body").text
        except StaleElementReferenceException:  # redrawn while being read
            time.sleep(0.2)
    return driver.find_element(By.TAG_NAME, "body").text


def wait_until(predicate, timeout_s: float) -> bool:
    """Poll `predicate` until it holds or the time is up; say which."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def wait_for_text(driver, text: str, timeout_s: float = 120.0) -> None:
    """Wait until an element says `text`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s).until(
        ec.presence_of_element_located((By.XPATH, f"//*[contains(text(), {text!r})]"))
    )


def wait_for_css(driver, selector: str, timeout_s: float = 60.0):
    """The first element matching a CSS selector, once it exists."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


def click_button(driver, label: str, timeout_s: float = 60.0) -> None:
    """Click the button labelled `label`, once Streamlit has drawn it."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d):
        return next((b for b in d.find_elements(By.TAG_NAME, "button") if b.text == label), False)

    # a button redrawn while the buttons are read is looked for again
    wait = WebDriverWait(driver, timeout_s, ignored_exceptions=(StaleElementReferenceException,))
    for attempt in range(5):
        button = wait.until(find)
        try:
            # in the middle of the window: Streamlit's header would take a click at the top edge
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
            return
        except StaleElementReferenceException:  # the page was redrawn meanwhile: find it again
            if attempt == 4:
                raise
            time.sleep(0.5)


def click_in_webrtc(driver, label: str) -> None:
    """Click a button inside streamlit-webrtc's component frame (START, STOP)."""
    driver.switch_to.frame(wait_for_css(driver, "iframe[title*=webrtc]"))
    try:
        click_button(driver, label)
    finally:
        driver.switch_to.default_content()
