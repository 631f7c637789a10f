"""The PDF a person or their therapist files: date and time, verdicts with their numbers, the key
frames (the frame each verdict came from, its angles drawn), the plot of the decisive angles with
the normal range shaded and each fault's spans marked, what a side view cannot assess, cues, and
every threshold with its source written out. No heading is left alone at the foot of a page: a
heading moves to the next page with whatever must follow it (a paragraph, a picture).

Reads a `Report` (and, for the plot and the fault spans, its angle series; for the key frames, the
`KeyFrame`s drawn by `outputs.keyframes`); all words come from `outputs.presenter`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analysis.records import Report
from exercises.result import ExerciseResult
from outputs import presenter as say
from outputs.keyframes import KeyFrame
from outputs.plots import angle_plot_png
from outputs.timeline import Timeline, engine_timeline
from pose.angles import AngleSeries

#: DejaVu Sans ships with matplotlib: it has °, − and ≥, which the PDF core fonts lack.
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
#: A heading needs this much page below it (mm), or it moves to the next page with its text.
KEEP_WITH_NEXT_MM = 30


class _Doc(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT))
        self.add_font("DejaVu", "B", str(FONT_BOLD))
        self.set_auto_page_break(True, margin=15)
        self.add_page()
        self.set_font("DejaVu", size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 13, keep_mm: float = KEEP_WITH_NEXT_MM) -> None:
        """A heading that never stands alone at the foot of a page: it needs `keep_mm` of page
        below it for what follows (a picture's whole height), or it starts the next page."""
        if self.get_y() > self.h - self.b_margin - 10 - keep_mm:
            self.add_page()
        self.ln(1)
        self.set_font("DejaVu", "B", size)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=10)

    def para(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size=size)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=10)


def _side_block(doc: _Doc, result: ExerciseResult, side: str) -> None:
    s = result.sides[side]
    doc.para(say.verdict_title(side, s.verdict), 11, bold=True)
    for line in say.decisive_values(s, result):
        doc.para(f"  {line}", 9)
    for f in s.findings:
        doc.para(f"  Found: {say.finding_sentence(f, side)}", 9)
    for r in s.reasons:
        doc.para(f"  Why: {r}", 9)
    details = say.side_details(s, result)
    if s.peak_hip_extension_deg is not None:
        details.insert(0, f"peak hip extension {say.degrees(s.peak_hip_extension_deg)}")
    if details:
        doc.para("  " + "; ".join(details), 9)
    for fault in s.faults:
        doc.para(f"  Fault: {say.fault_line(fault)}", 9)
    doc.ln(1)


def _png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, from its header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _key_frames(doc: _Doc, frames: Sequence[KeyFrame], result: ExerciseResult | None) -> None:
    """The key frames, left and right side by side, each half the text width; a leg without one
    says why in its half."""
    gap = 4.0
    width = (doc.epw - gap) / 2
    by_side = {f.side: f for f in frames}
    images = {f.side: f.png() for f in frames}
    heights = [width * h / w for w, h in map(_png_size, images.values())]
    doc.heading("Key frames: the moment each result comes from", keep_mm=max(heights) + 12)
    doc.para(say.KEY_FRAMES_PDF_NOTE, 8)
    y = doc.get_y() + 1
    for k, side in enumerate(("left", "right")):
        x = doc.l_margin + k * (width + gap)
        if side in by_side:
            doc.image(io.BytesIO(images[side]), x=x, y=y, w=width)
        elif result is not None:
            doc.set_xy(x, y + 4)
            doc.set_font("DejaVu", "B", 10)
            doc.multi_cell(width, 5, say.verdict_title(side, result.sides[side].verdict))
            doc.set_x(x)
            doc.set_font("DejaVu", size=8)
            doc.multi_cell(width, 4, say.no_key_frame_line(result.sides[side]))
            doc.set_font("DejaVu", size=10)
    doc.set_y(y + max(heights) + 2)


def write_pdf(
    report: Report,
    series: AngleSeries | None,
    path: str | Path,
    key_frames: Sequence[KeyFrame] = (),
    timeline: Timeline | None = None,
) -> None:
    """Write the report as a PDF file."""
    Path(path).write_bytes(pdf_bytes(report, series, key_frames, timeline))


def pdf_bytes(
    report: Report,
    series: AngleSeries | None,
    key_frames: Sequence[KeyFrame] = (),
    timeline: Timeline | None = None,
) -> bytes:
    """The report as PDF bytes (a download that never touches the disk).

    `key_frames` (outputs.keyframes) are shown when given; `timeline` (outputs.timeline) marks the
    fault spans on the plot, and is replayed from `series` when not given.
    """
    if timeline is None and series is not None:
        timeline = engine_timeline(report, series)
    doc = _Doc(f"{say.report_title(report)} · {say.when(report.recorded_at)}")
    doc.heading(f"Hip-flexor form report: {say.report_title(report)}", 15)
    doc.para(say.session_line(report), 9)
    doc.para(say.view_line(report.view), 9)
    result = report.exercise
    if result is not None:
        doc.para(f"Measured leg: {result.measured_leg}. {say.both_sides_line(result)}", 9)
    doc.ln(2)
    doc.set_fill_color(255, 244, 214)
    doc.multi_cell(0, 5, say.DISCLAIMER, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if result is not None:
        doc.heading("Result per leg")
        for side in ("left", "right"):
            _side_block(doc, result, side)
        line = say.asymmetry_line(result)
        if line:
            doc.para(line)
    if key_frames:
        _key_frames(doc, key_frames, result)
    if result is not None:
        not_assessed = {n.id: n for s in result.sides.values() for n in s.not_assessed}
        if not_assessed:
            doc.heading("Not assessed from a side view")
            for n in not_assessed.values():
                doc.para(f"{n.name[0].upper()}{n.name[1:]}: {n.why}", 9)
    if report.warnings:
        doc.heading("Warnings")
        for w in report.warnings:
            doc.para(w, 9)

    if series is not None and len(series) > 1:
        marks = {f.side: f.t_s for f in key_frames}
        plot = angle_plot_png(report, series, timeline, marks)
        w, h = _png_size(plot)
        doc.heading("Angles over time", keep_mm=180 * h / w + 2)
        doc.image(io.BytesIO(plot), w=180)
        if timeline is None and result is not None and any(s.faults for s in result.sides.values()):
            doc.para(say.FAULT_TIMES_UNKNOWN, 8)

    doc.heading("Angles over the whole recording")
    with doc.table(col_widths=(30, 55, 30, 30, 30), text_align="LEFT", line_height=5) as table:
        for r in [("leg", "angle", "lowest", "median", "highest"), *say.angle_rows(report)]:
            row = table.row()
            for cell in r:
                row.cell(cell)

    if result is not None and result.cues:
        doc.heading("Cues given")
        for cue in result.cues[:20]:
            doc.para(say.cue_line(cue), 9)
        if len(result.cues) > 20:
            doc.para(f"… and {len(result.cues) - 20} more (listed in report.json)", 9)

    if result is not None and result.thresholds_used:
        doc.heading("Values used and their sources")
        with doc.table(col_widths=(70, 25, 95), text_align="LEFT", line_height=4) as table:
            doc.set_font("DejaVu", size=7)
            for r in [("what it decides", "value", "source"), *say.threshold_rows(result)]:
                row = table.row()
                for cell in r:
                    row.cell(cell)
        doc.set_font("DejaVu", size=10)
    return bytes(doc.output())
