"""RGB frames -> a browser-playable H.264 mp4 (yuv420p) through the ffmpeg command line.

Single-threaded x264 with bit-exact flags: the same frames give the same file on one machine;
across machines only the pixel tolerance of the rebuild test is promised.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

#: x264 quality: a rendered room is flat and compresses well; MediaPipe detects as on the raw frames.
CRF = 26


class Mp4Writer:
    """Context manager: `write(frame)` for each (H, W, 3) uint8 RGB frame."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, crf: int = CRF) -> None:
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise RuntimeError("ffmpeg not found: apt-get install -y ffmpeg")
        self.path = Path(path)
        self.size = size
        self.tmp = self.path.with_name(self.path.stem + ".part.mp4")
        w, h = size
        cmd = [
            ffmpeg, "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", f"{fps:g}", "-i", "-",
            "-c:v", "libx264", "-preset", "slow", "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-threads", "1", "-movflags", "+faststart", "-map_metadata", "-1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact",
            str(self.tmp),
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)

    def write(self, frame: np.ndarray) -> None:
        w, h = self.size
        if frame.shape != (h, w, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be ({h}, {w}, 3) uint8, got {frame.shape} {frame.dtype}")
        assert self.proc.stdin is not None
        self.proc.stdin.write(np.ascontiguousarray(frame).tobytes())

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait()
        if exc_type is None and code != 0:
            raise RuntimeError(f"ffmpeg failed ({code}) writing {self.path}")
        if exc_type is None:
            self.tmp.replace(self.path)
        else:
            self.tmp.unlink(missing_ok=True)
