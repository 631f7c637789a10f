"""The landmark track record and its `.npz` file (format: ../shared/DESIGN.md).

A saved track must come back bit for bit (it replaces the video, for privacy), and anything that
is not a track must be refused with TrackFormatError, which analyze.py turns into one plain line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pytest
from conftest import RealTracks
from pose_builder import build_track, times

from analysis.service import side_angles
from outputs.angles_csv import CSV_COLUMNS, read_angles_csv, write_angles_csv
from pose import pipeline
from pose.angles import ANGLE_COLUMNS, SIDE_ANGLES, compute_angles
from pose.track import PoseTrack, TrackFormatError


def sample_track() -> PoseTrack:
    """A constructed track with a frame without a person and a single missing point."""
    track = build_track(times(1.0), image_size=(1080, 1920), left_hip_extension_deg=12.5)
    lm = track.landmarks.copy()
    lm[5] = np.nan  # nobody in frame 5
    lm[7, 25, :2] = np.nan  # another tool's track may hold NaN for one point
    t = track.t + 0.123456789  # times need not be on a frame grid
    return PoseTrack(t=t, landmarks=lm, image_size=track.image_size)


def assert_same_track(a: PoseTrack, b: PoseTrack) -> None:
    assert b.t.dtype == np.float64 and b.landmarks.dtype == np.float32
    np.testing.assert_array_equal(b.t, a.t)
    assert np.array_equal(b.landmarks, a.landmarks, equal_nan=True)
    assert b.image_size == a.image_size
    assert all(type(v) is int for v in b.image_size)


def test_npz_round_trip_is_exact(tmp_path: Path) -> None:
    track = sample_track()
    path = tmp_path / "track.npz"
    track.save(path)
    loaded = PoseTrack.load(path)
    assert_same_track(track, loaded)
    assert not loaded.detected[5] and loaded.detected[7]
    assert list(tmp_path.iterdir()) == [path]  # the atomic save leaves no .part file behind


def test_save_overwrites_and_keeps_the_documented_keys(tmp_path: Path) -> None:
    path = tmp_path / "track.npz"
    build_track(times(0.5)).save(path)
    track = sample_track()
    track.save(path)
    with np.load(path) as data:
        assert set(data.files) == {"t", "landmarks", "image_size"}
        assert data["landmarks"].shape == (len(track), 33, 4)
        assert data["image_size"].tolist() == [1080, 1920]
    assert_same_track(track, PoseTrack.load(path))


def test_real_track_round_trip(real_tracks: RealTracks, tmp_path: Path) -> None:
    track, _ = real_tracks("running_side.mp4")
    assert not track.detected.all()  # it has frames without a person: NaN must survive
    track.save(tmp_path / "running.npz")
    assert_same_track(track, PoseTrack.load(tmp_path / "running.npz"))


GOOD = dict(
    t=np.arange(3) / 30.0,
    landmarks=np.zeros((3, 33, 4), np.float32),
    image_size=np.array([640, 480]),
)


def npz(**fields: object) -> Callable[[Path], None]:
    """Writer of an .npz holding GOOD with `fields` replaced (None removes a key)."""

    def write(path: Path) -> None:
        arrays = {k: v for k, v in {**GOOD, **fields}.items() if v is not None}
        np.savez(path, **arrays)

    return write


def raw_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def truncated(path: Path) -> None:
    npz()(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def single_array(path: Path) -> None:
    with open(path, "wb") as fh:
        np.save(fh, np.zeros((3, 33, 4)))


# (how the file is made, words the message must contain)
BAD_FILES = [
    pytest.param(npz(image_size=None), "lacks image_size", id="missing-key"),
    pytest.param(npz(landmarks=np.zeros((3, 33, 3))), "landmarks must have shape", id="3-values"),
    pytest.param(npz(landmarks=np.zeros((4, 33, 4))), "landmarks must have shape", id="n-mismatch"),
    pytest.param(npz(t=np.array([0.0, 0.2, 0.1])), "strictly increasing", id="t-backwards"),
    pytest.param(npz(t=np.array([0.0, 0.1, 0.1])), "strictly increasing", id="t-repeated"),
    pytest.param(npz(t=np.array([0.0, 0.1, np.nan])), "finite", id="t-nan"),
    pytest.param(npz(t=np.zeros((3, 1))), "t must have shape", id="t-2d"),
    pytest.param(npz(t=np.array(["a", "b", "c"])), "real numbers", id="t-strings"),
    pytest.param(npz(t=np.arange(3) + 1j), "real numbers", id="t-complex"),
    pytest.param(npz(image_size=np.array([640, 480, 3])), "image_size", id="size-3"),
    pytest.param(npz(image_size=np.array([0, 480])), "positive integers", id="size-zero"),
    pytest.param(npz(image_size=np.array([640.5, 480])), "positive integers", id="size-fraction"),
    pytest.param(npz(image_size=np.array(["w", "h"])), "real numbers", id="size-strings"),
    pytest.param(npz(t=np.array([0.0, 1.0, 2.0], dtype=object)), "Python objects", id="pickle"),
    pytest.param(truncated, "could not be read", id="truncated"),
    pytest.param(raw_bytes(b""), "could not be read", id="empty"),
    pytest.param(raw_bytes(b"t,x\n0,1\n"), "could not be read", id="text"),
    pytest.param(raw_bytes(b"\xff\xd8\xff\xe0" + bytes(100)), "could not be read", id="jpeg-bytes"),
    pytest.param(single_array, "single array", id="npy-not-npz"),
]


@pytest.mark.parametrize(("make", "words"), BAD_FILES)
def test_bad_npz_gives_track_format_error(
    make: Callable[[Path], None], words: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.npz"
    make(path)
    with pytest.raises(TrackFormatError, match=words) as info:
        PoseTrack.load(path)
    assert str(path) in str(info.value)  # the message names the file


def test_missing_file_gives_track_format_error(tmp_path: Path) -> None:
    with pytest.raises(TrackFormatError, match="could not be read"):
        PoseTrack.load(tmp_path / "nope.npz")


def test_empty_track_is_a_valid_record() -> None:
    """Zero frames is a well-formed track (analyze.py then says no person was found)."""
    track = PoseTrack(t=np.zeros(0), landmarks=np.zeros((0, 33, 4)), image_size=(10, 10))
    assert len(track) == 0 and not track.detected.any()


def test_pixels_visibility_and_detection() -> None:
    """Points scale by the image's width and height; seen means visibility >= the threshold."""
    lm = np.full((2, 33, 4), np.nan, dtype=np.float32)
    lm[0] = [0.5, 0.25, 0.0, 0.9]
    lm[0, 3, 3] = 0.5
    lm[0, 4, 3] = 0.49
    track = PoseTrack(t=np.array([0.0, 0.1]), landmarks=lm, image_size=(640, 480))
    np.testing.assert_allclose(track.points_px[0, 0], [320.0, 120.0])
    assert track.seen()[0, 3] and not track.seen()[0, 4]
    assert not track.seen()[1].any()
    assert track.detected.tolist() == [True, False]


