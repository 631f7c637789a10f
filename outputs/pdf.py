"""The PDF a person or their therapist files: verdicts with their numbers, the plot of the angle the
exercise is judged on, what a side view cannot assess, cues, and every threshold with its source.

Reads a `Report` (and, for the plot, its angle series); all words come from `outputs.presenter`.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analysis.records import Report
from exercises.result import ExerciseResult
from outputs import presenter as say
from outputs.plots import angle_plot_png
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

    def heading(self, text: str, size: int = 13) -> None:
        """A heading that never stands alone at the foot of a page."""
        if self.get_y() > self.h - self.b_margin - KEEP_WITH_NEXT_MM:
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
    details = say.side_details(s)
    if s.peak_hip_extension_deg is not None:
        details.insert(0, f"peak hip extension {say.degrees(s.peak_hip_extension_deg)}")
    if details:
        doc.para("  " + "; ".join(details), 9)
    for fault in s.faults:
        doc.para(f"  Fault: {say.fault_line(fault)}", 9)
    doc.ln(1)


def write_pdf(report: Report, series: AngleSeries | None, path: str | Path) -> None:
    """Write the report as a PDF file."""
    Path(path).write_bytes(pdf_bytes(report, series))


def pdf_bytes(report: Report, series: AngleSeries | None) -> bytes:
    """The report as PDF bytes (a download that never touches the disk)."""
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
        doc.heading("Angle over time")
        doc.image(io.BytesIO(angle_plot_png(report, series)), w=180)

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
