"""Streamlit front end: analyse a recording (or a built-in rendered demo clip) as an exercise.

Run with `streamlit run app.py`. All measuring is done by analyze.py's pipeline; this page only
wires it to a browser and presents the results. The live webcam page and the progress page are in
pages/.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import analyze
from outputs.angles_csv import read_angles_csv
from outputs.history import default_history_path
from pose.sources import IMAGE_SUFFIXES, InputError
from ui.demo_clips import RENDERED_LABEL, demo_clips
from ui.widgets import pick_demo_clip, pick_exercise, pick_side

SAFETY = (
    "Stretch to a gentle pull, never pain. Stop on sharp, shooting or radiating pain, numbness or "
    "tingling. After a recent hip or back injury or surgery (a hip replacement brings limits of its "
    "own), or in pregnancy, ask a clinician first. This app gives guidance on form and range, not a "
    "diagnosis."
)
UPLOAD_TYPES = ["mp4", "mov", "avi", "mkv", "webm", "npz", *[s.lstrip(".") for s in IMAGE_SUFFIXES]]
VERDICT_STYLE = {"normal": st.success, "tight": st.warning, "inconclusive": st.info}


def workdir() -> Path:
    """A folder for this browser session's files (per session, never shared between users)."""
    if "workdir" not in st.session_state:
        st.session_state.workdir = tempfile.mkdtemp(prefix="iliacus-")
    return Path(st.session_state.workdir)


def choose_input() -> tuple[Path | None, str, str | None]:
    """The recording the person picked (saved to disk if uploaded), its label, and its exercise if known."""
    clips = demo_clips()
    options = ["Upload a recording", "A file on this computer"]
    if clips:
        options.insert(1, "Built-in demo clip (rendered person)")
    how = st.radio("What to analyse", options, horizontal=True)
    if how == "Upload a recording":
        upload = st.file_uploader("Video, image or saved landmark track (.npz)", type=UPLOAD_TYPES)
        if upload is None:
            return None, "", None
        path = workdir() / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return path, upload.name, None
    if how.startswith("Built-in"):
        clip = pick_demo_clip(clips)
        st.caption(f"A {RENDERED_LABEL}, with known angles.")
        st.video(str(clip.path))
        return clip.path, f"{clip.path.name} ({RENDERED_LABEL})", clip.exercise
    text = st.text_input("Path to a video, image or .npz track")
    return (Path(text).expanduser(), text, None) if text else (None, "", None)


def run(path: Path, exercise: str | None, side: str, level: bool, save: bool) -> dict | None:
    out = workdir() / "results"
    argv = [str(path), "--out", str(out), "--quiet", "--pdf"]
    argv += ["--table-line", "image" if level else "trunk"]
    if exercise:
        argv += ["--exercise", exercise, "--side", side]
    if save:
        argv += ["--history", str(default_history_path())]
    args = analyze.build_parser().parse_args(argv)
    try:
        with st.spinner("Finding the body and measuring angles..."):
            return analyze.analyze(args)
    except InputError as exc:
        st.error(str(exc))
        return None


def show_verdicts(report: dict) -> None:
    st.subheader(report.get("exercise_name") or report["exercise"])
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right"), strict=True):
        data = report["sides"][side]
        with col:
            verdict = data.get("verdict") or "–"
            VERDICT_STYLE.get(verdict, st.info)(f"**{side.title()} leg: {verdict}**")
            peak = data.get("peak_hip_extension_deg")
            st.metric("Peak hip extension", "–" if peak is None else f"{peak:+.1f}°")
            for finding in data.get("findings") or []:
                st.write(f"- {finding}")
            for reason in data.get("reasons") or []:
                st.caption(reason)
            details = []
            if data.get("time_in_target_s"):
                details.append(f"{data['time_in_target_s']:.0f} s in the target range")
            if data.get("holds"):
                details.append(f"{len(data['holds'])} hold(s)")
            if data.get("reps"):
                details.append(f"{data['reps']} rep(s)")
            for fault, seconds in (data.get("faults") or {}).items():
                details.append(f"{fault.replace('_', ' ')} for {seconds:.1f} s")
            if details:
                st.write("; ".join(details))
    if report.get("asymmetry_deg") is not None:
        st.write(f"Left–right difference: **{report['asymmetry_deg']:.1f}°**")
    if report.get("cues"):
        with st.expander(f"Cues given ({len(report['cues'])})"):
            st.dataframe(pd.DataFrame(report["cues"]), hide_index=True)


def show_report(report: dict, out: Path) -> None:
    for warning in report["warnings"]:
        st.warning(warning)
    cols = st.columns(4)
    cols[0].metric("Frames", report["frames"])
    cols[1].metric("Duration", f"{report['duration_s']:.1f} s")
    cols[2].metric("Person found", f"{report['pose_detected_fraction']:.0%}")
    off = report["view"].get("off_axis_deg")
    cols[3].metric("Camera off side-on", "?" if off is None else f"{off:.0f}°")
    if report.get("exercise"):
        show_verdicts(report)
    st.caption(report["disclaimer"])

    rows = []
    for side, data in report["sides"].items():
        for angle, s in data["angles"].items():
            rows.append({"side": side, "angle": angle, **s})
    st.subheader("Angles per side (degrees)")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

    angles = read_angles_csv(out / "angles.csv")
    if report["frames"] > 1:
        st.subheader("Hip extension over time")
        chart = pd.DataFrame(
            {
                "left hip extension": angles["left_hip_extension_deg"],
                "right hip extension": angles["right_hip_extension_deg"],
                "trunk incline": angles["trunk_incline_deg"],
            },
            index=pd.Index(np.round(angles["t_s"], 2), name="seconds"),
        )
        st.line_chart(chart)
    st.caption(
        "Hip extension: + knee behind the trunk line, − in front. Trunk incline: + leaning forward. "
        "Angles from the zero-phase filter."
    )
    cols = st.columns(4)
    cols[0].download_button("report.pdf", (out / "report.pdf").read_bytes(), "report.pdf")
    cols[1].download_button("angles.csv", (out / "angles.csv").read_bytes(), "angles.csv")
    cols[2].download_button("report.json", json.dumps(report, indent=2), "report.json")
    cols[3].download_button(
        "landmarks.npz (no video)", (out / "landmarks.npz").read_bytes(), "landmarks.npz"
    )


def main() -> None:
    st.set_page_config(page_title="Iliacus stretch form checker", layout="wide")
    st.title("Iliacus stretch form checker")
    st.write(
        "Checks hip-flexor self-tests and stretches from a side-on recording: hip extension, knee, "
        "thigh and trunk angles for both legs, form faults, holds, reps and a verdict. For live "
        "coaching in front of a webcam, open **Live coaching**; for past sessions, **Progress**."
    )
    with st.expander("Before you stretch", expanded=False):
        st.write(SAFETY)
    path, label, shown_exercise = choose_input()
    cols = st.columns([3, 2])
    exercise = pick_exercise(shown_exercise, cols[0])
    side = pick_side(cols[1])
    level = st.checkbox(
        "The camera is level (lying tests: measure the thigh against the image horizontal)"
    )
    save = st.checkbox("Save this session to my progress history", value=False)
    if path is not None and st.button("Analyse", type="primary"):
        report = run(path, exercise, side, level, save)
        if report is not None:
            st.session_state.report = report
            st.session_state.label = label
    if "report" in st.session_state:
        st.header(st.session_state.label)
        show_report(st.session_state.report, workdir() / "results")


main()
