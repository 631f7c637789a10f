"""Hostile and damaged inputs: each gives one plain InputError (exit 2 and one stderr line from the
command line), never a traceback, a hang, a crash or unbounded memory; and what a damaged file
loses is said in the track's warnings.

Every hostile file is built here, in tmp_path, small and in well under a second; where a real
recording is garbled it is copied to tmp_path first and the test skips without ../shared/data.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import struct
import tempfile
import threading
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import data_file, run_analyze
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib import format as npy_format

import pose.pipeline
import pose.sources
from pose.pipeline import load_track
from pose.sources import (
    MAX_FAILED_READS,
    MAX_PIXELS,
    FrameTimer,
    InputError,
    VideoFileSource,
    captured_native_stderr,
    require_regular_file,
)
from pose.track import (
    MAX_FRAMES,
    MAX_WARNING_CHARS,
    MAX_WARNINGS,
    MIN_FRAME_INTERVAL_S,
    PoseTrack,
    TrackFormatError,
)

# ---------------------------------------------------------------------------------------------
# builders


def npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "<f8", fortran: bool = False) -> bytes:
    """A `.npy` header alone: it declares an array whose data never follows."""
    buf = io.BytesIO()
    npy_format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": fortran, "shape": shape}
    )
    return buf.getvalue()


def raw_npy(header: str, data: bytes) -> bytes:
    """A version 1.0 `.npy` with `header` as its header text, padded as numpy pads it."""
    text = header + " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + data


GOOD = {
    "t": npy(np.arange(3) / 30.0),
    "landmarks": npy(np.full((3, 33, 4), 0.5, np.float32)),
    "image_size": npy(np.array([640, 480])),
}


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def track_zip(compression: int = zipfile.ZIP_STORED, **arrays: bytes | np.ndarray | None) -> bytes:
    """GOOD's members with `arrays` replaced (None removes one), as a `.npz`."""
    members = dict(GOOD)
    for name, value in arrays.items():
        if value is None:
            members.pop(name)
        else:
            members[name] = value if isinstance(value, bytes) else npy(value)
    return zip_bytes({f"{k}.npy": v for k, v in members.items()}, compression)


def _central_entry(data: bytes, name: str) -> int:
    """Offset of `name`'s entry in a zip's central directory."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the zip")


def declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name` declaring `size` bytes unpacked (in the directory zipfile reads)."""
    out = bytearray(data)
    struct.pack_into("<L", out, _central_entry(data, name) + 24, size)
    return bytes(out)


def flagged_encrypted(data: bytes, name: str) -> bytes:
    out = bytearray(data)
    at = _central_entry(data, name) + 8
    struct.pack_into("<H", out, at, struct.unpack_from("<H", out, at)[0] | 0x1)
    return bytes(out)


def forged_method(data: bytes, method: int = 99) -> bytes:
    """Every entry naming a compression method no zip library knows, in its local and central
    headers (zipfile would raise NotImplementedError on opening it)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = out.find(signature)
        while at >= 0:
            struct.pack_into("<H", out, at + offset, method)
            at = out.find(signature, at + 4)
    return bytes(out)


def huge_directory(data: bytes) -> bytes:
    """The zip's end record declaring a 10 MB central directory."""
    out = bytearray(data)
    struct.pack_into("<L", out, out.rfind(b"PK\x05\x06") + 12, 10_000_000)
    return bytes(out)


