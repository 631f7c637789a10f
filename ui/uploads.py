"""Where the app keeps a browser session's uploads, and only for as long as that session lives.

Each session gets one folder in the system temp folder; an upload is written there once (not on
every rerun) under a name of our own (the person's file name can be anything, 300 characters
included). The folder is removed when the session's state is released (the tab closed, the
session expired) and, for folders a crash left behind, at the app's start when older than a day.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import weakref
from pathlib import Path

from pose.sources import (
    IMAGE_SUFFIXES,
    TRACK_SUFFIXES,
    VIDEO_SUFFIXES,
    InputError,
    require_regular_file,
)

UPLOAD_PREFIX = "iliacus-upload-"
#: Upload folders older than this (seconds) are swept at start-up: no live session keeps one so long.
STALE_AFTER_S = 24 * 3600
ACCEPTED_SUFFIXES = VIDEO_SUFFIXES | IMAGE_SUFFIXES | TRACK_SUFFIXES
#: Characters of a file's name shown on the page (a 300-character name is cut, not an error).
SHOWN_NAME_CHARS = 80


def shown_name(name: str) -> str:
    """A file's own name as the page shows it: no folders, at most SHOWN_NAME_CHARS."""
    base = Path(name.replace("\\", "/")).name or "recording"
    return base if len(base) <= SHOWN_NAME_CHARS else base[: SHOWN_NAME_CHARS - 1] + "…"


def sweep_stale(root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove upload folders older than STALE_AFTER_S (left by a crash or a killed server)."""
    root = Path(root or tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = []
    for folder in root.glob(f"{UPLOAD_PREFIX}*"):
        try:
            old = now - folder.lstat().st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if old and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class UploadFolder:
    """One browser session's uploads; the folder goes when this object does (or on `close`)."""

    def __init__(self, root: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=root))
        self._saved: dict[str, Path] = {}
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def save(self, file_id: str, name: str, data: bytes) -> Path:
        """Write an upload once; the same upload (same id) on a rerun is not written again."""
        if file_id not in self._saved:
            for old in self._saved.values():
                old.unlink(missing_ok=True)  # one recording at a time per session
            self._saved.clear()
            suffix = Path(name).suffix.lower()[:10]
            path = self.path / f"upload{suffix}"
            path.write_bytes(data)
            self._saved[file_id] = path
        return self._saved[file_id]

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive


def local_file(text: str) -> Path:
    """A path typed on the page: a regular file with a video, image or track suffix, nothing else
    (no devices, FIFOs, folders or cameras). Messages name the file, never more of the machine."""
    path = Path(text.strip()).expanduser()
    name = shown_name(str(path))
    if path.suffix.lower() not in ACCEPTED_SUFFIXES:
        raise InputError(f"{name}: give a video, an image or a .npz landmark track.")
    try:
        require_regular_file(path)
    except InputError:
        # one answer for missing, folder, device and pipe: a page says no more of the machine
        raise InputError(f"{name} was not found or cannot be read.") from None
    if not os.access(path, os.R_OK):
        raise InputError(f"{name} was not found or cannot be read.")
    return path
