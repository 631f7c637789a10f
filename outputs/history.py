"""Session history in SQLite, so a person or their therapist can review progress over weeks.

One row per analysed session with the numbers people compare (peak hip extension, time in the
target range, reps, verdict per side) and the full report as JSON, so nothing is lost and new
fields need no migration.

The history file is user input (``--history DB``, ``$ILIACUS_HISTORY``), so it is treated as
hostile: a file is written only if its SQLite header says it is this project's history
(``PRAGMA application_id`` is ``APPLICATION_ID``), a new file is built aside and linked into
place whole, listing opens the file read-only and skips rows it cannot read, and every problem
reaches the caller as one plain sentence in a ``HistoryError``, never as an sqlite3 traceback.

Histories written before the schema was versioned (application_id and user_version 0, exactly
the one ``sessions`` table of that code) are recognised by their layout as version 1 and
migrated the first time they are written to.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TypeVar

#: ``PRAGMA application_id`` of every history file: the bytes "ILIA", so a foreign file shows.
APPLICATION_ID = 0x494C4941
#: ``PRAGMA user_version``: 1 was the unversioned layout, 2 added ``label``.
SCHEMA_VERSION = 2
#: How long a write waits for another writer before giving up with a plain message.
BUSY_TIMEOUT_S = 5.0
#: Longest label kept; a label is a file name, anything longer is not one.
MAX_LABEL_CHARS = 255

_T = TypeVar("_T")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100

_SCHEMA = f"""
BEGIN;
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
CREATE TABLE sessions (
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
    report_json TEXT NOT NULL,
    label TEXT
);
CREATE INDEX sessions_by_exercise ON sessions (exercise, recorded_at);
COMMIT;
"""

#: The columns of the unversioned history, in order: how a version-1 file is recognised.
_V1_COLUMNS = (
    "id", "recorded_at", "exercise", "source", "tested_side", "left_peak_deg", "right_peak_deg",
    "left_verdict", "right_verdict", "left_time_in_target_s", "right_time_in_target_s",
    "left_reps", "right_reps", "asymmetry_deg", "report_json",
)  # fmt: skip


class HistoryError(ValueError):
    """The history file cannot be used; the message is one plain sentence saying what to do."""


@dataclass(frozen=True)
class SessionRow:
    """One saved session's numbers; ``label`` is the recording's file name or "webcam"."""

    id: int
    recorded_at: str
    exercise: str | None
    source: str | None
    label: str | None
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
        """The full report saved with this row (see ``session_report``)."""
        return session_report(db, self.id)


@dataclass(frozen=True)
class History:
    """What could be read of a history: the sessions, oldest first, and a note per row left out."""

    sessions: tuple[SessionRow, ...]
    skipped: tuple[str, ...]


_TEXT = frozenset({"recorded_at", "exercise", "source", "label", "tested_side"})
_TEXT |= {"left_verdict", "right_verdict"}
_REAL = frozenset({"left_peak_deg", "right_peak_deg", "asymmetry_deg"})
_REAL |= {"left_time_in_target_s", "right_time_in_target_s"}
_INTEGER = frozenset({"left_reps", "right_reps"})
_ROW_FIELDS = tuple(f.name for f in fields(SessionRow))
#: The CSV export leaves out ``source``: it may be a path on the machine that ran the analysis.
CSV_COLUMNS = tuple(f for f in _ROW_FIELDS if f != "source")


def default_history_path() -> Path:
    """Where the app keeps the history: $ILIACUS_HISTORY, else ~/.iliacus/history.sqlite."""
    env = os.environ.get("ILIACUS_HISTORY")
    return Path(env).expanduser() if env else Path.home() / ".iliacus" / "history.sqlite"


# --- public API ---------------------------------------------------------------------------


def read_history(db: str | Path, exercise: str | None = None) -> History:
    """Every session that can be read, oldest first, and why any other row was left out.

    Opens the file read-only, so looking at progress never changes it; a missing file is an
    empty history and nothing is created.
    """
    path = Path(db)
    if _state(path) == "missing":
        return History((), ())
    with closing(_open_read(path)) as con:
        version = _version(con, path)
        return _read_rows(con, path, version, exercise)


def list_sessions(db: str | Path, exercise: str | None = None) -> list[SessionRow]:
    """Saved sessions, oldest first, optionally of one exercise; unreadable rows left out.

    ``read_history`` gives the same sessions plus a note for each row left out.
    """
    return list(read_history(db, exercise).sessions)


def record_session(db: str | Path, report: Mapping, recorded_at: datetime | None = None) -> int:
    """Append one report in one transaction; the returned id is on disk (synchronous=FULL).

    The file and its folder are created on first use. ``recorded_at`` (default now) is kept as
    ISO 8601 UTC; a naive datetime is taken as local time.
    """
    values = _row_values(report, recorded_at)
    path = Path(db)
    with closing(_open_write(path)) as con:
        return _in_transaction(con, path, lambda: _insert(con, values))


def delete_session(db: str | Path, session_id: int) -> bool:
    """Remove one session; False if it was not there. A missing file stays missing."""
    _check_id(session_id)
    path = Path(db)
    if _state(path) == "missing":
        return False
    with closing(_open_write(path)) as con:
        sql = "DELETE FROM sessions WHERE id = ?"
        return _in_transaction(con, path, lambda: con.execute(sql, (session_id,)).rowcount > 0)


def session_report(db: str | Path, session_id: int) -> dict:
    """The report.json saved with one session; HistoryError if it is gone or unreadable."""
    _check_id(session_id)
    path = Path(db)
    if _state(path) == "missing":
        raise HistoryError(f"There is no history at {path}, so session {session_id} is not there.")
    with closing(_open_read(path)) as con:
        _version(con, path)
        con.text_factory = bytes
        sql = "SELECT report_json FROM sessions WHERE id = ?"
        found = _guard(path, lambda: con.execute(sql, (session_id,)).fetchone())
    if found is None:
        raise HistoryError(f"Session {session_id} is not in {path}; it may have been deleted.")
    try:
        return _report(found[0])
    except _BadRow as bad:
        raise HistoryError(
            f"The report of session {session_id} in {path} cannot be read ({bad})."
        ) from None


def export_csv(db: str | Path) -> str:
    """Every readable session as CSV, one row each, under a header of the column names.

    Text cells that a spreadsheet would run as a formula get a leading apostrophe.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in read_history(db).sessions:
        writer.writerow(_csv_cell(getattr(row, name)) for name in CSV_COLUMNS)
    return out.getvalue()


