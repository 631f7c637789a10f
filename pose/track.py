"""One record for a pose track, and its `.npz` file (format in ../shared/DESIGN.md).

A track lets a session be kept and re-analysed without keeping any video. A track file may come from
anywhere (a download, another tool, a renamed file), so `PoseTrack.load` reads it as hostile input:
only a regular file is opened, and every array's `.npy` header is checked against the caps below
before any of its data is read, so that a small file can never make it allocate gigabytes.
"""

from __future__ import annotations

import io
import math
import os
import stat
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from pose.landmarks import NUM_LANDMARKS, VISIBILITY_THRESHOLD

#: 10 hours at 60 fps: far beyond any session, and it bounds a file's landmarks to 1.1 GB (float32).
MAX_FRAMES = 10 * 3600 * 60
#: Frame times are seconds from the start; a larger one is a clock reading, not a session's time.
MAX_TIME_S = 7 * 24 * 3600.0
#: Frames closer than this (over 10,000 fps) are no camera's, and smoothing windows are sized by
#: the frame interval: a tiny one would make them enormous.
MIN_FRAME_INTERVAL_S = 1e-4
#: Wider or taller than any camera's picture; it also keeps pixel arithmetic finite.
MAX_IMAGE_SIDE_PX = 100_000
#: Normalised x and y are 0..1 inside the picture; MediaPipe puts hidden points a little outside.
MAX_NORMALISED_XY = 1000.0
#: What the estimator noticed is a handful of sentences.
MAX_WARNINGS = 100
MAX_WARNING_CHARS = 1000
#: zipfile reads a zip's whole central directory, an object per entry, before any member is
#: opened; a track's has four entries in a few hundred bytes.
MAX_DIRECTORY_BYTES = 64 * 1024
#: numpy's own limit for a `.npy` header (read_array_header's default).
MAX_HEADER_BYTES = 10_000
#: Up to this size an array may be compressed as well as it likes (a long recording with nobody in
#: view is mostly NaN, which deflate packs a thousand to one) ...
FREE_MEMBER_BYTES = 64 * 1024 * 1024
#: ... above it, it may unpack to at most this many times its stored size: real landmarks pack
#: about one to one, so more is a zip bomb.
MAX_COMPRESSION_RATIO = 100

REQUIRED_ARRAYS = ("t", "landmarks", "image_size")
_REAL_KINDS = "iuf"  # integers and floats; not bool, complex, strings, bytes or Python objects
_READ_CHUNK_BYTES = 1 << 20
_EOCD = struct.Struct("<4s4H2LH")  # zip end record: signature, disks, entries, directory size, ...
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"  # 20 bytes before the end record, in a zip of more than 4 GB


class TrackFormatError(ValueError):
    """A landmark track file or array that does not follow the documented format."""


def _real_array(name: str, value: object, dtype: type[np.floating]) -> np.ndarray:
    """`value` as a real-number array of `dtype`, or a TrackFormatError naming what it holds.

    Without this check strings fail with a bare ValueError and complex numbers silently lose
    their imaginary part.
    """
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TrackFormatError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr.astype(dtype)


def _check_warnings(notes: tuple[str, ...]) -> None:
    """A few printable one-line sentences: they are shown on a terminal and in a report."""
    if len(notes) > MAX_WARNINGS:
        raise TrackFormatError(f"warnings must be at most {MAX_WARNINGS}, got {len(notes)}")
    for note in notes:
        if not isinstance(note, str) or len(note) > MAX_WARNING_CHARS:
            raise TrackFormatError(
                f"each warning must be text of at most {MAX_WARNING_CHARS} characters"
            )
        if not note.isprintable():
            # a newline or an escape sequence in a terminal, or a lone surrogate, is not a warning
            raise TrackFormatError("warnings must be printable text, one line each")