def test_angles_csv_round_trip_with_empty_cells(tmp_path: Path) -> None:
    """angles.csv: the documented columns, one row per frame, an empty cell where not measured."""
    series = compute_angles(sample_track())
    path = tmp_path / "angles.csv"
    write_angles_csv(series, path)
    back = read_angles_csv(path)
    assert tuple(back) == CSV_COLUMNS
    assert back["frame"].tolist() == list(range(len(series)))
    np.testing.assert_allclose(back["t_s"], series.t, atol=5e-5)
    for name in ANGLE_COLUMNS:
        np.testing.assert_allclose(back[name], series[name], atol=5e-3, equal_nan=True)
    row5 = path.read_text().splitlines()[1 + 5].split(",")
    assert row5[2:] == [""] * len(ANGLE_COLUMNS)  # nobody in frame 5


def test_side_summaries_say_null_for_an_unmeasured_side() -> None:
    """Unknown values are null, never a made-up number (DESIGN.md)."""
    series = compute_angles(sample_track())
    series = series.with_values(
        {f"right_{name}": np.full(len(series), np.nan) for name in SIDE_ANGLES}, filtered="raw"
    )
    summary = side_angles(series)
    assert summary["right"].measured is False
    right = summary["right"].angles["hip_extension_deg"]
    assert (right.min, right.median, right.max) == (None, None, None)
    left = summary["left"].angles["hip_extension_deg"]
    assert summary["left"].measured is True
    assert left.min == left.median == left.max == pytest.approx(12.5, abs=0.01)


class FakeEstimator:
    """Stands in for MediaPipe: records the mode it was made in, 'finds' a constructed person."""

    made: ClassVar[list[bool]] = []

    def __init__(self, video: bool = True, model_path: object = None) -> None:
        FakeEstimator.made.append(video)
        self.landmarks = build_track(times(0.1)).landmarks[0]

    def process(self, rgb: np.ndarray, t_s: float) -> np.ndarray:
        return self.landmarks.copy()

    def other_person_in_view(self, rgb: np.ndarray, landmarks: np.ndarray) -> bool:
        return False

    def __enter__(self) -> FakeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize(("file_name", "video_mode"), [("still.png", False), ("clip.mp4", True)])
def test_images_use_static_mode_and_videos_tracking_mode(
    file_name: str, video_mode: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A still image must not be tracked as a one-frame video (and a video not re-detected
    frame by frame): the estimator's mode follows the input."""
    monkeypatch.setattr(pipeline, "PoseEstimator", FakeEstimator)
    FakeEstimator.made.clear()
    frame = np.full((48, 64, 3), 128, np.uint8)
    path = tmp_path / file_name
    if video_mode:
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
        for _ in range(5):
            writer.write(frame)
        writer.release()
    else:
        cv2.imwrite(str(path), frame)
    track, info = pipeline.load_track(path)
    assert FakeEstimator.made == [video_mode]
    assert len(track) == (5 if video_mode else 1) and track.image_size == (64, 48)
    assert info.kind == ("video" if video_mode else "image")


def test_warnings_travel_with_the_track(tmp_path: Path) -> None:
    """A re-analysed track still says what the estimator noticed (e.g. two people in view)."""
    track = build_track(times(0.5))
    noted = PoseTrack(
        track.t, track.landmarks, track.image_size, ("More than one person was in view",)
    )
    noted.save(tmp_path / "t.npz")
    back = PoseTrack.load(tmp_path / "t.npz")
    assert back.warnings == noted.warnings
    np.testing.assert_array_equal(back.landmarks, noted.landmarks)
    track.save(tmp_path / "plain.npz")
    with np.load(tmp_path / "plain.npz") as data:
        assert set(data.files) == {"t", "landmarks", "image_size"}  # DESIGN.md's format exactly
