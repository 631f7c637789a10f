"""The progress history against hostile files, bad rows, locks, full disks and SIGKILL.

Tests run as root here, and root ignores permission bits, so the read-only cases run their
history calls in a child process as user ``nobody`` (or as the current user after chmod when
the tests do not run as root).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outputs import history
from outputs.history import (
    APPLICATION_ID,
    CSV_COLUMNS,
    SCHEMA_VERSION,
    HistoryError,
    delete_session,
    export_csv,
    list_sessions,
    read_history,
    record_session,
    session_report,
)

REPO = Path(__file__).resolve().parents[1]


def _report(peak: float = 12.0, **extra: object) -> dict:
    return {
        "exercise": "half_kneeling_stretch",
        "source": "/tmp/tmpab12/clip.mp4",
        "tested_side": "right",
        "sides": {
            "left": {"measured": False},
            "right": {
                "peak_hip_extension_deg": peak,
                "verdict": "good",
                "reps": 3,
                "time_in_target_s": 20.5,
            },
        },
        "asymmetry_deg": None,
        **extra,
    }


def _sql(db: Path) -> closing[sqlite3.Connection]:
    """A plain autocommit connection, closed after use, to look at or spoil a file."""
    return closing(sqlite3.connect(db, isolation_level=None))


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every name in folder with its bytes, to show an attempt wrote nothing."""
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}


def _assert_plain(exc: HistoryError, path: Path) -> None:
    message = str(exc)
    assert str(path) in message, message
    assert "\n" not in message and message.endswith("."), message
    assert "sqlite3." not in message and "Traceback" not in message, message


# --- a new file ---------------------------------------------------------------------------


