"""Every failure of analyze.py is one plain line and exit 2, never a traceback: an --out that
cannot be written (found before the pose pass), a full disk while writing, running out of memory,
a history file that is not ours (with the results' state said plainly); and the Progress page
never shows a stack trace for a bad history."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import analyze
from outputs import angles_csv

ROOT = Path(__file__).resolve().parents[1]
TRACK = ROOT / "tests" / "golden" / "tracks" / "thomas_tight_left.npz"
VIDEO = ROOT / "assets" / "demo_clips" / "thomas_tight_left.mp4"


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str]]:
    code = analyze.main([str(a) for a in argv])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def test_an_unwritable_out_is_found_before_the_pose_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pose(*args, **kwargs):
        raise AssertionError("the pose pass ran before --out was checked")

    monkeypatch.setattr("analysis.service.load_track", no_pose)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, err = _run(capsys, VIDEO, "--out", blocker / "results", "--quiet")
    assert code == 2 and len(err) == 1
    assert "a file, not a folder" in err[0] and "Traceback" not in err[0]
    assert not (blocker.parent / "results").exists()


@pytest.mark.parametrize(
    ("number", "words"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"), (errno.EACCES, "permission")],
)
def test_a_write_failure_is_one_line_and_leaves_no_half_result(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    number: int,
    words: str,
) -> None:
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(angles_csv, "_write_rows", fail)
    out = tmp_path / "out"
    code, err = _run(capsys, TRACK, "--out", out, "--exercise", "thomas_test", "--quiet")
    assert code == 2 and len(err) == 1 and words in err[0], err
    assert "choose another --out folder" in err[0]
    assert not out.exists() or [p.name for p in out.iterdir()] == []


def test_running_out_of_memory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("analysis.service.load_track", no_memory)
    code, err = _run(capsys, TRACK, "--out", tmp_path / "out", "--quiet")
    assert code == 2 and err == [
        "analyze.py: not enough memory for this input: try a shorter or smaller recording."
    ]


def test_a_history_that_is_not_ours_is_refused_and_the_results_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite"
    junk = os.urandom(4096)
    db.write_bytes(junk)
    out = tmp_path / "out"
    code, err = _run(capsys, TRACK, "--out", out, "--exercise", "thomas_test", "--history", db)
    assert code == 2 and len(err) == 1
    assert f"The results were written to {out}, but the session was not added" in err[0]
    assert (out / "report.json").exists()  # the results' state is clear: they are there
    assert db.read_bytes() == junk  # a file that is not this app's history is never written to


@pytest.mark.parametrize("content", [b"", os.urandom(2048), b"SQLite format 3\x00" + bytes(84)])
def test_the_progress_page_says_a_bad_history_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    db = tmp_path / "history.sqlite"
    db.write_bytes(content)
    monkeypatch.setenv("ILIACUS_HISTORY", str(db))
    page = AppTest.from_file(str(ROOT / "app_pages" / "2_Progress.py"), default_timeout=60)
    page.run()
    assert not page.exception
    assert len(page.error) == 1 and "history.sqlite" in page.error[0].value
    assert "Traceback" not in page.error[0].value
    assert db.read_bytes() == content
