"""Constructed landmark tracks with known motion through the whole path: pose builder -> landmark
track -> pose.angles -> smoothing -> exercise engine -> report.

Every exercise, done right, with each fault, each self-test verdict, left and right (tested leg
near and far from the camera), a side switch in one recording, and poor visibility. The recording
path (zero-phase) and the live path (causal, frame by frame) must agree.
"""

from __future__ import annotations

import pytest
from exercise_tracks import (
    STANCES,
    other,
    standing_test_script,
    stretch_script,
    thomas_script,
)
from reports import run_exercise_json, session_json

from exercises.catalog import load_exercises
from exercises.session import ExerciseSession
from pose.angles import compute_angles
from pose.smoothing import LiveSmoother, smooth_recording
from pose.view import check_view

DEFS = load_exercises()
STRETCHES = sorted(STANCES)
HOLD_TOL_S = 0.35
PEAK_TOL_DEG = 1.0


def recorded(script, exercise: str, side: str = "auto") -> dict:
    """The recordings path of analyze.py: angles, zero-phase smoothing, view check, engine."""
    track = script.track()
    series = compute_angles(track)
    view = check_view(track, series.posture).as_dict()
    return run_exercise_json(smooth_recording(series), exercise, side=side, view=view)


def live(script, exercise: str) -> dict:
    """The live path: each frame's angles through the causal smoother, then the engine, one by one
    (the live page gives the session the view check it makes, as the recording path does)."""
    track = script.track()
    series = compute_angles(track)
    smoother = LiveSmoother()
    session = ExerciseSession(DEFS[exercise], view=check_view(track, series.posture).as_dict())
    for i in range(len(series)):
        session.update(smoother.update(series.frame(i)))
    return session_json(session)


def _facing_for(side: str, near: bool) -> float:
    """Facing image-right shows the camera the person's right side."""
    return 1.0 if (side == "right") == near else -1.0


# ----- stretches -------------------------------------------------------------------------------


