"""Annotated frames show the skeleton along the bones and each angle's value beside its joint.

Checked on pixels: a constructed person is drawn on a plain grey frame, so anything not grey was
drawn by the annotators, and the angle colour (green) must appear next to the hips and knees only.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from conftest import RealTracks, data_file
from pose_builder import build_track, times

from outputs.video import write_annotated_video
from pose.angles import compute_angles
from pose.drawing import (
    AngleAnnotator,
    SkeletonAnnotator,
    TableLineAnnotator,
    TextAnnotator,
    hershey_text,
    overlaps,
    text_width,
    wrap_text,
)
from pose.landmarks import SIDE_POINTS, SKELETON_EDGES
from pose.render import Gauge, Overlay, annotate_frame
from pose.sources import open_source
from pose.track import PoseTrack

GREY = 90
SIZE = (1280, 720)
KWARGS = dict(
    facing=1,
    left_hip_extension_deg=15,
    right_hip_extension_deg=-40,
    left_knee_flexion_deg=10,
    right_knee_flexion_deg=60,
)


def person(**overrides: object) -> tuple[PoseTrack, dict[str, float | str]]:
    track = build_track(times(1.0), image_size=SIZE, **{**KWARGS, **overrides})
    return track, compute_angles(track).frame(0)


def blank() -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), GREY, dtype=np.uint8)


def angle_mask(frame: np.ndarray) -> np.ndarray:
    """Pixels in the angle colour (green, (40, 220, 40) BGR, anti-aliased onto grey)."""
    b, g, r = (frame[..., i].astype(int) for i in range(3))
    return (g > 150) & (g - r > 60) & (g - b > 60)


def joints_px(track: PoseTrack, side: str) -> dict[str, np.ndarray]:
    return {k: track.points_px[0, SIDE_POINTS[side][k]] for k in ("hip", "knee")}


def expected_label(side: str, joint: str, value: float) -> str:
    """What a reader should see: "R hip +15" (hip extension carries its sign), "L knee 60"."""
    number = f"{value:+.0f}" if joint == "hip" else f"{value:.0f}"
    return f"{side[0].upper()} {joint} {number}"


def text_size(text: str) -> tuple[int, int]:
    """Width and height in pixels of `text` in the annotator's font at this frame size."""
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, max(0.4, min(SIZE) / 900), 1)
    return w, h


