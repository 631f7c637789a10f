"""A folder or a list of recordings: `analyze.py FOLDER_OR_FILES... --out DIR [--jobs N]`.

Each recording goes into its own folder under DIR, with DIR/summary.csv a row per recording; a
file that fails is a row with its reason and the others are analysed; `--jobs 1` and `--jobs 2`
give the same results; and the pool keeps going when a worker process dies. Pose runs on two
short rendered clips only (120 frames each); the rest are landmark tracks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from conftest import REPO

import analyze
from analysis.batch import (
    BatchItem,
    SummaryRow,
    collect_inputs,
    failed_row,
    result_folder_names,
    run_batch,
)
from outputs.batch import SUMMARY_COLUMNS, read_summary, write_summary
from pose.sources import InputError
from pose.track import PoseTrack

CLIPS = REPO / "assets" / "demo_clips"
GOLDEN_TRACKS = REPO / "tests" / "golden" / "tracks"
VIDEOS = ("half_kneel_right_short", "thomas_normal_right")


# --------------------------------------------------------------------------------------------
# which files, and where their results go


def test_a_folder_is_read_for_recordings_in_name_order(tmp_path: Path) -> None:
    for name in ("b.mp4", "a.npz", "c.PNG", "notes.txt", ".hidden.mp4", "d.gif"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.mp4").mkdir()  # a folder named like a video is no recording
    extra = tmp_path / "elsewhere.bin"
    extra.write_bytes(b"x")
    found = collect_inputs([tmp_path, extra])
    assert [p.name for p in found] == ["a.npz", "b.mp4", "c.PNG", "d.gif", "elsewhere.bin"]


def test_a_folder_without_recordings_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="holds no videos"):
        collect_inputs([tmp_path])


@pytest.mark.parametrize(
    ("inputs", "names"),
    [
        (["a/walk.mp4", "b/run.mp4"], ["walk", "run"]),
        (["a/walk.mp4", "b/walk.mov"], ["walk.mp4", "walk.mov"]),
        (["a/walk.mp4", "b/walk.mp4", "c/walk.mp4"], ["walk.mp4", "walk.mp4-2", "walk.mp4-3"]),
        (["a/.analyze-1.mp4"], ["analyze-1"]),  # never a name the scratch sweep could take
    ],
)
def test_each_recording_gets_a_folder_of_its_own(inputs: list[str], names: list[str]) -> None:
    assert result_folder_names([Path(p) for p in inputs]) == names


def test_summary_csv_has_a_row_per_recording_with_empty_cells_where_unknown(
    tmp_path: Path,
) -> None:
    ok = SummaryRow(
        file="a.mp4",
        input="in/a.mp4",
        results="a",
        status="ok",
        exercise="thomas_test",
        frames=10,
        duration_s=0.3,
        pose_detected_fraction=1.0,
        tested_side="left",
        verdicts={"left": "tight", "right": None},
        peaks={"left": -12.34, "right": None},
        warnings=("one", "two"),
    )
    bad = failed_row(BatchItem(Path("in/b.mp4"), tmp_path / "b"), "b.mp4 is empty (0 bytes).")
    rows = read_summary(write_summary([ok, bad], tmp_path))
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    assert rows[0]["left_verdict"] == "tight" and rows[0]["right_verdict"] == ""
    assert rows[0]["left_peak_hip_extension_deg"] == "-12.3"
    assert rows[0]["warnings"] == "one | two"
    assert rows[1]["status"] == "failed" and rows[1]["reason"] == "b.mp4 is empty (0 bytes)."
    assert rows[1]["results"] == "" and rows[1]["frames"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]  # no scratch file left


# --------------------------------------------------------------------------------------------
# the pool: module-level work, as a spawned worker needs it


def _square(x: int) -> int:
    if x == 2:
        raise ValueError("two is not allowed")
    if x == 3:
        os._exit(7)  # the worker dies, as it would from a crash in native code
    return x * x


def _crashed(x: int, reason: str) -> str:
    return f"{x} failed: {reason}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_pool_gives_results_in_order_and_goes_on_after_a_failure(jobs: int) -> None:
    items = [0, 1, 2, 4, 5] if jobs == 1 else [0, 1, 2, 3, 4, 5]
    seen: list[int] = []
    results = run_batch(
        _square, items, jobs, _crashed, done=lambda i, _r: seen.append(i), cost=lambda x: x
    )
    expected = {0: 0, 1: 1, 2: "2 failed: ValueError: two is not allowed", 4: 16, 5: 25}
    expected[3] = (
        "3 failed: the analysis stopped unexpectedly (exit code 7): try this file on its own"
    )
    assert results == [expected[x] for x in items]
    assert sorted(seen) == list(range(len(items)))
    if jobs == 1:  # in this process, longest first
        assert seen == [4, 3, 2, 1, 0]


# --------------------------------------------------------------------------------------------
# end to end: a folder with a bad file, through --jobs 1 and --jobs 2


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two rendered clips, a landmark track, a broken video and a note that is no recording."""
    folder = tmp_path_factory.mktemp("clinic") / "recordings"
    folder.mkdir()
    for name in VIDEOS:
        shutil.copy(CLIPS / f"{name}.mp4", folder)
    shutil.copy(GOLDEN_TRACKS / "lunge_right.npz", folder)
    (folder / "broken.mp4").write_text("not a video\n")
    (folder / "notes.txt").write_text("Monday's patients\n")
    return folder


ARGS = ("--exercise", "half_kneeling_stretch", "--quiet")


