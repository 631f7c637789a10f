"""analyze.py end to end, run as a user runs it (`python analyze.py ...` from the repository root).

The command lines are started once, four at a time, by the `cli_runs` fixture; the tests then read
what each left behind. Where calling `analyze.main` in-process is enough (no FFmpeg or MediaPipe
output could reach stderr), the tests do that instead, which is faster.

Bad input: exit status 2, exactly one plain line on stderr that says what is wrong and what to do,
no traceback, and nothing in DIR that could pass for a result. For a video with nobody in it
MediaPipe has already started and printed its own log lines (see conftest.MEDIAPIPE_LOG_PREFIXES);
those are dropped before counting.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import DATA_DIR, REPO, without_mediapipe_noise

import analyze
from outputs.angles_csv import CSV_COLUMNS, read_angles_csv

RUNNING = DATA_DIR / "running_side.mp4"


@dataclass(frozen=True)
class Run:
    """One finished `python analyze.py INPUT --out OUT` and where it wrote."""

    input: Path
    out: Path
    returncode: int
    stdout: str
    stderr: str


def _frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def _write_video(path: Path, frames: list[np.ndarray], fps: float) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()


def noise_video(path: Path) -> None:
    """A short video of random noise: nobody to find."""
    rng = np.random.default_rng(0)
    _write_video(path, [rng.integers(0, 256, (120, 160, 3), dtype=np.uint8) for _ in range(10)], 10)


def two_people_video(path: Path) -> None:
    """running_side.mp4 beside itself: the same runner twice, side by side."""
    _write_video(path, [cv2.hconcat([f, f]) for f in _frames(RUNNING)], 30)


def first_fifth(source: Path) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(source.read_bytes()[: source.stat().st_size // 5])


def copy_of(source: Path) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(source.read_bytes())


def text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content)


def truncated_npz(path: Path) -> None:
    buf = path.with_suffix(".full.npz")
    np.savez(buf, t=np.arange(50) / 30, landmarks=np.zeros((50, 33, 4)), image_size=[64, 48])
    path.write_bytes(buf.read_bytes()[:300])
    buf.unlink()


def no_person_npz(path: Path) -> None:
    np.savez(
        path,
        t=np.arange(5) / 30,
        landmarks=np.full((5, 33, 4), np.nan, np.float32),
        image_size=[64, 48],
    )


# name -> (input file name, how to make it (None: leave it missing), needs ../shared/data,
#          words the one stderr line must hold)
BAD_INPUTS: dict[str, tuple[str, Callable[[Path], None] | None, bool, str]] = {
    "missing": ("nope.mp4", None, False, "does not exist"),
    "missing-npz": ("nope.npz", None, False, "does not exist"),
    "empty": ("empty.mp4", text(""), False, "empty (0 bytes)"),
    "truncated-mp4": ("cut.mp4", first_fifth(RUNNING), True, "could not be read as a video"),
    "text-as-video": ("notes.mp4", text("not a video\n"), False, "could not be read as a video"),
    "image-as-video": (
        "photo.mp4",
        copy_of(DATA_DIR / "sitting_knees_up.jpg"),
        True,
        "still image, not a video",
    ),
    "bad-image": ("broken.jpg", text("not a jpeg"), False, "could not be read as an image"),
    "truncated-npz": ("cut.npz", truncated_npz, False, "could not be read as a landmark track"),
    "text-npz": ("notes.npz", text("t,x\n"), False, "could not be read as a landmark track"),
    "npz-nobody": ("nobody.npz", no_person_npz, False, "No person was found"),
    "video-nobody": ("noise.mp4", noise_video, False, "No person was found"),
}
# A folder that exists before a failed run must stay as it was (here: empty).
EXISTING_OUT = {"missing", "truncated-npz", "video-nobody"}
#: Run as a user would, in a fresh process: where FFmpeg or MediaPipe could print on stderr, so
#: only a real process shows the whole of stderr. The rest run in-process through analyze.main.
SUBPROCESS_CASES = {
    "missing",
    "truncated-mp4",
    "text-as-video",
    "image-as-video",
    "truncated-npz",
    "video-nobody",
}


def make_input(root: Path, name: str) -> tuple[Path, Path] | None:
    """(input, out folder) of a bad-input case, made under `root`; None without ../shared/data."""
    file_name, make, needs_data, _ = BAD_INPUTS[name]
    if needs_data and not RUNNING.is_file():
        return None
    src = root / "inputs" / name / file_name
    src.parent.mkdir(parents=True)
    if make is not None:
        make(src)
    out = root / "out" / name
    if name in EXISTING_OUT:
        out.mkdir(parents=True)
    return src, out


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start every command line of this file at once (two cores: at most 4 at a time)."""
    root = tmp_path_factory.mktemp("cli")
    jobs: dict[str, tuple[Path, Path, list[str]]] = {}
    for name in sorted(SUBPROCESS_CASES):
        made = make_input(root, name)
        if made is not None:
            jobs[name] = (*made, [])
    if RUNNING.is_file():
        jobs["video"] = (RUNNING, root / "out" / "video", ["--quiet"])
        two = root / "inputs" / "two_people.mp4"
        two_people_video(two)
        jobs["two-people"] = (two, root / "out" / "two-people", ["--quiet"])
        plank = DATA_DIR / "plank_side.png"
        jobs["image"] = (plank, root / "out" / "image", ["--quiet", "--annotated-video"])
    runs: dict[str, Run] = {}
    pending = list(jobs.items())
    running: list[tuple[str, subprocess.Popen[str]]] = []
    while pending or running:
        while pending and len(running) < 4:
            name, (src, out, extra) = pending.pop(0)
            cmd = [sys.executable, "analyze.py", str(src), "--out", str(out), *extra]
            proc = subprocess.Popen(
                cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            running.append((name, proc))
        name, proc = running.pop(0)
        stdout, stderr = proc.communicate(timeout=300)
        src, out, _ = jobs[name]
        runs[name] = Run(src, out, proc.returncode, stdout, stderr)
    return runs


def _run(cli_runs: dict[str, Run], name: str) -> Run:
    if name not in cli_runs:
        pytest.skip(f"needs ../shared/data ({DATA_DIR} is absent)")
    return cli_runs[name]


def _in_process(name: str, root: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    made = make_input(root, name)
    if made is None:
        pytest.skip(f"needs ../shared/data ({DATA_DIR} is absent)")
    src, out = made
    code = analyze.main([str(src), "--out", str(out)])
    captured = capsys.readouterr()
    return Run(src, out, code, captured.out, captured.err)


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_plain_line(
    cli_runs: dict[str, Run], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(cli_runs, name) if name in SUBPROCESS_CASES else _in_process(name, tmp_path, capsys)
    words = BAD_INPUTS[name][3]
    lines = without_mediapipe_noise(run.stderr)
    assert run.returncode == 2, run.stderr
    assert len(lines) == 1, f"expected one line on stderr, got:\n{run.stderr}"
    line = lines[0]
    assert "Traceback" not in run.stderr
    assert line.startswith("analyze.py: ") and words in line
    assert run.input.name in line  # says which file
    assert ":" in line.removeprefix("analyze.py: ")  # ... and, after a colon, what to do
    if name != "video-nobody":
        # found before MediaPipe starts: not even its log lines
        assert run.stderr.strip() == line
    if name in EXISTING_OUT:
        assert list(run.out.iterdir()) == []
    else:
        assert not run.out.exists()


def test_two_people_in_view_is_a_warning_not_an_error(cli_runs: dict[str, Run]) -> None:
    run = _run(cli_runs, "two-people")
    assert run.returncode == 0, run.stderr
    report = json.loads((run.out / "report.json").read_text())
    assert any("More than one person" in w for w in report["warnings"])
    assert "warning: More than one person" in run.stdout


def test_video_run_writes_the_documented_results(cli_runs: dict[str, Run]) -> None:
    run = _run(cli_runs, "video")
    assert run.returncode == 0, run.stderr
    assert {p.name for p in run.out.iterdir()} == {"angles.csv", "report.json", "landmarks.npz"}
    report = json.loads((run.out / "report.json").read_text())
    for key in ("source", "frames", "duration_s", "pose_detected_fraction", "warnings"):
        assert key in report, key
    assert report["source"].endswith("running_side.mp4")
    assert report["frames"] == 47
    assert report["duration_s"] == pytest.approx(46 / 30, abs=0.01)
    assert 0.6 <= report["pose_detected_fraction"] <= 0.8
    # running swings the legs fast: the only warnings are frames left empty where the model's
    # guess of a leg jumped faster than a body moves (pose/limits.py), each said with its time
    assert all("faster than a body can move" in w for w in report["warnings"]), report["warnings"]
    assert report["disclaimer"]
    csv = read_angles_csv(run.out / "angles.csv")
    assert len(csv["t_s"]) == 47
    assert np.all(np.diff(csv["frame"]) == 1)
    for side in ("left", "right"):
        assert report["sides"][side]["measured"] is True
        for angle in ("hip_extension_deg", "knee_flexion_deg", "thigh_to_horizontal_deg"):
            stats = report["sides"][side]["angles"][angle]
            column = csv[f"{side}_{angle}"]
            assert stats["min"] <= stats["median"] <= stats["max"]
            # the report summarises the same smoothed series angles.csv holds
            assert stats["min"] == pytest.approx(np.nanmin(column), abs=0.01)
            assert stats["max"] == pytest.approx(np.nanmax(column), abs=0.01)
            assert stats["median"] == pytest.approx(np.nanmedian(column), abs=0.02)


def test_angles_csv_columns_and_empty_cells(cli_runs: dict[str, Run]) -> None:
    run = _run(cli_runs, "video")
    lines = (run.out / "angles.csv").read_text().splitlines()
    assert tuple(lines[0].split(",")) == CSV_COLUMNS
    report = json.loads((run.out / "report.json").read_text())
    undetected = round(47 * (1 - report["pose_detected_fraction"]))
    # a frame without a person: its time and number, then only empty cells
    empty_rows = [ln for ln in lines[1:] if ln.split(",")[2:] == [""] * (len(CSV_COLUMNS) - 2)]
    assert len(empty_rows) == undetected > 0
    assert "nan" not in "".join(lines).lower()


def test_npz_gives_the_same_angles_csv_as_the_video(
    cli_runs: dict[str, Run], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The saved track replaces the video: re-analysing it must give the very same numbers."""
    run = _run(cli_runs, "video")
    out = tmp_path / "from_npz"
    assert analyze.main([str(run.out / "landmarks.npz"), "--out", str(out), "--quiet"]) == 0
    assert (out / "angles.csv").read_bytes() == (run.out / "angles.csv").read_bytes()
    from_video = json.loads((run.out / "report.json").read_text())
    from_npz = json.loads((out / "report.json").read_text())
    for key in ("frames", "duration_s", "pose_detected_fraction", "sides", "view"):
        assert from_npz[key] == from_video[key], key
    assert "47 frames" in capsys.readouterr().out


def test_still_image_is_analysed_with_annotation(cli_runs: dict[str, Run]) -> None:
    run = _run(cli_runs, "image")
    assert run.returncode == 0, run.stderr
    report = json.loads((run.out / "report.json").read_text())
    assert report["frames"] == 1 and report["duration_s"] == 0.0
    assert report["source_kind"] == "image"
    annotated = cv2.imread(str(run.out / "annotated.png"))
    original = cv2.imread(str(DATA_DIR / "plank_side.png"))
    assert annotated.shape == original.shape and np.any(annotated != original)


def test_no_scratch_folder_is_left_anywhere(cli_runs: dict[str, Run]) -> None:
    for run in cli_runs.values():
        if run.out.exists():
            assert not [p for p in run.out.iterdir() if p.name.startswith(".analyze-")]


def test_stale_results_of_an_earlier_run_are_removed(
    cli_runs: dict[str, Run], tmp_path: Path
) -> None:
    """A report.pdf an earlier run wrote must not pass for this run's; files this tool did not
    write (the person's own notes, a PDF they put there) are never touched."""
    run = _run(cli_runs, "video")
    track = str(run.out / "landmarks.npz")
    out = tmp_path / "out"
    assert analyze.main([track, "--out", str(out), "--quiet", "--pdf"]) == 0
    assert (out / "report.pdf").exists()
    (out / "notes.txt").write_text("mine")
    assert analyze.main([track, "--out", str(out), "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == {
        "angles.csv",
        "report.json",
        "landmarks.npz",
        "notes.txt",
    }
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "annotated.mp4").write_bytes(b"the person's own video")
    assert analyze.main([track, "--out", str(mine), "--quiet"]) == 0
    assert (mine / "annotated.mp4").read_bytes() == b"the person's own video"


def _empty_folder(root: Path) -> Path:
    folder = root / "no_recordings"
    folder.mkdir(exist_ok=True)
    (folder / "notes.txt").write_text("not a recording")
    return folder


# In-process: the same plain errors through analyze.main, including arguments that are wrong.
@pytest.mark.parametrize(
    ("make_args", "words"),
    [
        pytest.param(
            lambda d: [str(d / "nope.mov"), "--out", str(d / "o")],
            "does not exist",
            id="missing-mov",
        ),
        pytest.param(
            # a folder is a batch of recordings (tests/test_batch.py); one without any is bad input
            lambda d: [str(_empty_folder(d)), "--out", str(d / "o")],
            "holds no videos, images or .npz tracks",
            id="input-is-folder-without-recordings",
        ),
        pytest.param(
            lambda d: [str(d / "f.npz"), "--out", str(d / "file.txt")],
            "is not a folder",
            id="out-is-file",
        ),
        pytest.param(
            lambda d: [str(d / "f.npz"), "--out", str(d / "o"), "--model", str(d / "x.task")],
            "Model file",
            id="missing-model",
        ),
        pytest.param(
            lambda d: [str(d / "blank.png"), "--out", str(d / "o"), "--model", str(d / "file.txt")],
            "could not be loaded",
            id="not-a-model",
        ),
        pytest.param(
            lambda d: [str(d / "f.npz"), "--out", str(d / "o"), "--exercise", "no_such_stretch"],
            "unknown exercise",
            id="unknown-exercise",
        ),
    ],
)
def test_main_in_process_bad_input(
    make_args: Callable[[Path], list[str]],
    words: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "file.txt").write_text("x")
    no_person_npz(tmp_path / "f.npz")
    cv2.imwrite(str(tmp_path / "blank.png"), np.zeros((48, 64, 3), np.uint8))
    assert analyze.main(make_args(tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert not (tmp_path / "o").exists()


def test_help_explains_inputs_and_outputs() -> None:
    result = subprocess.run(
        [sys.executable, "analyze.py", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0
    for words in ("video", "image", ".npz", "angles.csv", "report.json", "landmarks.npz", "--out"):
        assert words in result.stdout, words


def test_missing_out_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A forgotten --out: status 2 and a message naming it (argparse's usage error or ours)."""
    try:
        code = analyze.main(["video.mp4"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "--out" in capsys.readouterr().err
