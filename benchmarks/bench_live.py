"""How fast and how far behind the live page is, as a person in front of the camera sees it.

    python benchmarks/bench_live.py [--seconds 20] [--sessions 1] [--video FILE] [--profile]

Headless Chromium plays a fake camera whose frames carry their number (a barcode in a strip at the
bottom of each 640×480 frame, and the number written out for a person). The page's annotated video
is read back in the browser with a canvas on every frame it presents (requestVideoFrameCallback),
and the camera's own frames are read from the same capture (MediaStreamTrackProcessor on a clone of
the camera track). From the two:

- new annotated frames/s: distinct frame numbers presented per second (streamlit-webrtc repeats the
  last annotated frame when the analysis falls behind, so repeats are not counted);
- lag: for each new annotated frame, the time from the camera giving that frame to the page
  presenting it annotated (median and 90th percentile).

`--sessions 2` runs two browsers on one server at once. `--profile` also times the stages of one
frame in this process (decode, conversions, pose, drawing, encode), to show where the time goes.
Everything is local: the server listens on 127.0.0.1 and no STUN/TURN server is asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import chromium, click_in_webrtc, streamlit_server, wait_for_css  # noqa: E402

DEFAULT_VIDEO = ROOT.parent / "shared" / "data" / "walking_side.mp4"
WIDTH, HEIGHT, FPS = 640, 480, 30
#: The barcode: two rows of 16 cells at the bottom of the frame, the number and its complement.
CELLS, CELL_W, CELL_H = 16, 40, 30
STRIP_H = 2 * CELL_H
#: Frames in the camera's file (it loops): 10 s at 30 frames/s.
LOOP_FRAMES = 300

# Kept by the page before its scripts run: the camera stream the component asks for.
CAPTURE_JS = """
(() => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    window.__benchCamera = stream;
    window.__benchConstraints = constraints;
    return stream;
  };
})();
"""

# Run inside the component's frame once the video plays: read both streams' frame numbers.
MEASURE_JS = """
const [W, H, CELLS, CH] = arguments;
const strip = 2 * CH;
window.__bench = {out: [], cam: [], size: null, settings: null};
// Each cell's centre, drawn into a CELLS x 2 canvas without smoothing: 32 pixels read back a
// frame instead of the whole strip, so that the measuring costs the browser little.
function decode(ctx) {
  const px = ctx.getImageData(0, 0, CELLS, 2).data;
  const bit = (k, row) => {
    const i = (row * CELLS + k) * 4;
    return (px[i] + px[i + 1] + px[i + 2]) / 3 > 128 ? 1 : 0;
  };
  let a = 0, b = 0;
  for (let k = 0; k < CELLS; k++) {
    a = (a << 1) | bit(k, 0);
    b = (b << 1) | bit(k, 1);
  }
  return ((a ^ b) === 0xFFFF) ? a : -1;
}
function canvas() {
  const c = document.createElement('canvas');
  c.width = CELLS; c.height = 2;
  const ctx = c.getContext('2d', {willReadFrequently: true});
  ctx.imageSmoothingEnabled = false;
  return ctx;
}
const video = document.querySelector('video');
const outCtx = canvas();
function onFrame() {
  const t = performance.now();
  if (video.videoWidth) {
    window.__bench.size = [video.videoWidth, video.videoHeight];
    const sy = video.videoHeight * (1 - strip / H);
    outCtx.drawImage(video, 0, sy, video.videoWidth, video.videoHeight - sy, 0, 0, CELLS, 2);
    window.__bench.out.push([t, decode(outCtx)]);
  }
  video.requestVideoFrameCallback(onFrame);
}
video.requestVideoFrameCallback(onFrame);
const cam = window.__benchCamera && window.__benchCamera.getVideoTracks()[0];
if (cam) {
  window.__bench.settings = cam.getSettings();
  const reader = new MediaStreamTrackProcessor({track: cam.clone()}).readable.getReader();
  const camCtx = canvas();
  (async () => {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      const t = performance.now();
      camCtx.drawImage(value, 0, H - strip, W, strip, 0, 0, CELLS, 2);
      value.close();
      window.__bench.cam.push([t, decode(camCtx)]);
    }
  })();
}
"""


def barcode_frame(image: np.ndarray, number: int) -> np.ndarray:
    """`image` scaled into the top of a 640×480 frame, with `number` as a barcode below it."""
    h = HEIGHT - STRIP_H - 40
    frame = np.full((HEIGHT, WIDTH, 3), 40, np.uint8)
    frame[:h] = cv2.resize(image, (WIDTH, h))
    cv2.putText(
        frame, f"camera frame {number}", (10, h + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
        (255, 255, 255), 2, cv2.LINE_AA,
    )  # fmt: skip
    for row, value in enumerate((number, ~number & 0xFFFF)):
        for k in range(CELLS):
            on = (value >> (CELLS - 1 - k)) & 1
            y0, x0 = HEIGHT - STRIP_H + row * CELL_H, k * CELL_W
            frame[y0 : y0 + CELL_H, x0 : x0 + CELL_W] = 255 if on else 0
    return frame


def write_numbered_y4m(video: Path, out: Path, frames: int = LOOP_FRAMES) -> Path:
    """A 640×480, 30 fps .y4m for Chromium's fake camera: the video's frames, numbered."""
    cap = cv2.VideoCapture(str(video))
    with open(out, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(frames):
            ok, image = cap.read()
            if not ok:
                cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = cap.read()
            frame = barcode_frame(image, i)
            fh.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    cap.release()
    return out


def summarise(out: list[list[float]], cam: list[list[float]], start_ms: float) -> dict:
    """New frames/s and lag (s) from the page's samples after `start_ms`."""
    out = [(t, n) for t, n in out if t >= start_ms and n >= 0]
    cam = [(t, n) for t, n in cam if n >= 0]
    if len(out) < 2:
        return {"new_frames_per_s": 0.0, "lag_median_s": None, "lag_p90_s": None, "samples": 0}
    new = [out[0]] + [b for a, b in pairwise(out) if b[1] != a[1]]
    span_s = (out[-1][0] - out[0][0]) / 1000.0
    lags = []
    loop_ms = LOOP_FRAMES / FPS * 1000.0
    for t, n in new:
        # the camera's latest giving of frame n before the page showed it; the file loops, so a
        # giving half a loop old or more is the previous loop's (this loop's was not read)
        seen = [tc for tc, nc in cam if nc == n and t - loop_ms / 2 < tc <= t]
        if seen:
            lags.append((t - seen[-1]) / 1000.0)
    lags.sort()
    return {
        "new_frames_per_s": round((len(new) - 1) / span_s, 1) if span_s > 0 else 0.0,
        "presented_frames_per_s": round((len(out) - 1) / span_s, 1) if span_s > 0 else 0.0,
        "camera_frames_per_s": round(
            (len(cam) - 1) / ((cam[-1][0] - cam[0][0]) / 1000.0), 1
        ) if len(cam) > 1 else 0.0,
        "lag_median_s": round(statistics.median(lags), 3) if lags else None,
        "lag_p90_s": round(lags[int(0.9 * (len(lags) - 1))], 3) if lags else None,
        "samples": len(new),
        "lag_samples": len(lags),
    }  # fmt: skip


