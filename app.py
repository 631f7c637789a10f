"""The live session, the app's first page: stretch in front of the webcam (or watch a rendered demo
clip), guided, spoken, reported and saved.

Run with `streamlit run app.py` (the project's .streamlit/config.toml binds it to this computer
only). Analysing a recording, Progress and the demonstration are the pages beside it (app_pages/),
listed by `main` under the names a person reads.
"""

from __future__ import annotations

import streamlit as st

from ui.live_view import (
    before_start,
    choose,
    live_panel,
    prepare,
    show_end,
    stream,
    stream_playing,
    tune_garbage_collector,
)
from ui.widgets import safety_notes


def live_session() -> None:
    """The live page."""
    st.set_page_config(page_title="Live session · Iliacus stretch form checker", layout="wide")
    st.title("Live stretch session")
    st.write(
        "Hip-flexor self-tests and stretches in front of the camera: set up, then follow the "
        "instructions; the coach watches your form, times your holds, counts your reps and says "
        "what to change. At the end you get the report, to keep in **Progress**. To analyse a "
        "video you already have, open **Analyse a recording**."
    )
    safety_notes()
    tune_garbage_collector()
    playing = stream_playing()
    with st.sidebar:
        choice = choose(disabled=playing)
    slot = prepare(choice, playing)
    left, right = st.columns([3, 2])
    with left:
        ctx = stream(slot)
    playing = bool(ctx.state.playing or ctx.state.signalling)
    with right:
        if playing:
            live_panel()
        else:
            before_start(choice)
    if not playing and slot.report is not None:
        show_end(slot.report)


def main() -> None:
    """The pages, named for people (without this the first one would be listed as "app")."""
    page = st.navigation(
        [
            st.Page(live_session, title="Live session", url_path="live", default=True),
            st.Page(
                "app_pages/1_Analyse_a_recording.py",
                title="Analyse a recording",
                url_path="Analyse_a_recording",
            ),
            st.Page("app_pages/2_Progress.py", title="Progress", url_path="Progress"),
            st.Page(
                "app_pages/3_Demonstration.py", title="Demonstration", url_path="Demonstration"
            ),
        ]
    )
    page.run()


main()
