"""Streamlit front end: open a recording (or a built-in rendered demo clip) and see its angles.

Run with `streamlit run app.py`. All measuring is done by analyze.py's pipeline; this page only
wires it to a browser and presents the results.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import analyze
from pose.export import read_angles_csv
from pose.sources import IMAGE_SUFFIXES, InputError
from pose.track import PoseTrack

DEMO_DIR = Path(__file__).resolve().parent / "synth" / "clips"
SAFETY = (
    "Stretch to a gentle pull, never pain. Stop on sharp, shooting or radiating pain, numbness or "
    "tingling. After a recent hip or back injury or surgery (a hip replacement brings limits of its "
    "own), or in pregnancy, ask a clinician first. This app gives guidance on form and range, not a "
    "diagnosis."
)
UPLOAD_TYPES = ["mp4", "mov", "avi", "mkv", "webm", "npz", *[s.lstrip(".") for s in IMAGE_SUFFIXES]]


def demo_clips() -> list[Path]:
    """Rendered clips shipped with the project (people made by the generator, not filmed)."""
    return sorted(DEMO_DIR.glob("*.mp4")) if DEMO_DIR.is_dir() else []


def workdir() -> Path:
    """A folder for this browser session's files (per session, never shared between users)."""
    if "workdir" not in st.session_state:
        st.session_state.workdir = tempfile.mkdtemp(prefix="iliacus-")
    return Path(st.session_state.workdir)


def choose_input() -> tuple[Path | None, str]:
    """The recording the person picked, saved to disk if it was uploaded, and how to label it."""
    clips = demo_clips()
    options = ["Upload a recording", "A file on this computer"]
    if clips:
        options.insert(1, "Built-in demo clip (rendered person)")
    how = st.radio("What to analyse", options, horizontal=True)
    if how == "Upload a recording":
        upload = st.file_uploader("Video, image or saved landmark track (.npz)", type=UPLOAD_TYPES)
        if upload is None:
            return None, ""
        path = workdir() / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return path, upload.name
    if how.startswith("Built-in"):
        clip = st.selectbox("Demo clip", clips, format_func=lambda p: p.stem.replace("_", " "))
        st.caption("Rendered person with known angles, not a real recording.")
        return clip, f"{clip.name} (rendered demo)"
    text = st.text_input("Path to a video, image or .npz track")
    return (Path(text).expanduser(), text) if text else (None, "")


def run(path: Path, table_line: str) -> dict | None:
    out = workdir() / "results"
    args = analyze.build_parser().parse_args(
        [str(path), "--out", str(out), "--table-line", table_line, "--quiet"]
    )
    try:
        with st.spinner("Finding the body and measuring angles..."):
            return analyze.analyze(args)
    except InputError as exc:
        st.error(str(exc))
        return None


def show_report(report: dict, out: Path) -> None:
    for warning in report["warnings"]:
        st.warning(warning)
    cols = st.columns(4)
    cols[0].metric("Frames", report["frames"])
    cols[1].metric("Duration", f"{report['duration_s']:.1f} s")
    cols[2].metric("Person found", f"{report['pose_detected_fraction']:.0%}")
    view = report["view"]
    off = view.get("off_axis_deg")
    cols[3].metric("Camera off side-on", "?" if off is None else f"{off:.0f}°")

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
    st.download_button("angles.csv", (out / "angles.csv").read_bytes(), "angles.csv", "text/csv")
    st.download_button(
        "report.json", json.dumps(report, indent=2), "report.json", "application/json"
    )
    st.download_button(
        "landmarks.npz (no video, for re-analysis)",
        (out / "landmarks.npz").read_bytes(),
        "landmarks.npz",
    )
    track = PoseTrack.load(out / "landmarks.npz")
    st.caption(
        f"Landmark track: {len(track)} frames, image {track.image_size[0]}×{track.image_size[1]}."
    )


def main() -> None:
    st.set_page_config(page_title="Iliacus stretch form checker", layout="wide")
    st.title("Iliacus stretch form checker")
    st.write(
        "Measures hip extension, knee flexion, thigh and trunk angles for both legs from a side-on "
        "recording. Live webcam coaching and exercise verdicts come in later versions."
    )
    with st.expander("Before you stretch", expanded=False):
        st.write(SAFETY)
    path, label = choose_input()
    level = st.checkbox(
        "The camera is level (lying tests: measure the thigh against the image horizontal)"
    )
    if path is not None and st.button("Analyse", type="primary"):
        report = run(path, "image" if level else "trunk")
        if report is not None:
            st.session_state.report = report
            st.session_state.label = label
    if "report" in st.session_state:
        st.header(st.session_state.label)
        show_report(st.session_state.report, workdir() / "results")


main()
