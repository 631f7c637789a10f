"""Analyse a recording (or a built-in rendered demo clip) as an exercise.

A page beside the live session (app.py, the first page) and Progress. It calls the analysis
service and shows its typed result through the shared report view.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.records import Analysis
from analysis.service import AnalysisOptions
from outputs import presenter as say
from outputs.history import HistoryError, default_history_path, record_session
from outputs.report_json import report_dict
from pose.sources import InputError, quiet_decoder_logs
from ui.demo_clips import RENDERED_LABEL, demo_clips
from ui.report_view import show_downloads, show_report
from ui.uploads import ACCEPTED_SUFFIXES, UploadFolder, local_file, shown_name, sweep_stale
from ui.widgets import (
    analyse_with_progress,
    pick_demo_clip,
    pick_exercise,
    pick_side,
    safety_notes,
)

UPLOAD = "Upload a recording"
DEMO = "Built-in demo clip (rendered person)"
LOCAL = "A file on this computer"


@st.cache_resource
def _swept_at_start() -> int:
    """Once per server start: remove upload folders a crash left behind (older than a day)."""
    return len(sweep_stale())


def uploads() -> UploadFolder:
    """This browser session's upload folder (removed when the session ends)."""
    if "uploads" not in st.session_state:
        st.session_state.uploads = UploadFolder()
    return st.session_state.uploads


def choose_input() -> tuple[Path | None, str, str | None, str | None]:
    """(path, the name a person knows it by, its exercise if known, its kind if a demo)."""
    clips = demo_clips()
    options = [UPLOAD, DEMO, LOCAL] if clips else [UPLOAD, LOCAL]
    how = st.radio("What to analyse", options, horizontal=True)
    if how == UPLOAD:
        upload = st.file_uploader(
            "Video, image or saved landmark track (.npz)",
            type=sorted(s.lstrip(".") for s in ACCEPTED_SUFFIXES),
        )
        if upload is None:
            return None, "", None, None
        path = uploads().save(upload.file_id, upload.name, upload.getvalue())
        return path, shown_name(upload.name), None, None
    if how == DEMO:
        clip = pick_demo_clip(clips)
        st.caption(f"A {RENDERED_LABEL}, with known angles.")
        st.video(str(clip.path))
        return clip.path, say.demo_clip_label(clip.name), clip.exercise, "demo"
    text = st.text_input("Path to a video, image or .npz track")
    if not text:
        return None, "", None, None
    try:
        return local_file(text), shown_name(text), None, None
    except InputError as exc:
        st.error(str(exc))
        return None, "", None, None


def save(analysis: Analysis) -> None:
    try:
        record_session(default_history_path(), report_dict(analysis.report))
    except HistoryError as exc:
        st.error(f"The session was not saved to your progress history: {exc}")
        return
    st.success("Saved to your progress history (see Progress).")


def main() -> None:
    st.set_page_config(
        page_title="Analyse a recording · Iliacus stretch form checker", layout="wide"
    )
    _swept_at_start()
    quiet_decoder_logs()  # a damaged video is said in one line of ours, not FFmpeg's
    st.title("Iliacus stretch form checker")
    st.write(
        "Checks hip-flexor self-tests and stretches from a side-on recording: hip extension, knee, "
        "thigh and trunk angles for both legs, form faults, holds, reps and a verdict. For a live "
        "session in front of the webcam, open the first page (**Live session**); for past sessions, "
        "**Progress**."
    )
    safety_notes()
    path, label, shown_exercise, kind = choose_input()
    cols = st.columns([3, 2])
    exercise = pick_exercise(shown_exercise, cols[0])
    side = pick_side(cols[1])
    level = st.checkbox(
        "The camera is level (lying tests: measure the thigh against the image horizontal)"
    )
    wants_save = st.checkbox("Save this session to my progress history", value=False)
    if path is not None and st.button("Analyse", type="primary"):
        options = AnalysisOptions(
            exercise=exercise,
            side=side,
            table_line="image" if level else "trunk",
            label=label,
            kind=kind,
        )
        st.session_state.pop("analysis", None)  # a failed run must not leave the old result up
        st.session_state.pop("analysis_path", None)
        analysis = analyse_with_progress(
            path, label, options, "Finding the body and measuring angles…"
        )
        if analysis is not None:
            st.session_state.analysis = analysis
            st.session_state.analysis_path = path  # its frames, for key frames and the video
            if wants_save:
                save(analysis)
    analysis = st.session_state.get("analysis")
    if analysis is not None:
        st.header(f"{say.report_title(analysis.report)}: {analysis.report.source_label}")
        video = st.session_state.get("analysis_path")
        show_report(
            analysis.report, analysis.series, key="recording", analysis=analysis, video=video
        )
        show_downloads(analysis, analysis.report, key="recording", video=video)


main()
