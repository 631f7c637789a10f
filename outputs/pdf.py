"""A PDF of an exercise report for the person or their therapist to read later.

The report dict (DESIGN.md's report.json) is the only input besides the angle series for the
plot, so a PDF can be made again from a saved report.json and angles.csv.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only
import matplotlib.pyplot as plt
import numpy as np
from fpdf import FPDF
from fpdf.enums import XPos, YPos

#: DejaVu Sans ships with matplotlib: it has °, − and ≥, which the PDF core fonts lack.
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def sourced_values(node: object, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(name, value, source) for every number in `thresholds` that carries its source."""
    if isinstance(node, Mapping):
        if "source" in node and ("value" in node or "min" in node or "max" in node):
            value = node.get("value", "")
            if "op" in node:
                value = f"{node['op']} {value}"
            unit = node.get("unit", "")
            name = path if "angle" not in node else f"{path} ({node['angle']})"
            yield name, f"{value} {unit}".strip(), str(node["source"])
            return
        for key, child in node.items():
            yield from sourced_values(child, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from sourced_values(child, f"{path}[{i}]")


def angle_plot_png(angles: Mapping[str, np.ndarray], title: str) -> bytes:
    """Hip extension of both legs and trunk incline over time, as a PNG."""
    fig, ax = plt.subplots(figsize=(7.5, 2.8), dpi=150)
    t = angles["t_s"]
    for name, label in (
        ("left_hip_extension_deg", "left hip extension"),
        ("right_hip_extension_deg", "right hip extension"),
        ("trunk_incline_deg", "trunk incline"),
    ):
        if name in angles and np.any(np.isfinite(angles[name])):
            ax.plot(t, angles[name], label=label, lw=1.2)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("seconds")
    ax.set_ylabel("degrees")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


class _Doc(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONT))
        self.add_font("DejaVu", "B", str(FONT_BOLD))
        self.set_auto_page_break(True, margin=15)
        self.add_page()
        self.set_font("DejaVu", size=10)

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("DejaVu", "B", size)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=10)

    def para(self, text: str, size: int = 10) -> None:
        self.set_font("DejaVu", size=size)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=10)


def write_pdf(report: Mapping, angles: Mapping[str, np.ndarray] | None, path: str | Path) -> None:
    """Write the report as a PDF (title, verdicts per side, plot, thresholds with sources)."""
    doc = _Doc()
    name = report.get("exercise_name") or report.get("exercise") or "Angle report"
    doc.heading(f"Hip-flexor form report: {name}", 15)
    doc.para(
        f"Source: {report.get('source', '–')}   Frames: {report.get('frames', '–')}   "
        f"Duration: {_fmt(report.get('duration_s'), ' s')}   "
        f"Person found: {_fmt(100 * report['pose_detected_fraction'] if report.get('pose_detected_fraction') is not None else None, ' %')}"
    )
    if report.get("measured_leg"):
        doc.para(
            f"Measured leg: {report['measured_leg']}. Tested side: {report.get('tested_side', '–')}."
        )
    doc.ln(2)
    doc.set_fill_color(255, 244, 214)
    doc.multi_cell(
        0, 5, str(report.get("disclaimer", "")), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    doc.ln(3)

    doc.heading("Per side")
    rows = [("", "left", "right")]
    sides = report.get("sides", {})

    def both(key: str, unit: str = "") -> tuple[str, str]:
        return tuple(_fmt((sides.get(s) or {}).get(key), unit) for s in ("left", "right"))  # type: ignore[return-value]

    rows.append(("verdict", *both("verdict")))
    rows.append(("peak hip extension", *both("peak_hip_extension_deg", "°")))
    rows.append(("time in target", *both("time_in_target_s", " s")))
    rows.append(
        ("holds", *(str(len((sides.get(s) or {}).get("holds") or [])) for s in ("left", "right")))
    )
    rows.append(("reps", *both("reps")))
    for label, key in (("findings", "findings"), ("faults (s)", "faults"), ("why", "reasons")):
        cells = []
        for s in ("left", "right"):
            value = (sides.get(s) or {}).get(key)
            if isinstance(value, Mapping):
                value = ", ".join(f"{k} {v:.1f}" for k, v in value.items())
            elif isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            cells.append(value or "–")
        rows.append((label, *cells))
    with doc.table(col_widths=(40, 75, 75), text_align="LEFT", line_height=5) as table:
        for r in rows:
            row = table.row()
            for cell in r:
                row.cell(str(cell))
    doc.ln(2)
    if report.get("asymmetry_deg") is not None:
        doc.para(f"Left–right difference: {report['asymmetry_deg']:.1f}°")
    for w in report.get("warnings", []) or []:
        doc.para(f"Warning: {w}", 9)

    if angles is not None and len(angles.get("t_s", [])) > 1:
        doc.ln(2)
        doc.image(
            io.BytesIO(angle_plot_png(angles, "Angles over time (zero-phase filtered)")), w=180
        )

    cues = report.get("cues") or []
    if cues:
        doc.heading("Cues given")
        for cue in cues[:20]:
            doc.para(
                f"{cue.get('t_s', 0):6.1f} s  {cue.get('side') or ''}  {cue.get('message', '')}", 9
            )
        if len(cues) > 20:
            doc.para(f"… and {len(cues) - 20} more (see report.json)", 9)

    thresholds = list(sourced_values(report.get("thresholds", {})))
    if thresholds:
        doc.heading("Thresholds used and their sources")
        with doc.table(col_widths=(60, 25, 105), text_align="LEFT", line_height=4) as table:
            doc.set_font("DejaVu", size=7)
            for r in [("setting", "value", "source"), *thresholds]:
                row = table.row()
                for cell in r:
                    row.cell(cell)
        doc.set_font("DejaVu", size=10)
    doc.output(str(path))
