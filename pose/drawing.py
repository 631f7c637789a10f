"""Annotators: skeleton, angle arcs with their values, the cue, and the live coach's panel, gauge
and table line, drawn on a BGR frame.

Small classes in the style of supervision's annotators: style in the constructor, one
`annotate(frame, ...)` that returns the frame (drawn in place). No words are made here: every text
comes in already written (`outputs.presenter`), except the joint labels ("L hip +12").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

import cv2
import numpy as np

from pose.landmarks import SIDE_POINTS, SKELETON_EDGES, VISIBILITY_THRESHOLD

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels
FONT = cv2.FONT_HERSHEY_SIMPLEX
GOOD, SHORT, FAULT, NEUTRAL = (60, 200, 60), (0, 190, 255), (60, 60, 235), (235, 235, 235)
STATE_COLORS: dict[str, Color] = {"good": GOOD, "short": SHORT, "fault": FAULT, "neutral": NEUTRAL}


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@lru_cache(maxsize=4096)
def text_width(text: str, scale: float, thickness: int) -> int:
    """Width in pixels of `text` in the annotators' font (cached: live text repeats)."""
    if "°" in text or not text.isascii():
        parts = hershey_text(text).split("°")
        (_, th), _ = cv2.getTextSize("Ag", FONT, scale, thickness)
        ring = max(2, round(th * 0.18))
        return sum(cv2.getTextSize(p, FONT, scale, thickness)[0][0] for p in parts) + (
            len(parts) - 1
        ) * (2 * ring + 3)
    return cv2.getTextSize(text, FONT, scale, thickness)[0][0]


@lru_cache(maxsize=4096)
def _text_size(text: str, scale: float, thickness: int) -> tuple[tuple[int, int], int]:
    return cv2.getTextSize(text, FONT, scale, thickness)


@lru_cache(maxsize=512)
def wrap_text(text: str, width: int, scale: float, thickness: int) -> tuple[str, ...]:
    """`text` broken into lines no wider than `width` pixels, at word boundaries (a single word
    wider than that gets a line of its own: it is never cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and text_width(trial, scale, thickness) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        if line:
            lines.append(line)
    return tuple(lines)


def shade(frame: np.ndarray, box: Box, grey: int = 20, alpha: float = 0.6) -> None:
    """Darken a box of the frame towards `grey` (a panel behind text), clipped to the frame."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    roi = frame[y0:y1, x0:x1]
    cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha, beta=grey * alpha)


#: The Hershey fonts draw ASCII only: what the presenter's words use beyond it, in ASCII.
_ASCII = str.maketrans({"–": "-", "—": "-", "−": "-", "·": "|", "’": "'", "×": "x", "…": "..."})
_ASCII_WORDS = {"≥": ">=", "≤": "<="}


def hershey_text(text: str) -> str:
    """`text` as the Hershey fonts can draw it (the degree sign is drawn apart: see `_sprite`)."""
    for a, b in _ASCII_WORDS.items():
        text = text.replace(a, b)
    return text.translate(_ASCII)