@pytest.mark.parametrize("near", [True, False], ids=["near_leg", "far_leg"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("exercise", STRETCHES)
def test_stretch_on_a_constructed_person(exercise, side, near):
    script = stretch_script(exercise, sides=(side,), hold_s=31.0)
    script.facings = [(0.0, _facing_for(side, near))]
    report = recorded(script, exercise)
    st, worked = STANCES[exercise], report["sides"][side]
    assert report["view"]["side_on"] is True
    assert report["tested_side"] == side
    assert worked["verdict"] == "completed" and worked["holds_completed"] == 2
    assert worked["reps"] == 2 and worked["faults"] == {}
    for k, hold in enumerate(worked["holds"], start=1):
        assert hold["start_s"] == pytest.approx(
            script.marks[f"{side}_hold{k}_start"], abs=HOLD_TOL_S
        )
        assert hold["end_s"] == pytest.approx(script.marks[f"{side}_hold{k}_end"], abs=HOLD_TOL_S)
    assert worked["peak_hip_extension_deg"] == pytest.approx(st.work_hip_in, abs=PEAK_TOL_DEG)
    assert report["sides"][other(side)]["measured"] is False


@pytest.mark.parametrize(
    ("exercise", "fault"),
    [(ex, rule.id) for ex in STRETCHES for rule in DEFS[ex].faults],
)
def test_stretch_faults_on_a_constructed_person(exercise, fault):
    script = stretch_script(exercise, sides=("right",), hold_s=31.0, fault=(fault, 8.0, 3.0))
    report = recorded(script, exercise)
    worked = report["sides"]["right"]
    assert set(worked["faults"]) == {fault}
    assert worked["faults"][fault] == pytest.approx(3.0, abs=0.3)
    assert [c["fault"] for c in report["cues"] if c["kind"] == "fault"] == [fault]
    assert worked["holds"][0]["end_s"] == pytest.approx(
        script.marks["right_fault_start"], abs=HOLD_TOL_S
    )
    assert worked["holds_completed"] == 1


@pytest.mark.parametrize("exercise", STRETCHES)
def test_side_switch_in_one_recording_on_a_constructed_person(exercise):
    script = stretch_script(exercise, sides=("right", "left"), hold_s=31.0)  # the left leg is far
    report = recorded(script, exercise)
    assert report["tested_side"] == "both"
    for side in ("left", "right"):
        assert report["sides"][side]["verdict"] == "completed"
        assert report["sides"][side]["peak_hip_extension_deg"] == pytest.approx(
            STANCES[exercise].work_hip_in, abs=PEAK_TOL_DEG
        )
    assert report["asymmetry_deg"] == pytest.approx(0.0, abs=PEAK_TOL_DEG)


def _performance(exercise: str, side: str):
    if exercise == "thomas_test":
        return thomas_script([(side, -5.0, 80.0)])
    if exercise == "standing_hip_extension_test":
        return standing_test_script([(side, 15.0)])
    return stretch_script(exercise, sides=(side,), hold_s=31.0)


@pytest.mark.parametrize("exercise", sorted(DEFS))
def test_a_hidden_leg_gives_inconclusive_and_no_numbers(exercise):
    script = _performance(exercise, "right")
    script.keys["right_vis"] = [(0.0, 0.2), (script.t, 0.2)]
    report = recorded(script, exercise)
    hidden, seen = report["sides"]["right"], report["sides"]["left"]
    assert hidden["measured"] is False and hidden["verdict"] == "inconclusive"
    assert hidden["peak_hip_extension_deg"] is None and hidden["verdict_values"] is None
    assert hidden["angles"]["thigh_to_horizontal_deg"]["median"] is None
    assert hidden["holds"] == [] and hidden["reps"] in (None, 0)
    assert "not seen" in " ".join(hidden["reasons"])
    # the other leg never did the test: not tested (not "inconclusive": nothing to measure)
    assert seen["verdict"] == "not_tested" and seen["holds"] == [] and seen["reps"] in (None, 0)
    if exercise == "standing_hip_extension_test":
        # the standing test can work from the one leg it sees (the other is checked only when
        # seen), so the still standing leg is watched for reps, and it did none
        assert "never taken back" in seen["reasons"][0]
    else:
        assert seen["measured"] is False
        views = [c for c in report["cues"] if c["kind"] == "view"]
        assert views and "legs are in view" in views[0]["message"]


@pytest.mark.parametrize("exercise", sorted(DEFS))
def test_a_leg_hidden_for_a_while_is_measured_only_while_seen(exercise):
    """The working leg drops out of sight for 3 s in the middle: no numbers are made up for it."""
    script = _performance(exercise, "left")
    full = recorded(script, exercise)["sides"]["left"]
    mid = script.t / 2
    script.keys["left_vis"] = [
        (0.0, 0.95),
        (mid, 0.95),
        (mid + 0.01, 0.2),
        (mid + 3.0, 0.2),
        (mid + 3.01, 0.95),
        (script.t, 0.95),
    ]
    hidden = recorded(script, exercise)["sides"]["left"]
    assert hidden["measured"] is True
    assert hidden["measured_s"] <= full["measured_s"] - 2.9
    assert hidden["time_in_target_s"] <= full["time_in_target_s"]


# ----- Thomas test -----------------------------------------------------------------------------


@pytest.mark.parametrize("near", [True, False], ids=["near_leg", "far_leg"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize(
    ("thigh", "knee", "verdict", "findings"),
    [
        (-6.0, 80.0, "normal", set()),
        (9.0, 85.0, "tight", {"one_joint_hip_flexors"}),
        (-6.0, 55.0, "tight", {"rectus_femoris"}),
        (12.0, 50.0, "tight", {"one_joint_hip_flexors", "rectus_femoris"}),
    ],
)
def test_thomas_on_a_constructed_person(thigh, knee, verdict, findings, side, near):
    script = thomas_script([(side, thigh, knee)])
    script.facings = [(0.0, _facing_for(side, near))]
    report = recorded(script, "thomas_test")
    s = report["sides"][side]
    assert s["verdict"] == verdict
    assert {f["id"] for f in s["findings"]} == findings
    assert s["verdict_values"]["thigh_to_horizontal_deg"] == pytest.approx(thigh, abs=PEAK_TOL_DEG)
    assert s["verdict_values"]["knee_flexion_deg"] == pytest.approx(knee, abs=PEAK_TOL_DEG)


@pytest.mark.parametrize("fault", ["hug_released", "trunk_lifted"])
def test_thomas_pelvis_not_controlled_on_a_constructed_person(fault):
    script = thomas_script([("left", 8.0, 80.0)], fault=(fault, 1.0, 4.0))
    report = recorded(script, "thomas_test")
    s = report["sides"]["left"]
    assert s["verdict"] == "inconclusive" and s["verdict_values"] is None
    assert set(s["faults"]) == {fault}


@pytest.mark.parametrize("exercise", ["thomas_test", "supine_edge_stretch"])
@pytest.mark.parametrize(("knee", "tested"), [(3.0, False), (15.0, False), (40.0, True)])
def test_a_leg_lying_straight_on_the_bed_is_not_the_hanging_leg(exercise, knee, tested):
    """The other knee hugged, this thigh on the table line: only a knee bent under the lower leg's
    weight (over the edge) is the position; a straight knee is a leg lying on the bed."""
    report = recorded(thomas_script([("right", 0.0, knee)]), exercise)
    verdict = report["sides"]["right"]["verdict"]
    assert (verdict != "not_tested") == tested, verdict


def test_thomas_both_legs_on_a_constructed_person():
    script = thomas_script([("right", -6.0, 80.0), ("left", 10.0, 60.0)])
    report = recorded(script, "thomas_test")
    assert report["sides"]["right"]["verdict"] == "normal"
    assert report["sides"]["left"]["verdict"] == "tight"
    assert report["asymmetry_deg"] == pytest.approx(16.0, abs=PEAK_TOL_DEG)
    assert report["asymmetry"]["more_limited_side"] == "left"


# ----- standing hip extension test ----------------------------------------------------------------


@pytest.mark.parametrize("turn", [True, False], ids=["turns_round", "far_leg_second"])
def test_standing_test_on_a_constructed_person(turn):
    script = standing_test_script([("right", 16.0), ("left", 8.5)], turn=turn)
    report = recorded(script, "standing_hip_extension_test")
    right, left = report["sides"]["right"], report["sides"]["left"]
    assert (right["reps"], left["reps"]) == (3, 3)
    assert right["rep_peaks_deg"] == pytest.approx([16.0] * 3, abs=PEAK_TOL_DEG)
    assert left["rep_peaks_deg"] == pytest.approx([8.5] * 3, abs=PEAK_TOL_DEG)
    # 8.5° is short of 10°, but within the side-on camera's uncertainty of it
    assert (right["verdict"], left["verdict"]) == ("normal", "borderline")
    assert report["asymmetry_deg"] == pytest.approx(7.5, abs=PEAK_TOL_DEG)


@pytest.mark.parametrize("fault", ["lean_forward", "lean_back", "knee_bent"])
def test_standing_test_compensation_on_a_constructed_person(fault):
    script = standing_test_script([("left", 15.0)], faulty_reps=(1, 2, 3), fault=fault)
    report = recorded(script, "standing_hip_extension_test")
    s = report["sides"]["left"]
    assert s["reps"] == 3 and s["verdict"] == "inconclusive"
    assert f"compensation:{fault}" in {f["id"] for f in s["findings"]}


# ----- live path against the recording path -------------------------------------------------------

LIVE_CASES = [
    (
        "half_kneeling_stretch",
        lambda: stretch_script(
            "half_kneeling_stretch",
            sides=("right", "left"),
            hold_s=31.0,
            fault=("lean_back", 8.0, 3.0),
        ),
    ),
    (
        "standing_lunge_stretch",
        lambda: stretch_script("standing_lunge_stretch", sides=("left",), hold_s=31.0),
    ),
    (
        "supine_edge_stretch",
        lambda: stretch_script("supine_edge_stretch", sides=("right",), hold_s=31.0),
    ),
    ("couch_stretch", lambda: stretch_script("couch_stretch", sides=("left",), hold_s=31.0)),
    ("thomas_test", lambda: thomas_script([("right", -6.0, 80.0), ("left", 10.0, 55.0)])),
    ("standing_hip_extension_test", lambda: standing_test_script([("right", 16.0), ("left", 8.5)])),
]


@pytest.mark.parametrize(("exercise", "make"), LIVE_CASES, ids=[c[0] for c in LIVE_CASES])
def test_live_frames_give_the_same_verdicts_holds_and_reps_as_the_recording(exercise, make):
    script = make()
    batch, stream = recorded(script, exercise), live(script, exercise)
    for side in ("left", "right"):
        a, b = batch["sides"][side], stream["sides"][side]
        assert a["verdict"] == b["verdict"]
        assert a["reps"] == b["reps"]
        assert {f["id"] for f in a["findings"]} == {f["id"] for f in b["findings"]}
        assert a["holds_completed"] == b["holds_completed"]
        assert a["time_in_target_s"] == pytest.approx(b["time_in_target_s"], abs=0.5)
        assert len(a["holds"]) == len(b["holds"])
        for ha, hb in zip(a["holds"], b["holds"], strict=True):
            assert ha["end_s"] - ha["start_s"] == pytest.approx(
                hb["end_s"] - hb["start_s"], abs=0.5
            )
        # a sudden scripted lean opens the hip within a frame or two: how much of that shows just
        # below the fault's threshold depends on the filter, so peaks are compared without faults
        if a["peak_hip_extension_deg"] is not None and not a["faults"]:
            assert a["peak_hip_extension_deg"] == pytest.approx(
                b["peak_hip_extension_deg"], abs=1.0
            )


def test_standing_test_works_when_the_standing_leg_hides_behind_the_tested_one():
    """Side-on, the far (standing) leg is often hidden: the test runs on the leg it sees."""
    script = standing_test_script([("right", 16.0)])
    script.keys["left_vis"] = [(0.0, 0.2), (script.t, 0.2)]
    report = recorded(script, "standing_hip_extension_test")
    right = report["sides"]["right"]
    assert right["reps"] == 3 and right["verdict"] == "normal"
    assert right["rep_peaks_deg"] == pytest.approx([16.0] * 3, abs=PEAK_TOL_DEG)
    assert report["sides"]["left"]["measured"] is False
    assert any(p.get("if_seen") for p in report["thresholds"]["position"])


@pytest.mark.parametrize(
    "exercise", ["half_kneeling_stretch", "standing_lunge_stretch", "thomas_test"]
)
def test_a_position_told_by_the_other_leg_needs_that_leg_seen(exercise):
    """Standing tall is no lunge: where the other leg tells the position, it must be seen."""
    script = _performance(exercise, "right")
    script.keys["left_vis"] = [(0.0, 0.2), (script.t, 0.2)]
    report = recorded(script, exercise)
    assert report["tested_side"] is None
    assert all(not c.if_seen for c in DEFS[exercise].position if c.ref.startswith("other."))
