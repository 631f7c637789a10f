"""report.json keeps its keys and values: the fixtures in tests/golden/ were written by the code
before the typed-result refactor (`python -m tests.golden.regenerate`); additions are allowed.

Rendered clips replay their committed landmark tracks (no pose pass); real recordings run the
whole pipeline from ../shared/data (skipped where it is absent). A change that moves a verdict or
an angle regenerates the fixtures, with the diff reviewed in its commit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import data_file

import analyze
from tests.golden.regenerate import CLIPS, DEMO, REAL, REPORTS, TRACKS, clip_exercise

#: Values that name this machine's paths or are words, not measurements: `source` is the input's
#: path as given; `summary` is the presenter's sentence (its wording is tested on its own).
NOT_COMPARED = {"source", "summary"}


def assert_contains(expected: object, actual: object, where: str = "report") -> None:
    """Every key and value of `expected` is in `actual` (floats to 1e-6); extra keys are fine."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key in NOT_COMPARED:
                continue
            assert key in actual, f"{where}.{key} is missing"
            assert_contains(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: expected {len(expected)} items, got {actual!r}"
        )
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_contains(e, a, f"{where}[{i}]")
    elif isinstance(expected, float) and isinstance(actual, int | float):
        assert math.isclose(expected, actual, abs_tol=1e-6), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def report_for(argv: list[str], out: Path) -> dict:
    assert analyze.main([*argv, "--out", str(out), "--quiet"]) == 0
    return json.loads((out / "report.json").read_text())


CLIP_NAMES = sorted(p.stem for p in TRACKS.glob("*.npz"))


def test_every_rendered_clip_has_a_fixture() -> None:
    assert CLIP_NAMES == sorted(p.stem for p in DEMO.glob("*.mp4"))
    assert all((REPORTS / f"{n}.json").exists() for n in CLIP_NAMES)


@pytest.mark.parametrize("name", CLIP_NAMES)
def test_rendered_clip_report_unchanged(name: str, tmp_path: Path) -> None:
    exercise = clip_exercise(CLIPS / f"{name}.truth.npz")
    report = report_for([str(TRACKS / f"{name}.npz"), "--exercise", exercise], tmp_path)
    assert_contains(json.loads((REPORTS / f"{name}.json").read_text()), report)


@pytest.mark.parametrize("file", sorted(REAL))
def test_real_recording_report_unchanged(file: str, tmp_path: Path) -> None:
    path = data_file(file)
    exercise = REAL[file]
    report = report_for([str(path)] + (["--exercise", exercise] if exercise else []), tmp_path)
    expected = json.loads((REPORTS / f"real_{Path(file).stem}.json").read_text())
    assert_contains(expected, report)


def test_the_comparison_can_fail() -> None:
    with pytest.raises(AssertionError, match=r"report.sides.left.verdict"):
        assert_contains(
            {"sides": {"left": {"verdict": "tight"}}}, {"sides": {"left": {"verdict": "normal"}}}
        )
    with pytest.raises(AssertionError, match="missing"):
        assert_contains({"frames": 3}, {})
