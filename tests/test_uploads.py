"""A browser session's uploads: written once, under our own name, removed with the session and at
start-up when a crash left them; a path typed on the page is a regular file with a known suffix."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from pose.sources import InputError
from ui.uploads import (
    STALE_AFTER_S,
    UPLOAD_PREFIX,
    UploadFolder,
    local_file,
    shown_name,
    sweep_stale,
)


def test_an_upload_is_written_once_and_goes_with_its_session(tmp_path: Path) -> None:
    folder = UploadFolder(root=tmp_path)
    path = folder.save("id-1", "my recording.mp4", b"abc")
    assert path.read_bytes() == b"abc" and path.name == "upload.mp4"
    mtime = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert folder.save("id-1", "my recording.mp4", b"abc") == path  # a rerun writes nothing
    assert path.stat().st_mtime_ns == mtime
    second = folder.save("id-2", "other.MOV", b"xyz")
    assert not path.exists() and second.read_bytes() == b"xyz"  # one recording at a time
    where = folder.path
    del folder
    gc.collect()
    assert not where.exists(), "the folder must go when the session's state is released"


def test_a_300_character_name_is_stored_under_our_own_name(tmp_path: Path) -> None:
    folder = UploadFolder(root=tmp_path)
    name = "x" * 300 + ".mp4"
    assert folder.save("id", name, b"1").name == "upload.mp4"
    shown = shown_name(name)
    assert len(shown) <= 80 and shown.endswith("…")
    assert shown_name("/srv/secret/folder/clip.mp4") == "clip.mp4"
    folder.close()
    assert folder.closed and not folder.path.exists()


def test_folders_left_by_a_crash_are_swept_when_older_than_a_day(tmp_path: Path) -> None:
    old, fresh = tmp_path / f"{UPLOAD_PREFIX}old", tmp_path / f"{UPLOAD_PREFIX}fresh"
    for d in (old, fresh):
        d.mkdir()
        (d / "upload.mp4").write_bytes(b"1")
    past = time.time() - STALE_AFTER_S - 60
    os.utime(old, (past, past))
    other = tmp_path / "not-ours"
    other.mkdir()
    os.utime(other, (past, past))
    assert sweep_stale(tmp_path) == [old]
    assert not old.exists() and fresh.exists() and other.exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "nowhere.mp4", "nowhere.mp4 was not found or cannot be read."),
        (lambda d: d, "give a video, an image or a .npz landmark track"),
        (lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", "give a video"),
        (lambda d: Path("/dev/zero"), "give a video"),
        (lambda d: Path("camera:0"), "give a video"),
        (
            lambda d: (os.mkfifo(d / "pipe.npz"), d / "pipe.npz")[1],
            "was not found or cannot be read",
        ),
        (lambda d: (d / "clip.mp4").mkdir() or d / "clip.mp4", "was not found or cannot be read"),
        (lambda d: (os.symlink("/dev/zero", d / "zero.mp4"), d / "zero.mp4")[1], "cannot be read"),
    ],
    ids=[
        "missing",
        "folder",
        "text",
        "device",
        "camera",
        "fifo",
        "folder-named-mp4",
        "link-to-device",
    ],
)
def test_a_typed_path_must_be_a_regular_file_of_a_known_kind(tmp_path: Path, make, words) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        local_file(str(path))
    assert words in str(err.value)
    assert str(tmp_path) not in str(err.value)  # no more of the machine than the file's name


def test_a_regular_file_is_accepted(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"1")
    assert local_file(f"  {clip}  ") == clip
