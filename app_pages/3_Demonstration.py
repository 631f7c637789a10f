"""Demonstration mode: a therapist shows a client the test, often on a second screen.

A recording (or a built-in demo clip) is measured once and the result is frozen on the settled
measurement: the key frame of each leg, large, left and right side by side, with the thigh line,
the reference line and the normal limit drawn on the body. One button measures again (the chosen
recording, or a new one uploaded in its place). A one-page hand-out for the client (the stretch's
instructions with a drawn figure, the client's result with its key frames, the dose and the safety
notes) downloads as PDF. Every word comes from `outputs.presenter` or the exercise data.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.records import Analysis
from analysis.service import AnalysisOptions
from exercises.catalog import load_exercises
from outputs import presenter as say
from outputs.handout import handout_pdf, stretch_for
from ui.demo_clips import RENDERED_LABEL, demo_clips
from ui.report_view import report_key_frames, show_key_frames
from ui.uploads import ACCEPTED_SUFFIXES, UploadFolder, shown_name
from ui.widgets import analyse_with_progress, pick_demo_clip, pick_exercise, pick_side

DEMO = "Built-in demo clip (rendered person)"
UPLOAD = "Upload a recording"
#: Key frames drawn this wide (pixels): large enough for a second screen across a room.
LARGE = 960


def _uploads() -> UploadFolder:
    if "demo_uploads" not in st.session_state:
        st.session_state.demo_uploads = UploadFolder()
    return st.session_state.demo_uploads


def _source() -> tuple[Path | None, str, str | None, str | None]:
    """(path, the name a person knows it by, its exercise if known, "demo" for a clip)."""
    clips = demo_clips()
    how = st.radio("Measure from", [DEMO, UPLOAD] if clips else [UPLOAD], horizontal=True)
    if how == DEMO:
        clip = pick_demo_clip(clips)
        st.caption(f"A {RENDERED_LABEL}.")
        return clip.path, say.demo_clip_label(clip.name), clip.exercise, "demo"
    upload = st.file_uploader(
        "Side-on video or photo of the client in the test position",
        type=sorted(s.lstrip(".") for s in ACCEPTED_SUFFIXES),
    )
    if upload is None:
        return None, "", None, None
    path = _uploads().save(upload.file_id, upload.name, upload.getvalue())
    return path, shown_name(upload.name), None, None


def _measure(path: Path, label: str, options: AnalysisOptions) -> None:
    """Measure and freeze the result; a failure clears the old one and names the file."""
    st.session_state.pop("demo", None)
    analysis = analyse_with_progress(path, label, options, "Finding the body and measuring…")
    if analysis is None:
        return
    st.session_state.demo = (analysis, path)


def _big_verdicts(analysis: Analysis) -> None:
    result = analysis.exercise
    if result is None:
        st.info(say.DEMO_NO_EXERCISE)
        return
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right"), strict=True):
        s = result.sides[side]
        with col:
            st.markdown(f"## {say.verdict_title(side, s.verdict)}")
            for line in say.decisive_values(s, result):
                if not line.startswith("settled from"):
                    st.markdown(f"### {line[0].upper()}{line[1:]}")


def _frozen(analysis: Analysis, path: Path, key: str) -> None:
    result = analysis.exercise
    st.caption(say.session_line(analysis.report))
    _big_verdicts(analysis)
    if result is None:
        return
    video = path if analysis.report.source_kind in ("video", "demo", "image") else None
    frames = report_key_frames(analysis, key, video, width=LARGE)
    show_key_frames(frames, result)
    st.caption(say.DEMO_FROZEN_NOTE)
    with st.expander("Hand-out for the client", expanded=True):
        stretches = {k: d for k, d in load_exercises().items() if d.kind == "stretch"}
        default = stretch_for(analysis.report).id
        ids = sorted(stretches)
        stretch = st.selectbox(
            "Stretch to give",
            ids,
            index=ids.index(default) if default in ids else 0,
            format_func=lambda i: stretches[i].name,
        )
        st.download_button(
            "Hand-out (PDF, one page)",
            handout_pdf(analysis.report, report_key_frames(analysis, key, video), stretch),
            "handout.pdf",
            "application/pdf",
            key="demo-handout",
        )


def main() -> None:
    st.set_page_config(page_title="Demonstration", layout="wide", initial_sidebar_state="collapsed")
    st.title("Demonstration")
    st.caption(say.DEMO_INTRO)
    frozen = st.session_state.get("demo")
    with st.expander("Recording and exercise", expanded=frozen is None):
        path, label, exercise_hint, kind = _source()
        cols = st.columns([3, 2])
        exercise = pick_exercise(exercise_hint, cols[0])
        side = pick_side(cols[1])
    label_now = "Measure again" if frozen is not None else "Measure"
    clicked = st.button(
        label_now, type="primary", disabled=path is None, width="stretch", key="measure"
    )
    if clicked and path is not None:
        _measure(path, label, AnalysisOptions(exercise=exercise, side=side, label=label, kind=kind))
        if st.session_state.get("demo") is not None:
            st.rerun()  # redraw frozen: the button now says "Measure again", the inputs fold away
        frozen = None
    if frozen is not None:
        analysis, source = frozen
        _frozen(analysis, source, key="demo")
    st.caption(f"{' '.join(say.SAFETY_NOTES)} {say.NOT_A_DIAGNOSIS}")


main()
