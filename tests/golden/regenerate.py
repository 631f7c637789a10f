"""Regenerate the golden report.json fixtures (run by hand; review the diff in the commit).

    python -m tests.golden.regenerate

Rendered clips: each clip's landmark track (MediaPipe on the clip, once) is kept in
`tests/golden/tracks/`, and its report comes from `analyze.py TRACK --exercise ID` — the test
replays the same tracks, so it needs no pose pass. Real recordings (`../shared/data`, never
copied here): only their reports are kept, from `analyze.py VIDEO`; their tracks are recomputed.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

import analyze  # noqa: E402

CLIPS = REPO / "synth" / "clips"
DEMO = REPO / "assets" / "demo_clips"
DATA = REPO.parent / "shared" / "data"
TRACKS = HERE / "tracks"
REPORTS = HERE / "reports"
#: real recordings and the exercise each is also scored as (None: angles only)
REAL = {
    "walking_side.mp4": "standing_hip_extension_test",
    "running_side.mp4": None,
    "yoga_lunge_side.mp4": "standing_lunge_stretch",
    "dancing_front.mp4": None,
    "plank_side.png": None,
}


def clip_exercise(truth: Path) -> str:
    import numpy as np

    with np.load(truth, allow_pickle=False) as z:
        return json.loads(str(z["meta_json"]))["exercise"]


#: Keys that say when a fixture was written, not what was measured: left out of it.
WHEN_WRITTEN = ("recorded_at",)


def run(argv: list[str], out: Path) -> dict:
    code = analyze.main([*argv, "--out", str(out), "--quiet"])
    if code != 0:
        raise SystemExit(f"analyze.py {' '.join(argv)} exited {code}")
    report = json.loads((out / "report.json").read_text())
    for key in WHEN_WRITTEN:
        report.pop(key, None)
    return report


def main() -> None:
    TRACKS.mkdir(exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp())
    try:
        for video in sorted(DEMO.glob("*.mp4")):
            name = video.stem
            track = TRACKS / f"{name}.npz"
            if not track.exists():
                run([str(video)], work / name)
                shutil.copy(work / name / "landmarks.npz", track)
            exercise = clip_exercise(CLIPS / f"{name}.truth.npz")
            report = run([str(track), "--exercise", exercise], work / f"{name}-x")
            (REPORTS / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
            print(name, exercise)
        for file, exercise in REAL.items():
            if not (DATA / file).exists():
                print(f"skipped {file}: ../shared/data is absent")
                continue
            argv = [str(DATA / file)] + (["--exercise", exercise] if exercise else [])
            report = run(argv, work / file)
            (REPORTS / f"real_{Path(file).stem}.json").write_text(
                json.dumps(report, indent=1) + "\n"
            )
            print(file, exercise)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