@lru_cache(maxsize=512)
def _sprite(
    text: str, scale: float, color: Color, thickness: int, outline: int
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """`text` drawn once, anti-aliased, ready to blend in: what is left of the frame under it
    (uint8, 255 = all) and the colour it adds (premultiplied), both (H, W, 3), with the offset
    of the text origin. A dark outline when `outline`; a degree sign, which the Hershey fonts
    lack, drawn as a small ring.

    Drawing text with cv2.putText costs about 0.1 ms a call; a live frame writes the same few
    texts again and again (a cue stays for seconds, an angle takes a few dozen values), so each
    is drawn once and blended in after with two OpenCV calls (a few µs). 512 entries: the angle
    labels of both legs over a session (each about 9 kB) stay cached, where 128 were overrun and
    a frame drawing a few new ones took 2–5 ms; a few MB (a long cue line is 140 kB, and a
    session has a dozen).
    """
    parts = hershey_text(text).split("°")
    weight = max(thickness, outline)
    (_, th), base = cv2.getTextSize("Ag", FONT, scale, weight)
    ring = max(2, round(th * 0.18))
    tw = text_width(text, scale, weight)
    pad = weight + 1
    h, w = th + base + 2 * pad, tw + 2 * pad
    org = (pad, pad + th)

    def draw(stroke: int) -> np.ndarray:
        mask = np.zeros((h, w), np.uint8)
        x = org[0]
        for k, part in enumerate(parts):
            if part:
                cv2.putText(mask, part, (x, org[1]), FONT, scale, 255, stroke, cv2.LINE_AA)
            x += text_width(part, scale, weight)
            if k < len(parts) - 1:
                centre = (x + ring + 1, org[1] - th + ring)
                cv2.circle(mask, centre, ring, 255, max(1, stroke - 1), cv2.LINE_AA)
                x += 2 * ring + 3
        return mask.astype(np.float32) / 255.0

    glyphs = draw(thickness)
    covered = np.maximum(draw(outline), glyphs) if outline else glyphs
    keep = np.repeat(((1.0 - covered) * 255.0 + 0.5)[..., None], 3, axis=2).astype(np.uint8)
    paint = (glyphs[..., None] * np.asarray(color, np.float32) + 0.5).astype(np.uint8)
    return keep, paint, org[0], org[1]


def put_text(
    frame: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    color: Color,
    thickness: int = 1,
    outline: int = 0,
) -> None:
    """cv2.putText's result (origin at the text's baseline start), from a cached sprite; clipped
    to the frame. `outline` > 0 adds a dark outline of that thickness."""
    keep, paint, ox, oy = _sprite(text, float(scale), tuple(color), thickness, outline)
    h, w = frame.shape[:2]
    x0, y0 = int(org[0]) - ox, int(org[1]) - oy
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = min(keep.shape[1], w - x0), min(keep.shape[0], h - y0)
    if sx1 <= sx0 or sy1 <= sy0:
        return
    roi = frame[y0 + sy0 : y0 + sy1, x0 + sx0 : x0 + sx1]
    under = cv2.multiply(roi, keep[sy0:sy1, sx0:sx1], scale=1.0 / 255.0)
    roi[:] = cv2.add(under, paint[sy0:sy1, sx0:sx1])


def outlined_text(
    frame: np.ndarray, text: str, org: tuple[int, int], scale: float, color: Color, outline: int
) -> None:
    """Text with a dark outline, readable on light and dark backgrounds alike."""
    put_text(frame, text, org, scale, color, 1, outline)


#: The points a dot is drawn on: the ends of the bones. The face's and hands' points carry no
#: angle here, and a cluster of dots on the face only hides it.
SKELETON_JOINTS: tuple[int, ...] = tuple(sorted({i for edge in SKELETON_EDGES for i in edge}))


class SkeletonAnnotator:
    """Bones between seen landmarks; the person's left in one colour, right in another."""

    def __init__(
        self,
        left_color: Color = (255, 160, 0),
        right_color: Color = (0, 140, 255),
        centre_color: Color = (230, 230, 230),
        thickness: int = 3,
        threshold: float = VISIBILITY_THRESHOLD,
    ) -> None:
        self.left_color, self.right_color, self.centre_color = (
            left_color,
            right_color,
            centre_color,
        )
        self.thickness = thickness
        self.threshold = threshold

    def annotate(self, frame: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """landmarks: (33, 4) normalised x, y, z, visibility of one frame."""
        h, w = frame.shape[:2]
        if not np.any(np.isfinite(landmarks[:, 0])):
            return frame
        # plain Python ints and bools: OpenCV takes tuples of them without numpy's per-item cost
        pts = [
            tuple(p)
            for p in np.nan_to_num(landmarks[:, :2] * np.array([w, h])).astype(int).tolist()
        ]
        seen = (landmarks[:, 3] >= self.threshold).tolist()  # (NaN: not seen)
        for a, b in SKELETON_EDGES:
            if not (seen[a] and seen[b]):
                continue
            if a % 2 == 1 and b % 2 == 1:
                color = self.left_color
            elif a % 2 == 0 and b % 2 == 0:
                color = self.right_color
            else:
                color = self.centre_color
            cv2.line(frame, pts[a], pts[b], color, self.thickness, cv2.LINE_AA)
        for i in SKELETON_JOINTS:
            if seen[i]:
                cv2.circle(frame, pts[i], self.thickness + 1, (255, 255, 255), -1, cv2.LINE_AA)
        return frame


def _beyond(a: list[float], b: list[float]) -> tuple[float, float]:
    """The point as far beyond b as a is before it (the line a -> b continued): 2b - a."""
    return (2 * b[0] - a[0], 2 * b[1] - a[1])


class AngleAnnotator:
    """An arc at each hip and knee with its value in degrees, written beside the joint.

    Labels never overprint each other (or a box in `avoid`): side-on both hips (and both knees) are
    nearly one point, so each label tries beside its joint (left side above, right side below, to
    the right, or to the left near the right edge) and moves down, then up, until it is clear.
    """

    def __init__(
        self,
        color: Color = (40, 220, 40),
        radius_frac: float = 0.05,
        font_scale: float | None = None,
    ) -> None:
        self.color = color
        self.radius_frac = radius_frac
        self.font_scale = font_scale
        self.boxes: list[Box] = []  # the labels' boxes of the last frame drawn

    def _arc(
        self,
        frame: np.ndarray,
        centre: Sequence[float],
        a: Sequence[float],
        b: Sequence[float],
        radius: int,
    ) -> None:
        start = math.degrees(math.atan2(a[1] - centre[1], a[0] - centre[0]))
        end = math.degrees(math.atan2(b[1] - centre[1], b[0] - centre[0]))
        sweep = (end - start + 540.0) % 360.0 - 180.0
        c = (int(centre[0]), int(centre[1]))
        cv2.ellipse(
            frame,
            c,
            (radius, radius),
            0,
            start,
            start + sweep,
            self.color,
            2,
            cv2.LINE_AA,
        )

    @staticmethod
    def _place(box: Box, taken: list[Box], frame_h: int) -> Box:
        """`box`, or the nearest shift of it down or up that overlaps nothing in `taken`."""
        x0, y0, x1, y1 = box
        step = y1 - y0 + 2
        for k in range(0, 12):
            for dy in (k * step,) if k == 0 else (k * step, -k * step):
                cand = (x0, y0 + dy, x1, y1 + dy)
                if cand[1] < 0 or cand[3] > frame_h:
                    continue
                if not any(overlaps(cand, t) for t in taken):
                    return cand
        return box

    def annotate(
        self,
        frame: np.ndarray,
        landmarks: np.ndarray,
        angles: Mapping[str, float],
        sides: tuple[str, ...] = ("left", "right"),
        avoid: tuple[Box, ...] = (),
    ) -> np.ndarray:
        """angles: one frame's mapping (as `AngleSeries.frame`); NaN values are not drawn."""
        self.boxes = []
        h, w = frame.shape[:2]
        if not np.any(np.isfinite(landmarks[:, 0])):
            return frame
        # one frame's few points as plain floats: per-joint numpy calls cost more than the drawing
        pts = (landmarks[:, :2].astype(np.float64) * np.array([w, h])).tolist()
        radius = max(8, int(self.radius_frac * min(w, h)))
        scale = self.font_scale or max(0.4, min(w, h) / 900.0)
        outline = max(2, round(scale * 5))
        taken = list(avoid)
        for side in sides:
            p = SIDE_POINTS[side]
            shoulder, hip, knee, ankle = (pts[p[k]] for k in ("shoulder", "hip", "knee", "ankle"))
            for joint, a, b, name, label in (
                (hip, _beyond(shoulder, hip), knee, f"{side}_hip_extension_deg", "hip"),
                (knee, _beyond(hip, knee), ankle, f"{side}_knee_flexion_deg", "knee"),
            ):
                value = float(angles.get(name, math.nan))
                if not (math.isfinite(value) and all(map(math.isfinite, (*joint, *a, *b)))):
                    continue
                self._arc(frame, joint, a, b, radius)
                text = (
                    f"{side[0].upper()} {label} {value:+.0f}"
                    if label == "hip"
                    else f"{side[0].upper()} {label} {value:.0f}"
                )
                # both sides' joints often coincide in a side view: left labels above, right below
                dy = -4 if side == "left" else int(26 * scale)
                x = joint[0] + radius + 4
                (tw, th), base = _text_size(text, scale, outline)
                if x + tw > w:
                    # near the right edge the label would be cut off: put it left of the joint
                    x = max(0.0, joint[0] - radius - 4 - tw)
                y = joint[1] + dy
                box = (int(x), int(y - th - 2), int(x + tw), int(y + base))
                box = self._place(box, taken, h)
                taken.append(box)
                self.boxes.append(box)
                org = (box[0], box[3] - base)
                outlined_text(frame, text, org, scale, self.color, outline)
        return frame


class TextAnnotator:
    """The cue of the moment on a dark band at the top of the frame, wrapped so it is always whole.

    Long cues take more lines (and a smaller font beyond `max_lines`), never a cut-off word.
    """

    def __init__(
        self, color: Color = (255, 255, 255), band: Color = (30, 30, 30), max_lines: int = 3
    ) -> None:
        self.color, self.band = color, band
        self.max_lines = max_lines
        self.box: Box | None = None  # the band of the last frame drawn

    def annotate(self, frame: np.ndarray, text: str) -> np.ndarray:
        self.box = None
        if not text:
            return frame
        h, w = frame.shape[:2]
        scale = max(0.5, w / 1100.0)
        thickness = 2 if scale >= 0.5 else 1
        pad = max(6, int(12 * scale))
        lines = wrap_text(text, w - 2 * pad, scale, thickness)
        while len(lines) > self.max_lines and scale > 0.35:
            scale *= 0.85
            lines = wrap_text(text, w - 2 * pad, scale, thickness)
        (_, th), base = _text_size("Ag", scale, thickness)
        line_h = th + base + max(4, int(6 * scale))
        band_h = pad + line_h * len(lines) + pad // 2
        widest = max(text_width(line, scale, thickness) for line in lines)
        self.box = (0, 0, min(w, widest + 2 * pad), min(h, band_h))
        cv2.rectangle(frame, self.box[:2], self.box[2:], self.band, -1)
        for i, line in enumerate(lines):
            y = pad + th + i * line_h
            put_text(frame, line, (pad, y), scale, self.color, thickness)
        return frame


class PanelAnnotator:
    """The working leg's panel, top left under the cue: its hip angle large, what it is, how the
    hold (or the steady time of a self-test) is going, and the reps and holds so far."""

    def __init__(self, margin: int = 8) -> None:
        self.margin = margin
        self.box: Box | None = None

    def annotate(
        self,
        frame: np.ndarray,
        top: int,
        value: str,
        caption: str,
        state: str = "neutral",
        progress: float | None = None,
        progress_text: str = "",
        counts: str = "",
    ) -> np.ndarray:
        self.box = None
        if not (value or caption or progress_text or counts):
            return frame
        h, w = frame.shape[:2]
        s = max(0.45, min(w, h) / 800.0)
        big, small = 2.4 * s, 0.75 * s
        bt, st = max(2, round(4 * s)), max(1, round(2 * s))
        m = self.margin
        rows: list[tuple[str, str]] = []
        if value:
            rows.append(("big", value))
        if caption:
            rows.append(("small", caption))
        if progress is not None or progress_text:
            rows.append(("bar", progress_text))
        if counts:
            rows.append(("small", counts))
        width = int(max(
            text_width(t, big if k == "big" else small, bt if k == "big" else st)
            for k, t in rows
        ))  # fmt: skip
        width = max(width, int(180 * s))
        x0, y = m, top + m
        heights = {
            "big": _text_size("0", big, bt)[0][1] + int(14 * s),
            "small": _text_size("Ag", small, st)[0][1] + int(12 * s),
            "bar": _text_size("Ag", small, st)[0][1] + int(26 * s),
        }
        total = sum(heights[k] for k, _ in rows) + m
        self.box = (0, top, x0 + width + 2 * m, min(h, y + total))
        shade(frame, self.box)
        color = STATE_COLORS.get(state, NEUTRAL)
        for kind, text in rows:
            y += heights[kind]
            if kind == "big":
                put_text(frame, text, (x0 + m, y - int(8 * s)), big, color, bt)
            elif kind == "small":
                put_text(frame, text, (x0 + m, y - int(6 * s)), small, NEUTRAL, st)
            else:
                bar_y0, bar_y1 = y - heights["bar"] + int(4 * s), y - heights["bar"] + int(14 * s)
                bx1 = x0 + m + width
                cv2.rectangle(frame, (x0 + m, bar_y0), (bx1, bar_y1), (90, 90, 90), -1)
                if progress is not None:
                    fill = x0 + m + int(np.clip(progress, 0.0, 1.0) * (bx1 - x0 - m))
                    cv2.rectangle(frame, (x0 + m, bar_y0), (fill, bar_y1), GOOD, -1)
                put_text(frame, text, (x0 + m, y - int(4 * s)), small, NEUTRAL, st)
        return frame


class GaugeAnnotator:
    """A vertical gauge at the right edge: the working angle against its target band.

    Degrees from `lo` (bottom) to `hi` (top); the target band shaded green, the value a marker
    (green inside the band, amber outside), the band's edges written in degrees.
    """

    def __init__(self, width_frac: float = 0.035) -> None:
        self.width_frac = width_frac
        self.box: Box | None = None

    def annotate(
        self,
        frame: np.ndarray,
        value: float | None,
        band: tuple[float | None, float | None],
        lo: float,
        hi: float,
    ) -> np.ndarray:
        h, w = frame.shape[:2]
        s = max(0.4, min(w, h) / 900.0)
        gw = max(10, int(self.width_frac * w))
        label_w = text_width("+00", s, 1) + 6
        x1 = w - 8
        x0 = x1 - gw
        y0, y1 = int(0.22 * h), int(0.78 * h)

        def y_of(v: float) -> int:
            return int(y1 - (np.clip(v, lo, hi) - lo) / (hi - lo) * (y1 - y0))

        self.box = (x0 - label_w - 4, y0 - 8, w, y1 + 8)
        shade(frame, self.box, alpha=0.5)
        cv2.rectangle(frame, (x0, y0), (x1, y1), (110, 110, 110), -1)
        b_lo = lo if band[0] is None else band[0]
        b_hi = hi if band[1] is None else band[1]
        cv2.rectangle(frame, (x0, y_of(b_hi)), (x1, y_of(b_lo)), GOOD, -1)
        for edge in band:
            if edge is not None:
                yy = y_of(edge)
                text = f"{edge:+.0f}"
                put_text(frame, text, (x0 - label_w, yy + 5), s, NEUTRAL)
        if value is not None and math.isfinite(value):
            inside = (band[0] is None or value >= band[0]) and (band[1] is None or value <= band[1])
            yy = y_of(value)
            cv2.rectangle(frame, (x0 - 4, yy - 3), (x1 + 4, yy + 3), GOOD if inside else SHORT, -1)
            cv2.rectangle(frame, (x0 - 4, yy - 3), (x1 + 4, yy + 3), (0, 0, 0), 1)
        return frame


class TableLineAnnotator:
    """The table line of a lying test, through the working hip: the thigh must reach it.

    `mode` "trunk": the trunk line (shoulders to hips) continued past the hip; "image": the image
    horizontal, on the side the working knee lies.
    """

    def __init__(self, color: Color = (255, 255, 0), dash_px: int = 12) -> None:
        self.color = color
        self.dash_px = dash_px

    def annotate(
        self, frame: np.ndarray, landmarks: np.ndarray, side: str, mode: str
    ) -> np.ndarray:
        h, w = frame.shape[:2]
        pts = landmarks[:, :2].astype(np.float64) * np.array([w, h])
        seen = landmarks[:, 3] >= VISIBILITY_THRESHOLD  # (NaN: not seen)
        p = SIDE_POINTS[side]
        hip, knee = pts[p["hip"]], pts[p["knee"]]
        if not (seen[p["hip"]] and seen[p["knee"]]):
            return frame
        thigh = float(np.linalg.norm(knee - hip))
        if mode == "image":
            direction = np.array([1.0 if knee[0] >= hip[0] else -1.0, 0.0])
        else:
            shoulders = [pts[i] for i in (11, 12) if seen[i]]
            if not shoulders:
                return frame
            d = hip - np.mean(shoulders, axis=0)
            norm = float(np.linalg.norm(d))
            if norm < 1e-6:
                return frame
            direction = d / norm
        length = max(thigh * 1.3, 40.0)
        n = max(1, int(length // self.dash_px))
        for k in range(0, n, 2):
            a = hip + direction * k * self.dash_px
            b = hip + direction * min((k + 1) * self.dash_px, length)
            cv2.line(frame, tuple(a.astype(int)), tuple(b.astype(int)), self.color, 2, cv2.LINE_AA)
        return frame
