"""The one-page hand-out a therapist gives a client: the stretch's instructions with a drawn
figure, the client's result with its key frames, the dose (hold, holds per leg, days a week) and
the safety notes. Words come from `outputs.presenter` and the exercise's own data.

The figure is a stick person drawn from a few joint positions per exercise (person facing right,
metres-like units, floor at y = 0): the working leg amber, the other grey, and a green mark where
the stretch should be felt (the front of the working hip).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from analysis.records import Report
from exercises.catalog import get_exercise, load_exercises
from exercises.definition import ExerciseDefinition
from exercises.summary import thresholds_used
from outputs import presenter as say
from outputs.keyframes import KeyFrame
from outputs.pdf import FONT, FONT_BOLD

Point = tuple[float, float]


@dataclass(frozen=True)
class Figure:
    """Joint positions of a stick person; `working`/`other`: hip, knee, ankle, toe of each leg."""

    head: Point
    shoulder: Point
    hip: Point
    hand: Point
    working: tuple[Point, Point, Point, Point]
    other: tuple[Point, Point, Point, Point]
    table: tuple[float, float, float] | None = None  # x from, x to, height of a bed or table
    wall: float | None = None  # x of a wall behind the person
    facing: Point = (1.0, 0.0)  # the way the front of the body faces (lying on the back: up)


def _at(p: Point, length: float, deg: float) -> Point:
    """The point `length` from p in direction `deg` (0 = forward/right, 90 = up)."""
    r = math.radians(deg)
    return p[0] + length * math.cos(r), p[1] + length * math.sin(r)


THIGH, SHIN, TRUNK, FOOT = 0.45, 0.45, 0.55, 0.16


def _leg(hip: Point, thigh_deg: float, shin_deg: float, foot_deg: float = 0.0):
    knee = _at(hip, THIGH, thigh_deg)
    ankle = _at(knee, SHIN, shin_deg)
    return knee, ankle, _at(ankle, FOOT, foot_deg)


def _half_kneeling() -> Figure:
    back_knee: Point = (0.0, 0.05)
    hip = _at(back_knee, THIGH, 78.0)  # the back thigh a little behind vertical: hip extended
    back = (back_knee, _at(back_knee, SHIN, 180.0), _at(_at(back_knee, SHIN, 180.0), 0.1, 190.0))
    front = _leg(hip, -3.0, -90.0)
    shoulder = _at(hip, TRUNK, 90.0)
    return Figure(_at(shoulder, 0.14, 80.0), shoulder, hip, front[0], (hip, *back), (hip, *front))


def _couch() -> Figure:
    back_knee: Point = (0.0, 0.05)
    hip = _at(back_knee, THIGH, 68.0)
    back_ankle = _at(back_knee, SHIN, 93.0)  # the shin up the wall
    back = (back_knee, back_ankle, _at(back_ankle, 0.1, 90.0))
    front = _leg(hip, -3.0, -90.0)
    shoulder = _at(hip, TRUNK, 88.0)
    return Figure(
        _at(shoulder, 0.14, 80.0), shoulder, hip, front[0], (hip, *back), (hip, *front),
        wall=-0.07,
    )  # fmt: skip


def _standing_lunge() -> Figure:
    hip: Point = (0.0, 0.78)
    back = _leg(hip, 243.0, 235.0, -30.0)  # back leg long, heel up
    front = _leg(hip, -50.0, -100.0)
    shoulder = _at(hip, TRUNK, 90.0)
    return Figure(
        _at(shoulder, 0.14, 80.0), shoulder, hip, _at(hip, 0.1, 20.0), (hip, *back), (hip, *front)
    )


def _standing_extension() -> Figure:
    hip: Point = (0.0, 0.9)
    back = _leg(hip, 255.0, 252.0, -20.0)  # the straight leg taken back
    stand = _leg(hip, 270.0, 270.0)
    shoulder = _at(hip, TRUNK, 90.0)
    return Figure(
        _at(shoulder, 0.14, 80.0), shoulder, hip, _at(shoulder, 0.45, -20.0), (hip, *back),
        (hip, *stand),
    )  # fmt: skip


def _supine_edge() -> Figure:
    top = 0.55
    hip: Point = (0.05, top + 0.06)
    shoulder = _at(hip, TRUNK, 0.0)
    hug = _leg(hip, 65.0, 245.0, 180.0)  # the other knee hugged to the chest
    hang = _leg(hip, 190.0, 265.0)  # the working leg over the edge, relaxed
    return Figure(
        _at(shoulder, 0.15, 10.0), shoulder, hip, hug[0], (hip, *hang), (hip, *hug),
        table=(0.0, 0.85, top), facing=(0.0, 1.0),
    )  # fmt: skip


FIGURES = {
    "half_kneeling_stretch": _half_kneeling,
    "couch_stretch": _couch,
    "standing_lunge_stretch": _standing_lunge,
    "standing_hip_extension_test": _standing_extension,
    "supine_edge_stretch": _supine_edge,
    "thomas_test": _supine_edge,
}


def figure_png(exercise_id: str) -> bytes:
    """The stick figure of an exercise as a PNG (a plain half-kneeling figure if none is drawn)."""
    f = FIGURES.get(exercise_id, _half_kneeling)()
    fig, ax = plt.subplots(figsize=(3.4, 2.6), dpi=200)
    if f.table is not None:
        x0, x1, h = f.table
        ax.add_patch(plt.Rectangle((x0, 0), x1 - x0, h, color="0.85", zorder=0))
    if f.wall is not None:
        ax.plot([f.wall, f.wall], [0, 1.2], color="0.6", lw=3, zorder=0)
    ax.plot([-1.5, 1.5], [0, 0], color="0.5", lw=1.5, zorder=0)  # the floor

    def line(points, colour, width):
        ax.plot(*zip(*points, strict=True), color=colour, lw=width, solid_capstyle="round")

    line(f.other, "0.55", 7)
    line([f.shoulder, f.hip], "#3a6ea5", 9)
    line([f.shoulder, f.hand], "#3a6ea5", 5)
    line(f.working, "#f0a020", 8)
    ax.add_patch(plt.Circle(f.head, 0.085, color="#3a6ea5"))
    # where the stretch is felt: the front of the working hip, on the side the body faces
    hip, knee = f.working[0], f.working[1]
    tx, ty = knee[0] - hip[0], knee[1] - hip[1]
    n = math.hypot(tx, ty)
    tx, ty = tx / n, ty / n
    along = f.facing[0] * tx + f.facing[1] * ty
    fx, fy = f.facing[0] - along * tx, f.facing[1] - along * ty  # facing, square to the thigh
    m = math.hypot(fx, fy) or 1.0
    ax.add_patch(
        plt.Circle((hip[0] + 0.1 * fx / m, hip[1] + 0.1 * fy / m), 0.05, color="tab:green")
    )
    points = [f.head, f.shoulder, f.hip, f.hand, *f.working, *f.other]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left = min(xs + ([f.table[0]] if f.table else []) + ([f.wall] if f.wall is not None else []))
    right = max(xs + ([f.table[1]] if f.table else []))
    ax.set_aspect("equal")
    ax.set_xlim(left - 0.15, right + 0.15)
    ax.set_ylim(-0.05, max(ys) + 0.15)
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.02)
    plt.close(fig)
    return buf.getvalue()


def stretch_for(report: Report, choice: str | None = None) -> ExerciseDefinition:
    """The stretch the hand-out teaches: `choice`, else the recorded exercise when it is a
    stretch, else the half-kneeling hip-flexor (iliacus) stretch."""
    exercises = load_exercises()
    if choice:
        return get_exercise(choice, exercises)
    result = report.exercise
    if result is not None and result.kind == "stretch":
        return exercises[result.exercise]
    return exercises["half_kneeling_stretch"]


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class _Page(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONT))
        self.add_font("DejaVu", "B", str(FONT_BOLD))
        self.set_auto_page_break(False)  # one page: the layout below keeps to it
        self.set_margins(14, 12, 14)
        self.add_page()

    def text_block(self, text: str, size: float = 9.5, bold: bool = False, h: float = 4.6):
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, h, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(1.5)
        self.text_block(text, 11.5, bold=True, h=6)


def handout_pdf(
    report: Report, key_frames: Sequence[KeyFrame] = (), stretch: str | None = None
) -> bytes:
    """The hand-out as PDF bytes, one A4 page."""
    d = stretch_for(report, stretch)
    used = thresholds_used(d)
    doc = _Page()
    doc.text_block(say.handout_title(d.name), 16, bold=True, h=8)
    doc.text_block(f"{say.when(report.recorded_at)} · {d.description}", 9)
    doc.ln(1)
    top = doc.get_y()
    fig = figure_png(d.id)
    fw, fh = _png_size(fig)
    fig_w = 70.0
    doc.image(io.BytesIO(fig), x=doc.l_margin, y=top, w=fig_w)
    doc.set_xy(doc.l_margin, top + fig_w * fh / fw + 0.5)
    doc.set_font("DejaVu", "", 7.5)
    doc.multi_cell(fig_w, 3.5, say.HANDOUT_FIGURE_CAPTION)
    below_figure = doc.get_y()
    # the steps beside the figure
    x = doc.l_margin + fig_w + 5
    width = doc.w - doc.r_margin - x
    doc.set_xy(x, top)
    doc.set_font("DejaVu", "B", 11.5)
    doc.multi_cell(width, 6, "How to do it", new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font("DejaVu", "", 9.5)
    for k, step in enumerate((d.phases.position, d.phases.active, d.phases.release), 1):
        doc.multi_cell(width, 4.6, f"{k}. {step}", new_x=XPos.LEFT, new_y=YPos.NEXT)
        doc.set_xy(x, doc.get_y() + 0.8)
    doc.set_xy(x, doc.get_y() + 0.8)
    doc.set_font("DejaVu", "B", 9)
    doc.multi_cell(width, 4.6, say.HANDOUT_FORM_HEADING, new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font("DejaVu", "", 8.5)
    for rule in d.faults[:3]:
        doc.multi_cell(
            width, 4.0, say.form_rule_line(rule.name, rule.cue), new_x=XPos.LEFT, new_y=YPos.NEXT
        )
    doc.set_y(max(doc.get_y(), below_figure) + 1)
    doc.set_x(doc.l_margin)

    doc.heading("Your dose")
    for line in say.dose_lines_from(used):
        doc.text_block(f"• {line}", 9)
    _result(doc, report, key_frames)
    doc.heading("Safety")
    for note in say.SAFETY_NOTES:
        doc.text_block(f"• {note}", 9)
    doc.text_block(say.NOT_A_DIAGNOSIS, 8.5, bold=True)
    if doc.page_no() != 1 or doc.get_y() > doc.h - doc.b_margin:
        raise ValueError("the hand-out does not fit on one page")  # a layout bug, not input
    return bytes(doc.output())


def _result(doc: _Page, report: Report, key_frames: Sequence[KeyFrame]) -> None:
    result = report.exercise
    if result is None:
        return
    doc.heading(f"Your result: {result.name}")
    for side in result.measured_sides or ("left", "right"):
        doc.text_block(say.handout_result_line(result.sides[side], result), 9)
    if not key_frames:
        return
    by_side: Mapping[str, KeyFrame] = {f.side: f for f in key_frames}
    images = {side: f.png() for side, f in by_side.items()}
    gap = 4.0
    room = doc.h - doc.b_margin - doc.get_y() - 44  # what the safety notes below need
    width = (doc.epw - gap) / 2
    heights = {s: width * _png_size(b)[1] / _png_size(b)[0] for s, b in images.items()}
    scale = min(1.0, room / max(heights.values()))
    y = doc.get_y() + 1.5
    for k, side in enumerate(s for s in ("left", "right") if s in images):
        doc.image(
            io.BytesIO(images[side]), x=doc.l_margin + k * (width + gap), y=y, w=width * scale
        )
    doc.set_y(y + max(heights.values()) * scale + 1)
