"""Honest uncertainty: every decisive value carries how far it may be off — the rendered library's
error for the posture and camera ([verdict.uncertainty] in the definition) combined with the spread
of the values it was taken from — and a value within that of a threshold is "borderline", shown as
"thigh +1.2° ± 2.8° — borderline", never a confident "tight" or "normal"."""

from __future__ import annotations

import math

import pytest
from exercise_tracks import SIDE_ON, standing_test_script, thomas_script
from reports import run_exercise_json

from exercises.catalog import load_exercises
from exercises.report import run_exercise
from outputs.presenter import finding_sentence, side_summary
from outputs.report_json import _read_exercise, exercise_dict

DEFS = load_exercises()
THOMAS = DEFS["thomas_test"].verdict
OBLIQUE = {**SIDE_ON, "off_axis_deg": 25.0}
UNCERTAINTY = {u.angle: u for u in THOMAS.uncertainty}
THIGH_U = {"side_on": UNCERTAINTY["thigh_to_horizontal_deg"].side_on}


@pytest.mark.parametrize(
    ("thigh", "view", "verdict", "borderline"),
    [
        pytest.param(1.0, SIDE_ON, "borderline", True, id="just-above-the-line"),
        pytest.param(-1.5, SIDE_ON, "borderline", True, id="just-below-the-line"),
        pytest.param(6.0, SIDE_ON, "tight", False, id="clearly-above"),
        pytest.param(-6.0, SIDE_ON, "normal", None, id="clearly-below"),
        pytest.param(6.0, OBLIQUE, "borderline", True, id="oblique-camera-is-less-sure"),
        pytest.param(6.0, None, "borderline", True, id="unknown-camera-counts-as-oblique"),
    ],
)
def test_a_value_near_a_threshold_is_borderline(thigh, view, verdict, borderline) -> None:
    result = run_exercise(thomas_script([("left", thigh, 85.0)]).series(), "thomas_test", view=view)
    left = result.sides["left"]
    assert left.verdict == verdict
    thigh_findings = [f for f in left.findings if f.id == "one_joint_hip_flexors"]
    if borderline is None:
        assert thigh_findings == []
    else:
        (f,) = thigh_findings
        assert f.borderline is borderline and f.value == pytest.approx(thigh, abs=0.5)
        camera = "side_on" if view is SIDE_ON else "oblique"
        library = UNCERTAINTY["thigh_to_horizontal_deg"].deg(camera)
        assert library <= f.uncertainty < library + 0.5  # a still leg adds little spread
    u = left.values.uncertainty
    assert set(u) == {"thigh_to_horizontal_deg", "knee_flexion_deg"}


def test_borderline_reads_with_its_number_and_uncertainty() -> None:
    result = run_exercise(
        thomas_script([("left", 1.2, 85.0)]).series(), "thomas_test", view=SIDE_ON
    )
    left = result.sides["left"]
    (f,) = left.findings
    summary = side_summary(left, result)
    assert summary.startswith("borderline: thigh 1.2° ± 2.8° above the table line")
    assert f"thigh +1.2° ± {f.uncertainty:.1f}° — borderline" in summary
    sentence = finding_sentence(f, "left")
    assert sentence.startswith(f"Thigh +1.2° ± {f.uncertainty:.1f}° — borderline: normal is")
    assert "cannot tell" in sentence


def test_the_spread_of_the_settled_window_widens_the_uncertainty() -> None:
    still = run_exercise(
        thomas_script([("left", -6.0, 85.0)]).series(), "thomas_test", view=SIDE_ON
    )
    shaky = run_exercise(
        thomas_script([("left", -6.0, 85.0)]).series(noise_deg=2.5, seed=1),
        "thomas_test",
        view=SIDE_ON,
    )
    a = still.sides["left"].values.uncertainty["thigh_to_horizontal_deg"]
    b = shaky.sides["left"].values.uncertainty["thigh_to_horizontal_deg"]
    assert a == pytest.approx(THIGH_U["side_on"], abs=0.2)
    assert b > a + 0.2
    # the library error and the window's standard deviation add as a root sum of squares
    assert b == pytest.approx(math.hypot(THIGH_U["side_on"], 2.5 / math.sqrt(3)), abs=0.4)


@pytest.mark.parametrize(("peak", "verdict"), [(11.5, "borderline"), (15.0, "normal")])
def test_a_rep_test_peak_near_the_range_is_borderline(peak: float, verdict: str) -> None:
    report = run_exercise_json(
        standing_test_script([("right", peak)]).series(),
        "standing_hip_extension_test",
        view=SIDE_ON,
    )
    right = report["sides"]["right"]
    assert right["verdict"] == verdict
    u = right["verdict_values"]["uncertainty_deg"]["median_rep_peak_deg"]
    assert u == pytest.approx(
        DEFS["standing_hip_extension_test"].verdict.uncertainty[0].side_on,
        abs=0.3,
    )
    if verdict == "borderline":
        (f,) = right["findings"]
        assert f["borderline"] is True and f["uncertainty_deg"] == u
        assert f["value_deg"] == pytest.approx(peak, abs=1.0)


def test_uncertainty_goes_into_report_json_and_comes_back() -> None:
    result = run_exercise(
        thomas_script([("left", 1.0, 60.0)]).series(), "thomas_test", view=SIDE_ON
    )
    d = exercise_dict(result)
    left = d["sides"]["left"]
    assert left["verdict"] == "tight"  # the knee clearly short of 67°; the thigh borderline
    by_id = {f["id"]: f for f in left["findings"]}
    assert by_id["rectus_femoris"]["borderline"] is False
    assert by_id["one_joint_hip_flexors"]["borderline"] is True
    for f in by_id.values():
        assert f["uncertainty_deg"] > 0 and "value_deg" in f
    values = left["verdict_values"]
    assert set(values["uncertainty_deg"]) == {"thigh_to_horizontal_deg", "knee_flexion_deg"}
    back = _read_exercise(d)
    assert back.sides["left"] == result.sides["left"]
    # the values the engine used, with their source
    keys = {t["key"] for t in d["thresholds_list"]}
    assert "verdict.uncertainty.thigh_to_horizontal_deg.side_on" in keys
    assert d["thresholds"]["verdict"]["uncertainty"]["knee_flexion_deg"]["source"]