def near(mask: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """The part of `mask` inside a box (clipped to the frame)."""
    h, w = mask.shape
    box = np.zeros_like(mask)
    box[max(0, int(y0)) : min(h, int(y1)), max(0, int(x0)) : min(w, int(x1))] = True
    return mask & box


def test_skeleton_is_drawn_along_every_bone() -> None:
    track, _ = person()
    frame = SkeletonAnnotator().annotate(blank(), track.landmarks[0])
    pts = track.points_px[0]
    drawn = np.any(frame != GREY, axis=-1)
    checked = 0
    for a, b in SKELETON_EDGES:
        if np.linalg.norm(pts[a] - pts[b]) < 10:
            continue  # left and right shoulders (hips) coincide side-on: no bone to see
        for f in np.linspace(0.2, 0.8, 7):
            x, y = np.round(pts[a] + f * (pts[b] - pts[a])).astype(int)
            assert drawn[y - 1 : y + 2, x - 1 : x + 2].any(), f"bone {a}-{b} missing at {f:.1f}"
        checked += 1
    assert checked >= 12
    # and nothing far from the person: the drawing stays within the body's box
    ys, xs = np.nonzero(drawn)
    lo, hi = np.nanmin(pts, axis=0) - 15, np.nanmax(pts, axis=0) + 15
    assert xs.min() >= lo[0] and xs.max() <= hi[0] and ys.min() >= lo[1] and ys.max() <= hi[1]


def test_skeleton_colours_the_persons_left_and_right() -> None:
    track, _ = person()
    ann = SkeletonAnnotator()
    frame = ann.annotate(blank(), track.landmarks[0])
    pts = track.points_px[0]
    for side, colour in (("left", ann.left_color), ("right", ann.right_color)):
        knee, ankle = pts[SIDE_POINTS[side]["knee"]], pts[SIDE_POINTS[side]["ankle"]]
        x, y = np.round((knee + ankle) / 2).astype(int)
        assert tuple(int(c) for c in frame[y, x]) == colour, side


def test_unseen_points_are_not_drawn() -> None:
    track, _ = person()
    lm = track.landmarks[0].copy()
    lm[SIDE_POINTS["right"]["ankle"], 3] = 0.1
    frame = SkeletonAnnotator().annotate(blank(), lm)
    pts = track.points_px[0]
    knee, ankle = pts[SIDE_POINTS["right"]["knee"]], pts[SIDE_POINTS["right"]["ankle"]]
    x, y = np.round(knee + 0.6 * (ankle - knee)).astype(int)
    assert np.all(frame[y - 2 : y + 3, x - 2 : x + 3] == GREY)


@pytest.mark.parametrize("side", ["left", "right"])
def test_angle_values_are_written_next_to_hip_and_knee_only(side: str) -> None:
    track, angles = person()
    ann = AngleAnnotator()
    frame = ann.annotate(blank(), track.landmarks[0], angles, sides=(side,))
    green = angle_mask(frame)
    radius = max(8, int(ann.radius_frac * min(SIZE)))
    allowed = np.zeros_like(green)
    for joint, name in zip(
        joints_px(track, side).values(), ("hip_extension_deg", "knee_flexion_deg"), strict=True
    ):
        label = name.split("_")[0]
        text = expected_label(side, label, float(angles[f"{side}_{name}"]))
        tw, th = text_size(text)
        # the label: to the right of the joint, within about two lines of it
        label_px = near(
            green,
            joint[0] + radius,
            joint[0] + radius + tw + 20,
            joint[1] - 3 * th,
            joint[1] + 3 * th,
        )
        label_px &= (
            np.hypot(*np.meshgrid(np.arange(SIZE[0]) - joint[0], np.arange(SIZE[1]) - joint[1]))
            > radius + 3
        )
        _, xs = np.nonzero(label_px)
        assert xs.size > 50, f"no value written next to the {side} {label}"
        # as wide as the text it should say ("R knee 60"), give or take the outline
        assert abs((xs.max() - xs.min() + 1) - tw) <= 6, (
            f"{side} {label}: {xs.max() - xs.min() + 1} px for {text!r} ({tw} px)"
        )
        allowed |= near(
            np.ones_like(green),
            joint[0] - radius - 3,
            joint[0] + radius + tw + 20,
            joint[1] - 3 * th - radius,
            joint[1] + 3 * th + radius,
        )
    stray = green & ~allowed
    assert not stray.any(), f"{int(stray.sum())} angle-coloured pixels away from the hip and knee"


def test_left_and_right_labels_do_not_overprint() -> None:
    """Side-on both hips are one point: the two sides' labels must still be readable apart."""
    track, angles = person()
    masks = [
        angle_mask(AngleAnnotator().annotate(blank(), track.landmarks[0], angles, sides=(s,)))
        for s in ("left", "right")
    ]
    hip = track.points_px[0, SIDE_POINTS["left"]["hip"]]
    radius = max(8, int(0.05 * min(SIZE)))
    text_area = [near(m, hip[0] + radius + 2, SIZE[0], hip[1] - 60, hip[1] + 60) for m in masks]
    ys = [np.nonzero(m)[0] for m in text_area]
    assert ys[0].size and ys[1].size
    # not overlapping in height: one above the other
    assert ys[0].max() < ys[1].min() or ys[1].max() < ys[0].min()


def test_no_value_is_drawn_where_the_angle_is_not_measured() -> None:
    track, angles = person()
    angles = {**angles, "right_knee_flexion_deg": math.nan}
    frame = AngleAnnotator().annotate(blank(), track.landmarks[0], angles, sides=("right",))
    knee = joints_px(track, "right")["knee"]
    assert not near(
        angle_mask(frame), knee[0] - 60, knee[0] + 300, knee[1] - 60, knee[1] + 60
    ).any()


def test_label_near_the_right_edge_stays_in_the_frame() -> None:
    """A person at the right edge (as in running_side.mp4): the value is not cut off."""
    track, angles = person(hip_px=(SIZE[0] - 60.0, 300.0))
    frame = AngleAnnotator().annotate(blank(), track.landmarks[0], angles, sides=("right",))
    green = angle_mask(frame)
    hip = joints_px(track, "right")["hip"]
    tw, _ = text_size(expected_label("right", "hip", float(angles["right_hip_extension_deg"])))
    _, xs = np.nonzero(near(green, 0, hip[0] - 40, hip[1] - 10, hip[1] + 40))
    assert xs.size and abs((xs.max() - xs.min() + 1) - tw) <= 6


def test_annotate_frame_draws_skeleton_values_and_cue() -> None:
    track, angles = person()
    frame = annotate_frame(blank(), track.landmarks[0], angles, text="Keep your back upright")
    assert angle_mask(frame).sum() > 200
    band = frame[:40, :300]
    assert np.any(np.all(band > 200, axis=-1)), "cue text missing from the top band"
    assert not np.any(
        np.all(annotate_frame(blank(), track.landmarks[0], angles)[:40, :300] > 200, axis=-1)
    )


def test_no_person_draws_nothing() -> None:
    empty = np.full((33, 4), np.nan, dtype=np.float32)
    frame = annotate_frame(blank(), empty, {})
    assert np.all(frame == GREY)
    assert np.all(TextAnnotator().annotate(blank(), "") == GREY)


def test_annotated_video_of_a_real_recording(real_tracks: RealTracks, tmp_path) -> None:
    name = "running_side.mp4"
    track, _ = real_tracks(name)
    out = tmp_path / "annotated.mp4"
    write_annotated_video(data_file(name), track, compute_angles(track), out)
    written = open_source(out)
    assert (written.info().width, written.info().height) == track.image_size
    assert sum(1 for _ in written.frames()) == len(track)


# ----- the live coach's overlay ----------------------------------------------------------------

LONG_CUE = (
    "Shift your hips forward a little until you feel the stretch at the front of the back hip, "
    "and keep the trunk upright while you do it."
)


@pytest.mark.parametrize("width", [320, 640, 1280])
def test_a_long_cue_is_wrapped_whole_inside_the_frame(width: int) -> None:
    frame = np.full((width * 3 // 4, width, 3), GREY, np.uint8)
    ann = TextAnnotator()
    ann.annotate(frame, LONG_CUE)
    x0, _, x1, y1 = ann.box
    assert 0 <= x0 < x1 <= width and y1 < frame.shape[0] // 2
    scale = max(0.5, width / 1100.0)
    lines = wrap_text(LONG_CUE, width - 2 * max(6, int(12 * scale)), scale, 2)
    assert " ".join(lines) == LONG_CUE  # every word, none cut
    assert len(lines) > 1
    assert np.all(frame[y1 + 2 :] == GREY)  # nothing of the text is drawn past the band


def test_labels_of_both_sides_never_overlap_each_other_or_the_panels() -> None:
    """Side-on both hips and both knees nearly coincide; the four labels and the panels stay apart."""
    track, angles = person(right_hip_extension_deg=12, left_hip_extension_deg=10)
    ann = AngleAnnotator()
    panel = (0, 0, int(track.points_px[0, 23, 0]) + 60, int(track.points_px[0, 23, 1]))
    ann.annotate(blank(), track.landmarks[0], angles, avoid=(panel,))
    boxes = ann.boxes
    assert len(boxes) == 4
    for i, a in enumerate(boxes):
        assert not overlaps(a, panel)
        for b in boxes[i + 1 :]:
            assert not overlaps(a, b), (a, b)


def _overlay(**kw) -> Overlay:
    return Overlay(**{
        "cue": "Bring your chest up: keep the trunk upright.", "side": "left", "value": "+12°",
        "caption": "left hip extension, target ≥ 10°", "state": "good", "progress": 0.5,
        "progress_text": "Hold 15 / 30 s", "counts": "Reps 1 / 2 · Holds 0 / 2",
        "gauge": Gauge(12.0, 10.0, None), **kw,
    })  # fmt: skip


def test_the_live_overlay_shows_the_panel_the_gauge_and_the_progress() -> None:
    track, angles = person()
    frame = annotate_frame(blank(), track.landmarks[0], angles, overlay=_overlay())
    h, w = frame.shape[:2]
    green = (frame[..., 1] > 150) & (frame[..., 1].astype(int) - frame[..., 2] > 60)
    # the gauge at the right edge: its target band (10° and up) in green, the marker in it
    assert green[int(0.3 * h) : int(0.5 * h), w - 40 : w - 10].mean() > 0.5
    # the hold bar half filled under the large value, in the panel at the top left
    panel = frame[: h // 3, : w // 3]
    assert (panel != GREY).any(axis=-1).mean() > 0.5
    assert green[: h // 3, : w // 3].sum() > 500  # the large value and the bar
    # the overlay's words are drawn, not the code's: the degree sign as a ring, no "?" boxes
    assert text_width("+12°", 1.0, 2) > text_width("+12", 1.0, 2)
    assert (
        hershey_text("Reps 1 / 2 · Holds 0 / 2 ≥ 10° – x") == "Reps 1 / 2 | Holds 0 / 2 >= 10° - x"
    )


def test_the_table_line_runs_on_from_the_trunk_through_the_working_hip() -> None:
    track, _ = person(trunk_incline_deg=-90.0, left_hip_extension_deg=-5.0)
    frame = TableLineAnnotator().annotate(blank(), track.landmarks[0], "left", "trunk")
    pts = track.points_px[0]
    hip = pts[SIDE_POINTS["left"]["hip"]]
    shoulder = (pts[11] + pts[12]) / 2
    direction = (hip - shoulder) / np.linalg.norm(hip - shoulder)
    cyan = (frame[..., 0] > 200) & (frame[..., 1] > 200) & (frame[..., 2] < 100)
    hits = 0
    for d in np.linspace(5, 120, 24):
        x, y = np.round(hip + direction * d).astype(int)
        hits += bool(cyan[y - 2 : y + 3, x - 2 : x + 3].any())
    assert hits >= 10  # dashed: about half of the line is drawn