# --- what is at the path -----------------------------------------------------------------


def _state(path: Path) -> str:
    """Whether path is "missing", "ours" or "v1?" (an unversioned file, maybe an old history).

    Decided from the 100-byte SQLite header alone, so a foreign file is refused before SQLite
    opens it (SQLite might roll back its journal or leave -wal/-shm files beside it).
    """
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as exc:
        raise _os_error(path, exc) from None
    except ValueError:  # a NUL byte in the name
        raise HistoryError(f"{path!r} is not a usable file name; choose another one.") from None
    if stat.S_ISDIR(info.st_mode):
        raise HistoryError(
            f"{path} is a folder, not a history file; give a file name such as "
            f"{path / 'history.sqlite'}."
        )
    if not stat.S_ISREG(info.st_mode):
        raise HistoryError(f"{path} is not a regular file; choose a file name for the history.")
    if info.st_size == 0:
        raise HistoryError(
            f"{path} is an empty file, not a history; delete it or choose a new file name."
        )
    return _header_state(path, _header(path))


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(_HEADER_BYTES)
    except OSError as exc:
        raise _os_error(path, exc) from None


def _header_state(path: Path, header: bytes) -> str:
    if len(header) < _HEADER_BYTES or not header.startswith(_SQLITE_MAGIC):
        raise HistoryError(
            f"{path} is not a history file (it is not an SQLite database); "
            "choose a new file name for the history."
        )
    user_version = int.from_bytes(header[60:64], "big", signed=True)
    application_id = int.from_bytes(header[68:72], "big", signed=True)
    if application_id == APPLICATION_ID:
        _check_not_newer(path, user_version)
        return "ours"
    # the unversioned history never used WAL (header bytes 18 and 19 are 1 in rollback mode)
    if application_id == 0 and user_version == 0 and header[18] == header[19] == 1:
        return "v1?"
    raise _foreign(path)


def _foreign(path: Path) -> HistoryError:
    return HistoryError(
        f"{path} is another program's database, not an Iliacus history, and was left "
        "untouched; choose a new file name for the history."
    )


def _check_not_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path} was written by a newer version of Iliacus (history version {version}; "
            f"this one reads up to {SCHEMA_VERSION}); update Iliacus or choose another file."
        )


def _is_v1(con: sqlite3.Connection) -> bool:
    """Exactly the one ``sessions`` table the unversioned code made, and nothing else."""
    kinds = con.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall()
    if [name for kind, name in kinds if kind != "index"] != ["sessions"]:
        return False
    columns = tuple(r[1] for r in con.execute("PRAGMA table_info(sessions)"))
    return columns == _V1_COLUMNS


