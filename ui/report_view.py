"""The one report view of the app: a recording's, a live session's and a saved session's report
look the same. Reads records only; every word comes from `outputs.presenter`.

Given the `Analysis` (not only its report), the view also shows the key frames — the frame each
leg's result came from, its angles drawn, left and right side by side: on the recording's own frame
when the page passes the `video` it was measured from, else the skeleton on a plain background (a
live session or a landmark track keeps no video). A saved session has only its report: no key
frames, and the view says so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

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
from outputs.keyframes import KeyFrame, key_frames
from outputs.pdf import pdf_bytes
from outputs.plots import angle_plot_png
from outputs.report_json import report_text
from outputs.timeline import Timeline, engine_timeline
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
            label, value = say.headline_measure(s, result)
            st.metric(label, value)
            for finding in s.findings:
                st.markdown(f"- {say.finding_sentence(finding, side)}")
            for reason in s.reasons:
                st.caption(reason)
            details = say.side_details(s, result) + [say.fault_line(f) for f in s.faults]
            if details:
                st.write("; ".join(details))
    st.write(say.both_sides_line(result))
    line = say.asymmetry_line(result)
    if line:
        st.write(line)
    not_assessed = {n.id: n for s in result.sides.values() for n in s.not_assessed}
    for n in not_assessed.values():
        st.caption(say.not_assessed_line(n))


def _cached(key: str, slot: str, owner: object, make):
    """`make()` once per `owner` (a report) and view: a rerun of the page must not redo it."""
    name = f"_{slot}-{key}"
    cached = st.session_state.get(name)
    if cached is None or cached[0] is not owner:
        cached = (owner, make())
        st.session_state[name] = cached
    return cached[1]


def _timeline(report: Report, series: AngleSeries | None, key: str) -> Timeline | None:
    return _cached(key, "timeline", report, lambda: engine_timeline(report, series))


def report_key_frames(
    analysis: Analysis, key: str, video: str | Path | None = None, width: int = 640
) -> list[KeyFrame]:
    """The analysis's key frames, drawn once per report and view (on `video`'s frames if given)."""
    timeline = _timeline(analysis.report, analysis.series, key)
    return _cached(
        key,
        f"keyframes-{width}",
        analysis.report,
        lambda: key_frames(analysis, video, width=width, timeline=timeline),
    )


def show_key_frames(frames: list[KeyFrame], result: ExerciseResult) -> None:
    """Left and right key frames side by side; a leg without one says why."""
    by_side = {f.side: f for f in frames}
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right"), strict=True):
        with col:
            if side in by_side:
                frame = by_side[side]
                st.image(frame.png(), width="stretch")  # its title and reason are drawn in it
            else:
                st.info(
                    f"**{say.verdict_title(side, result.sides[side].verdict)}**  \n"
                    f"{say.no_key_frame_line(result.sides[side])}"
                )


def show_report(
    report: Report,
    series: AngleSeries | None,
    key: str,
    analysis: Analysis | None = None,
    video: str | Path | None = None,
) -> None:
    """The whole report view; `key` keeps the widgets of two views on one page apart.

    Pass `analysis` for the key frames, and `video` (the file it was measured from) to draw them
    on the recording's own frames.
    """
    st.caption(say.session_line(report))
    for warning in report.warnings:
        st.warning(warning)
    cols = st.columns(4)
    cols[0].metric("Frames", report.frames)
    cols[1].metric("Duration", say.seconds(report.duration_s))
    cols[2].metric("Person found", say.percent(report.pose_detected_fraction))
    off = report.view.off_axis_deg
    cols[3].metric("Camera off side-on", say.DASH if off is None else f"{off:.0f}°")
    frames: list[KeyFrame] = []
    if report.exercise is not None:
        show_verdicts(report.exercise)
        if analysis is not None and analysis.report is report:
            frames = report_key_frames(analysis, key, video)
            if frames:
                st.subheader("Key frames")
                st.caption(say.KEY_FRAMES_PDF_NOTE)
                show_key_frames(frames, report.exercise)
        elif analysis is None and series is None:
            st.caption(say.KEY_FRAMES_NOT_KEPT)
    st.caption(say.DISCLAIMER)
    if series is not None and len(series) > 1:
        timeline = _timeline(report, series, key)
        st.subheader("Angles over time")
        marks = {f.side: f.t_s for f in frames}
        st.image(
            _cached(key, "plot", report, lambda: angle_plot_png(report, series, timeline, marks)),
            width="stretch",
        )
        st.caption(say.plot_caption(report.exercise, timeline, bool(frames)))
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


def _pdf(analysis: Analysis | None, report: Report, key: str, video=None) -> bytes:
    """The PDF (with the key frames when the analysis is at hand), made once per report."""

    def make() -> bytes:
        if analysis is None:
            return pdf_bytes(report, None)
        frames = report_key_frames(analysis, key, video)
        timeline = _timeline(report, analysis.series, key)
        return pdf_bytes(report, analysis.series, frames, timeline)

    return _cached(key, "pdf", report, make)


def annotated_video_bytes(analysis: Analysis, video: str | Path) -> bytes:
    """The recording with the analysis drawn on (skeleton, angles, cues), as MP4 bytes; written
    to a temporary file that is removed before this returns."""
    from outputs.video import cue_at, write_annotated_video

    result = analysis.exercise
    cues = result.cues if result else ()
    shown = result.threshold("engine.cue_display_s") if result else None
    text_at = cue_at(cues, shown.value if shown and shown.value else 0.0)
    with tempfile.TemporaryDirectory(prefix="iliacus-video-") as folder:
        out = Path(folder) / "annotated.mp4"
        write_annotated_video(video, analysis.track, analysis.series, out, text_at)
        return out.read_bytes()


def offer_annotated_video(analysis: Analysis, video: str | Path | None, key: str) -> None:
    """A button that makes the annotated copy of the recording (only on request: it re-reads and
    re-encodes every frame), then its download."""
    if video is None or analysis.report.source_kind not in ("video", "demo"):
        return
    slot = f"_video-{key}"
    made = st.session_state.get(slot)
    if made is None or made[0] is not analysis.report:
        if st.button("Make the annotated video", key=f"{key}-make-video"):
            with st.spinner("Drawing the skeleton, angles and cues on every frame…"):
                made = (analysis.report, annotated_video_bytes(analysis, video))
            st.session_state[slot] = made
        else:
            return
    st.download_button(
        "Annotated video (MP4)", made[1], "annotated.mp4", "video/mp4", key=f"{key}-video"
    )


def show_downloads(
    analysis: Analysis | None, report: Report, key: str, video: str | Path | None = None
) -> None:
    """PDF, angles.csv, report.json and the landmark track (no video), made in memory; with the
    `video` the analysis was measured from, the annotated video on request."""
    series = analysis.series if analysis is not None else None
    cols = st.columns(4)
    cols[0].download_button(
        "Report (PDF)",
        _pdf(analysis, report, key, video),
        "report.pdf",
        "application/pdf",
        key=f"{key}-pdf",
    )
    cols[1].download_button(
        "report.json", report_text(report), "report.json", "application/json", key=f"{key}-json"
    )
    if analysis is not None and series is not None:
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
        offer_annotated_video(analysis, video, key)
