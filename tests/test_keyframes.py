"""Key frames: the frame each side's verdict or peak came from, drawn with its angles (outputs/
keyframes.py), and the engine's own timeline they are chosen from (outputs/timeline.py)."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.service import AnalysisOptions, analyze_source
from outputs import presenter as say
from outputs.keyframes import (
    BACKGROUND,
    choose_frames,
    draw_key_frame,
    key_frames,
    read_frames,
    side_by_side,
)
from outputs.timeline import engine_timeline

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "golden" / "tracks"
CLIPS = ROOT / "assets" / "demo_clips"


def analysis_of(name: str, exercise: str, kind: str | None = None):
    return analyze_source(
        TRACKS / f"{name}.npz", AnalysisOptions(exercise=exercise, label=f"{name}.mp4", kind=kind)
    )


def nth_frame(video: Path, n: int) -> np.ndarray:
    """Frame n of a video, read with OpenCV alone (independent of pose.sources)."""
    cap = cv2.VideoCapture(str(video))
    try:
        for _ in range(n + 1):
            ok, frame = cap.read()
            assert ok, f"{video.name} has fewer than {n + 1} frames"
        return frame
    finally:
        cap.release()


def drawn_angle_deg(d) -> float:
    """The angle between the drawn reference line and the drawn measured line, from their ends."""
    v = np.subtract(d.vertex, 0)
    a, b = np.subtract(d.reference_end, v), np.subtract(d.measured_end, v)
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


@pytest.fixture(scope="module")
def thomas():
    return analysis_of("thomas_tight_left", "thomas_test", kind="demo")


def test_thomas_key_frame_is_the_middle_of_the_settled_window_on_the_clip_itself(thomas) -> None:
    video = CLIPS / "thomas_tight_left.mp4"
    window = thomas.exercise.sides["left"].values.window
    middle = (window.start_s + window.end_s) / 2
    expected = int(np.argmin(np.abs(thomas.series.t - middle)))
    assert window.start_s <= thomas.series.t[expected] <= window.end_s

    (frame,) = key_frames(thomas, video)  # only the left leg was tested in this clip
    assert (frame.side, frame.index, frame.on_video) == ("left", expected, True)
    assert frame.t_s == pytest.approx(thomas.series.t[expected])
    # drawn on that very frame of the clip: the same drawing on frame `expected` read by OpenCV
    # alone is identical, and on any other frame it is not
    (choice,) = choose_frames(thomas.report, thomas.series)
    same = draw_key_frame(choice, thomas, nth_frame(video, expected))
    assert np.array_equal(same.image, frame.image)
    other = draw_key_frame(choice, thomas, nth_frame(video, expected - 40))
    assert not np.array_equal(other.image, frame.image)


@pytest.mark.parametrize(
    ("angle", "words"),
    [
        ("thigh_to_horizontal_deg", "Thigh 8.7° above the table line"),
        ("knee_flexion_deg", "Knee bent 49.8°"),
    ],
)
def test_thomas_key_frame_draws_the_reported_angle(thomas, angle: str, words: str) -> None:
    (frame,) = key_frames(thomas, CLIPS / "thomas_tight_left.mp4")
    drawn = next(d for d in frame.angles if d.angle == angle)
    reported = thomas.exercise.sides["left"].values.angles[angle]
    # the label written is the presenter's words for the reported value (the settled median)
    assert drawn.reported_deg == reported
    assert drawn.label == say.key_frame_label(angle, reported) == words
    # the lines drawn make the frame's own measured angle, which is the reported one within the
    # settled stretch's stillness (the median of 3 s; this frame is 0.1–0.3° from it)
    measured = thomas.raw.values[f"left_{angle}"][frame.index]
    assert drawn_angle_deg(drawn) == pytest.approx(abs(measured), abs=1e-6)
    assert drawn.frame_deg == pytest.approx(measured, abs=1e-6)
    assert drawn_angle_deg(drawn) == pytest.approx(abs(reported), abs=0.5)


def test_the_thigh_is_drawn_above_the_table_line_for_a_tight_leg(thomas) -> None:
    (frame,) = key_frames(thomas)
    thigh = next(d for d in frame.angles if d.angle == "thigh_to_horizontal_deg")
    assert thigh.frame_deg > 0 and thigh.threshold_label == "normal ≤ 0°"
    assert thigh.threshold_end is None  # a limit of 0° is the table line itself
    knee = next(d for d in frame.angles if d.angle == "knee_flexion_deg")
    assert knee.threshold_label == "normal ≥ 67°" and knee.threshold_end is not None


def test_without_a_video_the_skeleton_is_drawn_on_a_plain_background(thomas) -> None:
    (frame,) = key_frames(thomas)
    assert not frame.on_video
    start, stop = frame.body_rows
    for row in (start + 1, stop - 2):  # the corners of the body's picture: the plain background
        for col in (1, frame.image.shape[1] - 2):
            assert tuple(int(c) for c in frame.image[row, col]) == BACKGROUND
    assert frame.png().startswith(b"\x89PNG")


def test_a_video_that_does_not_match_the_track_is_not_drawn_on(thomas, tmp_path: Path) -> None:
    other = tmp_path / "other.mp4"
    writer = cv2.VideoWriter(str(other), cv2.VideoWriter_fourcc(*"mp4v"), 15, (320, 180))
    for _ in range(120):
        writer.write(np.full((180, 320, 3), 200, np.uint8))
    writer.release()
    assert read_frames(other, [96], thomas.track) == {}
    (frame,) = key_frames(thomas, other)
    assert not frame.on_video
    assert read_frames(tmp_path / "missing.mp4", [96], thomas.track) == {}


def test_a_rep_test_shows_the_rep_nearest_the_median_peak() -> None:
    analysis = analysis_of("standing_ext_right", "standing_hip_extension_test")
    right = analysis.exercise.sides["right"]
    (frame,) = key_frames(analysis)
    hip = next(d for d in frame.angles if d.angle == "hip_extension_deg")
    assert hip.reported_deg == right.values.median_rep_peak_deg == 17.8
    assert round(float(analysis.series.values["right_hip_extension_deg"][frame.index]), 1) == 17.8
    # the peak of its rep: the highest frame between the rep's start and end
    timeline = engine_timeline(analysis.report, analysis.series)
    rep = next(r for r in timeline.reps if r.peak_index == frame.index)
    inside = (analysis.series.t >= rep.start_s) & (analysis.series.t <= rep.end_s)
    values = analysis.series.values["right_hip_extension_deg"]
    assert values[frame.index] == np.nanmax(values[inside])
    # compensation shows on the trunk, drawn beside the hip
    assert any(d.angle == "trunk_incline_deg" for d in frame.angles)


def test_a_stretch_shows_the_middle_of_its_best_hold() -> None:
    analysis = analysis_of("half_kneel_right", "half_kneeling_stretch")
    (hold,) = analysis.exercise.sides["right"].holds
    (frame,) = key_frames(analysis)
    assert hold.start_s <= frame.t_s <= hold.end_s
    assert abs(frame.t_s - (hold.start_s + hold.end_s) / 2) <= 0.07
    hip = next(d for d in frame.angles if d.angle == "hip_extension_deg")
    assert hip.reported_deg == hold.mean_deg
    assert "middle of the best hold" in frame.reason


def test_a_stretch_without_a_hold_shows_its_peak_in_good_form() -> None:
    analysis = analysis_of("half_kneel_right_lean_back", "half_kneeling_stretch")
    right = analysis.exercise.sides["right"]
    assert not right.holds
    (frame,) = key_frames(analysis)
    value = analysis.series.values["right_hip_extension_deg"][frame.index]
    assert round(float(value), 1) == right.peak_hip_extension_deg


def test_both_sides_side_by_side_left_first() -> None:
    analysis = analysis_of("standing_ext_side_switch", "standing_hip_extension_test")
    frames = key_frames(analysis)
    assert [f.side for f in frames] == list(analysis.exercise.measured_sides)
    picture = side_by_side(frames)
    assert picture.shape[1] > sum(f.image.shape[1] for f in frames)  # with a gap between


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("standing_ext_left_lean_forward", "standing_hip_extension_test"),
        ("half_kneel_right_lean_back", "half_kneeling_stretch"),
        ("thomas_letgo_right", "thomas_test"),
    ],
)
def test_fault_spans_are_the_engines_own(name: str, exercise: str) -> None:
    """The replay reproduces the recorded result, and its spans add up to each fault's seconds."""
    analysis = analysis_of(name, exercise)
    timeline = engine_timeline(analysis.report, analysis.series)
    assert timeline is not None
    for side in ("left", "right"):
        for fault in analysis.exercise.sides[side].faults:
            spans = [s for s in timeline.spans(side) if s.fault == fault.id]
            assert spans, f"no span for {fault.id}"
            assert sum(s.duration_s for s in spans) == pytest.approx(fault.seconds, abs=0.011)


def test_no_timeline_from_a_series_the_engine_did_not_judge(thomas) -> None:
    other = analysis_of("thomas_normal_right", "thomas_test")
    assert engine_timeline(thomas.report, other.series) is None
    assert engine_timeline(thomas.report, None) is None