def zip64_locator(data: bytes) -> bytes:
    """A ZIP64 locator before the end record, pointing at a directory of any size."""
    at = data.rfind(b"PK\x05\x06")
    return data[:at] + struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1) + data[at:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int, height: int) -> bytes:
    """A grey PNG of width × height black pixels, built without holding its pixels.

    Rows of zeros are compressed a block at a time; after a full flush a deflate block stands
    alone, so repeating its bytes repeats the rows. (The final checksum covers one block only: no
    decoder here gets that far.)
    """
    block_rows = max(1, min(height, 30_000_000 // (width + 1)))
    comp = zlib.compressobj(9)
    block = b"\0" * ((width + 1) * block_rows)
    head = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    blocks = math.ceil(height / block_rows)
    idat = head + again * (blocks - 1) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def photo(width: int = 160, height: int = 120) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose start-of-frame header is changed to say width × height."""
    data = bytearray(cv2.imencode(".jpg", photo())[1].tobytes())
    at = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def bmp_declaring(width: int, height: int) -> bytes:
    data = bytearray(cv2.imencode(".bmp", photo(16, 16))[1].tobytes())
    struct.pack_into("<ii", data, 18, width, height)
    return bytes(data)


def write_video(
    path: Path, frames: int, size: tuple[int, int] = (160, 120), fps: float = 30
) -> None:
    """An mp4v video of a moving noise picture (each frame differs, so each has its own data)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    base = photo(*size)
    for i in range(frames):
        writer.write(np.roll(base, 3 * i, axis=1))
    writer.release()


def garble(path: Path, at: float, length: int, fill: int = 0xFF) -> None:
    """Overwrite `length` bytes from `at` (a fraction of the file) with `fill`."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start : start + length] = bytes([fill]) * length
    path.write_bytes(bytes(data))


class FakeEstimator:
    """Stands in for MediaPipe: 'finds' a person in every frame."""

    def __init__(self, video: bool = True, model_path: object = None) -> None:
        self.landmarks = np.full((33, 4), 0.5, np.float32)

    def process(self, rgb: np.ndarray, t_s: float) -> np.ndarray:
        return self.landmarks.copy()

    def other_person_in_view(self, rgb: np.ndarray, landmarks: np.ndarray) -> bool:
        return False

    def __enter__(self) -> FakeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def fake_pose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pose.pipeline, "PoseEstimator", FakeEstimator)


def refused_quickly(path: Path, words: str, seconds: float = 2.0) -> InputError:
    """load_track(path) raises InputError with `words`, in a thread that must finish in time
    (a FIFO opened for reading would block forever)."""
    result: dict[str, BaseException | None] = {}

    def run() -> None:
        try:
            load_track(path)
            result["error"] = None
        except BaseException as exc:
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if path.is_fifo():
            with open(path, "wb"):  # a writer unblocks the stuck reader, so the test can end
                pass
        pytest.fail(f"load_track({path.name}) took more than {seconds} s")
    error = result["error"]
    assert isinstance(error, InputError), repr(error)
    assert words in str(error)
    return error


# ---------------------------------------------------------------------------------------------
# track files


def fortran_landmarks() -> bytes:
    return npy(np.asfortranarray(np.full((3, 33, 4), 0.25, np.float32)))


# (how the .npz is made, words the message must contain)
BAD_TRACKS = [
    pytest.param(
        lambda: zip_bytes(
            {
                "t.npy": npy_header((10**12,)),
                "landmarks.npy": npy_header((10**12, 33, 4), "<f4"),
                "image_size.npy": npy(np.array([640, 480])),
            },
            zipfile.ZIP_DEFLATED,
        ),
        f"declares 1000000000000 frames (at most {MAX_FRAMES}",
        id="10^12-frames",
    ),
    pytest.param(
        lambda: track_zip(t=npy_header((3,))),
        "declares more data than its zip entry holds",
        id="data-missing",
    ),
    pytest.param(
        lambda: declared_size(
            track_zip(
                zipfile.ZIP_DEFLATED,
                t=npy_header((2_000_000,)) + bytes(16_000_000),
                landmarks=npy_header((2_000_000, 33, 4), "<f4") + bytes(1_000_000),
            ),
            "landmarks.npy",
            2_000_000 * 33 * 4 * 4 + 128,
        ),
        "as a zip bomb does",
        id="ratio-bomb",
    ),
    pytest.param(lambda: track_zip(t=None), "lacks t", id="no-t"),
    pytest.param(lambda: track_zip(landmarks=None), "lacks landmarks", id="no-landmarks"),
    pytest.param(
        lambda: track_zip(image_size=np.array([np.inf, 480.0])),
        "image_size must be two positive integers",
        id="size-inf",
    ),
    pytest.param(
        lambda: track_zip(image_size=np.array([200_000, 480])),
        "at most 100000",
        id="size-huge",
    ),
    pytest.param(
        lambda: track_zip(image_size=np.array([True, True])),
        "real numbers",
        id="size-bool",
    ),
    pytest.param(lambda: track_zip(t=np.array([0.0, 0.1, np.inf])), "t must be finite", id="t-inf"),
    pytest.param(
        lambda: track_zip(t=np.array([0.0, 0.00001, 0.00002])),
        "at least 0.1 ms apart",
        id="t-too-close",
    ),
    pytest.param(
        lambda: track_zip(t=np.array([0.0, 1.0, 1e12])), "seconds from the start", id="t-clock"
    ),
    pytest.param(lambda: track_zip(t=np.arange(3) + 1j), "real numbers", id="t-complex"),
    pytest.param(
        lambda: track_zip(t=np.zeros(3, "datetime64[s]")), "real numbers", id="t-datetime"
    ),
    pytest.param(
        lambda: track_zip(landmarks=np.full((3, 33, 4), np.inf, np.float32)),
        "not infinite",
        id="landmarks-inf",
    ),
    pytest.param(
        lambda: track_zip(landmarks=np.full((3, 33, 4), 5000.0, np.float32)),
        "within ±1000",
        id="landmarks-absurd",
    ),
    pytest.param(
        lambda: track_zip(landmarks=np.zeros((3, 33, 4), np.complex64)),
        "real numbers",
        id="landmarks-complex",
    ),
    pytest.param(
        lambda: track_zip(landmarks=np.zeros((3, 33, 4), np.longdouble)),
        "real numbers",
        id="landmarks-128-bit",
    ),
    pytest.param(
        lambda: track_zip(warnings=np.array(["x"] * (MAX_WARNINGS + 1))),
        f"at most {MAX_WARNINGS}",
        id="warnings-many",
    ),
    pytest.param(
        lambda: track_zip(warnings=np.array(["x" * (MAX_WARNING_CHARS + 1)])),
        f"{MAX_WARNING_CHARS} characters",
        id="warnings-long",
    ),
    pytest.param(
        lambda: track_zip(warnings=np.array(["\x1b[2J\x1b[31mYou are fine"])),
        "printable",
        id="warnings-escape",
    ),
    pytest.param(
        lambda: track_zip(warnings=np.array(["two\nlines"])), "printable", id="warnings-newline"
    ),
    pytest.param(
        lambda: track_zip(warnings=np.frombuffer(b"\x00\xd8\x00\x00", "<U1").copy()),
        "printable",
        id="warnings-surrogate",
    ),
    pytest.param(
        lambda: track_zip(warnings=npy_header((1,), "<U1") + b"\xff\xff\xff\xff"),
        "printable",
        id="warnings-not-unicode",
    ),
    pytest.param(
        lambda: track_zip(warnings=np.array([b"bytes"])),
        "list of strings",
        id="warnings-bytes",
    ),
    pytest.param(
        lambda: track_zip(warnings=npy_header((2,), "|O") + bytes(16)),
        "Python objects",
        id="warnings-pickle",
    ),
    pytest.param(
        lambda: track_zip(t=b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1) + bytes(64)),
        "header of 4294967295 bytes",
        id="header-4GB",
    ),
    pytest.param(
        lambda: track_zip(t=b"\x93NUMPY\x03\x00" + bytes(64)), "version (3, 0)", id="npy-v3"
    ),
    pytest.param(
        lambda: track_zip(
            t=raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }", bytes(24))
        ),
        "header numpy cannot parse",
        id="python-2-header",
    ),
    pytest.param(
        lambda: track_zip(t=raw_npy("{'descr': '<f8', 'shape': (3,)}", bytes(24))),
        "header numpy cannot parse",
        id="header-keys",
    ),
    pytest.param(
        lambda: track_zip(t=raw_npy("(" * 150 + ")" * 150, bytes(24))),
        "header numpy cannot parse",
        id="header-nested",
    ),
    pytest.param(lambda: track_zip(t=npy_header((-1, -3))), "negative shape", id="negative-shape"),
    pytest.param(lambda: track_zip(t=b"not an array"), "t is not a .npy array", id="t-junk"),
    pytest.param(
        lambda: zip_bytes({**{f"{k}.npy": v for k, v in GOOD.items()}, "t": GOOD["t"]}),
        "holds t twice",
        id="t-twice",
    ),
    pytest.param(lambda: flagged_encrypted(track_zip(), "t.npy"), "encrypted", id="encrypted"),
    pytest.param(
        lambda: track_zip(zipfile.ZIP_BZIP2), "compression numpy does not write", id="bzip2"
    ),
    pytest.param(
        lambda: forged_method(track_zip()), "compression numpy does not write", id="method-99"
    ),
    pytest.param(
        lambda: huge_directory(track_zip()), "zip directory declares", id="huge-directory"
    ),
    pytest.param(lambda: zip64_locator(track_zip()), "ZIP64", id="zip64"),
    pytest.param(
        lambda: track_zip(zipfile.ZIP_DEFLATED)[:-200] + bytes(200),
        "could not be read",
        id="damaged-tail",
    ),
    pytest.param(lambda: b"PK\x03\x04" + bytes(100), "could not be read", id="zip-magic-only"),
    pytest.param(lambda: npy(np.zeros((3, 33, 4))), "single array", id="npy-not-npz"),
]


@pytest.mark.parametrize(("make", "words"), BAD_TRACKS)
def test_bad_tracks_are_refused_fast_in_bounded_memory(
    make: Callable[[], bytes], words: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.npz"
    path.write_bytes(make())
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            load_track(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(info.value)
    assert str(path) in str(info.value)
    assert seconds < 1.0 and peak < 40e6, (seconds, peak)


def test_the_10_12_frame_file_is_small() -> None:
    """The probe of the issue: a file of a few hundred bytes that declares 10^12 values."""
    assert len(BAD_TRACKS[0].values[0]()) < 600


def test_a_damaged_deflate_stream_is_a_format_error(tmp_path: Path) -> None:
    data = bytearray(track_zip(zipfile.ZIP_DEFLATED, landmarks=photo().astype(np.float32)))
    # the landmark member's compressed bytes, somewhere in the middle: flip them
    at = data.find(b"landmarks.npy") + 200
    data[at : at + 50] = bytes(50)
    path = tmp_path / "x.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(TrackFormatError):
        PoseTrack.load(path)


def test_fortran_ordered_landmarks_are_read_as_numpy_would(tmp_path: Path) -> None:
    path = tmp_path / "f.npz"
    path.write_bytes(track_zip(landmarks=fortran_landmarks()))
    track = PoseTrack.load(path)
    np.testing.assert_array_equal(track.landmarks, np.full((3, 33, 4), 0.25, np.float32))


def test_a_big_valid_track_still_loads(tmp_path: Path) -> None:
    """The caps refuse bombs, not long sessions: an hour at 30 fps, compressed, loads."""
    n = 3600 * 30
    rng = np.random.default_rng(0)
    lm = rng.random((n, 33, 4), dtype=np.float32)
    lm[::3] = np.nan  # nobody in a third of the frames
    track = PoseTrack(t=np.arange(n) / 30.0, landmarks=lm, image_size=(1920, 1080))
    track.save(tmp_path / "long.npz")
    back = PoseTrack.load(tmp_path / "long.npz")
    assert np.array_equal(back.landmarks, lm, equal_nan=True)


# ---------------------------------------------------------------------------------------------
# files that are not regular files


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def make_folder(path: Path) -> None:
    path.mkdir()


# (name, how it is made, words)
NOT_FILES = [
    pytest.param("x.npz", make_fifo, "not a regular file", id="fifo-npz"),
    pytest.param("x.mp4", make_fifo, "not a regular file", id="fifo-mp4"),
    pytest.param("x.png", make_fifo, "not a regular file", id="fifo-png"),
    pytest.param("x.npz", make_zero_link, "not a regular file", id="dev-zero-npz"),
    pytest.param("x.mp4", make_zero_link, "not a regular file", id="dev-zero-mp4"),
    pytest.param("x.jpg", make_zero_link, "not a regular file", id="dev-zero-jpg"),
    pytest.param("x.npz", make_folder, "is a folder", id="folder-npz"),
    pytest.param("x.png", make_folder, "is a folder", id="folder-png"),
    pytest.param("missing.npz", lambda p: None, "does not exist", id="missing-npz"),
    pytest.param("missing.jpg", lambda p: None, "does not exist", id="missing-jpg"),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize(("name", "make", "words"), NOT_FILES)
def test_only_regular_files_are_opened(
    name: str, make: Callable[[Path], None], words: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    make(path)
    refused_quickly(path, words)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_require_regular_file(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x")
    assert require_regular_file(tmp_path / "a.mp4") == tmp_path / "a.mp4"
    os.mkfifo(tmp_path / "f")
    with pytest.raises(InputError, match="not a regular file"):
        require_regular_file(tmp_path / "f")
    with pytest.raises(InputError, match="is a folder"):
        require_regular_file(tmp_path)
    with pytest.raises(TrackFormatError, match="not a regular file"):
        PoseTrack.load(tmp_path / "f")  # the reader defends itself too, for callers of its own


# ---------------------------------------------------------------------------------------------
# pictures


# (file name, bytes, words)
BAD_IMAGES = [
    pytest.param(
        "huge.png",
        lambda: png_bytes(30_000, 30_000),
        "30000×30000 pixels (900 megapixels); at most 16 megapixels",
        id="png-900MP",
    ),
    pytest.param(
        "wide.png", lambda: png_bytes(100_000, 200), "100000×200 pixels", id="png-20MP-strip"
    ),
    pytest.param(
        "huge.jpg", lambda: jpeg_declaring(20_000, 1_000), "20000×1000 pixels", id="jpeg-20MP"
    ),
    pytest.param(
        "huge.bmp", lambda: bmp_declaring(5_000, 4_000), "5000×4000 pixels", id="bmp-20MP"
    ),
    pytest.param("huge.bmp", lambda: bmp_declaring(20_000, 20_000), "megapixels", id="bmp-400MP"),
    pytest.param("empty.png", lambda: png_bytes(0, 0), "could not be read", id="png-0x0"),
    pytest.param("dot.png", lambda: png_bytes(1, 1), "1×1 pixels, too small", id="png-1x1"),
    pytest.param(
        "cut.png",
        lambda: cv2.imencode(".png", photo())[1].tobytes()[:3000],
        "could not be read as an image",
        id="png-truncated",
    ),
    pytest.param("zero.png", lambda: b"", "could not be read as an image", id="png-empty"),
    pytest.param(
        "text.jpg", lambda: b"hello\n" * 100, "could not be read as an image", id="jpg-text"
    ),
]


@pytest.mark.parametrize(("name", "make", "words"), BAD_IMAGES)
def test_bad_images_are_refused_before_decoding(
    name: str,
    make: Callable[[], bytes],
    words: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            load_track(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(info.value)
    assert seconds < 1.0 and peak < 40e6, (seconds, peak)
    assert capfd.readouterr().err == ""  # libpng's "Read Error" and the like stay off stderr


def test_the_900_megapixel_png_is_small() -> None:
    assert len(png_bytes(30_000, 30_000)) < 3_000_000


def test_a_truncated_jpeg_is_analysed_with_a_warning(
    fake_pose: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """libjpeg gives the rows it could read (the rest grey); that is said, not hidden."""
    data = cv2.imencode(".jpg", photo(320, 240))[1].tobytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 2 // 3])
    track, info = load_track(path)
    assert info.kind == "image" and len(track) == 1
    assert any("damaged or cut short" in w for w in track.warnings)
    assert capfd.readouterr().err == ""  # "Premature end of JPEG file" is not printed


def test_a_sound_image_has_no_damage_warning(fake_pose: None, tmp_path: Path) -> None:
    path = tmp_path / "ok.jpg"
    cv2.imwrite(str(path), photo())
    track, _ = load_track(path)
    assert track.warnings == ()


# ---------------------------------------------------------------------------------------------
# videos


def test_a_one_frame_video_is_a_track_of_one_frame(fake_pose: None, tmp_path: Path) -> None:
    path = tmp_path / "one.mp4"
    write_video(path, 1)
    track, info = load_track(path)
    assert len(track) == 1 and info.kind == "video" and track.warnings == ()


def test_a_video_above_the_pixel_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.mp4"
    write_video(path, 3, size=(160, 120))
    monkeypatch.setattr(pose.sources, "MAX_PIXELS", 160 * 120 - 1)
    with pytest.raises(InputError, match="160×120 pixels"):
        load_track(path)
    assert MAX_PIXELS == 16_000_000


@pytest.mark.parametrize(
    ("at", "length"),
    [pytest.param(0.4, 20_000, id="20kB-at-40%"), pytest.param(0.3, 30_000, id="30kB-at-30%")],
)
def test_a_garbled_video_is_read_past_the_damage(
    at: float, length: int, fake_pose: None, tmp_path: Path
) -> None:
    """OpenCV's first failed read used to end the video; now reading goes on, and the frames
    lost are counted and placed in time."""
    path = tmp_path / "garbled.mp4"
    write_video(path, 120)
    garble(path, at, length)
    cap = cv2.VideoCapture(str(path))
    naive = 0
    while cap.read()[0]:
        naive += 1
    assert naive < 60  # how it used to end
    track, _ = load_track(path)
    assert len(track) >= 110
    source = VideoFileSource(path)
    assert sum(1 for _ in source.frames()) == len(track)
    assert source.lost_frames == 120 - len(track) and len(source.lost_spans) == 1
    (a, b), (lost_note,) = source.lost_spans[0], track.warnings
    assert a < 120 * at / 30 < b + 0.5
    assert lost_note == (
        f"{source.lost_frames} frames ({a:.1f}–{b:.1f} s) could not be decoded and were "
        "skipped: the file may be damaged."
    )
    assert np.all(np.diff(track.t) > 0)


def test_a_garbled_real_recording_is_read_past_the_damage(fake_pose: None, tmp_path: Path) -> None:
    """walking_side.mp4 (H.264) with 50 kB of zeros at a third: 129 of 401 frames before."""
    path = tmp_path / "walking.mp4"
    shutil.copyfile(data_file("walking_side.mp4"), path)
    garble(path, 0.33, 50_000, fill=0)
    track, _ = load_track(path)
    assert len(track) == 371
    assert track.warnings == (
        "30 frames (4.3–5.3 s) could not be decoded and were skipped: the file may be damaged.",
    )


def test_a_huge_declared_frame_count_is_not_believed(fake_pose: None, tmp_path: Path) -> None:
    """An AVI whose headers say 2^31 frames: its 20 frames are read, and no progress bar or
    frame count takes the claim at its word."""
    path = tmp_path / "claims.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    for i in range(20):
        writer.write(np.full((48, 64, 3), i * 10, np.uint8))
    writer.release()
    data = bytearray(path.read_bytes())
    for tag, offset in ((b"avih", 16), (b"strh", 32)):
        struct.pack_into("<I", data, data.find(tag) + 8 + offset, 2**31 - 1)
    path.write_bytes(bytes(data))
    totals: list[int | None] = []
    track, info = load_track(path, progress_factory=lambda total: totals.append(total) or id)
    assert len(track) == 20 and info.frame_count is None and totals == [None]


class ScriptedCapture:
    """A video file as OpenCV would play it: (decoded?, container time in ms) per read."""

    def __init__(self, script: list[tuple[bool, float]], count: int, fps: float = 30.0) -> None:
        self.script, self.count, self.fps = list(script), count, fps
        self.pos_ms = 0.0

    def isOpened(self) -> bool:
        return True

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self.script:
            return False, None
        ok, self.pos_ms = self.script.pop(0)
        return (True, np.zeros((48, 64, 3), np.uint8)) if ok else (False, None)

    def get(self, prop: int) -> float:
        return {
            cv2.CAP_PROP_FPS: self.fps,
            cv2.CAP_PROP_FRAME_COUNT: self.count,
            cv2.CAP_PROP_FRAME_WIDTH: 64,
            cv2.CAP_PROP_FRAME_HEIGHT: 48,
            cv2.CAP_PROP_POS_MSEC: self.pos_ms,
        }.get(prop, 0.0)

    def release(self) -> None:
        pass


def frames_at(times_ms: list[float]) -> list[tuple[bool, float]]:
    return [(True, ms) for ms in times_ms]


STEP = 1000 / 30
# (script of reads, declared count, expected warnings)
SCRIPTS = [
    pytest.param(frames_at([i * STEP for i in range(30)]), 30, (), id="sound"),
    pytest.param(
        frames_at([0.0] * 30),
        30,
        (
            "The file's frame times were implausible for 29 frames; times were taken from its "
            "frame rate (30 fps) instead.",
        ),
        id="no-times",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)] + [9 * STEP] + [(i + 10) * STEP for i in range(9)]),
        20,
        (
            "The file's frame times were implausible for 1 frame; times were taken from its "
            "frame rate (30 fps) instead.",
        ),
        id="one-repeated",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)] + [1e9 + i * STEP for i in range(10)]),
        20,
        (
            "The file's frame times were implausible for 1 frame; times were taken from its "
            "frame rate (30 fps) instead.",
        ),
        id="jump-then-steady",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)] + [i * STEP for i in range(10)]),
        20,
        (
            "The file's frame times were implausible for 1 frame; times were taken from its "
            "frame rate (30 fps) instead.",
        ),
        id="starts-over-without-failure",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)])
        + [(False, 0.0)] * 5
        + frames_at([i * STEP for i in range(15, 30)]),
        30,
        ("5 frames (0.3–0.5 s) could not be decoded and were skipped: the file may be damaged.",),
        id="5-lost",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)])
        + [(False, 0.0)] * 3
        + frames_at([10 * STEP] + [i * STEP for i in range(15, 30)]),
        30,
        ("4 frames (0.3–0.5 s) could not be decoded and were skipped: the file may be damaged.",),
        id="h264-resumes-a-frame-late",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)])
        + [(False, 0.0)] * 3
        + frames_at([i * STEP for i in range(10)]),
        10,
        (),
        id="starts-over-after-failure-ends",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(20)]),
        25,
        ("5 frames could not be decoded and were skipped: the file may be damaged.",),
        id="fewer-than-declared",
    ),
    pytest.param(
        frames_at([0, 40, 70, 150, 160, 200]),  # a variable frame rate: gaps, nothing missing
        6,
        (),
        id="variable-rate",
    ),
    pytest.param(
        frames_at([i * STEP for i in range(10)])
        + [(False, 0.0)] * (MAX_FAILED_READS + 1)
        + frames_at([i * STEP for i in range(10, 20)]),
        20,
        ("10 frames could not be decoded and were skipped: the file may be damaged.",),
        id="gives-up-after-many-failures",
    ),
]


@pytest.mark.parametrize(("script", "count", "notes"), SCRIPTS)
def test_damaged_videos_say_what_they_lost(
    script: list[tuple[bool, float]],
    count: int,
    notes: tuple[str, ...],
    fake_pose: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(b"\0" * 64)  # no image reader takes it
    monkeypatch.setattr(pose.sources.cv2, "VideoCapture", lambda _: ScriptedCapture(script, count))
    track, _ = load_track(path)
    assert track.warnings == notes
    assert np.all(np.diff(track.t) >= MIN_FRAME_INTERVAL_S)


def test_a_video_whose_first_reads_fail_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setattr(
        pose.sources.cv2, "VideoCapture", lambda _: ScriptedCapture([(False, 0.0)], 10)
    )
    with pytest.raises(InputError, match="could not be read as a video"):
        load_track(path)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),  # a failed read
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(0, 100),
        ),
        max_size=60,
    ),
    st.sampled_from([0.5, 25.0, 30.0, 240.0]),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_frame_times_always_increase(
    events: list[float | None], fps: float, declared: int | None
) -> None:
    """Whatever times a container gives, the frames come out in order, apart by at least the
    minimum interval, with nothing counted lost twice over."""
    timer = FrameTimer(fps, declared)
    times = []
    for event in events:
        if event is None:
            timer.failed()
            continue
        t = timer.place(event / 1000.0 if math.isfinite(event) else event)
        if t is None:
            break
        times.append(t)
    timer.finish()
    assert all(math.isfinite(t) for t in times)
    assert np.all(np.diff(times) >= MIN_FRAME_INTERVAL_S * 0.999)
    assert timer.retimed <= len(times)
    if declared is not None:
        assert sum(timer.lost_counts) + timer.unplaced <= max(declared - len(times), 0)
    assert all(a <= b for a, b in timer.lost_spans)


# ---------------------------------------------------------------------------------------------
# MediaPipe's own log lines, and the command line


@pytest.mark.parametrize("name", ["running_side.mp4", "plank_side.png"])
def test_mediapipe_prints_nothing_on_stderr(name: str, tmp_path: Path) -> None:
    run = run_analyze(data_file(name), "--out", tmp_path / "out", "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_other_output_is_passed_on_while_native_logs_are_captured(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Lines that are not MediaPipe's reach stderr when the capture ends; MediaPipe's never."""
    with captured_native_stderr() as lines:
        os.write(2, b"I0000 00:00:1796161611.107384   14632 gl_context.cc:369] GL version\n")
        os.write(2, b"a line of someone else's\n")
        with captured_native_stderr(drop_all=True) as inner:
            os.write(2, b"libpng error: Read Error\n")
    err = capfd.readouterr().err
    assert err == "a line of someone else's\n"
    assert len(lines) == 3 and inner == ["libpng error: Read Error"]
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"  # fd 2 is back


def test_captures_of_several_threads_overlap_and_lose_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """fd 2 is the process's: windows opened and closed by threads in any order share one
    capture, and every line that is not MediaPipe's comes out once fd 2 is back."""

    def work(k: int) -> None:
        for i in range(20):
            with captured_native_stderr():
                os.write(2, f"thread {k} line {i}\n".encode())
                os.write(2, b"W0000 00:00:1796161611.1   1 x.cc:1] noise\n")
                time.sleep(0.001 * ((k + i) % 3))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os.write(2, b"after\n")
    lines = capfd.readouterr().err.splitlines()
    assert lines[-1] == "after"
    assert sorted(lines[:-1]) == sorted(f"thread {k} line {i}" for k in range(4) for i in range(20))


def build(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CLI_CASES = [
    pytest.param(
        lambda d: build(d, "huge.png", png_bytes(30_000, 30_000)), "900 megapixels", id="huge-png"
    ),
    pytest.param(
        lambda d: build(d, "cut.png", BAD_IMAGES[7].values[1]()),
        "could not be read",
        id="truncated-png",
    ),
    pytest.param(
        lambda d: build(d, "x.npz", BAD_TRACKS[0].values[0]()),
        "1000000000000 frames",
        id="10^12-frames",
    ),
    pytest.param(
        lambda d: (d / "zero.mp4").symlink_to("/dev/zero") or d / "zero.mp4",
        "not a regular file",
        id="dev-zero-mp4",
    ),
]


@pytest.mark.parametrize(("make", "words"), CLI_CASES)
def test_the_command_line_says_one_line(
    make: Callable[[Path], Path], words: str, tmp_path: Path
) -> None:
    run = run_analyze(make(tmp_path), "--out", tmp_path / "out", timeout=60)
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and words in lines[0], run.stderr
    assert "Traceback" not in run.stderr


# ---------------------------------------------------------------------------------------------
# the track reader, property-based


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "x.npz"


def load_bytes(path: Path, data: bytes) -> PoseTrack | TrackFormatError:
    path.write_bytes(data)
    try:
        return PoseTrack.load(path)
    except TrackFormatError as exc:
        return exc


MEMBER_NAMES = st.sampled_from(
    ["t.npy", "landmarks.npy", "image_size.npy", "warnings.npy", "t", "other.npy", "../../x"]
)
ARRAYS = hnp.arrays(
    dtype=st.one_of(hnp.scalar_dtypes(), hnp.unicode_string_dtypes(), hnp.byte_string_dtypes()),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
)
HEADERS = st.builds(
    lambda shape, descr, tail: npy_header(shape, descr) + tail,
    st.lists(st.integers(0, 10**15), max_size=3).map(tuple),
    st.sampled_from(["<f8", "<f4", ">i2", "<U5", "|O", "|b1", "<c16", "V8", "<M8[s]"]),
    st.binary(max_size=64),
)
MEMBER_DATA = st.one_of(st.binary(max_size=200), ARRAYS.map(npy), HEADERS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_a_track_or_a_format_error(scratch: Path, data: bytes) -> None:
    assert isinstance(load_bytes(scratch, data), PoseTrack | TrackFormatError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(MEMBER_NAMES, MEMBER_DATA, max_size=5),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    st.booleans(),
)
def test_arbitrary_zips_are_a_track_or_a_format_error(
    scratch: Path, members: dict[str, bytes], compression: int, with_good: bool
) -> None:
    if with_good:  # the three arrays present, so that the member under test is reached
        members = {**{f"{k}.npy": v for k, v in GOOD.items()}, **members}
    assert isinstance(
        load_bytes(scratch, zip_bytes(members, compression)), PoseTrack | TrackFormatError
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_track_files_are_a_track_or_a_format_error(
    scratch: Path, data: st.DataObject
) -> None:
    """A real track file with bytes changed or cut off."""
    raw = bytearray(track_zip(data.draw(st.sampled_from([0, 8]))))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    assert isinstance(load_bytes(scratch, bytes(raw)), PoseTrack | TrackFormatError)


PRINTABLE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co", "Cn", "Zs"))
    | st.just(" "),
    max_size=50,
)


@st.composite
def valid_tracks(draw: st.DrawFn) -> PoseTrack:
    n = draw(st.integers(0, 40))
    steps = draw(hnp.arrays(np.float64, n, elements=st.floats(MIN_FRAME_INTERVAL_S * 1.01, 5.0)))
    t = draw(st.floats(0, 100)) + np.cumsum(steps)
    values = st.floats(-999, 999, width=32) | st.just(math.nan)  # NaN: a point not seen
    lm = draw(hnp.arrays(np.float32, (n, 33, 4), elements=values))
    lm[draw(hnp.arrays(bool, n))] = np.nan  # frames without a person
    size = (draw(st.integers(1, 100_000)), draw(st.integers(1, 100_000)))
    notes = tuple(draw(st.lists(PRINTABLE, max_size=4)))
    return PoseTrack(t=t, landmarks=lm, image_size=size, warnings=notes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_tracks())
def test_valid_tracks_round_trip_exactly(scratch: Path, track: PoseTrack) -> None:
    back = load_bytes(scratch, track.to_npz_bytes())
    assert isinstance(back, PoseTrack), back
    np.testing.assert_array_equal(back.t, track.t)
    assert np.array_equal(back.landmarks, track.landmarks, equal_nan=True)
    assert back.image_size == track.image_size and back.warnings == track.warnings