@dataclass(frozen=True)
class PoseTrack:
    """Landmarks of one person over time.

    Attributes:
        t: (N,) float64 seconds from the start, strictly increasing.
        landmarks: (N, 33, 4) float32: normalised x, normalised y, z, visibility.
            A frame without a detected person is all NaN.
        image_size: (width, height) in pixels.
        warnings: what the estimator noticed on the way (two people in view, ...).
    """

    t: np.ndarray
    landmarks: np.ndarray
    image_size: tuple[int, int]
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        t = _real_array("t", self.t, np.float64)
        lm = _real_array("landmarks", self.landmarks, np.float32)
        if t.ndim != 1:
            raise TrackFormatError(f"t must have shape (N,), got {t.shape}")
        if lm.shape != (t.shape[0], NUM_LANDMARKS, 4):
            raise TrackFormatError(
                f"landmarks must have shape ({t.shape[0]}, {NUM_LANDMARKS}, 4), got {lm.shape}"
            )
        if not np.all(np.isfinite(t)):
            raise TrackFormatError("t must be finite")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise TrackFormatError("t must be strictly increasing")
        if np.any(np.isinf(lm)):
            raise TrackFormatError("landmarks must be numbers or NaN (no person), not infinite")
        w, h = _image_size(self.image_size)
        notes = tuple(self.warnings)
        _check_warnings(notes)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "landmarks", lm)
        object.__setattr__(self, "image_size", (w, h))
        object.__setattr__(self, "warnings", notes)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def points_px(self) -> np.ndarray:
        """(N, 33, 2) float64 pixel coordinates; angles are measured here, never in normalised units."""
        w, h = self.image_size
        return self.landmarks[..., :2].astype(np.float64) * np.array([w, h], dtype=np.float64)

    @property
    def visibility(self) -> np.ndarray:
        """(N, 33) float64 visibility; NaN where the person was not detected."""
        return self.landmarks[..., 3].astype(np.float64)

    def seen(self, threshold: float = VISIBILITY_THRESHOLD) -> np.ndarray:
        """(N, 33) bool: the point is present and at least `threshold` visible."""
        vis = self.visibility
        finite = np.isfinite(self.landmarks[..., :2]).all(axis=-1)
        with np.errstate(invalid="ignore"):  # NaN (nobody) is not seen
            return finite & (vis >= threshold)

    @property
    def detected(self) -> np.ndarray:
        """(N,) bool: a person was found in the frame."""
        return np.any(np.isfinite(self.landmarks[..., 0]), axis=1)

    def _write_npz(self, fh: BinaryIO) -> None:
        extra = {"warnings": np.array(self.warnings, dtype=np.str_)} if self.warnings else {}
        np.savez_compressed(
            fh,
            t=self.t,
            landmarks=self.landmarks,
            image_size=np.asarray(self.image_size, dtype=np.int64),
            **extra,  # optional beyond DESIGN.md's three arrays: what the estimator noticed
        )

    def to_npz_bytes(self) -> bytes:
        """The `.npz` file's bytes, for a download that never touches the disk."""
        buf = io.BytesIO()
        self._write_npz(buf)
        return buf.getvalue()

    def save(self, path: str | Path) -> None:
        """Write the documented `.npz` (atomically, so a crash never leaves half a file)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            self._write_npz(fh)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a `.npz` track, with a message naming what is wrong when it is not one.

        Memory and time stay bounded by the caps above whatever the file holds, and nothing in it
        is ever unpickled.
        """
        arrays = read_track_arrays(path)
        try:
            track = cls(
                t=arrays["t"],
                landmarks=arrays["landmarks"],
                image_size=arrays["image_size"],
                warnings=_strings(arrays.get("warnings")),
            )
            _check_plausible(track)
        except TrackFormatError as exc:
            raise TrackFormatError(f"{path} is not a valid landmark track: {exc}") from exc
        return track


def _image_size(value: object) -> tuple[int, int]:
    """(width, height) as two positive integers no larger than any picture's sides."""
    size = _real_array("image_size", value, np.float64).reshape(-1)
    if (
        size.shape != (2,)
        or not np.all(np.isfinite(size))
        or not np.all(size == np.round(size))
        or np.any(size <= 0)
        or np.any(size > MAX_IMAGE_SIDE_PX)
    ):
        raise TrackFormatError(
            f"image_size must be two positive integers of at most {MAX_IMAGE_SIDE_PX} "
            f"(width, height in pixels), got {value}"
        )
    return int(size[0]), int(size[1])