def start_session(driver, url: str, path: str) -> None:
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_JS})
    driver.get(url + path)
    click_in_webrtc(driver, "START")
    driver.switch_to.frame(wait_for_css(driver, "iframe[title*=webrtc]"))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        playing = driver.execute_script(
            "const v = document.querySelector('video');"
            "return !!(v && v.videoWidth && !v.paused && v.currentTime > 0.5);"
        )
        if playing:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError("the annotated video did not start")


SERVER_LINE = re.compile(r"(\d+) frames a second analysed, (\d+) ms a frame \(pose (\d+) ms\)")


def measure(driver, seconds: float, warm_up_s: float) -> dict:
    """Sample the page (its frame is current) for warm_up_s + seconds; summarise the last part."""
    driver.execute_script(MEASURE_JS, WIDTH, HEIGHT, CELLS, CELL_H)
    start = driver.execute_script("return performance.now()") + warm_up_s * 1000.0
    time.sleep(warm_up_s + seconds)
    data = driver.execute_script("return window.__bench")
    driver.switch_to.default_content()
    found = SERVER_LINE.search(driver.find_element("tag name", "body").text)
    result = summarise(data["out"], data["cam"], start)
    if found:  # what the page says the server did (its last second)
        result["server"] = dict(
            zip(("frames_per_s", "ms_a_frame", "pose_ms"), map(int, found.groups()), strict=True)
        )
    result["annotated_size"] = data["size"]
    settings = data.get("settings") or {}
    result["camera"] = [settings.get("width"), settings.get("height"), settings.get("frameRate")]
    return result


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def profile(video: Path, frames: int = 120) -> dict[str, float]:
    """Milliseconds per frame of each stage, in this process, on the benchmark's own frames."""
    import fractions

    import av

    from live.coach import LiveCoach
    from live.frames import from_bgr, to_bgr
    from pose.estimator import PoseEstimator

    cap = cv2.VideoCapture(str(video))
    images = []
    for i in range(frames):
        ok, image = cap.read()
        if not ok:
            break
        images.append(barcode_frame(image, i))
    cap.release()
    yuv = []
    for i, image in enumerate(images):
        f = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")
        f.pts, f.time_base = i, fractions.Fraction(1, FPS)
        yuv.append(f)
    enc = av.CodecContext.create("libvpx", "w")
    enc.width, enc.height, enc.pix_fmt, enc.bit_rate = WIDTH, HEIGHT, "yuv420p", 500_000
    enc.options = {"cpu-used": "-6", "deadline": "realtime", "lag-in-frames": "0"}
    dec = av.CodecContext.create("libvpx", "r")
    out: dict[str, float] = {}

    def timed(name: str, fn) -> list:
        t0 = time.perf_counter()
        results = [fn(i) for i in range(len(images))]
        out[name] = round((time.perf_counter() - t0) / len(images) * 1000.0, 2)
        return results

    packets = timed("encode (VP8, aiortc's settings)", lambda i: list(enc.encode(yuv[i])))
    timed("decode (VP8)", lambda i: [dec.decode(p) for p in packets[i]])
    # the server's own conversions (live.frames), and PyAV's, which it used before
    timed("camera frame -> BGR array (live.frames)", lambda i: to_bgr(yuv[i]))
    timed("camera frame -> BGR array (PyAV)", lambda i: yuv[i].to_ndarray(format="bgr24"))
    bgr = [to_bgr(f) for f in yuv]
    rgb = [cv2.cvtColor(b, cv2.COLOR_BGR2RGB) for b in bgr]
    timed("BGR array -> encoder's frame (live.frames)", lambda i: from_bgr(bgr[i]))
    timed("BGR array -> encoder's frame (PyAV)", lambda i: av.VideoFrame.from_ndarray(bgr[i], format="bgr24").reformat(format="yuv420p"))  # fmt: skip
    with PoseEstimator(video=True) as est:
        timed("pose (MediaPipe)", lambda i: est.process(rgb[i], i / FPS))
    coach = LiveCoach(lambda: PoseEstimator(video=True))
    timed("whole LiveCoach.process (pose, angles, engine, drawing)", lambda i: coach.process(bgr[i].copy(), i / FPS))  # fmt: skip
    coach.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run")
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds left out at the start")
    parser.add_argument("--sessions", type=int, default=1, help="browsers at once on one server")
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--path", default="/", help="the page's path on the server")
    parser.add_argument("--profile", action="store_true", help="also time each stage in-process")
    args = parser.parse_args()
    if not args.video.is_file():
        print(f"{args.video} is absent: give --video", file=sys.stderr)
        return 2
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        camera = write_numbered_y4m(args.video, Path(tmp) / "camera.y4m")
        with streamlit_server() as url, ExitStack() as stack:
            drivers = [
                stack.enter_context(chromium(fake_video=camera)) for _ in range(args.sessions)
            ]
            for driver in drivers:
                start_session(driver, url, args.path)
            runs: list[dict] = [{} for _ in drivers]

            def run(k: int) -> None:
                runs[k] = measure(drivers[k], args.seconds, args.warm_up)

            threads = [threading.Thread(target=run, args=(k,)) for k in range(len(drivers))]
            server = _descendants(url.pid)
            browsers = [p for d in drivers for p in _descendants(d.service.process.pid)]
            load0 = os.getloadavg()[0]
            cpu0 = (cpu_seconds(server), cpu_seconds(browsers), time.monotonic())
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            cpu1 = (cpu_seconds(server), cpu_seconds(browsers), time.monotonic())
            wall = cpu1[2] - cpu0[2]
            results["sessions"] = runs
            results["cpu_cores_used"] = {
                "server": round((cpu1[0] - cpu0[0]) / wall, 2),
                "browsers": round((cpu1[1] - cpu0[1]) / wall, 2),
                "machine_cores": os.cpu_count(),
                "load_average_before": round(load0, 2),
            }
    if args.profile:
        results["profile_ms_per_frame"] = profile(args.video)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