@pytest.fixture(scope="module")
def two_jobs(clinic: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = clinic.parent / "out-2"
    run = subprocess.run(
        [sys.executable, "analyze.py", str(clinic), "--out", str(out), "--jobs", "2", *ARGS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return out, run


@pytest.fixture(scope="module")
def one_job(clinic: Path) -> tuple[Path, int]:
    out = clinic.parent / "out-1"
    return out, analyze.main([str(clinic), "--out", str(out), "--jobs", "1", *ARGS])


def test_a_bad_file_is_a_summary_row_and_the_rest_are_analysed(
    two_jobs: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, run = two_jobs
    assert run.returncode == 2, run.stderr  # not every file could be analysed
    assert run.stderr.splitlines() == [
        f"analyze.py: broken.mp4: {out.parent / 'recordings' / 'broken.mp4'} could not be read "
        "as a video (corrupt, truncated or not a video): try another file or re-export it as .mp4."
    ]
    rows = {r["file"]: r for r in read_summary(out / "summary.csv")}
    assert list(rows) == ["broken.mp4", "half_kneel_right_short.mp4", "lunge_right.npz", *[
        f"{v}.mp4" for v in VIDEOS[1:]
    ]]  # fmt: skip
    assert rows["broken.mp4"]["status"] == "failed"
    assert "could not be read as a video" in rows["broken.mp4"]["reason"]
    assert not (out / "broken").exists()
    for name in ("half_kneel_right_short.mp4", "lunge_right.npz", "thomas_normal_right.mp4"):
        row = rows[name]
        assert row["status"] == "ok" and row["reason"] == ""
        report = json.loads((out / row["results"] / "report.json").read_text())
        assert report["source_label"] == name
        assert int(row["frames"]) == report["frames"]
        for side in ("left", "right"):
            assert row[f"{side}_verdict"] == report["sides"][side]["verdict"]
    assert rows["half_kneel_right_short.mp4"]["tested_side"] == "right"
    assert float(rows["half_kneel_right_short.mp4"]["right_peak_hip_extension_deg"]) > 0
    assert "4 recordings: 3 analysed, 1 failed" in run.stdout


def _report(folder: Path) -> dict:
    report = json.loads((folder / "report.json").read_text())
    report.pop("recorded_at")
    return report


def test_one_job_and_two_jobs_give_the_same_results(
    one_job: tuple[Path, int], two_jobs: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    (out1, code1), (out2, run2) = one_job, two_jobs
    assert code1 == run2.returncode == 2
    assert read_summary(out1 / "summary.csv") == read_summary(out2 / "summary.csv")
    folders = sorted(p.name for p in out1.iterdir() if p.is_dir())
    assert (
        folders
        == sorted(p.name for p in out2.iterdir() if p.is_dir())
        == [
            "half_kneel_right_short",
            "lunge_right",
            "thomas_normal_right",
        ]
    )
    for name in folders:
        assert (out1 / name / "angles.csv").read_bytes() == (
            out2 / name / "angles.csv"
        ).read_bytes()
        assert _report(out1 / name) == _report(out2 / name)


def test_an_estimator_kept_from_file_to_file_gives_a_new_ones_landmarks(
    one_job: tuple[Path, int],
) -> None:
    """With one job both clips ran through one estimator, reset in between: each file's landmarks
    are still bit for bit those of a fresh estimator (the golden tracks)."""
    out, _ = one_job
    for name in VIDEOS:
        got = PoseTrack.load(out / name / "landmarks.npz")
        fresh = PoseTrack.load(GOLDEN_TRACKS / f"{name}.npz")
        assert np.array_equal(got.t, fresh.t)
        assert np.array_equal(got.landmarks, fresh.landmarks, equal_nan=True), name


def test_a_track_file_never_loads_mediapipe(tmp_path: Path) -> None:
    code = (
        "import sys, analyze\n"
        f"assert analyze.main([{str(GOLDEN_TRACKS / 'lunge_right.npz')!r}, '--out', "
        f"{str(tmp_path / 'o')!r}, '--quiet']) == 0\n"
        "print(sorted(m for m in ('mediapipe', 'tqdm') if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


# --------------------------------------------------------------------------------------------
# one estimator per worker, reset from file to file


class KeptEstimator:
    """Stands in for MediaPipe: 'finds' someone in every frame; counts resets and closes."""

    made: ClassVar[list[KeptEstimator]] = []

    def __init__(self, video: bool = True, model_path: object = None) -> None:
        KeptEstimator.made.append(self)
        self.resets = self.closed = 0
        self.fail = False

    def process(self, rgb: np.ndarray, t_s: float) -> np.ndarray:
        if self.fail:
            raise RuntimeError("the graph broke")
        lm = np.full((33, 4), 0.5, np.float32)
        lm[:, 0] = np.linspace(0.4, 0.6, 33)
        return lm

    def other_person_in_view(self, rgb: np.ndarray, landmarks: np.ndarray) -> bool:
        return False

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.closed += 1

    def __enter__(self) -> KeptEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_an_estimator_is_kept_reset_between_recordings_and_closed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2

    from pose import pipeline

    monkeypatch.setattr(pipeline, "PoseEstimator", KeptEstimator)
    KeptEstimator.made.clear()
    video = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for _ in range(5):
        writer.write(np.full((48, 64, 3), 128, np.uint8))
    writer.release()
    with pipeline.kept_estimators():
        for _ in range(3):
            assert len(pipeline.load_track(video)[0]) == 5
        (first,) = KeptEstimator.made
        assert (first.resets, first.closed) == (2, 0)
        first.fail = True  # a recording that breaks the estimator: it is closed, not reused
        with pytest.raises(RuntimeError, match="the graph broke"):
            pipeline.load_track(video)
        assert first.closed == 1
        pipeline.load_track(video)
        assert len(KeptEstimator.made) == 2
    assert [e.closed for e in KeptEstimator.made] == [1, 1]
