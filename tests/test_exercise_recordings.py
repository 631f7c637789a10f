"""The engine on real recordings of ../shared/data (filmed people, MediaPipe landmarks).

None of them shows a Thomas test or a kneeling stretch (../shared/data/README.md), so they check
what real footage can: gait's trailing leg under the standing hip extension test, and that views
and postures which do not fit an exercise are never turned into numbers.

Landmark tracks come from the `real_tracks` fixture of tests/conftest.py (MediaPipe, ~30 ms a
frame, once a session for every test file that looks at the same recording).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reports import run_exercise_json, session_json

from exercises.catalog import load_exercises
from exercises.report import run_frames
from exercises.session import ExerciseSession

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFS = load_exercises()

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"real recordings not found at {DATA}")


def _track(real_tracks, name: str):
    """The landmark track of one recording (tests/conftest.py computes each once a session)."""
    pytest.importorskip("mediapipe", reason="MediaPipe is needed to track real recordings")
    return real_tracks(name)[0]


def _recorded(track, exercise: str, side: str = "auto") -> dict:
    """The recordings path of analyze.py: angles, zero-phase smoothing, view check, engine."""
    from pose.angles import compute_angles
    from pose.smoothing import smooth_recording
    from pose.view import check_view

    series = compute_angles(track)
    view = check_view(track, series.posture).as_dict()
    return run_exercise_json(smooth_recording(series), exercise, side=side, view=view)


@pytest.fixture(scope="module")
def walking(real_tracks):
    return _track(real_tracks, "walking_side.mp4")


def _no_nan(report: dict) -> None:
    json.dumps(report, allow_nan=False)


SELF_TESTS = ("standing_hip_extension_test", "thomas_test")


@pytest.mark.parametrize("exercise", [*SELF_TESTS, "standing_lunge_stretch"])
@pytest.mark.parametrize("name", ["walking_side.mp4", "running_side.mp4"])
def test_walking_and_running_are_not_tests(real_tracks, name, exercise):
    """Walking and running take the trailing leg into 10–30° of hip extension each stride (and a
    stride is a split stance), but the body travels: no test's position is ever held, so every
    side is "not tested" — never a verdict, never a number that looks like one."""
    report = _recorded(_track(real_tracks, name), exercise)
    _no_nan(report)
    assert report["view"]["side_on"] is True
    assert report["tested_side"] is None and report["asymmetry_deg"] is None
    for s in report["sides"].values():
        assert s["verdict"] == "not_tested", s["reasons"]
        assert s["verdict_values"] is None and s["result_deg"] is None
        assert not any(f["id"] == "hip_extension_limited" for f in s["findings"])
        assert s["reasons"]


@pytest.mark.parametrize("rest_hold", [True, False])
def test_walking_was_a_normal_test_before_the_stance_was_checked(walking, rest_hold):
    """Without the stance, walking's strides would be counted as reps and given a verdict: the
    case above is a real test of the stance, not of the leg. Two parts of the stance each stop it:
    the body's speed, and reps measured from a stance the leg held (`reps.rest_hold_s`; a stride
    never holds one). With the speed left out and the held stance kept, there is still no rep;
    with both left out, the strides are reps."""
    from dataclasses import replace

    from pose.angles import compute_angles
    from pose.smoothing import smooth_recording
    from pose.view import check_view

    series = smooth_recording(compute_angles(walking))
    still = series.with_values({"body_speed_tl_s": 0.0 * series["body_speed_tl_s"]}, "zero-phase")
    view = check_view(walking, series.posture).as_dict()
    d = DEFS["standing_hip_extension_test"]
    if not rest_hold:
        d = replace(d, reps=replace(d.reps, rest_hold_s=None))
    report = run_exercise_json(still, d.id, view=view, definitions={**DEFS, d.id: d})
    near = report["sides"][report["view"]["near_side"]]
    if rest_hold:
        assert near["reps"] == 0 and near["verdict"] == "not_tested"
    else:
        assert near["reps"] >= 2 and near["verdict"] in ("normal", "borderline")


def test_a_real_recording_frame_by_frame_equals_the_batch_run(walking):
    """The same series fed one frame at a time, as the live page does, gives the same report."""
    from pose.angles import compute_angles
    from pose.smoothing import smooth_recording

    series = smooth_recording(compute_angles(walking))
    batch = run_exercise_json(series, "standing_hip_extension_test")
    session = ExerciseSession(DEFS["standing_hip_extension_test"])
    for i in range(len(series)):
        session.update(series.frame(i))
    assert session_json(session) == batch


def test_a_real_recording_through_the_live_filter_gives_the_same_verdicts(walking):
    """The live path (causal filter) against the recording path (zero-phase): same verdicts; gait is
    faster than any stretch, so the causal lag may move a stride's peak across a threshold and
    change the rep count by one."""
    from pose.angles import compute_angles
    from pose.smoothing import LiveSmoother

    series = compute_angles(walking)
    batch = _recorded(walking, "standing_hip_extension_test")
    smoother = LiveSmoother()
    live = session_json(
        run_frames(
            (smoother.update(series.frame(i)) for i in range(len(series))),
            DEFS["standing_hip_extension_test"],
            view=batch["view"],
        )
    )
    for side in ("left", "right"):
        a, b = batch["sides"][side], live["sides"][side]
        assert a["verdict"] == b["verdict"]
        assert abs(a["reps"] - b["reps"]) <= 1


@pytest.mark.parametrize(
    "exercise", ["standing_hip_extension_test", "standing_lunge_stretch", "thomas_test"]
)
@pytest.mark.parametrize("name", ["dancing_front.mp4", "balance_lab_portrait_60fps.mp4"])
def test_views_that_are_not_side_on_are_not_judged(real_tracks, name, exercise):
    report = _recorded(_track(real_tracks, name), exercise)
    _no_nan(report)
    assert report["view"]["side_on"] is False
    for s in report["sides"].values():
        assert s["verdict"] == "inconclusive"
        assert s["peak_hip_extension_deg"] is None and s["result_deg"] is None
        assert s["angles"]["hip_extension_deg"] == {"min": None, "median": None, "max": None}
        assert any("not side-on" in r for r in s["reasons"])
    assert report["asymmetry_deg"] is None


@pytest.mark.parametrize("exercise", ["standing_lunge_stretch", "half_kneeling_stretch"])
def test_a_head_down_yoga_flow_is_not_taken_for_a_lunge_stretch(real_tracks, exercise):
    """yoga_lunge_side: forward folds and a hands-down lunge, trunk head-down ("prone"): a lunge
    stretch needs the trunk upright, so nothing is measured and nothing is made up."""
    report = _recorded(_track(real_tracks, "yoga_lunge_side.mp4"), exercise)
    _no_nan(report)
    assert report["tested_side"] is None
    for s in report["sides"].values():
        assert s["measured"] is False and s["verdict"] == "not_tested"
        assert s["peak_hip_extension_deg"] is None and s["holds"] == []


def test_a_plank_is_not_taken_for_the_thomas_position(real_tracks):
    """plank_side: a horizontal body chest-down. The Thomas test needs lying on the back."""
    report = _recorded(_track(real_tracks, "plank_side.png"), "thomas_test")
    _no_nan(report)
    for s in report["sides"].values():
        assert s["measured"] is False and s["verdict"] == "not_tested"
        assert s["verdict_values"] is None
