"""The one report view of the app: a recording's, a live session's and a saved session's report
look the same. Reads records only; every word comes from `outputs.presenter`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.records import Analysis, Report
from exercises.result import (
    BORDERLINE,
    COMPLETED,
    INCOMPLETE,
    INCONCLUSIVE,
    NORMAL,
    NOT_TESTED,
    TIGHT,
    ExerciseResult,
)
from outputs import presenter as say
from outputs.angles_csv import angles_csv_text
from outputs.pdf import pdf_bytes
from outputs.plots import angle_plot_png
from outputs.report_json import report_text
from pose.angles import AngleSeries

VERDICT_STYLE = {
    NORMAL: st.success,
    COMPLETED: st.success,
    TIGHT: st.warning,
    BORDERLINE: st.warning,
    INCOMPLETE: st.info,
    INCONCLUSIVE: st.info,
    NOT_TESTED: st.info,
}


def show_verdicts(result: ExerciseResult) -> None:
    """Per leg: the verdict, the numbers it was decided on, findings, reasons, holds and faults."""
    st.subheader(result.name)
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right"), strict=True):
        s = result.sides[side]
        with col:
            lines = [f"**{say.verdict_title(side, s.verdict)}**"]
            lines += [f"- {v}" for v in say.decisive_values(s, result)]
            VERDICT_STYLE.get(s.verdict, st.info)("\n".join(lines))
            st.metric("Peak hip extension", say.degrees(s.peak_hip_extension_deg))
            for finding in s.findings:
                st.markdown(f"- {say.finding_sentence(finding, side)}")
            for reason in s.reasons:
                st.caption(reason)
            details = say.side_details(s) + [say.fault_line(f) for f in s.faults]
            if details:
                st.write("; ".join(details))
    st.write(say.both_sides_line(result))
    line = say.asymmetry_line(result)
    if line:
        st.write(line)
    not_assessed = {n.id: n for s in result.sides.values() for n in s.not_assessed}
    for n in not_assessed.values():
        st.caption(say.not_assessed_line(n))


def show_report(report: Report, series: AngleSeries | None, key: str) -> None:
    """The whole report view; `key` keeps the widgets of two views on one page apart."""
    st.caption(say.session_line(report))
    for warning in report.warnings:
        st.warning(warning)
    cols = st.columns(4)
    cols[0].metric("Frames", report.frames)
    cols[1].metric("Duration", say.seconds(report.duration_s))
    cols[2].metric("Person found", say.percent(report.pose_detected_fraction))
    off = report.view.off_axis_deg
    cols[3].metric("Camera off side-on", say.DASH if off is None else f"{off:.0f}°")
    if report.exercise is not None:
        show_verdicts(report.exercise)
    st.caption(say.DISCLAIMER)
    if series is not None and len(series) > 1:
        st.subheader("Angle over time")
        st.image(angle_plot_png(report, series), width="stretch")
        st.caption(
            "Hip extension: + knee behind the trunk line, − in front. Thigh to the table line: "
            "+ above it. The shaded band is the target range."
        )
    st.subheader("Angles over the whole recording")
    rows = say.angle_rows(report)
    st.dataframe(
        pd.DataFrame(rows, columns=["leg", "angle", "lowest", "median", "highest"]),
        hide_index=True,
        width="stretch",
    )
    result = report.exercise
    if result is not None and result.cues:
        with st.expander(f"Cues given ({len(result.cues)})"):
            st.markdown(say.bullet(say.cue_line(c) for c in result.cues))
    if result is not None and result.thresholds_used:
        with st.expander("Values used and their sources"):
            st.dataframe(
                pd.DataFrame(
                    say.threshold_rows(result), columns=["what it decides", "value", "source"]
                ),
                hide_index=True,
                width="stretch",
            )


def _pdf(report: Report, series: AngleSeries | None, key: str) -> bytes:
    """The PDF, made once per report (a rerun of the page must not rebuild it)."""
    slot = f"_pdf-{key}"
    cached = st.session_state.get(slot)
    if cached is None or cached[0] is not report:
        cached = (report, pdf_bytes(report, series))
        st.session_state[slot] = cached
    return cached[1]


def show_downloads(analysis: Analysis | None, report: Report, key: str) -> None:
    """PDF, angles.csv, report.json and the landmark track (no video), made in memory."""
    series = analysis.series if analysis is not None else None
    cols = st.columns(4)
    cols[0].download_button(
        "Report (PDF)", _pdf(report, series, key), "report.pdf", "application/pdf", key=f"{key}-pdf"
    )
    cols[1].download_button(
        "report.json", report_text(report), "report.json", "application/json", key=f"{key}-json"
    )
    if analysis is not None:
        cols[2].download_button(
            "angles.csv",
            angles_csv_text(analysis.series),
            "angles.csv",
            "text/csv",
            key=f"{key}-csv",
        )
        cols[3].download_button(
            "Landmark track (.npz, no video)",
            analysis.track.to_npz_bytes(),
            "landmarks.npz",
            key=f"{key}-npz",
        )