def _check_plausible(track: PoseTrack) -> None:
    """What a file from elsewhere must also meet: times and coordinates a recording can have."""
    if track.t.size and np.max(np.abs(track.t)) > MAX_TIME_S:
        raise TrackFormatError(
            f"t must be seconds from the start (at most {MAX_TIME_S:.0f}), got up to "
            f"{np.max(np.abs(track.t)):g}"
        )
    if track.t.size > 1 and np.min(np.diff(track.t)) < MIN_FRAME_INTERVAL_S:
        raise TrackFormatError(
            f"frames must be at least {MIN_FRAME_INTERVAL_S * 1000:g} ms apart, got "
            f"{np.min(np.diff(track.t)) * 1000:g} ms"
        )
    xy = track.landmarks[..., :2]
    if np.any(np.abs(xy[np.isfinite(xy)]) > MAX_NORMALISED_XY):
        raise TrackFormatError(
            f"landmark x and y are normalised to the picture and must lie within "
            f"±{MAX_NORMALISED_XY:g}"
        )


def _strings(arr: np.ndarray | None) -> tuple[str, ...]:
    """A unicode array's entries as text, refusing code points no text can hold."""
    if arr is None:
        return ()
    codes = arr.reshape(-1).view(np.dtype(np.uint32).newbyteorder(arr.dtype.byteorder))
    if np.any((codes > 0x10FFFF) | ((codes >= 0xD800) & (codes <= 0xDFFF))):
        raise TrackFormatError("warnings must be printable text, one line each")
    return tuple(str(note) for note in arr)


def read_track_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a `.npz` track, each header checked against the caps before its data is read.

    Only the arrays a track uses are read (t, landmarks, image_size and the optional warnings);
    raises TrackFormatError for anything that is not such a file.
    """
    try:
        with _open_regular_file(path) as fh:
            lead = fh.read(6)
            if lead.startswith(npy_format.MAGIC_PREFIX):
                raise TrackFormatError(
                    f"{path} holds a single array, not a landmark track (t, landmarks, image_size)"
                )
            if not lead.startswith((b"PK\x03\x04", _EOCD_SIGNATURE)):
                raise TrackFormatError(
                    f"{path} could not be read as a landmark track (it is not a zip of arrays)"
                )
            _check_zip_directory(fh, path)
            with zipfile.ZipFile(fh) as zf:
                return _read_members(zf, path)
    except TrackFormatError:
        raise
    except (
        OSError,
        EOFError,
        ValueError,
        zipfile.BadZipFile,
        zlib.error,
        struct.error,
    ) as exc:
        # a truncated .npz is a zip without its directory (BadZipFile); a damaged member fails
        # to inflate (zlib.error) or its checksum (BadZipFile). A member in a compression numpy
        # does not write is refused before it is opened (_check_entry).
        raise TrackFormatError(f"{path} could not be read as a landmark track ({exc})") from exc


def _open_regular_file(path: str | Path) -> BinaryIO:
    """`path` opened for reading if it is a regular file: a FIFO would block, a device never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise TrackFormatError(
            f"{path} could not be read as a landmark track ({exc.strerror or exc})"
        ) from exc
    if stat.S_ISDIR(mode):
        raise TrackFormatError(f"{path} is a folder, not a landmark track")
    if not stat.S_ISREG(mode):
        raise TrackFormatError(
            f"{path} is not a regular file (a device, a pipe or a socket), so it was not read"
        )
    # non-blocking: were it swapped for a FIFO since the check, opening it still returns at once
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        fh.close()
        raise TrackFormatError(f"{path} is not a regular file, so it was not read")
    return fh


