"""Progress page: saved sessions per exercise, the measure each test is decided on over time (the
Thomas test's thigh to the table line and knee flexion, the standing test's peak hip extension with
its compensated reps, a stretch's time in range and holds), the normal range shaded, the left–right
difference; and each session's full report (open, PDF, delete with a confirmation), for the person
or their therapist. All sessions export as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.records import Report
from exercises.catalog import load_exercises
from outputs import presenter as say
from outputs.history import (
    HistoryError,
    SessionRow,
    default_history_path,
    delete_session,
    export_csv,
    read_history,
    session_report,
)
from outputs.plots import progress_plot_png
from outputs.report_json import ReportFormatError, report_from_dict
from ui.report_view import show_downloads, show_report


def _reports(db, rows: list[SessionRow]) -> list[tuple[SessionRow, Report]]:
    """Each row with its report; a report that cannot be read is said, and the rest shown."""
    out = []
    for row in rows:
        try:
            out.append((row, report_from_dict(session_report(db, row.id))))
        except (HistoryError, ReportFormatError):
            st.warning(f"Session {row.id} ({row.recorded_at}) could not be read and is left out.")
    return sorted(out, key=lambda pair: pair[1].recorded_at)


def _chart(sessions: list[tuple[SessionRow, Report]]) -> None:
    judged = [rep for _, rep in sessions if rep.exercise is not None]
    if not judged:
        return
    when = [rep.recorded_at for rep in judged]
    measures = [say.followed_measures(rep.exercise) for rep in judged]  # type: ignore[arg-type]
    band_label = say.plot_band_words(judged[-1].exercise.kind)  # type: ignore[union-attr]
    latest = measures[-1]
    cols = st.columns(min(2, len(latest)))
    for k, first in enumerate(latest):
        values = {
            "left": [m[k].left if k < len(m) else None for m in measures],
            "right": [m[k].right if k < len(m) else None for m in measures],
        }
        with cols[k % len(cols)]:
            st.image(
                progress_plot_png(
                    when,
                    values,
                    first.name.capitalize(),
                    first.unit,
                    first.normal,
                    band_label,
                    (min(when), max(when)),
                ),
                width="stretch",
            )
            line = say.progress_difference_line(first)
            if line:
                st.caption(line)


def _table(sessions: list[tuple[SessionRow, Report]]) -> pd.DataFrame:
    """One row per session, newest first: date, the file's own name, verdicts, each followed
    measure per leg and their left–right difference."""
    rows = []
    for _row, rep in reversed(sessions):
        res = rep.exercise
        line = {"when": say.when(rep.recorded_at), "recording": rep.source_label}
        if res is not None:
            for side in ("left", "right"):
                line[f"{side} leg"] = say.verdict_word(res.sides[side].verdict)
            for m in say.followed_measures(res):
                # with how far each value may be off: a borderline verdict shows why
                line[f"{m.name}, left"] = say.measure_text(
                    m.left, m.unit, uncertainty=m.left_uncertainty
                )
                line[f"{m.name}, right"] = say.measure_text(
                    m.right, m.unit, uncertainty=m.right_uncertainty
                )
                if m.unit in ("°", "s"):
                    line[f"{m.name}, left–right difference"] = say.measure_text(
                        say.difference(m.left, m.right), m.unit, signed=False
                    )
        rows.append(line)
    return pd.DataFrame(rows)


def _session_actions(db, sessions: list[tuple[SessionRow, Report]]) -> None:
    by_id = {row.id: (row, rep) for row, rep in sessions}
    pick = st.selectbox(
        "Open a session",
        list(reversed(by_id)),
        format_func=lambda i: f"{say.when(by_id[i][1].recorded_at)} · {by_id[i][1].source_label}",
    )
    if pick is None:
        return
    row, rep = by_id[pick]
    show_report(rep, None, key=f"saved-{row.id}")
    show_downloads(None, rep, key=f"saved-{row.id}")
    if st.button("Delete this session…", key=f"delete-{row.id}"):
        st.session_state.confirm_delete = row.id
    if st.session_state.get("confirm_delete") == row.id:
        st.warning(f"Delete the session of {say.when(rep.recorded_at)} ({rep.source_label})?")
        cols = st.columns(2)
        if cols[0].button("Yes, delete it", type="primary", key=f"yes-{row.id}"):
            try:
                delete_session(db, row.id)
            except HistoryError as exc:
                st.error(str(exc))
                return
            st.session_state.pop("confirm_delete", None)
            st.session_state.deleted = (
                f"Deleted the session of {say.when(rep.recorded_at)} ({rep.source_label})."
            )
            st.rerun()
        if cols[1].button("No, keep it", key=f"no-{row.id}"):
            st.session_state.pop("confirm_delete", None)
            st.rerun()


def main() -> None:
    st.set_page_config(page_title="Progress", layout="wide")
    st.title("Progress")
    if "deleted" in st.session_state:
        st.success(st.session_state.pop("deleted"))
    db = default_history_path()
    try:
        history = read_history(db)
    except HistoryError as exc:
        st.error(str(exc))
        return
    for note in history.skipped:
        st.warning(note)
    if not history.sessions:
        st.info(
            "No saved sessions yet. Tick “Save this session to my progress history” when you "
            "analyse a recording, or save a live session when it ends."
        )
        return
    names = {k: d.name for k, d in load_exercises().items()}
    done = sorted({s.exercise for s in history.sessions if s.exercise})
    choices = [*done, None] if any(s.exercise is None for s in history.sessions) else done
    latest = max(history.sessions, key=lambda s: s.recorded_at).exercise
    exercise = st.selectbox(
        "Exercise",
        choices,
        index=choices.index(latest) if latest in choices else 0,  # the latest session's first
        format_func=lambda e: "angles only (no exercise)" if e is None else names.get(e, e),
    )
    rows = [s for s in history.sessions if s.exercise == exercise]
    sessions = _reports(db, rows)
    st.subheader("Over time")
    if exercise is not None:
        st.caption(say.progress_intro(len(sessions)))
    _chart(sessions)
    table = _table(sessions)
    st.dataframe(table, hide_index=True, width="stretch")
    cols = st.columns(2)
    try:
        csv_text = export_csv(db)
    except HistoryError as exc:
        st.error(str(exc))
    else:
        cols[0].download_button("All sessions (CSV)", csv_text, "sessions.csv", "text/csv")
    cols[1].download_button(
        "This table (CSV)", table.to_csv(index=False), "progress.csv", "text/csv"
    )
    if sessions:
        st.subheader("One session")
        _session_actions(db, sessions)
    st.caption(say.NOT_A_DIAGNOSIS)


main()
