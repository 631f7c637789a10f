"""A run killed at any moment loses nothing that was acknowledged and leaves nothing half-made:
analyze.py with --history and --pdf, SIGKILLed 20 times at random moments, then run once more."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from outputs.folder import SCRATCH_PREFIX
from outputs.history import list_sessions

ROOT = Path(__file__).resolve().parents[1]
TRACK = ROOT / "tests" / "golden" / "tracks" / "thomas_tight_left.npz"
KILLS = 20


def _start(out: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "analyze.py", str(TRACK), "--exercise", "thomas_test", "--out", str(out),
         "--history", str(db), "--pdf", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _finish(proc: subprocess.Popen[str]) -> bool:
    """Whether the run was acknowledged: it exited 0 and said where the results are."""
    out, _ = proc.communicate(timeout=60)
    return proc.returncode == 0 and "results in" in out


def test_sigkill_during_writes_loses_no_acknowledged_session(tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "history.sqlite"
    rng = random.Random(7)
    # how long one whole run takes here, so the kills land across its write phase
    started = time.monotonic()
    acknowledged = int(_finish(_start(out, db)))
    whole = time.monotonic() - started
    assert acknowledged == 1
    deadline = time.monotonic() + 120
    killed = 0
    for _ in range(KILLS):
        assert time.monotonic() < deadline, "the kill loop ran too long"
        proc = _start(out, db)
        time.sleep(rng.uniform(0.5, 1.05) * whole)
        if proc.poll() is None:
            killed += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            proc.communicate()
        else:
            acknowledged += int(_finish(proc))
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were killed before they ended"
    assert _finish(_start(out, db))  # the next run sweeps what the killed ones left
    acknowledged += 1

    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sessions = list_sessions(db)
    assert len(sessions) >= acknowledged
    assert all(s.exercise == "thomas_test" and s.left_verdict == "tight" for s in sessions)
    assert not [p.name for p in out.iterdir() if p.name.startswith(SCRATCH_PREFIX)]
    report = json.loads((out / "report.json").read_text())
    assert set(report["result_files"]) == {p.name for p in out.iterdir()}