def _version(con: sqlite3.Connection, path: Path) -> int:
    """The schema version of an open file, from SQLite itself; HistoryError unless ours."""

    def read() -> int:
        application_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if application_id == APPLICATION_ID:
            _check_not_newer(path, version)
            if version < 2:
                raise HistoryError(
                    f"{path} is damaged (its schema version {version} is unknown); move it "
                    "aside and choose a new file name for the history."
                )
            return version
        if application_id == 0 and version == 0 and _is_v1(con):
            return 1
        raise _foreign(path)

    return _guard(path, read)


# --- opening -----------------------------------------------------------------------------


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """An autocommit connection by URI, so SQLite never creates the file itself."""
    uri = f"{path.resolve().as_uri()}?{mode}"

    def connect() -> sqlite3.Connection:
        con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.execute("PRAGMA trusted_schema = OFF")
        return con

    return _guard(path, connect)


def _open_read(path: Path) -> sqlite3.Connection:
    """A read-only connection; in a read-only folder, an immutable one if nothing is pending.

    SQLite needs a -shm file beside a WAL database even to read it; where the folder cannot
    hold one and there is no -wal or -journal file, every committed session is in the main file
    and nothing half-written is.
    """
    con = _connect(path, "mode=ro")
    try:
        con.execute("PRAGMA application_id").fetchone()
        return con
    except sqlite3.Error as exc:
        con.close()
        no_room = _primary(exc) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)
        pending = any(path.with_name(path.name + end).exists() for end in ("-wal", "-journal"))
        if not no_room or pending:
            raise _sqlite_error(path, exc) from None
    return _connect(path, "mode=ro&immutable=1")


