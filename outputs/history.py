"""Session history in SQLite, so a person or their therapist can review progress over weeks.

One row per analysed session with the numbers people compare (peak hip extension, time in the
target range, reps, verdict per side) and the full report as JSON, so nothing is lost and new
fields need no migration.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    exercise TEXT,
    source TEXT,
    tested_side TEXT,
    left_peak_deg REAL,
    right_peak_deg REAL,
    left_verdict TEXT,
    right_verdict TEXT,
    left_time_in_target_s REAL,
    right_time_in_target_s REAL,
    left_reps INTEGER,
    right_reps INTEGER,
    asymmetry_deg REAL,
    report_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_exercise ON sessions (exercise, recorded_at);
"""


def default_history_path() -> Path:
    """Where the app keeps the history: $ILIACUS_HISTORY, else ~/.iliacus/history.sqlite."""
    env = os.environ.get("ILIACUS_HISTORY")
    return Path(env) if env else Path.home() / ".iliacus" / "history.sqlite"


@dataclass(frozen=True)
class SessionRow:
    id: int
    recorded_at: str
    exercise: str | None
    source: str | None
    tested_side: str | None
    left_peak_deg: float | None
    right_peak_deg: float | None
    left_verdict: str | None
    right_verdict: str | None
    left_time_in_target_s: float | None
    right_time_in_target_s: float | None
    left_reps: int | None
    right_reps: int | None
    asymmetry_deg: float | None

    def report(self, db: str | Path) -> dict:
        """The full report saved with this row."""
        with _connect(db) as con:
            row = con.execute(
                "SELECT report_json FROM sessions WHERE id = ?", (self.id,)
            ).fetchone()
        return json.loads(row[0])


def _connect(db: str | Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(db))
    con.executescript(SCHEMA)
    return con


def _side(report: Mapping, side: str, key: str):
    data = (report.get("sides") or {}).get(side) or {}
    return data.get(key)


def record_session(db: str | Path, report: Mapping, recorded_at: datetime | None = None) -> int:
    """Append one report; returns the new row's id. The database is created on first use."""
    when = (recorded_at or datetime.now(UTC)).isoformat(timespec="seconds")
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    values = (
        when,
        report.get("exercise"),
        report.get("source"),
        report.get("tested_side"),
        _side(report, "left", "peak_hip_extension_deg"),
        _side(report, "right", "peak_hip_extension_deg"),
        _side(report, "left", "verdict"),
        _side(report, "right", "verdict"),
        _side(report, "left", "time_in_target_s"),
        _side(report, "right", "time_in_target_s"),
        _side(report, "left", "reps"),
        _side(report, "right", "reps"),
        report.get("asymmetry_deg"),
        json.dumps(report, allow_nan=False, default=str),
    )
    with _connect(db) as con:
        cur = con.execute(
            "INSERT INTO sessions (recorded_at, exercise, source, tested_side, left_peak_deg, "
            "right_peak_deg, left_verdict, right_verdict, left_time_in_target_s, "
            "right_time_in_target_s, left_reps, right_reps, asymmetry_deg, report_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return int(cur.lastrowid)


def list_sessions(db: str | Path, exercise: str | None = None) -> list[SessionRow]:
    """Saved sessions, oldest first, optionally of one exercise. A missing database has none."""
    if not Path(db).exists():
        return []
    cols = ", ".join(f for f in SessionRow.__dataclass_fields__)
    query = f"SELECT {cols} FROM sessions"
    args: tuple = ()
    if exercise is not None:
        query += " WHERE exercise = ?"
        args = (exercise,)
    with _connect(db) as con:
        rows = con.execute(query + " ORDER BY recorded_at, id", args).fetchall()
    return [SessionRow(*r) for r in rows]