def test_a_new_history_is_wal_with_its_version_and_application_id(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "history.sqlite"
    session_id = record_session(db, _report())
    assert session_id == 1
    with _sql(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(p.name for p in db.parent.iterdir()) == ["history.sqlite"]  # no temp left


@pytest.mark.parametrize(
    "where",
    ["missing.sqlite", "no/such/folder/history.sqlite", "a_file/child.sqlite"],
)
def test_reading_a_missing_history_finds_nothing_and_creates_nothing(
    tmp_path: Path, where: str
) -> None:
    (tmp_path / "a_file").write_text("not a folder")
    before = _snapshot(tmp_path)
    db = tmp_path / where
    assert list_sessions(db) == []
    assert read_history(db) == history.History((), ())
    assert export_csv(db).splitlines() == [",".join(CSV_COLUMNS)]
    assert delete_session(db, 1) is False
    with pytest.raises(HistoryError) as err:
        session_report(db, 1)
    _assert_plain(err.value, db)
    assert _snapshot(tmp_path) == before


def test_writing_under_a_file_is_refused_plainly(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("not a folder")
    db = tmp_path / "a_file" / "child.sqlite"
    with pytest.raises(HistoryError, match="part of its folder path is a file") as err:
        record_session(db, _report())
    _assert_plain(err.value, db)
    assert (tmp_path / "a_file").read_text() == "not a folder"


def test_sessions_recorded_at_once_by_many_threads_all_land(tmp_path: Path) -> None:
    """Several writers racing to create the file: one creates it, the others use it."""
    db = tmp_path / "history.sqlite"
    ids: list[int] = []
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            ids.append(record_session(db, _report(float(n))))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(ids) == list(range(1, 9))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite"]


# --- hostile files --------------------------------------------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(8192))


def _empty(path: Path) -> None:
    path.touch()


def _text_file(path: Path) -> None:
    path.write_text("id,when\n1,yesterday\n")


def _truncated_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01")


def _foreign_db(path: Path, wal: bool = False) -> None:
    with _sql(path) as con:
        if wal:
            con.execute("PRAGMA journal_mode = WAL")
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        con.execute("INSERT INTO invoices (total) VALUES (12.5), (99.0)")


def _foreign_wal_db(path: Path) -> None:
    _foreign_db(path, wal=True)


def _foreign_sessions_table(path: Path) -> None:
    """Another program that also keeps a table called sessions."""
    with _sql(path) as con:
        con.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT, expires TEXT)")
        con.execute("INSERT INTO sessions (token) VALUES ('abc')")


def _foreign_app_id(path: Path) -> None:
    with _sql(path) as con:
        con.execute("PRAGMA application_id = 0x0F055112")  # Fossil's
        con.execute("CREATE TABLE t (x)")


def _sqlite_without_tables(path: Path) -> None:
    with _sql(path) as con:
        con.execute("CREATE TABLE t (x)")
        con.execute("DROP TABLE t")


def _newer_version(path: Path) -> None:
    record_session(path, _report())
    with _sql(path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _folder(path: Path) -> None:
    path.mkdir()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    "random bytes": (_random_bytes, "not an SQLite database"),
    "empty file": (_empty, "empty file"),
    "text file": (_text_file, "not an SQLite database"),
    "truncated SQLite header": (_truncated_header, "not an SQLite database"),
    "another program's database": (_foreign_db, "another program's database"),
    "another program's WAL database": (_foreign_wal_db, "another program's database"),
    "another program's sessions table": (_foreign_sessions_table, "another program's"),
    "another program's application id": (_foreign_app_id, "another program's database"),
    "SQLite file without tables": (_sqlite_without_tables, "another program's database"),
    "newer history version": (_newer_version, "newer version of Iliacus"),
    "folder": (_folder, "is a folder"),
    "named pipe": (_fifo, "not a regular file"),
}

OPERATIONS: dict[str, Callable[[Path], object]] = {
    "list_sessions": list_sessions,
    "read_history": read_history,
    "record_session": lambda db: record_session(db, _report()),
    "delete_session": lambda db: delete_session(db, 1),
    "session_report": lambda db: session_report(db, 1),
    "export_csv": export_csv,
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("kind", HOSTILE)
def test_a_file_that_is_not_our_history_is_refused_and_left_byte_identical(
    tmp_path: Path, kind: str, operation: str
) -> None:
    build, expected = HOSTILE[kind]
    db = tmp_path / "history.sqlite"
    build(db)
    before = _snapshot(tmp_path)
    with pytest.raises(HistoryError, match=expected) as err:
        OPERATIONS[operation](db)
    _assert_plain(err.value, db)
    assert _snapshot(tmp_path) == before  # same bytes, and no -wal, -shm or -journal beside


def test_a_damaged_history_gives_the_sessions_it_can_or_a_plain_error(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    for n in range(300):
        record_session(db, _report(float(n), padding="x" * 900))
    data = bytearray(db.read_bytes())
    page = 4096
    pages = len(data) // page
    rng = random.Random(7)
    for index in rng.sample(range(2, pages), 3):  # leave page 1 (header and schema) alone
        data[index * page : (index + 1) * page] = rng.randbytes(page)
    db.write_bytes(bytes(data))
    try:
        found = read_history(db)
    except HistoryError as exc:
        _assert_plain(exc, db)
        return
    assert len(found.sessions) < 300
    assert found.skipped, "a damaged page must be reported"


# --- the unversioned history of earlier versions ---------------------------------------

V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, exercise TEXT, source TEXT,
    tested_side TEXT, left_peak_deg REAL, right_peak_deg REAL, left_verdict TEXT,
    right_verdict TEXT, left_time_in_target_s REAL, right_time_in_target_s REAL,
    left_reps INTEGER, right_reps INTEGER, asymmetry_deg REAL, report_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_exercise ON sessions (exercise, recorded_at);
"""


def _v1_history(path: Path) -> None:
    """A history as the code before schema versions wrote it."""
    with _sql(path) as con:
        con.executescript(V1_SCHEMA)
        con.execute(
            "INSERT INTO sessions (recorded_at, exercise, source, right_peak_deg, report_json) "
            "VALUES ('2026-11-01T08:00:00+00:00', 'half_kneeling_stretch', "
            "'/home/me/videos/monday.mp4', 11.0, '{\"exercise\": \"half_kneeling_stretch\"}')"
        )


def test_an_unversioned_history_is_read_without_writing_and_migrated_on_write(
    tmp_path: Path,
) -> None:
    db = tmp_path / "history.sqlite"
    _v1_history(db)
    before = _snapshot(tmp_path)
    [old] = list_sessions(db)
    assert (old.label, old.right_peak_deg) == ("monday.mp4", 11.0)
    assert session_report(db, old.id) == {"exercise": "half_kneeling_stretch"}
    assert _snapshot(tmp_path) == before
    new_id = record_session(db, _report(14.0, source_label="webcam"))
    with _sql(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = list_sessions(db)
    assert [(r.id, r.label) for r in rows] == [(old.id, "monday.mp4"), (new_id, "webcam")]


# --- bad rows -------------------------------------------------------------------------------

BAD_ROWS = {
    "report is not JSON": ("report_json", "'{not json'", "not valid JSON"),
    "report is a JSON list": ("report_json", "'[1, 2]'", "not a JSON object"),
    "report is not UTF-8": ("report_json", "CAST(X'7B22FF227D' AS TEXT)", "not valid UTF-8"),
    "peak is text": ("right_peak_deg", "'very high'", "right_peak_deg"),
    "reps is a fraction": ("right_reps", "2.5", "right_reps"),
    "date is not a date": ("recorded_at", "'last Tuesday'", "not a date"),
    "exercise is a blob": ("exercise", "X'00FF'", "exercise"),
    "peak is a blob": ("left_peak_deg", "X'00'", "left_peak_deg"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_a_bad_row_is_left_out_with_a_note_and_the_others_listed(tmp_path: Path, case: str) -> None:
    column, sql_value, why = BAD_ROWS[case]
    db = tmp_path / "history.sqlite"
    ids = [record_session(db, _report(float(n))) for n in range(3)]
    with _sql(db) as con:
        con.execute(f"UPDATE sessions SET {column} = {sql_value} WHERE id = ?", (ids[1],))
    found = read_history(db)
    assert [s.id for s in found.sessions] == [ids[0], ids[2]]
    [note] = found.skipped
    assert f"Session {ids[1]}" in note and why in note, note
    assert [s.id for s in list_sessions(db)] == [ids[0], ids[2]]
    assert len(list(csv.reader(io.StringIO(export_csv(db))))) == 3  # header and two rows
    if column == "report_json":
        with pytest.raises(HistoryError, match="cannot be read") as err:
            session_report(db, ids[1])
        _assert_plain(err.value, db)


# --- locks, full disks, read-only files --------------------------------------------------


def test_a_locked_history_gives_a_plain_message_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.sqlite"
    record_session(db, _report())
    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(HistoryError, match="in use by another program") as err:
            record_session(db, _report())
        assert time.monotonic() - started < 3.0
        _assert_plain(err.value, db)
        assert len(list_sessions(db)) == 1  # WAL: readers are not blocked by a writer
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert record_session(db, _report()) == 2


def test_a_full_disk_gives_a_plain_message_and_keeps_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own SQLITE_FULL, made by capping the pages each connection may use."""
    db = tmp_path / "history.sqlite"
    first = record_session(db, _report())
    connect = sqlite3.connect

    def capped(*args: object, **kwargs: object) -> sqlite3.Connection:
        con = connect(*args, **kwargs)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    monkeypatch.setattr(history.sqlite3, "connect", capped)
    with pytest.raises(HistoryError, match="is full") as err:
        record_session(db, _report(padding="x" * 50_000))
    _assert_plain(err.value, db)
    monkeypatch.undo()
    assert [s.id for s in list_sessions(db)] == [first]


_WRITE_FAILS = """
import resource, sys
from outputs.history import HistoryError, record_session
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
try:
    record_session(sys.argv[1], {"exercise": "x", "padding": "x" * 100_000})
except HistoryError as exc:
    print(exc)
"""


def test_a_write_error_from_the_file_system_gives_a_plain_message(tmp_path: Path) -> None:
    """The kernel refuses the write (RLIMIT_FSIZE: EFBIG, SQLite's disk I/O error)."""
    db = tmp_path / "history.sqlite"
    first = record_session(db, _report())
    done = subprocess.run(
        [sys.executable, "-c", _WRITE_FAILS, str(db)],
        capture_output=True, text=True, timeout=60, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert str(db) in done.stdout and "disk" in done.stdout, done.stdout
    assert [s.id for s in list_sessions(db)] == [first]
    with _sql(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_AS_OTHER_USER = """
import json, sys
from outputs.history import HistoryError, list_sessions, record_session
db = sys.argv[1]
out = {}
for name, call in (("record", lambda: record_session(db, {"exercise": "x"})),
                   ("list", lambda: len(list_sessions(db)))):
    try:
        out[name] = call()
    except HistoryError as exc:
        out[name] = "HistoryError: " + str(exc)
print(json.dumps(out))
"""


def _python_for(user: int) -> str | None:
    """A Python 3.11+ that the given user may run (this venv's may sit under /root)."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if candidate is None:
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; assert sys.version_info >= (3, 11)"],
                user=user, group=user, extra_groups=[], cwd="/", timeout=30,
                capture_output=True,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return candidate
    return None


@pytest.fixture
def unprivileged() -> Iterator[tuple[Path, Callable[[Path], dict]]]:
    """A folder to set up as root and a runner of history calls without root's powers."""
    root = os.geteuid() == 0
    nobody = 65534
    python = _python_for(nobody) if root else sys.executable
    if python is None:
        pytest.skip("running as root and no Python that user nobody may run")
    folder = Path(tempfile.mkdtemp(prefix="iliacus-history-"))
    folder.chmod(0o755)

    def run(db: Path) -> dict:
        extra = {"user": nobody, "group": nobody, "extra_groups": []} if root else {}
        done = subprocess.run(
            [python, "-c", _AS_OTHER_USER, str(db)], capture_output=True, text=True,
            timeout=60, cwd="/", env={"PYTHONPATH": str(REPO), "PATH": os.defpath}, **extra,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    try:
        yield folder, run
    finally:
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def _give_away(path: Path) -> None:
    """Make path writable by the unprivileged runner (chown to nobody when root)."""
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)


def test_a_read_only_folder_refuses_writes_plainly_and_still_lists(
    unprivileged: tuple[Path, Callable[[Path], dict]],
) -> None:
    folder, run = unprivileged
    shelf = folder / "shelf"
    shelf.mkdir()
    db = shelf / "history.sqlite"
    record_session(db, _report())
    _give_away(db)  # the file may be written, its folder not: no room for the -wal file
    shelf.chmod(0o555)
    before = _snapshot(shelf)
    result = run(db)
    assert result["record"].startswith("HistoryError: ") and str(db) in result["record"]
    assert "read-only" in result["record"] or "cannot be opened" in result["record"]
    assert result["list"] == 1
    assert _snapshot(shelf) == before


def test_a_read_only_file_refuses_writes_plainly_and_still_lists(
    unprivileged: tuple[Path, Callable[[Path], dict]],
) -> None:
    folder, run = unprivileged
    shelf = folder / "shelf"
    shelf.mkdir()
    db = shelf / "history.sqlite"
    record_session(db, _report())
    db.chmod(0o444)
    _give_away(shelf)  # the folder may be written, the file not
    before = db.read_bytes()
    result = run(db)
    assert result["record"].startswith("HistoryError: ") and "read-only" in result["record"]
    assert result["list"] == 1
    assert db.read_bytes() == before


def test_a_new_history_in_a_read_only_folder_is_refused_plainly(
    unprivileged: tuple[Path, Callable[[Path], dict]],
) -> None:
    folder, run = unprivileged
    shelf = folder / "shelf"
    shelf.mkdir()
    shelf.chmod(0o555)
    db = shelf / "history.sqlite"
    result = run(db)
    assert result["record"].startswith("HistoryError: ") and "read-only" in result["record"]
    assert result["list"] == 0
    assert list(shelf.iterdir()) == []


# --- writing, deleting, reports, CSV --------------------------------------------------------


def test_sessions_come_back_in_date_order_with_utc_dates(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    plus_two = timezone(timedelta(hours=2))
    record_session(db, _report(1.0), datetime(2026, 11, 3, 9, 0, tzinfo=plus_two))
    record_session(db, _report(2.0), datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    rows = list_sessions(db)
    assert [r.recorded_at for r in rows] == [
        "2026-11-01T09:00:00+00:00",
        "2026-11-03T07:00:00+00:00",
    ]
    assert list_sessions(db, exercise="thomas_test") == []


LABELS = {
    "caller's label": ({"source_label": "monday.mp4", "source": "/tmp/x/up.mp4"}, "monday.mp4"),
    "webcam": ({"source_label": "webcam", "source": "0"}, "webcam"),
    "server temp path": ({"source": "/tmp/tmpq1w2e3/session one.mov"}, "session one.mov"),
    "windows path": ({"source": "C:\\Users\\me\\Videos\\hips.mp4"}, "hips.mp4"),
    "no source": ({}, None),
    "source not text": ({"source": ["a", "b"]}, None),
    "label not text": ({"source_label": 3, "source": "a/b.npz"}, "b.npz"),
}


@pytest.mark.parametrize("case", LABELS)
def test_the_label_is_a_file_name_never_a_path(tmp_path: Path, case: str) -> None:
    fields, expected = LABELS[case]
    db = tmp_path / "history.sqlite"
    record_session(db, {"exercise": "half_kneeling_stretch", **fields})
    [row] = list_sessions(db)
    assert row.label == expected


HOSTILE_VALUES = {
    "sides is a list": {"sides": [1, 2]},
    "side is text": {"sides": {"right": "good"}},
    "peak is text": {"sides": {"right": {"peak_hip_extension_deg": "12"}}},
    "reps is a bool": {"sides": {"right": {"reps": True}}},
    "reps is huge": {"sides": {"right": {"reps": 10**30}}},
    "peak is beyond any float": {"sides": {"right": {"peak_hip_extension_deg": 10**400}}},
    "exercise is a number": {"exercise": 5},
    "asymmetry is a dict": {"asymmetry_deg": {"a": 1}},
}


@pytest.mark.parametrize("case", HOSTILE_VALUES)
def test_odd_report_values_are_saved_without_their_numbers_not_refused(
    tmp_path: Path, case: str
) -> None:
    db = tmp_path / "history.sqlite"
    report = {"source": "clip.mp4", **HOSTILE_VALUES[case]}
    session_id = record_session(db, report)
    found = read_history(db)
    assert found.skipped == ()
    [row] = found.sessions
    assert row.right_peak_deg is None and row.right_reps is None and row.asymmetry_deg is None
    assert session_report(db, session_id) == json.loads(json.dumps(report))


@pytest.mark.parametrize(
    "report",
    [{"peak": math.nan}, {"peak": math.inf}, ["not", "a", "dict"], "text", None],
    ids=["NaN", "infinity", "list", "text", "None"],
)
def test_a_report_that_cannot_be_saved_is_refused_before_touching_the_disk(
    tmp_path: Path, report: object
) -> None:
    db = tmp_path / "history.sqlite"
    with pytest.raises(HistoryError):
        record_session(db, report)  # type: ignore[arg-type]
    assert not db.exists()


def test_a_circular_report_is_refused(tmp_path: Path) -> None:
    report: dict = {"exercise": "x"}
    report["self"] = report
    with pytest.raises(HistoryError, match="JSON"):
        record_session(tmp_path / "history.sqlite", report)


def test_delete_session_report_and_export_csv(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    ids = [record_session(db, _report(float(n), source_label=f"day{n}.mp4")) for n in range(3)]
    record_session(db, _report(5.0, source_label='=HYPERLINK("http://x")'))
    assert session_report(db, ids[1])["sides"]["right"]["peak_hip_extension_deg"] == 1.0
    assert list_sessions(db)[1].report(db) == session_report(db, ids[1])
    assert delete_session(db, ids[1]) is True
    assert delete_session(db, ids[1]) is False
    with pytest.raises(HistoryError, match="not in") as err:
        session_report(db, ids[1])
    _assert_plain(err.value, db)
    table = list(csv.DictReader(io.StringIO(export_csv(db))))
    assert list(table[0]) == list(CSV_COLUMNS) and "source" not in CSV_COLUMNS
    assert [r["id"] for r in table] == ["1", "3", "4"]
    assert table[0]["label"] == "day0.mp4" and table[0]["right_peak_deg"] == "0.0"
    assert table[0]["left_peak_deg"] == ""
    assert table[2]["label"].startswith("'=")  # a spreadsheet shows it, does not run it


@pytest.mark.parametrize("bad_id", ["1", 1.0, None, True])
def test_a_session_id_must_be_a_whole_number(tmp_path: Path, bad_id: object) -> None:
    db = tmp_path / "history.sqlite"
    record_session(db, _report())
    for call in (session_report, delete_session):
        with pytest.raises(HistoryError, match="whole number"):
            call(db, bad_id)  # type: ignore[arg-type]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(report=st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_any_json_report_round_trips(tmp_path: Path, report: dict) -> None:
    db = tmp_path / "history.sqlite"
    session_id = record_session(db, report)
    assert session_report(db, session_id) == report
    assert session_id in {s.id for s in read_history(db).sessions}


# --- SIGKILL at random moments ------------------------------------------------------------

_KILL_REPORT = """
def kill_report(run, n):
    return {"exercise": "half_kneeling_stretch", "run": run, "n": n,
            "source_label": f"run{run}-{n}.mp4",
            "sides": {"right": {"peak_hip_extension_deg": run + n / 1000, "reps": n}},
            "padding": "abcdefghij" * ((run * 7919 + n * 104729) % 3000)}
"""

_RECORDER = (
    _KILL_REPORT
    + """
import sys
from outputs.history import record_session
db, run = sys.argv[1], int(sys.argv[2])
n = 0
while True:
    session_id = record_session(db, kill_report(run, n))
    sys.stdout.write(f"{session_id} {run} {n}\\n")
    sys.stdout.flush()
    n += 1
"""
)


def _wait_for_output(proc: subprocess.Popen, deadline: float) -> None:
    """Block until the child has acknowledged at least one session, or the deadline."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
    assert ready, "the recorder acknowledged nothing in time"


def test_sigkill_at_random_moments_never_loses_an_acknowledged_session(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    rng = random.Random(20261101)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    acknowledged: dict[int, tuple[int, int]] = {}
    started = time.monotonic()
    for run in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-c", _RECORDER, str(db), str(run)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env,
        )  # fmt: skip
        try:
            _wait_for_output(proc, time.monotonic() + 20)
            time.sleep(rng.uniform(0.0, 0.4))
        finally:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=20)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        for line in out.split(b"\n")[:-1]:  # the part after the last newline was not acknowledged
            session_id, run_no, n = map(int, line.split())
            acknowledged[session_id] = (run_no, n)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"20 kills took {elapsed:.1f} s"
    assert len(acknowledged) >= 20
    with _sql(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    expected: dict = {}
    exec(_KILL_REPORT, expected)
    for session_id, (run_no, n) in acknowledged.items():
        assert session_report(db, session_id) == expected["kill_report"](run_no, n)
    found = read_history(db)
    assert found.skipped == ()
    assert set(acknowledged) <= {s.id for s in found.sessions}


def test_a_file_name_with_a_nul_byte_is_refused_plainly(tmp_path: Path) -> None:
    db = tmp_path / "bad\x00name.sqlite"
    for call in (list_sessions, lambda d: record_session(d, _report())):
        with pytest.raises(HistoryError, match="not a usable file name"):
            call(db)


def test_the_default_history_path_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ILIACUS_HISTORY", str(tmp_path / "h.sqlite"))
    assert history.default_history_path() == tmp_path / "h.sqlite"
    monkeypatch.delenv("ILIACUS_HISTORY")
    assert history.default_history_path() == Path.home() / ".iliacus" / "history.sqlite"