def _open_write(path: Path) -> sqlite3.Connection:
    """A connection to this project's history at path, created or migrated as needed."""
    state = _state(path)
    if state == "missing":
        _create(path)
        state = _state(path)
    if state == "v1?":  # check the layout without the power to write before opening to write
        with closing(_open_read(path)) as con:
            _version(con, path)
    con = _connect(path, "mode=rw")
    try:
        _prepare_write(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _prepare_write(con: sqlite3.Connection, path: Path) -> None:
    """Migrate an older layout, then WAL with a synced commit, so an id returned is on disk."""
    if _version(con, path) < SCHEMA_VERSION:
        _in_transaction(con, path, lambda: _migrate(con, path))

    def pragmas() -> None:
        con.execute("PRAGMA journal_mode = WAL").fetchone()
        con.execute("PRAGMA synchronous = FULL")

    _guard(path, pragmas)


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    """Version 1 to 2: add ``label``, filled from the file name part of ``source``."""
    if _version(con, path) >= SCHEMA_VERSION:  # another process migrated it first
        return
    con.create_function("iliacus_label", 1, _label_from_source, deterministic=True)
    con.execute("ALTER TABLE sessions ADD COLUMN label TEXT")
    con.execute("UPDATE sessions SET label = iliacus_label(source)")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _create(path: Path) -> None:
    """Build a new history aside and link it into place, so no half-made file ever shows.

    If another process creates the file meanwhile, theirs is kept.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise _os_error(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        _build(tmp, path)
        _link(tmp, path)
    finally:
        with suppress(OSError):
            tmp.unlink()
    _sync_folder(path.parent)


def _build(tmp: Path, path: Path) -> None:
    """The schema, version and application id in one commit, then WAL, all synced to disk."""

    def build() -> None:
        with closing(sqlite3.connect(tmp, isolation_level=None)) as con:
            con.execute("PRAGMA synchronous = FULL")
            con.executescript(_SCHEMA)
            con.execute("PRAGMA journal_mode = WAL").fetchone()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())

    try:
        _guard(path, build)
    except OSError as exc:
        raise _os_error(path, exc) from None


_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK}
_NO_HARD_LINKS |= {
    getattr(errno, name) for name in ("ENOTSUP", "EOPNOTSUPP") if hasattr(errno, name)
}


def _link(tmp: Path, path: Path) -> None:
    """Put the new file at path unless something is there already (then that one is used)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise _os_error(path, exc) from None
        if not path.exists():  # a file system without hard links
            try:
                os.replace(tmp, path)
            except OSError as exc2:
                raise _os_error(path, exc2) from None


def _sync_folder(folder: Path) -> None:
    """Make the new file's name durable too (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# --- writing -----------------------------------------------------------------------------


def _in_transaction(con: sqlite3.Connection, path: Path, work: Callable[[], _T]) -> _T:
    """Run work inside BEGIN IMMEDIATE ... COMMIT; roll back on any failure."""

    def run() -> _T:
        con.execute("BEGIN IMMEDIATE")
        try:
            result = work()
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                with suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
            raise
        return result

    return _guard(path, run)


def _insert(con: sqlite3.Connection, values: Mapping[str, object]) -> int:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cur = con.execute(f"INSERT INTO sessions ({names}) VALUES ({marks})", tuple(values.values()))
    return int(cur.lastrowid)


def _row_values(report: Mapping, recorded_at: datetime | None) -> dict[str, object]:
    """The columns of one report, each of its column's type or None, checked before any I/O."""
    if not isinstance(report, Mapping):
        raise HistoryError("The report to save must be a JSON object (a dict).")
    if recorded_at is not None and not isinstance(recorded_at, datetime):
        raise HistoryError("recorded_at must be a datetime.")
    try:
        when = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise HistoryError(f"recorded_at {recorded_at} cannot be given in UTC ({exc}).") from None
    try:
        report_json = json.dumps(report, allow_nan=False, default=str)
    except (ValueError, TypeError, RecursionError) as exc:
        raise HistoryError(f"The report cannot be saved as JSON ({exc}).") from None
    values: dict[str, object] = {
        "recorded_at": when.isoformat(timespec="seconds"),
        "exercise": _text(report.get("exercise")),
        "source": _text(report.get("source")),
        "label": _label(report),
        "tested_side": _text(report.get("tested_side")),
    }
    for side in ("left", "right"):
        data = _side(report, side)
        values[f"{side}_peak_deg"] = _number(data.get("peak_hip_extension_deg"))
        values[f"{side}_verdict"] = _text(data.get("verdict"))
        values[f"{side}_time_in_target_s"] = _number(data.get("time_in_target_s"))
        values[f"{side}_reps"] = _integer(data.get("reps"))
    values["asymmetry_deg"] = _number(report.get("asymmetry_deg"))
    values["report_json"] = report_json
    return values


def _side(report: Mapping, side: str) -> Mapping:
    sides = report.get("sides")
    data = sides.get(side) if isinstance(sides, Mapping) else None
    return data if isinstance(data, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        return None
    return number if math.isfinite(number) else None


def _integer(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def _label(report: Mapping) -> str | None:
    """The caller's ``source_label``, else the file name part of ``source``, never a path."""
    given = _text(report.get("source_label"))
    label = given.strip() if given else _label_from_source(_text(report.get("source")))
    return label[:MAX_LABEL_CHARS] if label else None


def _label_from_source(source: object) -> str | None:
    if not isinstance(source, str) or not source.strip():
        return None
    name = PureWindowsPath(PurePosixPath(source.strip()).name).name
    return name[:MAX_LABEL_CHARS] or None


def _check_id(session_id: object) -> None:
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise HistoryError(f"A session id is a whole number, not {session_id!r}.")


# --- reading -----------------------------------------------------------------------------


class _BadRow(Exception):
    """A row's value is not what its column holds; the message says which and why."""


def _read_rows(con: sqlite3.Connection, path: Path, version: int, exercise: str | None) -> History:
    """Rows in id order, so rows before a damaged page still come out; sorted by date after."""
    columns = [("NULL AS label" if n == "label" and version < 2 else n) for n in _ROW_FIELDS]
    sql = f"SELECT {', '.join(columns)}, report_json FROM sessions"
    args: tuple = ()
    if exercise is not None:
        sql += " WHERE exercise = ?"
        args = (exercise,)
    con.text_factory = bytes
    cursor = _guard(path, lambda: con.execute(sql + " ORDER BY id", args))
    sessions: list[SessionRow] = []
    skipped: list[str] = []
    for raw in _rows(cursor, path, skipped):
        try:
            sessions.append(_session(raw, version))
        except _BadRow as bad:
            skipped.append(f"Session {raw[0]} in {path} cannot be read ({bad}); it is left out.")
    sessions.sort(key=lambda s: (s.recorded_at, s.id))
    return History(tuple(sessions), tuple(skipped))


def _rows(cursor: sqlite3.Cursor, path: Path, skipped: list[str]) -> Iterator[tuple]:
    """The cursor's rows; a damaged part of the file ends the listing with a note."""
    last = None
    while True:
        try:
            raw = cursor.fetchone()
        except sqlite3.Error as exc:
            where = "at its first session" if last is None else f"after session {last}"
            skipped.append(
                f"Reading stopped {where}, the rest is left out: {_sqlite_error(path, exc)}"
            )
            return
        if raw is None:
            return
        last = raw[0]
        yield raw


def _session(raw: tuple, version: int) -> SessionRow:
    values = dict(zip((*_ROW_FIELDS, "report_json"), raw, strict=True))
    row = {name: _column(name, values[name]) for name in _ROW_FIELDS}
    if not isinstance(row["id"], int):
        raise _BadRow(f"its id is {row['id']!r}")
    if row["recorded_at"] is None:
        raise _BadRow("it has no date")
    try:
        datetime.fromisoformat(row["recorded_at"])
    except ValueError:
        raise _BadRow(f"its date {row['recorded_at']!r} is not a date") from None
    if version < 2:
        row["label"] = _label_from_source(row["source"])
    _report(values["report_json"])
    return SessionRow(**row)


def _column(name: str, value: object) -> object:
    """A stored value as its column's Python type; _BadRow if it is not one."""
    if value is None or name == "id":
        return value
    if name in _TEXT:
        return _decoded(name, value)
    if name in _REAL:
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        raise _BadRow(f"{name} is {_shown(value)}, not a number")
    if name in _INTEGER:
        if isinstance(value, int):
            return value
        raise _BadRow(f"{name} is {_shown(value)}, not a whole number")
    raise AssertionError(name)


def _decoded(name: str, value: object) -> str:
    if not isinstance(value, bytes):
        raise _BadRow(f"{name} is {_shown(value)}, not text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRow(f"{name} is not valid UTF-8 text") from None


def _shown(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _report(value: object) -> dict:
    """The saved report.json as a dict; _BadRow if it is not readable JSON of an object."""
    if value is None:
        raise _BadRow("its report is missing")
    try:
        report = json.loads(_decoded("its report", value))
    except (ValueError, RecursionError):
        raise _BadRow("its report is not valid JSON") from None
    if not isinstance(report, dict):
        raise _BadRow("its report is not a JSON object")
    return report


def _csv_cell(value: object) -> object:
    """Text a spreadsheet would take as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


# --- errors ------------------------------------------------------------------------------


def _guard(path: Path, action: Callable[[], _T]) -> _T:
    """Run action; any sqlite3 error becomes a HistoryError naming the file."""
    try:
        return action()
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from None


def _primary(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _sqlite_error(path: Path, exc: sqlite3.Error) -> HistoryError:
    """One plain sentence for an SQLite failure, by its result code."""
    messages = {
        sqlite3.SQLITE_BUSY: f"{path} is in use by another program that is writing to it; "
        "try again in a moment.",
        sqlite3.SQLITE_LOCKED: f"{path} is in use by another program that is writing to it; "
        "try again in a moment.",
        sqlite3.SQLITE_FULL: f"The disk holding {path} is full; free some space and try again.",
        sqlite3.SQLITE_READONLY: f"{path} cannot be written (the file or its folder is "
        "read-only); choose a history file in a folder you can write to.",
        sqlite3.SQLITE_CANTOPEN: f"{path} cannot be opened; check that its folder exists and "
        "that you may read and write there.",
        sqlite3.SQLITE_PERM: f"You may not write {path}; choose a history file in a folder you "
        "can write to.",
        sqlite3.SQLITE_NOTADB: f"{path} is not a history file (it is not an SQLite database); "
        "choose a new file name for the history.",
        sqlite3.SQLITE_CORRUPT: f"{path} is damaged; move it aside and choose a new file name "
        "for the history.",
        sqlite3.SQLITE_IOERR: f"Could not read or write {path} (a disk error: the disk may be "
        "full, removed or failing); try again or choose another file.",
    }
    known = messages.get(_primary(exc))
    if known is not None:
        return HistoryError(known)
    return HistoryError(
        f"{path} does not hold a history this version can use ({exc}); "
        "choose a new file name for the history."
    )


def _os_error(path: Path, exc: OSError) -> HistoryError:
    """One plain sentence for a file-system failure around the history file."""
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return HistoryError(
            f"{path} cannot be written (the file or its folder is read-only); "
            "choose a history file in a folder you can write to."
        )
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return HistoryError(
            f"{path} cannot be made: part of its folder path is a file, not a folder; "
            "choose another file name."
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return HistoryError(f"The disk holding {path} is full; free some space and try again.")
    return HistoryError(f"Could not use {path} ({exc.strerror or exc}); choose another file name.")
