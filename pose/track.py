"""One record for a pose track, and its `.npz` file (format in ../shared/DESIGN.md).

A track lets a session be kept and re-analysed without keeping any video.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from pose.landmarks import NUM_LANDMARKS, VISIBILITY_THRESHOLD


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
        size = _real_array("image_size", self.image_size, np.float64).reshape(-1)
        if size.shape != (2,) or not np.all(size == np.round(size)) or np.any(size <= 0):
            raise TrackFormatError(
                f"image_size must be two positive integers, got {self.image_size}"
            )
        w, h = int(size[0]), int(size[1])
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "landmarks", lm)
        object.__setattr__(self, "image_size", (w, h))
        object.__setattr__(self, "warnings", tuple(self.warnings))

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
        finite = np.all(np.isfinite(self.landmarks[..., :2]), axis=-1)
        return finite & (np.nan_to_num(vis, nan=-1.0) >= threshold)

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
        """Read a `.npz` track, with a message naming what is wrong when it is not one."""
        try:
            # opened here so that the file is closed even when numpy fails on a broken zip
            with open(path, "rb") as fh:
                data = np.load(fh, allow_pickle=False)
                if not isinstance(data, np.lib.npyio.NpzFile):
                    # a single .npy array: np.load returns the array itself
                    raise TrackFormatError(
                        f"{path} holds a single array, not a landmark track (t, landmarks, "
                        "image_size)"
                    )
                with data:
                    missing = {"t", "landmarks", "image_size"} - set(data.files)
                    if missing:
                        raise TrackFormatError(
                            f"{path} is not a landmark track: it lacks {', '.join(sorted(missing))}"
                        )
                    t, lm, size = data["t"], data["landmarks"], data["image_size"]
                    notes = data["warnings"] if "warnings" in data.files else np.array([], str)
                    if notes.dtype.kind != "U" or notes.ndim != 1:
                        raise TrackFormatError(f"{path}: warnings must be a list of strings")
        except TrackFormatError:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            # a truncated .npz is a zip without its directory: BadZipFile, not an OSError
            raise TrackFormatError(f"{path} could not be read as a landmark track ({exc})") from exc
        try:
            return cls(t=t, landmarks=lm, image_size=size, warnings=tuple(str(w) for w in notes))
        except TrackFormatError as exc:
            raise TrackFormatError(f"{path} is not a valid landmark track: {exc}") from exc
