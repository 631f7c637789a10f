"""The detector, the geometry and the view check on filmed people (../shared/data, see its README).

Each recording is run through MediaPipe once a session (conftest.real_tracks). The checks are the
ones a clinician would make by eye: the person is found, the angles move the way the person moves,
and they stay within what a body can do.

Measured here (MediaPipe full model): person found in 76.6% of walking_side.mp4, 70.2% of
running_side.mp4 and every frame of the others; hip extension follows the knee's offset behind the
hip with a correlation of 0.98 (walking) and 0.99 (running).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import RealTracks, data_file
from pose_builder import mirrored

from pose.angles import AngleSeries, compute_angles
from pose.landmarks import SIDE_POINTS
from pose.limits import HIP_EXTENSION_MAX_DEG, KNEE_FLEXION_MIN_DEG
from pose.smoothing import smooth_recording
from pose.sources import open_source
from pose.track import PoseTrack
from pose.view import check_view

# (recording, least and most fraction of frames with a person, frames, frames per second)
RECORDINGS = [
    pytest.param("walking_side.mp4", 0.70, 0.85, 401, 30.0, id="walking"),
    pytest.param("running_side.mp4", 0.62, 0.78, 47, 30000 / 1001, id="running"),
    pytest.param("yoga_lunge_side.mp4", 1.0, 1.0, 39, 5.0, id="yoga-mp4"),
    pytest.param("yoga_lunge_side.gif", 1.0, 1.0, 39, 5.0, id="yoga-gif"),
    pytest.param("dancing_front.mp4", 1.0, 1.0, 102, 20.0, id="dancing"),
    pytest.param("balance_lab_portrait_60fps.mp4", 1.0, 1.0, 100, 60.0, id="balance-60fps"),
]


@pytest.mark.parametrize(("name", "low", "high", "frames", "fps"), RECORDINGS)
def test_person_found_and_frame_times_from_the_container(
    real_tracks: RealTracks, name: str, low: float, high: float, frames: int, fps: float
) -> None:
    track, info = real_tracks(name)
    found = float(track.detected.mean())
    print(f"{name}: person found in {found:.1%} of {len(track)} frames")
    assert low <= found <= high
    assert len(track) == frames and info.kind == "video"
    assert track.t[0] == pytest.approx(0.0, abs=1e-3)
    steps = np.diff(track.t)
    assert np.all(steps > 0)
    assert np.median(steps) == pytest.approx(1.0 / fps, rel=0.01)


def test_portrait_60fps_video(real_tracks: RealTracks) -> None:
    """A portrait phone-style frame at 60 fps: size as shown, times in 1/60 s steps."""
    track, _ = real_tracks("balance_lab_portrait_60fps.mp4")
    assert track.image_size == (1088, 1920)
    np.testing.assert_allclose(np.diff(track.t), 1 / 60, atol=1e-3)
    knee = smooth_recording(compute_angles(track))["left_knee_flexion_deg"]
    assert np.all((knee >= 0) & (knee <= 160))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")
def test_phone_video_rotation_gives_the_size_of_the_frames_read(tmp_path: Path) -> None:
    """A phone stores portrait video as landscape plus a rotation: the track's image size must
    be the size of the upright frames the estimator sees, or every angle is bent."""
    rotated = tmp_path / "rotated.mp4"
    source_file = str(data_file("running_side.mp4"))
    # ffmpeg 5 stores rotate=90 as a display matrix, as a phone does
    cmd = ["ffmpeg", "-loglevel", "error", "-i", source_file, "-c", "copy"]
    subprocess.run([*cmd, "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    cap = cv2.VideoCapture(str(rotated))
    stored = cap.get(cv2.CAP_PROP_ORIENTATION_META)
    cap.release()
    if stored == 0:
        pytest.skip("this ffmpeg did not store the rotation (newer ones want -display_rotation)")
    source = open_source(rotated)
    info = source.info()
    shapes = {frame.shape[:2] for _, frame in source.frames()}
    assert shapes == {(info.height, info.width)} == {(480, 352)}


@pytest.mark.parametrize(
    ("name", "size"), [("sitting_knees_up.jpg", (960, 640)), ("plank_side.png", (400, 225))]
)
def test_still_images_are_one_frame_at_t0(real_tracks: RealTracks, name: str, size: tuple) -> None:
    track, info = real_tracks(name)
    assert info.kind == "image"  # analysed in static mode, not tracking
    assert len(track) == 1 and track.t.tolist() == [0.0]
    assert track.image_size == size and track.detected.all()


def knee_behind_hip(track: PoseTrack, series: AngleSeries, side: str) -> np.ndarray:
    """(N,) how far the knee is behind the hip along the facing direction, in pixels."""
    pts = track.points_px
    p = SIDE_POINTS[side]
    return (pts[:, p["hip"], 0] - pts[:, p["knee"], 0]) * series.facing_x


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("name", ["walking_side.mp4", "running_side.mp4"])
def test_hip_extension_grows_as_the_knee_goes_behind_the_hip(
    real_tracks: RealTracks, name: str, side: str
) -> None:
    track, _ = real_tracks(name)
    series = compute_angles(track)
    ext = series[f"{side}_hip_extension_deg"]
    behind = knee_behind_hip(track, series, side)
    ok = np.isfinite(ext) & np.isfinite(behind)
    r = float(np.corrcoef(ext[ok], behind[ok])[0, 1])
    print(f"{name} {side}: corr(hip extension, knee behind hip) = {r:.3f} over {ok.sum()} frames")
    assert ok.sum() >= 0.5 * track.detected.sum()
    assert r > 0.9
    # and the sign: a knee clearly behind the hip is extension, clearly in front is flexion
    trunk = np.nanmedian(np.linalg.norm(track.points_px[:, 11] - track.points_px[:, 23], axis=-1))
    assert np.all(ext[ok & (behind > 0.15 * trunk)] > 0)
    assert np.all(ext[ok & (behind < -0.15 * trunk)] < 0)


@pytest.mark.parametrize(
    ("name", "facing_x", "near"),
    [
        ("walking_side.mp4", -1.0, "left"),
        ("running_side.mp4", 1.0, "right"),
        ("yoga_lunge_side.mp4", 1.0, "right"),
        ("plank_side.png", 1.0, "right"),
    ],
)
def test_facing_and_near_side_agree_on_real_footage(
    real_tracks: RealTracks, name: str, facing_x: float, near: str
) -> None:
    """One facing for the whole clip, and the side shown to the camera is the side faced."""
    track, _ = real_tracks(name)
    series = compute_angles(track)
    assert set(series.facing_x[np.isfinite(series.facing_x)]) == {facing_x}
    assert check_view(track).near_side == near


def test_walking_angles_stay_within_walking_limits(real_tracks: RealTracks) -> None:
    track, _ = real_tracks("walking_side.mp4")
    series = smooth_recording(compute_angles(track))
    for side in ("left", "right"):
        ext = series[f"{side}_hip_extension_deg"]
        knee = series[f"{side}_knee_flexion_deg"]
        assert -45 <= np.nanmin(ext) and np.nanmax(ext) <= 35
        assert KNEE_FLEXION_MIN_DEG <= np.nanmin(knee) and np.nanmax(knee) <= 90
    # the trailing (near, left) leg passes into extension each stride: typically 10–20°
    assert 10 <= np.nanmax(series["left_hip_extension_deg"]) <= 30
    incline = series["trunk_incline_deg"]
    print(f"walking trunk incline: median {np.nanmedian(incline):.1f}°")
    assert abs(np.nanmedian(incline)) < 5
    assert np.nanpercentile(np.abs(incline), 95) < 10
    assert set(series.posture[track.detected]) == {"standing"}


def test_running_angles_stay_within_running_limits(real_tracks: RealTracks) -> None:
    track, _ = real_tracks("running_side.mp4")
    series = smooth_recording(compute_angles(track))
    for side in ("left", "right"):
        assert -70 <= np.nanmin(series[f"{side}_hip_extension_deg"])
        assert np.nanmax(series[f"{side}_hip_extension_deg"]) <= 40
        knee = series[f"{side}_knee_flexion_deg"]
        assert KNEE_FLEXION_MIN_DEG <= np.nanmin(knee) and np.nanmax(knee) <= 140
    # the swing leg's horizontal shin is up in the air: running is never "kneeling"
    assert set(series.posture[track.detected]) == {"standing"}
    assert 0 < np.nanmedian(series["trunk_incline_deg"]) < 15  # runners lean forward a little


@pytest.mark.parametrize(
    "name",
    ["walking_side.mp4", "running_side.mp4", "yoga_lunge_side.mp4", "dancing_front.mp4"],
)
def test_knee_flexion_within_its_limit_to_160(real_tracks: RealTracks, name: str) -> None:
    """Signed: a knee never reads bent backwards beyond pose.limits (those frames are empty)."""
    track, _ = real_tracks(name)
    raw = compute_angles(track)
    smooth = smooth_recording(raw)
    for series in (raw, smooth):
        for side in ("left", "right"):
            knee = series[f"{side}_knee_flexion_deg"]
            knee = knee[np.isfinite(knee)]
            assert knee.size and knee.min() >= KNEE_FLEXION_MIN_DEG and knee.max() <= 160


@pytest.mark.parametrize("name", [p.values[0] for p in RECORDINGS] + ["plank_side.png"])
def test_no_frame_of_a_real_recording_reads_an_impossible_angle(
    real_tracks: RealTracks, name: str
) -> None:
    """Beyond pose/limits.py a reading is no measurement: every such frame is empty, and the
    report says how many (the series' notes)."""
    track, _ = real_tracks(name)
    raw = compute_angles(track)
    for series in (raw, smooth_recording(raw)):
        for side in ("left", "right"):
            hip = series[f"{side}_hip_extension_deg"]
            knee = series[f"{side}_knee_flexion_deg"]
            assert not np.any(hip > HIP_EXTENSION_MAX_DEG)
            assert not np.any(knee < KNEE_FLEXION_MIN_DEG)
    emptied = sum("left empty" in n for n in raw.notes)
    print(f"{name}: {emptied} notes: {raw.notes}")


#: Second lunge of the yoga flow, right leg back, left foot forward (5.4–6.4 s; checked by eye on
#: the frames). In the first lunge (frames 6–11) the far left leg is not seen well enough.
LUNGE_FRAMES = np.arange(27, 33)


def test_yoga_lunge_back_leg_is_extended_relative_to_front_leg(real_tracks: RealTracks) -> None:
    track, _ = real_tracks("yoga_lunge_side.mp4")
    series = compute_angles(track)
    trunk = np.linalg.norm(track.points_px[:, 12] - track.points_px[:, 24], axis=-1)
    back = knee_behind_hip(track, series, "right")[LUNGE_FRAMES] / trunk[LUNGE_FRAMES]
    front = knee_behind_hip(track, series, "left")[LUNGE_FRAMES] / trunk[LUNGE_FRAMES]
    assert np.all(back > 0.5) and np.all(front < -0.3)  # the frames are the lunge we think
    diff = (series["right_hip_extension_deg"] - series["left_hip_extension_deg"])[LUNGE_FRAMES]
    print(f"lunge: back minus front hip extension {np.round(diff, 1)}")
    assert np.all(diff > 40)
    # the front hip is deeply flexed, the back one much less
    assert np.all(series["left_hip_extension_deg"][LUNGE_FRAMES] < -100)


def test_plank_is_a_straight_horizontal_body(real_tracks: RealTracks) -> None:
    track, _ = real_tracks("plank_side.png")
    row = compute_angles(track).frame(0)
    assert row["posture"] == "prone"
    assert abs(float(row["trunk_to_horizontal_deg"])) < 20
    for side in ("left", "right"):
        assert float(row[f"{side}_knee_flexion_deg"]) < 20
        assert -30 < float(row[f"{side}_hip_extension_deg"]) < 10


def test_sitting_image_deep_knee_flexion_and_not_side_on(real_tracks: RealTracks) -> None:
    track, _ = real_tracks("sitting_knees_up.jpg")
    row = compute_angles(track).frame(0)
    knees = [float(row[f"{side}_knee_flexion_deg"]) for side in ("left", "right")]
    seen = [k for k in knees if math.isfinite(k)]
    assert max(seen) > 90 and all(KNEE_FLEXION_MIN_DEG <= k <= 160 for k in seen)
    assert check_view(track).side_on is False  # she faces the camera: angles are not valid


def test_mirrored_real_track_gives_the_same_angles(real_tracks: RealTracks) -> None:
    """Mirroring a real recording and swapping sides: every angle comes back, sides swapped."""
    track, _ = real_tracks("walking_side.mp4")
    a, b = compute_angles(track), compute_angles(mirrored(track))
    np.testing.assert_array_equal(b.facing_x, -a.facing_x)
    for name in ("hip_extension_deg", "knee_flexion_deg", "thigh_to_horizontal_deg"):
        np.testing.assert_allclose(b[f"left_{name}"], a[f"right_{name}"], atol=1e-3, equal_nan=True)
        np.testing.assert_allclose(b[f"right_{name}"], a[f"left_{name}"], atol=1e-3, equal_nan=True)
    np.testing.assert_allclose(
        b["trunk_incline_deg"], a["trunk_incline_deg"], atol=1e-3, equal_nan=True
    )
