"""End-to-end tests on the committed rendered clips (synth/clips): video in, numbers and verdicts out.

Needs only the app's requirements. The truth files say where every joint was; analyze.py must
measure the tested leg within the tolerances that synth/ACCURACY.md justifies, and its verdicts
must be what each clip was made to show. Only the clips marked `ci = true` in
synth/specs/library.toml go through MediaPipe here (a few seconds each); every truth file is
checked against the spec and against pose/'s own geometry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from pose.angles import compute_angles
from pose.track import PoseTrack
from synth.angles import ANGLE_NAMES
from synth.evaluate import leg_under_test, per_side_column, read_angles_csv, stats
from synth.scoring import camera_class, sagittal_angles
from synth.spec import load_specs
from synth.truth import DEFINITIONS, PRIMARY, load

REPO = Path(__file__).resolve().parents[1]
SPECS = load_specs()
CI_SPECS = [s for s in SPECS if s.ci]

#: Tolerances (degrees) for the pipeline on the CI clips (all ideal camera), tested leg, against
#: the skeleton truth. synth/ACCURACY.md measured on these clips a mean absolute error of at most
#: 5.6° for hip extension (standing side switch: the far hip the model guesses tilts the trunk
#: line), 3.4° knee flexion, 5.2° thigh-to-horizontal (lying, where it is the hip angle to the trunk
#: line) and 3.8° trunk incline; the worst single frame 10.3°. The limits sit about 1.5° above, so
#: encoder and machine differences cannot flip them while a regression of a few degrees fails.
MAE_LIMIT = {
    "hip_extension_deg": 7.0,
    "knee_flexion_deg": 5.0,
    "thigh_to_horizontal_deg": 6.5,
    "trunk_incline_deg": 5.5,
}
WORST_LIMIT = 12.0


def test_every_spec_has_its_clip_and_truth() -> None:
    missing = [s.name for s in SPECS if not (s.video_path.exists() and s.truth_path.exists())]
    assert missing == []
    exercises = {s.exercise for s in SPECS}
    assert exercises == {
        "thomas_test",
        "standing_hip_extension_test",
        "half_kneeling_stretch",
        "standing_lunge_stretch",
        "supine_edge_stretch",
    }
    assert 4 <= len({s.body_name for s in SPECS})
    assert CI_SPECS, "no clip is marked ci = true"


def test_library_stays_small() -> None:
    total = sum(s.video_path.stat().st_size + s.truth_path.stat().st_size for s in SPECS)
    assert total < 8e6, f"clip library is {total / 1e6:.1f} MB"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_truth_file_matches_its_spec(spec) -> None:
    truth = load(spec.truth_path)
    assert truth.meta["name"] == spec.name
    assert truth.meta["exercise"] == spec.exercise
    assert truth.meta["side"] == spec.side
    assert truth.meta["expect"] == spec.expect
    assert truth.meta["rendered"] is True
    assert truth.meta["truth_definition"] == PRIMARY
    assert len(truth.t) == spec.n_frames
    np.testing.assert_allclose(np.diff(truth.t), 1.0 / spec.fps, atol=1e-6)
    assert truth.image_size == spec.size
    for d in DEFINITIONS:
        pts = truth.points[d]
        assert pts.shape == (spec.n_frames, 33, 2)
        w, h = spec.size
        assert np.all(
            (pts[..., 0] >= 0) & (pts[..., 0] <= w) & (pts[..., 1] >= 0) & (pts[..., 1] <= h)
        )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_truth_angles_agree_with_pose_geometry(spec) -> None:
    """synth.angles and pose.geometry are written apart; on the truth joints they must agree."""
    truth = load(spec.truth_path)
    track = PoseTrack.load(spec.truth_path)  # a truth file is also a DESIGN.md track
    ours = compute_angles(track).values
    # while the person turns round (side switch) the view is frontal and facing is undecided
    keep = leg_under_test(truth) != ""
    for name in ANGLE_NAMES:
        ref = truth.angles[PRIMARY][name][keep]
        got = ours[name][keep]
        assert np.array_equal(np.isnan(ref), np.isnan(got)), name
        ok = np.isfinite(ref)
        assert np.max(np.abs(got[ok] - ref[ok]), initial=0.0) < 0.1, name


@pytest.mark.parametrize("spec", CI_SPECS, ids=lambda s: s.name)
def test_video_decodes_to_the_truths_frames(spec) -> None:
    cap = cv2.VideoCapture(str(spec.video_path))
    try:
        n = 0
        ok, frame = cap.read()
        shape = frame.shape if ok else None
        while ok:
            n += 1
            ok, _ = cap.read()
    finally:
        cap.release()
    assert n == spec.n_frames
    assert shape == (spec.size[1], spec.size[0], 3)


def _analyze_flags() -> str:
    out = subprocess.run(
        [sys.executable, "analyze.py", "--help"], capture_output=True, text=True, cwd=REPO
    )
    return out.stdout


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory):
    """analyze.py on each CI clip, once per module: (angles columns, report) by clip name."""
    flags = _analyze_flags()
    cache: dict[str, tuple[dict[str, np.ndarray], dict]] = {}

    def run(spec):
        if spec.name not in cache:
            out = tmp_path_factory.mktemp(spec.name)
            cmd = [sys.executable, "analyze.py", str(spec.video_path), "--out", str(out), "--quiet"]
            if "--exercise" in flags:
                cmd += ["--exercise", spec.exercise]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
            assert done.returncode == 0, done.stderr
            cols = read_angles_csv(out / "angles.csv", spec.n_frames)
            cache[spec.name] = (cols, json.loads((out / "report.json").read_text()))
        return cache[spec.name]

    return run


@pytest.mark.parametrize("spec", CI_SPECS, ids=lambda s: s.name)
def test_analyze_measures_the_rendered_angles(spec, analyzed) -> None:
    cols, report = analyzed(spec)
    truth = load(spec.truth_path)
    assert report["pose_detected_fraction"] == 1.0
    side = leg_under_test(truth)
    scored = 0
    for name, limit in MAE_LIMIT.items():
        est = per_side_column(cols, name, side)
        ref = per_side_column(truth.angles[PRIMARY], name, side)
        s = stats(est, ref)
        if np.all(np.isnan(ref)):
            continue  # trunk incline is not defined lying down
        assert s.n >= 0.9 * np.isfinite(ref).sum(), f"{name}: measured on {s.n} frames only"
        assert s.mae <= limit, f"{name}: MAE {s.mae:.1f}° > {limit}° (bias {s.bias:+.1f}°)"
        assert s.worst <= WORST_LIMIT, f"{name}: worst {s.worst:.1f}° > {WORST_LIMIT}°"
        scored += 1
    assert scored >= 3


@pytest.mark.parametrize(
    "spec",
    [s for s in CI_SPECS if "verdict" in s.expect or "faults" in s.expect],
    ids=lambda s: s.name,
)
def test_analyze_verdicts_match_the_clip(spec, analyzed) -> None:
    if "--exercise" not in _analyze_flags():
        pytest.skip("analyze.py has no --exercise option in this checkout")
    _, report = analyzed(spec)
    sides = spec.expect.get("sides") or [spec.side]
    for side in sides:
        got = report["sides"][side]
        if "verdict" in spec.expect:
            assert got["verdict"] == spec.expect["verdict"], (side, got.get("findings"))
        if "findings" in spec.expect:
            found = sorted(f["id"] if isinstance(f, dict) else f for f in got.get("findings") or [])
            assert found == sorted(spec.expect["findings"]), side
        assert set(got.get("faults") or {}) == set(spec.expect["faults"]), side


def test_readme_table_is_the_generated_one() -> None:
    """The README's accuracy table is the command's output, not typed by hand."""
    readme = (REPO / "README.md").read_text()
    accuracy = (REPO / "synth" / "ACCURACY.md").read_text()
    start, end = "<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->"
    if start not in readme:
        pytest.skip("README.md has no accuracy-table markers yet")
    table = readme.split(start, 1)[1].split(end, 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows, "the README's accuracy table is empty"
    for row in rows:
        assert row in accuracy, f"README row not in synth/ACCURACY.md: {row}"


def test_demo_catalogue_lists_every_clip_as_rendered() -> None:
    from synth.demo import CATALOG, catalog_text
    from ui.demo_clips import RENDERED_LABEL, demo_clips

    assert CATALOG.read_text() == catalog_text(), "run synth.demo.write_catalog()"
    clips = demo_clips()
    assert {c.name for c in clips} == {s.name for s in SPECS}
    assert all(c.label == RENDERED_LABEL and "rendered" in c.label for c in clips)
    assert all(c.path.exists() and c.exercise and c.side in ("left", "right") for c in clips)


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if camera_class(s) == "ideal"], ids=lambda s: s.name
)
def test_an_ideal_camera_sees_the_anatomical_angles(spec) -> None:
    """Side-on and level, the projected truth is the sagittal-plane truth (perspective aside)."""
    truth = load(spec.truth_path)
    side = leg_under_test(truth)
    sagittal = sagittal_angles(truth)
    for name in ("hip_extension_deg", "thigh_to_horizontal_deg", "trunk_incline_deg"):
        s = stats(
            per_side_column(truth.angles[PRIMARY], name, side),
            per_side_column(sagittal, name, side),
        )
        assert s.n == 0 or s.worst < 1.5, f"{name}: projected − side-on up to {s.worst:.1f}°"