def _check_zip_directory(fh: BinaryIO, path: str | Path) -> None:
    """Refuse a zip whose central directory is larger than a track's could be.

    zipfile reads the whole directory into memory, with an object per entry, before any member is
    opened; this finds its size first, in the end record zipfile itself would use.
    """
    size = fh.seek(0, io.SEEK_END)
    search_from = max(size - _EOCD.size - (1 << 16), 0)
    fh.seek(search_from)
    tail = fh.read()
    at = len(tail) - _EOCD.size
    if not (at >= 0 and tail[at : at + 4] == _EOCD_SIGNATURE and tail[-2:] == b"\0\0"):
        at = tail.rfind(_EOCD_SIGNATURE)  # a zip with a comment: zipfile searches the same way
    if at < 0 or at + _EOCD.size > len(tail):
        return  # no end record: zipfile says it is not a zip
    end = search_from + at
    if end >= 20:
        fh.seek(end - 20)
        if fh.read(4) == _ZIP64_LOCATOR:
            raise TrackFormatError(
                f"{path} is not a valid landmark track: it has a ZIP64 directory, for zips larger "
                "than any track"
            )
    directory_bytes = _EOCD.unpack_from(tail, at)[5]
    if directory_bytes > MAX_DIRECTORY_BYTES:
        raise TrackFormatError(
            f"{path} is not a valid landmark track: its zip directory declares "
            f"{directory_bytes} bytes (a track's has a few hundred)"
        )
    fh.seek(0)


def _member_infos(zf: zipfile.ZipFile, path: str | Path) -> dict[str, zipfile.ZipInfo]:
    """Array name -> zip entry, as np.load names them ("t.npy" is t); each name at most once."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename.removesuffix(".npy")
        if name in infos:
            raise TrackFormatError(f"{path} is not a valid landmark track: it holds {name} twice")
        infos[name] = info
    missing = set(REQUIRED_ARRAYS) - set(infos)
    if missing:
        raise TrackFormatError(
            f"{path} is not a landmark track: it lacks {', '.join(sorted(missing))}"
        )
    return infos


def _check_entry(info: zipfile.ZipInfo, name: str) -> None:
    """A zip entry numpy could have written, that unpacks to a size its stored bytes can hold."""
    if info.flag_bits & 0x1:
        raise TrackFormatError(f"{name} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise TrackFormatError(f"{name} uses a compression numpy does not write")
    if (
        info.file_size > FREE_MEMBER_BYTES
        and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
    ):
        raise TrackFormatError(
            f"{name} would unpack to {info.file_size} bytes from {info.compress_size} (more than "
            f"{MAX_COMPRESSION_RATIO} to 1, as a zip bomb does)"
        )


@dataclass(frozen=True)
class _Header:
    """What a member's `.npy` header declares, and how many bytes it takes before the data."""

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    size: int

    @property
    def data_bytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _read_header(fp: BinaryIO, name: str) -> _Header:
    """A member's `.npy` header, its length checked before it is read (numpy checks after)."""
    lead = fp.read(8)  # magic string and version
    try:
        version = npy_format.read_magic(io.BytesIO(lead))
    except ValueError:
        raise TrackFormatError(f"{name} is not a .npy array") from None
    length_bytes = {(1, 0): 2, (2, 0): 4}.get(version)
    if length_bytes is None:
        raise TrackFormatError(f"{name} is a .npy array of version {version}, which is not read")
    raw_length = fp.read(length_bytes)
    length = int.from_bytes(raw_length, "little")
    if len(raw_length) != length_bytes or length > MAX_HEADER_BYTES:
        raise TrackFormatError(f"{name} has a header of {length} bytes (numpy writes ~100)")
    header = fp.read(length)
    buf = io.BytesIO(lead + raw_length + header)
    npy_format.read_magic(buf)
    reader = (
        npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
    )
    with warnings.catch_warnings():
        # numpy warns, and then still reads, a header in Python 2's syntax: refuse it instead
        # (only that warning: the filter list is the process's, other threads use it meanwhile)
        warnings.filterwarnings("error", "Reading `.npy` or `.npz` file required", UserWarning)
        try:
            shape, fortran_order, dtype = reader(buf, max_header_size=MAX_HEADER_BYTES)
        except (
            UserWarning,
            ValueError,
            TypeError,
            SyntaxError,
            OverflowError,
            RecursionError,
        ) as exc:
            raise TrackFormatError(f"{name} has a header numpy cannot parse ({exc})") from exc
    if any(n < 0 for n in shape):
        raise TrackFormatError(f"{name} declares a negative shape {shape}")
    return _Header(tuple(int(n) for n in shape), bool(fortran_order), dtype, len(buf.getvalue()))


