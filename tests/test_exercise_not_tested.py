"""No verdict without the test: a recording that never shows the test's position, held with the
stance its definition describes, says "not tested" — a squat and a jump are no tests.

Constructed people (tests/pose_builder.py) through the whole recordings path (angles, limits,
zero-phase smoothing, view check, engine); walking and running, filmed, are in
tests/test_exercise_recordings.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from pose_builder import build_track, times
from reports import run_exercise_json

from exercises.catalog import load_exercises
from pose.angles import compute_angles
from pose.landmarks import NOSE, RIGHT_SHOULDER
from pose.smoothing import smooth_recording
from pose.track import PoseTrack
from pose.view import check_view

DEFS = load_exercises()
SELF_TESTS = sorted(k for k, d in DEFS.items() if d.kind != "stretch")
FPS = 30.0


def _recorded(track: PoseTrack, exercise: str) -> dict:
    series = compute_angles(track)
    view = check_view(track, series.posture).as_dict()
    report = run_exercise_json(smooth_recording(series), exercise, view=view)
    json.dumps(report, allow_nan=False)
    return report


def _head_down(track: PoseTrack, frames: np.ndarray) -> PoseTrack:
    """The head dropped: the nose drawn behind the trunk line, as a face turned down would put it
    (the facing vote then rests on the knees)."""
    lm = track.landmarks.copy()
    pts = track.points_px
    lm[frames, NOSE, 0] = (2 * pts[frames, RIGHT_SHOULDER, 0] - pts[frames, NOSE, 0]) / (
        track.image_size[0]
    )
    return PoseTrack(track.t, lm, track.image_size)


def squats(facing: int = 1, reps: int = 3) -> PoseTrack:
    """Stand 1 s, then `reps` squats of 3 s (down to hips flexed 100°, knees 110°, trunk 40°
    forward, the head down at the bottom), side-on, in one place."""
    t = times(1.0 + 3.0 * reps, FPS)
    cycle = np.clip((t - 1.0) / 3.0, 0.0, None) % 1.0
    depth = np.where(t < 1.0, 0.0, np.sin(np.pi * cycle) ** 2)
    kw = {
        "trunk_incline_deg": 40.0 * depth,
        "left_hip_extension_deg": -100.0 * depth,
        "right_hip_extension_deg": -100.0 * depth,
        "left_knee_flexion_deg": 110.0 * depth,
        "right_knee_flexion_deg": 110.0 * depth,
    }
    return _head_down(build_track(t, facing=facing, **kw), depth > 0.6)


def jumps(facing: int = 1) -> PoseTrack:
    """Stand, dip, jump (the hips 0.8 trunk lengths up), land in a deep crouch, stand: three times."""
    t = times(9.0, FPS)
    cycle = t % 3.0
    dip = np.interp(cycle, [0, 0.8, 1.1, 1.3, 1.7, 1.9, 2.4, 3.0], [0, 0, 0.6, 0, 0.2, 1, 0, 0])
    lift = np.interp(cycle, [0, 1.1, 1.3, 1.5, 1.7, 3.0], [0, 0, 0.8, 0.8, 0, 0])
    track = build_track(
        t,
        facing=facing,
        trunk_incline_deg=40.0 * dip,
        left_hip_extension_deg=-95.0 * dip,
        right_hip_extension_deg=-95.0 * dip,
        left_knee_flexion_deg=110.0 * dip,
        right_knee_flexion_deg=110.0 * dip,
    )
    lm = track.landmarks.copy()
    lm[..., 1] -= (lift * 180.0 / track.image_size[1])[:, None]
    return _head_down(PoseTrack(t, lm, track.image_size), dip > 0.6)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("make", [squats, jumps], ids=["squat", "jump"])
@pytest.mark.parametrize("exercise", SELF_TESTS)
def test_a_squat_or_a_jump_is_not_a_test(make, exercise: str, facing: int) -> None:
    report = _recorded(make(facing), exercise)
    assert report["view"]["side_on"] is True
    assert report["tested_side"] is None
    for s in report["sides"].values():
        assert s["verdict"] == "not_tested", s["reasons"]
        assert s["verdict_values"] is None and s["result_deg"] is None and s["findings"] == []
        assert s["summary"].startswith("not tested: ")


def test_no_squat_frame_reads_the_hip_extended() -> None:
    """The head down at the bottom does not turn the person round (the knees vote), so the deep
    hip flexion never reads as "extension" and no rep of the standing test can come from it."""
    series = compute_angles(squats())
    assert set(np.unique(series.facing_x)) == {1.0}
    for side in ("left", "right"):
        assert np.nanmax(series[f"{side}_hip_extension_deg"]) < 1.0


def test_the_standing_test_done_in_place_is_still_a_test() -> None:
    """The same person, standing still and taking the right leg back three times to 18°, is
    tested: the stance conditions do not stop a real test."""
    t = times(10.0, FPS)
    swing = np.clip(np.sin(2 * np.pi * (t - 1.0) / 3.0), 0.0, None) * (t > 1.0)
    track = build_track(t, facing=1, right_hip_extension_deg=18.0 * swing)
    report = _recorded(track, "standing_hip_extension_test")
    right = report["sides"]["right"]
    assert right["reps"] == 3 and right["verdict"] == "normal"
    assert report["sides"]["left"]["verdict"] == "not_tested"
