"""Key frames: for each measured side, the frame its verdict or peak came from, with the thigh
line, the reference line and the angle drawn and its value written — the photograph a therapist
would have scored (angles scored from a photograph of the settled position: ICC 0.97–0.98, SEM
about 1°, Physiother Theory Pract 2013, doi 10.3109/09593985.2012.731140).

Which frame (`choose_frames`, from the records and the series):
- a self-test: the middle of the settled stretch the verdict's medians come from
  (`SideResult.values.window`);
- a rep test: the peak of the rep in good form whose peak is nearest the verdict's median (no rep in
  good form: the highest rep);
- a stretch: the middle of the best hold (furthest into the target range on average); without a
  hold, the frame of the peak hip extension in good form.
Reps and the peak in good form come from the engine's own replay (`outputs.timeline`).

Drawn on that frame of the source video when there is one (read again and checked against the
track's frame times and image size), else as the skeleton on a plain background (a landmark track
or a live session: no video kept). Lines are drawn from the frame's own landmarks, so the drawn
angle is the frame's measured angle; the value written is the reported one the frame stands for
(for a self-test the median of the settled stretch), and where the two differ by half a degree or
more the frame's own value is written too. Words come from `outputs.presenter`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from analysis.records import Analysis, Report
from exercises.result import ExerciseResult, SideResult
from outputs import presenter as say
from outputs.timeline import Timeline, engine_timeline
from pose import geometry
from pose.angles import AngleSeries, trunk_points
from pose.drawing import SkeletonAnnotator
from pose.landmarks import SIDE_POINTS
from pose.sources import InputError, open_source
from pose.track import PoseTrack

#: DejaVu Sans ships with matplotlib and has °, − and ≥ (OpenCV's own fonts have none of them).
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"

Color = tuple[int, int, int]  # BGR
BACKGROUND: Color = (38, 38, 38)  # the plain background of a frame without video
MEASURED: Color = (80, 200, 255)  # the thigh / shin / trunk line (amber)
REFERENCE: Color = (235, 235, 235)  # the dashed reference line
NORMAL_LINE: Color = (90, 220, 90)  # the normal threshold drawn on the body
ARC: Color = (80, 200, 255)
#: Width of the crop around the body relative to its height (at least): lying, and upright.
CROP_ASPECT = {"lying": 4 / 3, "upright": 1.0}
#: Margin around the body's bounding box, as a share of its larger side.
CROP_MARGIN = 0.18
#: The reference (and threshold) line reaches this far past the vertex, in measured-line lengths.
REFERENCE_REACH = 1.35
#: The arc's radius, and the filled wedge's, in measured-line lengths; the wedge's opacity.
ARC_RADIUS = 0.4
WEDGE_RADIUS = 1.0
WEDGE_ALPHA = 0.5
#: Drawn angle and frame value differing by this much (degrees) are both written.
DIFFERS_DEG = 0.5
#: Drawn beside the decisive angles where the exercise has trunk faults (compensation shows there).
TRUNK_FAULT_ANGLE = "trunk_incline_deg"


@dataclass(frozen=True)
class Choice:
    """The frame chosen for one side and the reported values it stands for (angle -> degrees)."""

    side: str
    index: int
    t_s: float
    basis: str  # "settled", "rep", "highest_rep", "hold" or "peak"
    span: tuple[float, float] | None
    reported: Mapping[str, float]


@dataclass(frozen=True)
class DrawnAngle:
    """One angle as drawn, in the source frame's pixels (x right, y down).

    The drawn angle is between (reference_end − vertex) and (measured_end − vertex); `frame_deg` is
    that angle as the geometry of `pose` measures it on this frame (signed as DESIGN.md says);
    `reported_deg` the value in the report this frame stands for (None for an angle drawn for
    context, such as the trunk); `label` the words written under the picture and `value_text` the
    value written at the arc (both of the reported value where there is one, else the frame's).
    """

    angle: str
    vertex: tuple[float, float]
    reference_end: tuple[float, float]
    measured_end: tuple[float, float]
    frame_deg: float
    reported_deg: float | None
    label: str
    value_text: str
    threshold_end: tuple[float, float] | None = None
    threshold_label: str = ""
    reference_start: tuple[float, float] | None = None  # the line's start behind the vertex


@dataclass(frozen=True, eq=False)
class KeyFrame:
    """One side's key frame: the chosen frame, what was drawn on it, and the drawn panel (BGR)."""

    side: str
    index: int
    t_s: float
    title: str
    reason: str
    angles: tuple[DrawnAngle, ...]
    on_video: bool
    image: np.ndarray = field(repr=False)
    body_rows: tuple[int, int] = (0, 0)  # the rows of `image` that show the body (start, stop)

    def png(self) -> bytes:
        return png_bytes(self.image)


def png_bytes(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - encoding an 8-bit BGR array does not fail
        raise ValueError("the key frame could not be encoded as PNG")
    return buf.tobytes()


# ----- which frame ------------------------------------------------------------------------------


def _nearest(t: np.ndarray, when: float) -> int:
    return int(np.argmin(np.abs(t - when)))


def _target_angle(result: ExerciseResult) -> str:
    target = result.thresholds.get("target", {})
    ref = target.get("angle", "working.hip_extension_deg") if isinstance(target, dict) else ""
    return str(ref).partition(".")[2] or "hip_extension_deg"


def _lower_is_better(result: ExerciseResult) -> bool:
    return result.threshold("target.min") is None and result.threshold("target.max") is not None


def _choose(
    result: ExerciseResult, s: SideResult, series: AngleSeries, timeline: Timeline | None
) -> Choice | None:
    t = series.t
    v = s.values
    if result.kind == "self_test":
        if v is None or v.window is None:
            return None
        mid = (v.window.start_s + v.window.end_s) / 2
        i = _nearest(t, mid)
        reported = {k: float(x) for k, x in v.angles.items() if x is not None}
        span = (v.window.start_s, v.window.end_s)
        return Choice(s.side, i, float(t[i]), "settled", span, reported)
    if result.kind == "rep_test":
        reps = [r for r in (timeline.reps if timeline else ()) if r.side == s.side]
        if not reps:
            return None
        clean = [r for r in reps if r.clean]
        if clean and v is not None and v.median_rep_peak_deg is not None:
            rep = min(clean, key=lambda r: abs(r.peak_deg - v.median_rep_peak_deg))
            basis = "rep"
        else:
            rep = max(reps, key=lambda r: r.peak_deg)
            basis = "highest_rep"
        i = rep.peak_index
        name = _target_angle(result)
        reported = {name: round(rep.peak_deg, 1)}
        return Choice(s.side, i, float(t[i]), basis, (rep.start_s, rep.end_s), reported)
    name = _target_angle(result)
    holds = [h for h in s.holds if h.mean_deg is not None]
    if holds:
        best = (min if _lower_is_better(result) else max)(holds, key=lambda h: h.mean_deg)
        i = _nearest(t, (best.start_s + best.end_s) / 2)
        reported = {name: float(best.mean_deg)}  # type: ignore[arg-type]
        return Choice(s.side, i, float(t[i]), "hold", (best.start_s, best.end_s), reported)
    if timeline is None or s.side not in timeline.peak_index or s.peak_hip_extension_deg is None:
        return None
    i = timeline.peak_index[s.side]
    reported = {"hip_extension_deg": float(s.peak_hip_extension_deg)}
    return Choice(s.side, i, float(t[i]), "peak", None, reported)


def choose_frames(
    report: Report, series: AngleSeries, timeline: Timeline | None = None
) -> list[Choice]:
    """The key frame of each measured side with a verdict or a peak to show, left first."""
    result = report.exercise
    if result is None or len(series) == 0:
        return []
    if timeline is None and result.kind != "self_test":
        timeline = engine_timeline(report, series)
    out = []
    for side in result.measured_sides:
        choice = _choose(result, result.sides[side], series, timeline)
        if choice is not None:
            out.append(choice)
    return out


# ----- the geometry of a drawn angle ------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    vertex: np.ndarray
    along: np.ndarray  # unit vector of the reference line
    up: np.ndarray  # unit vector towards positive angles
    measured: np.ndarray  # the measured line's far point
    behind: np.ndarray  # where the reference line starts, behind the vertex
    length: float = 0.0


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else np.full(2, np.nan)


def _geometry(
    angle: str, track: PoseTrack, series: AngleSeries, i: int, side: str, table_line: str
) -> _Geometry | None:
    """Vertex, reference direction, positive direction and measured point of `angle` on frame i,
    exactly as `pose.angles.compute_angles` measures it."""
    points = track.points_px[i : i + 1]
    seen = track.seen()[i : i + 1]
    shoulder, hip = trunk_points(points, seen)
    shoulder, hip = shoulder[0], hip[0]
    p = {k: np.where(seen[0, idx], points[0, idx], np.nan) for k, idx in SIDE_POINTS[side].items()}
    facing_x = float(series.facing_x[i])
    down = geometry.trunk_down(shoulder[None], hip[None])[0]
    forward = geometry.forward_direction(shoulder[None], hip[None], np.array([-facing_x]))[0]
    lying = str(series.posture[i]) == "lying"
    trunk = float(np.linalg.norm(hip - shoulder))
    image_up = np.array([0.0, -1.0])
    if angle == "hip_extension_deg":
        g = _Geometry(p["hip"], down, -forward, p["knee"], p["hip"] - down * trunk)
    elif angle == "thigh_to_horizontal_deg":
        if lying and table_line == "trunk":
            along, up = down, forward
        elif lying:
            along, up = np.array([np.sign(down[0]), 0.0]), image_up
        else:
            along, up = np.array([facing_x, 0.0]), image_up
        behind = p["hip"] - along * (trunk if lying else 0.3 * trunk)
        g = _Geometry(p["hip"], along, up, p["knee"], behind)
    elif angle == "knee_flexion_deg":
        along = _unit(p["knee"] - p["hip"])
        perp = geometry.perpendicular(along)
        shin = p["ankle"] - p["knee"]
        up = perp * (1.0 if float(np.dot(shin, perp)) >= 0 else -1.0)
        g = _Geometry(p["knee"], along, up, p["ankle"], p["knee"])
    elif angle == TRUNK_FAULT_ANGLE and not lying:
        g = _Geometry(hip, image_up, np.array([facing_x, 0.0]), shoulder, hip)
    else:
        return None
    arrays = (g.vertex, g.along, g.up, g.measured, g.behind)
    if not all(np.all(np.isfinite(a)) for a in arrays):
        return None
    length = float(np.linalg.norm(g.measured - g.vertex))
    if length <= 0:
        return None
    return _Geometry(g.vertex, g.along, g.up, g.measured, g.behind, length)


def _angle_of(g: _Geometry, point: np.ndarray) -> float:
    m = point - g.vertex
    return math.degrees(math.atan2(float(np.dot(m, g.up)), float(np.dot(m, g.along))))


def _direction(g: _Geometry, deg: float) -> np.ndarray:
    r = math.radians(deg)
    return math.cos(r) * g.along + math.sin(r) * g.up


def _threshold(result: ExerciseResult, angle: str) -> tuple[float, str] | None:
    """The normal limit of a decisive angle and the side normal lies on ("<=" or ">=")."""
    lo, hi = say.normal_band(result, f"working.{angle}")
    if hi is not None:
        return hi, "<="
    if lo is not None:
        return lo, ">="
    return None


def _xy(v: np.ndarray) -> tuple[float, float]:
    return float(v[0]), float(v[1])


def _drawn(
    choice: Choice,
    result: ExerciseResult,
    track: PoseTrack,
    series: AngleSeries,
    table_line: str,
) -> list[tuple[DrawnAngle, _Geometry]]:
    names = list(choice.reported)
    trunk_faults = any(
        t.key.startswith("faults.") and t.angle == TRUNK_FAULT_ANGLE for t in result.thresholds_used
    )
    if trunk_faults and TRUNK_FAULT_ANGLE not in names:
        names.append(TRUNK_FAULT_ANGLE)
    out = []
    for name in names:
        g = _geometry(name, track, series, choice.index, choice.side, table_line)
        if g is None:
            continue
        reported = choice.reported.get(name)
        shown = reported if reported is not None else float(series.values[name][choice.index])
        if not math.isfinite(shown):
            continue
        reach = g.length * REFERENCE_REACH
        limit = _threshold(result, name) if name != TRUNK_FAULT_ANGLE else None
        threshold_end, threshold_label = None, ""
        if limit is not None:
            threshold_label = say.normal_limit_words(limit[1], limit[0])
            if abs(limit[0]) > 0.05:  # a limit of 0° is the reference line itself
                threshold_end = _xy(g.vertex + _direction(g, limit[0]) * reach)
        drawn = DrawnAngle(
            angle=name,
            vertex=_xy(g.vertex),
            reference_end=_xy(g.vertex + g.along * reach),
            measured_end=_xy(g.measured),
            frame_deg=_angle_of(g, g.measured),
            reported_deg=reported,
            label=say.key_frame_label(name, shown),
            value_text=say.key_frame_value(name, shown),
            threshold_end=threshold_end,
            threshold_label=threshold_label,
            reference_start=_xy(g.behind),
        )
        out.append((drawn, g))
    return out


# ----- reading the source frames ------------------------------------------------------------------


def read_frames(
    video: str | Path, indices: Sequence[int], track: PoseTrack
) -> dict[int, np.ndarray]:
    """The frames `indices` of the recording the track was measured from, read in one pass.

    Empty when the recording cannot be read or does not match the track (size or frame times):
    a key frame is then drawn on a plain background rather than on the wrong picture.
    """
    wanted = set(indices)
    if not wanted:
        return {}
    try:
        source = open_source(video)
    except (InputError, OSError):
        return {}
    dt = float(np.median(np.diff(track.t))) if len(track) > 1 else 1.0
    found: dict[int, np.ndarray] = {}
    try:
        for i, (t, frame) in enumerate(source.frames()):
            if i > max(wanted) or i >= len(track):
                break
            if i in wanted:
                h, w = frame.shape[:2]
                if (w, h) != tuple(track.image_size) or abs(t - float(track.t[i])) > dt / 2:
                    return {}
                found[i] = frame.copy()
    except (InputError, OSError, cv2.error):
        return {}
    return found if set(found) == wanted else {}


# ----- drawing ----------------------------------------------------------------------------------


def _crop_box(
    track: PoseTrack, i: int, extra: Sequence[tuple[float, float]] = (), aspect: float = 1.0
) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) around the body on frame i and the `extra` points drawn, at least
    CROP_ASPECT wide, in source pixels."""
    w, h = track.image_size
    pts = track.points_px[i][track.seen()[i]]
    if extra:
        pts = np.vstack([pts.reshape(-1, 2), np.array(extra, dtype=float)])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 2:
        return 0.0, 0.0, float(w), float(h)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    margin = CROP_MARGIN * max(x1 - x0, y1 - y0, 1.0)
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bw, bh = x1 - x0, y1 - y0
    if bw < bh * aspect:
        bw = bh * aspect
    else:
        bh = bw / aspect
    return float(cx - bw / 2), float(cy - bh / 2), float(cx + bw / 2), float(cy + bh / 2)


def _pt(p) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def _dashed(img: np.ndarray, a, b, color: Color, thickness: int, dash: float) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = float(np.linalg.norm(b - a))
    if length <= 0:
        return
    steps = max(1, int(length / dash))
    for k in range(0, steps, 2):
        p = a + (b - a) * (k / steps)
        q = a + (b - a) * (min(k + 1, steps) / steps)
        cv2.line(img, _pt(p), _pt(q), color, thickness, cv2.LINE_AA)


def _arc(img: np.ndarray, g: _Geometry, radius: float, color: Color, thick: int) -> None:
    start = math.degrees(math.atan2(g.along[1], g.along[0]))
    m = g.measured - g.vertex
    end = math.degrees(math.atan2(m[1], m[0]))
    sweep = (end - start + 540.0) % 360.0 - 180.0
    centre, axes = _pt(g.vertex), (round(radius), round(radius))
    cv2.ellipse(img, centre, axes, 0, start, start + sweep, color, thick, cv2.LINE_AA)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), size)


def _rgb(c: Color) -> tuple[int, int, int]:
    return c[2], c[1], c[0]


def _wrap(pen: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    """`text` in lines no wider than `width` pixels."""
    lines: list[str] = []
    for word in text.split(" "):
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and pen.textlength(trial, font=font) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def _value_anchor(g: _Geometry, deg: float, text_px: float) -> np.ndarray:
    """Where an angle's value is written (source pixels): beyond the arc on its bisector, pushed
    off the lines for a small angle."""
    r = g.length * ARC_RADIUS
    if abs(deg) >= 30:
        return g.vertex + _direction(g, deg / 2) * (r + text_px)
    side = 1.0 if deg >= 0 else -1.0
    return (
        g.vertex
        + g.along * r * 1.1
        + g.up * side * (r * math.tan(math.radians(abs(deg))) + text_px)
    )


Box = tuple[float, float, float, float]


def _text_box(pen, xy, text: str, font, inside: Box) -> Box:
    """The box (x0, y0, x1, y1) of `text` centred on `xy`, moved inside `inside`."""
    stroke = max(2, font.size // 9)
    left, top_, right, bottom = pen.textbbox((0, 0), text, font=font, stroke_width=stroke)
    tw, th = right - left, bottom - top_
    x = min(max(inside[0] + 2, xy[0] - tw / 2), inside[2] - tw - 2)
    y = min(max(inside[1] + 2, xy[1] - th / 2), inside[3] - th - 4)
    return x, y, x + tw, y + th


def _overlaps(a: Box, b: Box, gap: float = 6.0) -> bool:
    return not (a[2] + gap < b[0] or b[2] + gap < a[0] or a[3] + gap < b[1] or b[3] + gap < a[1])


def _place(pen, vertex, anchor, text: str, font, inside: Box, taken: list[Box]) -> Box:
    """The first box along the line from the vertex through `anchor` that overlaps no label
    already written (up to four steps further out)."""
    step = (anchor[0] - vertex[0], anchor[1] - vertex[1])
    norm = math.hypot(*step) or 1.0
    push = font.size * 0.9
    for k in range(5):
        at = (anchor[0] + step[0] / norm * push * k, anchor[1] + step[1] / norm * push * k)
        box = _text_box(pen, at, text, font, inside)
        if not any(_overlaps(box, other) for other in taken):
            return box
    return box


def _outlined(pen, box: Box, text: str, font, fill: Color) -> None:
    """Text at `box`, outlined in black so it reads on any background."""
    stroke = max(2, font.size // 9)
    pen.text(
        (box[0], box[1]), text, font=font, fill=_rgb(fill), stroke_width=stroke,
        stroke_fill=(0, 0, 0),
    )  # fmt: skip


def draw_key_frame(
    choice: Choice,
    analysis: Analysis,
    frame: np.ndarray | None,
    width: int = 640,
) -> KeyFrame:
    """Draw one side's key frame as a panel `width` pixels wide: a title band, the body (cropped
    from the frame, or the skeleton on a plain background) with the angles drawn, and their values
    written under it."""
    report, track, series = analysis.report, analysis.track, analysis.series
    result = report.exercise
    assert result is not None
    w, h = track.image_size
    on_video = frame is not None
    base = frame.copy() if frame is not None else np.full((h, w, 3), BACKGROUND, np.uint8)
    drawn = _drawn(choice, result, track, series, report.table_line)
    extra = [
        p for d, _ in drawn for p in (d.reference_end, d.reference_start, d.threshold_end) if p
    ]
    lying = str(series.posture[choice.index]) == "lying"
    aspect = CROP_ASPECT["lying" if lying else "upright"]
    x0, y0, x1, y1 = _crop_box(track, choice.index, extra, aspect)
    scale = width / (x1 - x0)
    body_h = round((y1 - y0) * scale)
    thick = max(2, round(width / 160 / scale))  # about 4 px in a 640 px panel

    SkeletonAnnotator(thickness=max(1, thick // 2)).annotate(base, track.landmarks[choice.index])
    # the angle itself as a translucent wedge, so a small one still shows across a room
    wedges = base.copy()
    for _d, g in drawn:
        _arc(wedges, g, g.length * WEDGE_RADIUS, MEASURED, -1)
    cv2.addWeighted(wedges, WEDGE_ALPHA, base, 1 - WEDGE_ALPHA, 0, dst=base)
    for d, g in drawn:
        dash = max(4.0, g.length / 14)
        limit_is_reference = d.threshold_label and d.threshold_end is None
        ref_colour = NORMAL_LINE if limit_is_reference else REFERENCE
        cv2.line(base, _pt(d.reference_start), _pt(d.vertex), ref_colour, max(1, thick // 2))
        _dashed(base, d.vertex, d.reference_end, ref_colour, thick, dash)
        if d.threshold_end is not None:
            _dashed(base, d.vertex, d.threshold_end, NORMAL_LINE, thick, dash)
        cv2.line(base, _pt(d.vertex), _pt(d.measured_end), MEASURED, thick + 1, cv2.LINE_AA)
        _arc(base, g, g.length * ARC_RADIUS, MEASURED, thick)
        cv2.circle(base, _pt(d.vertex), thick + 3, (255, 255, 255), -1, cv2.LINE_AA)

    # crop (padding with the background where the box leaves the frame) and scale
    pad = math.ceil(max(0.0, -x0, -y0, x1 - w, y1 - h)) + 1
    padded = cv2.copyMakeBorder(base, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=BACKGROUND)
    src = np.float32([[x0 + pad, y0 + pad], [x1 + pad, y0 + pad], [x0 + pad, y1 + pad]])
    dst = np.float32([[0, 0], [width, 0], [0, body_h]])
    body = cv2.warpAffine(
        padded, cv2.getAffineTransform(src, dst), (width, body_h), flags=cv2.INTER_AREA
    )

    big, small = max(14, width // 24), max(11, width // 40)
    title_font, small_font = _font(big, bold=True), _font(small)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    reason = say.key_frame_reason(choice.basis, choice.t_s, choice.span)
    where = say.KEY_FRAME_ON_VIDEO if on_video else say.KEY_FRAME_NO_VIDEO
    head = _wrap(scratch, f"{reason}; {where}", small_font, width - 20)
    lines: list[str] = []
    for d, _g in drawn:
        differs = d.reported_deg is not None and abs(d.frame_deg - d.reported_deg) >= DIFFERS_DEG
        note = say.frame_differs_line(d.angle, d.frame_deg) if differs else ""
        basis = choice.basis if d.reported_deg is not None else ""
        lines += _wrap(
            scratch, say.key_frame_line(d.label, basis, d.threshold_label, note), small_font,
            width - 20,
        )  # fmt: skip
    lines += _wrap(scratch, say.KEY_FRAME_LEGEND, small_font, width - 20)
    line_h = round(small * 1.35)
    top = round(big * 1.45) + len(head) * line_h + 12
    bottom = len(lines) * line_h + 14
    panel = np.full((top + body_h + bottom, width, 3), 250, np.uint8)
    panel[top : top + body_h] = body
    image = Image.fromarray(cv2.cvtColor(panel, cv2.COLOR_BGR2RGB))
    pen = ImageDraw.Draw(image)
    title = say.key_frame_title(choice.side, result.sides[choice.side].verdict)
    pen.text((10, 6), title, font=title_font, fill=(20, 20, 20))
    for k, line in enumerate(head):
        pen.text((10, round(big * 1.45) + 6 + k * line_h), line, font=small_font, fill=(60, 60, 60))

    def to_panel(p) -> tuple[float, float]:
        return (float(p[0]) - x0) * scale, (float(p[1]) - y0) * scale + top

    inside = (0.0, float(top), float(width), float(top + body_h))
    value_font = _font(round(big * 1.1), bold=True)
    taken: list[Box] = []
    for d, g in drawn:
        anchor = to_panel(_value_anchor(g, d.frame_deg, big * 0.9 / scale))
        box = _place(pen, to_panel(g.vertex), anchor, d.value_text, value_font, inside, taken)
        _outlined(pen, box, d.value_text, value_font, MEASURED)
        taken.append(box)
    y = top + body_h + 8
    for line in lines:
        pen.text((10, y), line, font=small_font, fill=(20, 20, 20))
        y += line_h
    return KeyFrame(
        side=choice.side,
        index=choice.index,
        t_s=choice.t_s,
        title=title,
        reason=reason,
        angles=tuple(d for d, _g in drawn),
        on_video=on_video,
        image=cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR),
        body_rows=(top, top + body_h),
    )


def key_frames(
    analysis: Analysis,
    video: str | Path | None = None,
    width: int = 640,
    timeline: Timeline | None = None,
) -> list[KeyFrame]:
    """Each measured side's key frame, left first; on the recording's own frames when `video` is
    the file the analysis was measured from, else on a plain background."""
    report = analysis.report
    if report.exercise is None:
        return []
    if timeline is None and report.exercise.kind != "self_test":
        timeline = engine_timeline(report, analysis.series)
    choices = choose_frames(report, analysis.series, timeline)
    frames: dict[int, np.ndarray] = {}
    if video is not None:
        frames = read_frames(video, [c.index for c in choices], analysis.track)
    return [draw_key_frame(c, analysis, frames.get(c.index), width) for c in choices]


def side_by_side(frames: Sequence[KeyFrame], gap: int = 12) -> np.ndarray | None:
    """Left and right key frames side by side (bottom-padded to one height), or None if none."""
    if not frames:
        return None
    height = max(f.image.shape[0] for f in frames)
    parts = []
    for k, f in enumerate(frames):
        pad = height - f.image.shape[0]
        parts.append(
            cv2.copyMakeBorder(f.image, 0, pad, 0, 0, cv2.BORDER_CONSTANT, value=(255,) * 3)
        )
        if k < len(frames) - 1:
            parts.append(np.full((height, gap, 3), 255, np.uint8))
    return np.hstack(parts)


def key_frame_file_name(side: str) -> str:
    """key_frame_left.png / key_frame_right.png."""
    return f"key_frame_{side}.png"