def _check_header(name: str, head: _Header, frames: int) -> None:
    """Dtype and shape of one array of a track, from its header alone."""
    kind = head.dtype.kind
    if head.dtype.hasobject:
        raise TrackFormatError(f"{name} holds Python objects, which are never loaded (pickle)")
    if name == "warnings":
        if kind != "U" or len(head.shape) != 1:
            raise TrackFormatError("warnings must be a list of strings")
        if head.shape[0] > MAX_WARNINGS or head.dtype.itemsize // 4 > MAX_WARNING_CHARS:
            raise TrackFormatError(
                f"warnings must be at most {MAX_WARNINGS} of at most {MAX_WARNING_CHARS} "
                f"characters, got {head.shape[0]} of up to {head.dtype.itemsize // 4}"
            )
        return
    if kind not in _REAL_KINDS or head.dtype.itemsize > 8:
        raise TrackFormatError(f"{name} must hold real numbers, got dtype {head.dtype}")
    expected = {
        "t": f"(N,) with N at most {MAX_FRAMES}",
        "landmarks": f"({frames}, {NUM_LANDMARKS}, 4)",
        "image_size": "(2,)",
    }[name]
    shape_ok = {
        "t": len(head.shape) == 1,
        "landmarks": head.shape == (frames, NUM_LANDMARKS, 4),
        "image_size": math.prod(head.shape) == 2,
    }[name]
    if not shape_ok:
        raise TrackFormatError(f"{name} must have shape {expected}, got {head.shape}")


def _read_members(zf: zipfile.ZipFile, path: str | Path) -> dict[str, np.ndarray]:
    """Every header checked first, then the data of each array read into an array of that size."""
    infos = _member_infos(zf, path)
    names = [n for n in (*REQUIRED_ARRAYS, "warnings") if n in infos]
    heads: dict[str, _Header] = {}
    try:
        for name in names:
            _check_entry(infos[name], name)
            with zf.open(infos[name]) as fp:
                heads[name] = _read_header(fp, name)
            if name == "t" and len(heads["t"].shape) == 1 and heads["t"].shape[0] > MAX_FRAMES:
                raise TrackFormatError(
                    f"it declares {heads['t'].shape[0]} frames (at most {MAX_FRAMES}, 10 hours at "
                    "60 fps)"
                )
            frames = heads["t"].shape[0] if len(heads["t"].shape) == 1 else -1
            _check_header(name, heads[name], frames)
            if heads[name].size + heads[name].data_bytes > infos[name].file_size:
                raise TrackFormatError(f"{name} declares more data than its zip entry holds")
    except TrackFormatError as exc:
        raise TrackFormatError(f"{path} is not a valid landmark track: {exc}") from exc
    arrays = {}
    for name in names:
        with zf.open(infos[name]) as fp:
            fp.read(heads[name].size)
            arrays[name] = _read_data(fp, heads[name], f"{path}: {name}")
    return arrays


def _read_data(fp: BinaryIO, head: _Header, what: str) -> np.ndarray:
    """The array the header declares, read in chunks into memory of exactly its size."""
    flat = np.empty(math.prod(head.shape), dtype=head.dtype)
    raw = flat.view(np.uint8) if flat.nbytes else np.empty(0, np.uint8)
    filled = 0
    while filled < raw.size:
        chunk = fp.read(min(_READ_CHUNK_BYTES, raw.size - filled))
        if not chunk:
            raise TrackFormatError(f"{what} ends before its data does (the file is truncated)")
        raw[filled : filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
        filled += len(chunk)
    if head.fortran_order:
        return flat.reshape(head.shape[::-1]).transpose()
    return flat.reshape(head.shape)
