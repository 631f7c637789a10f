"""Progress page: sessions saved to the history, per exercise, for the person or their therapist."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from exercises.catalog import load_exercises
from outputs.history import default_history_path, list_sessions


def main() -> None:
    st.set_page_config(page_title="Progress", layout="wide")
    st.title("Progress")
    db = default_history_path()
    sessions = list_sessions(db)
    if not sessions:
        st.info(
            "No saved sessions yet. Tick “Save this session to my progress history” when you "
            f"analyse a recording. (History file: {db})"
        )
        return
    names = {k: d.name for k, d in load_exercises().items()}
    done = sorted({s.exercise for s in sessions if s.exercise})
    if not done:
        st.info("The saved sessions measured angles only; choose an exercise to follow progress.")
        return
    exercise = st.selectbox("Exercise", done, format_func=lambda e: names.get(e, e))
    rows = [s for s in sessions if s.exercise == exercise]
    table = pd.DataFrame(
        {
            "when": [r.recorded_at for r in rows],
            "left peak (°)": [r.left_peak_deg for r in rows],
            "right peak (°)": [r.right_peak_deg for r in rows],
            "left verdict": [r.left_verdict for r in rows],
            "right verdict": [r.right_verdict for r in rows],
            "left–right (°)": [r.asymmetry_deg for r in rows],
            "source": [r.source for r in rows],
        }
    )
    st.subheader("Peak hip extension per session")
    st.line_chart(table.set_index("when")[["left peak (°)", "right peak (°)"]])
    st.dataframe(table, hide_index=True, width="stretch")
    pick = st.selectbox(
        "Session report", rows, format_func=lambda r: f"{r.recorded_at}  {r.source}"
    )
    st.download_button(
        "report.json", json.dumps(pick.report(db), indent=2), f"report-{pick.id}.json"
    )
    st.caption("Guidance on form and range, not a diagnosis.")


main()
