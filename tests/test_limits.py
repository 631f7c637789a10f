"""No impossible number: the knee's bend as a facing vote, and readings beyond what a body can do
left empty with the reason said (pose/limits.py).

Constructed people (tests/pose_builder.py) crouch and jump with the head down, where the nose
alone would have turned the person round and read a deep hip flexion as +100° of "extension".
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pose_builder import build_track, times

from pose.angles import compute_angles, facing_votes, knee_votes
from pose.landmarks import LEFT_HIP, NOSE, RIGHT_HIP, RIGHT_SHOULDER
from pose.limits import (
    HIP_EXTENSION_MAX_DEG,
    KNEE_FLEXION_MIN_DEG,
    MAX_RATE_DEG_S,
    apply_limits,
    glitches,
)
from pose.track import PoseTrack

FPS = 30.0
LEGS = ("left", "right")


def _nose_behind(track: PoseTrack, frames: np.ndarray) -> PoseTrack:
    """The head dropped and turned: the nose drawn on the back side of the trunk on `frames`."""
    lm = track.landmarks.copy()
    pts = track.points_px
    w = track.image_size[0]
    shoulder_x = pts[:, RIGHT_SHOULDER, 0]
    lm[frames, NOSE, 0] = (2 * shoulder_x[frames] - pts[frames, NOSE, 0]) / w
    return PoseTrack(track.t, lm, track.image_size)


def _crouch(t: np.ndarray, facing: int, when: np.ndarray, knee: float = 110.0) -> PoseTrack:
    """Standing, then a deep crouch (hips flexed 100°, knees bent `knee`, trunk 45° forward)."""
    both = {
        f"{s}_{a}": np.where(when, v, 0.0)
        for s in LEGS
        for a, v in (
            ("hip_extension_deg", -100.0),
            ("knee_flexion_deg", knee),
        )
    }
    return build_track(t, facing=facing, trunk_incline_deg=np.where(when, 45.0, 0.0), **both)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize(
    ("knee", "votes"),
    [
        pytest.param(0.0, False, id="straight-no-vote"),
        pytest.param(20.0, False, id="slightly-bent-no-vote"),
        pytest.param(40.0, True, id="bent-votes"),
        pytest.param(110.0, True, id="deeply-bent-votes"),
    ],
)
def test_a_bent_knee_votes_for_the_way_the_person_faces(
    facing: int, knee: float, votes: bool
) -> None:
    """facing_x = −facing vote (pose.angles): the knee's vote has the sign of the true facing."""
    track = build_track(times(0.5), facing=facing, left_knee_flexion_deg=knee, trunk_incline_deg=30)
    vote = knee_votes(track.points_px, track.seen(), "left")
    if votes:
        assert np.all(-np.sign(vote) == facing)
    else:
        np.testing.assert_array_equal(vote, 0.0)


@pytest.mark.parametrize("posture", ["crouch", "lying"])
def test_the_knee_vote_holds_in_any_posture(posture: str) -> None:
    """An in-plane turn of the whole body (lying down) keeps the bend's image direction."""
    kwargs = (
        dict(trunk_incline_deg=-90.0, left_hip_extension_deg=0.0, left_knee_flexion_deg=80.0)
        if posture == "lying"
        else dict(trunk_incline_deg=45.0, left_hip_extension_deg=-100, left_knee_flexion_deg=110)
    )
    for facing in (1, -1):
        track = build_track(times(0.5), facing=facing, **kwargs)
        assert np.all(-np.sign(knee_votes(track.points_px, track.seen(), "left")) == facing)


@pytest.mark.parametrize("facing", [1, -1])
def test_a_crouch_with_the_head_down_keeps_the_facing(facing: int) -> None:
    """2.5 s crouched with the nose on the wrong side (longer than a facing switch needs): the two
    bent knees outvote it, so the hips read flexed, never +100° "extended"."""
    t = times(4.0, FPS)
    when = (t > 1.0) & (t < 3.5)
    track = _nose_behind(_crouch(t, facing, when), when)
    series = compute_angles(track)
    assert np.all(series.facing_x == facing)
    for side in LEGS:
        hip = series[f"{side}_hip_extension_deg"]
        np.testing.assert_allclose(hip[when], -100.0, atol=0.1)
        np.testing.assert_allclose(series[f"{side}_knee_flexion_deg"][when], 110.0, atol=0.1)
    assert series.notes == ()


def test_without_the_knee_vote_the_crouch_would_have_flipped() -> None:
    """The case above is a real test: the nose alone votes the wrong way through the crouch."""
    t = times(4.0, FPS)
    when = (t > 1.0) & (t < 3.5)
    track = _nose_behind(_crouch(t, 1, when), when)
    votes = facing_votes(track.points_px, track.seen())
    knees = sum(knee_votes(track.points_px, track.seen(), s) for s in LEGS)
    assert np.all(np.sign(votes[when] - knees[when]) > 0)  # nose (and feet) alone: facing flips
    assert np.all(np.sign(votes[when]) < 0)  # with the knees: it holds


@pytest.mark.parametrize("facing", [1, -1])
def test_a_jump_and_landing_keep_the_facing_and_every_angle_possible(facing: int) -> None:
    """Crouch, take off, tuck in the air (hips high), land in a crouch, the head down throughout:
    no frame reads an impossible angle and the facing never flips."""
    t = times(5.0, FPS)
    phase = np.interp(t, [0, 1, 1.5, 2.0, 2.4, 2.8, 3.5, 5.0], [0, 0, 1, 0.3, 0.8, 1, 1, 0])
    hip_y = 360.0 - 150.0 * np.interp(t, [0, 1.5, 1.9, 2.3, 2.8, 5], [0, 0, 1, 1, 0, 0])
    track = build_track(
        t,
        facing=facing,
        trunk_incline_deg=45.0 * phase,
        left_hip_extension_deg=-100.0 * phase,
        right_hip_extension_deg=-95.0 * phase,
        left_knee_flexion_deg=115.0 * phase,
        right_knee_flexion_deg=110.0 * phase,
        hip_px=(640.0, 360.0),
    )
    lm = track.landmarks.copy()
    lm[..., 1] += ((hip_y - 360.0) / track.image_size[1])[:, None]
    down = phase > 0.5
    jumped = _nose_behind(PoseTrack(t, lm, track.image_size), down)
    series = compute_angles(jumped)
    assert np.all(series.facing_x == facing)
    for side in LEGS:
        hip = series[f"{side}_hip_extension_deg"]
        assert np.nanmax(hip) <= HIP_EXTENSION_MAX_DEG
        assert np.nanmin(series[f"{side}_knee_flexion_deg"]) >= KNEE_FLEXION_MIN_DEG
        assert np.all(np.isfinite(hip))  # nothing had to be emptied


def test_a_hip_beyond_its_limit_is_emptied_with_its_thigh_and_said() -> None:
    t = times(2.0, FPS)
    hip = np.where((t >= 1.0) & (t < 1.5), 70.0, 15.0)
    series = compute_angles(build_track(t, left_hip_extension_deg=hip))
    bad = hip > HIP_EXTENSION_MAX_DEG
    assert np.all(np.isnan(series["left_hip_extension_deg"][bad]))
    assert np.all(np.isnan(series["left_thigh_to_horizontal_deg"][bad]))
    np.testing.assert_allclose(series["left_hip_extension_deg"][~bad], 15.0, atol=0.1)
    assert np.all(np.isfinite(series["right_hip_extension_deg"]))  # the other leg is kept
    (note,) = series.notes
    assert note.startswith("Left hip extension (and its thigh to horizontal): 15 frames")
    assert "between 1.0 and 1.5 s" in note and "+45°" in note


@pytest.mark.parametrize(
    ("knee", "emptied"),
    [
        pytest.param(-5.0, False, id="a-little-hyperextension-is-real"),
        pytest.param(KNEE_FLEXION_MIN_DEG + 1, False, id="just-inside"),
        pytest.param(-40.0, True, id="bent-backwards"),
    ],
)
def test_a_knee_bent_backwards_is_emptied(knee: float, emptied: bool) -> None:
    t = times(1.0, FPS)
    series = compute_angles(build_track(t, right_knee_flexion_deg=knee, left_knee_flexion_deg=60))
    got = series["right_knee_flexion_deg"]
    if emptied:
        assert np.all(np.isnan(got))
        assert any("Right knee flexion: 30 frames" in n for n in series.notes)
    else:
        np.testing.assert_allclose(got, knee, atol=0.1)  # signed: hyperextension reads negative
        assert series.notes == ()


# (values, frames that are a glitch) at 30 fps
GLITCH_CASES = [
    pytest.param([10, 10, 10, 80, 10, 10, 10], [3], id="one-frame-spike"),
    pytest.param([10, 10, 10, 70, 75, 10, 10, 10], [3, 4], id="two-frame-spike"),
    pytest.param([70, 10, 10, 10, 10, 10], [0], id="glitch-at-the-start"),
    pytest.param([10, 12, 14, 16, 18, 20], [], id="steady-motion"),
    pytest.param([10, 20, 30, 40, 50, 60], [], id="300-deg-per-s-is-a-movement"),
    pytest.param([178, 179, -179, -178], [], id="the-180-seam-is-no-jump"),
    pytest.param([10, 10, 10, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80], [0, 1, 2], id="short-start"),
]


@pytest.mark.parametrize(("values", "expected"), GLITCH_CASES)
def test_jumps_faster_than_a_body_can_move(values: list[float], expected: list[int]) -> None:
    x = np.array(values, dtype=float)
    t = np.arange(x.size) / FPS
    np.testing.assert_array_equal(np.flatnonzero(glitches(t, x)), expected)


def test_a_jump_between_frames_far_apart_is_not_judged() -> None:
    """At 2 fps a body may have moved 70° between frames: no jump can be called impossible."""
    x = np.array([10, 10, 80, 10, 10.0])
    assert not np.any(glitches(np.arange(5) / 2.0, x))


def test_apply_limits_says_which_angle_how_many_frames_and_when() -> None:
    t = np.arange(9) / FPS
    knee = np.array([20, 20, 20, 20, 95, 20, 20, 20, 20.0])
    trunk = np.full(9, 5.0)
    out, notes = apply_limits(t, {"left_knee_flexion_deg": knee, "trunk_incline_deg": trunk})
    assert math.isnan(out["left_knee_flexion_deg"][4]) and not math.isnan(knee[4])  # a copy
    assert np.all(np.isfinite(np.delete(out["left_knee_flexion_deg"], 4)))
    (note,) = notes
    assert note.startswith("Left knee flexion: 1 frame at 0.1 s jumped faster than a body")
    assert f"{MAX_RATE_DEG_S:,.0f}°/s" in note


def test_limits_on_a_frame_with_nobody_are_silent() -> None:
    track = build_track(times(0.5))
    lm = track.landmarks.copy()
    lm[:, [LEFT_HIP, RIGHT_HIP]] = np.nan
    series = compute_angles(PoseTrack(track.t, lm, track.image_size))
    assert series.notes == ()


def test_live_body_speed_follows_a_walk_and_stays_still_standing() -> None:
    """The live path's causal body speed (pose.live.LiveAngles): about 2.5 trunk lengths a
    second for hips travelling at that speed, about 0 standing still; the first frame has none."""
    from pose.live import LiveAngles

    t = times(2.0, FPS)
    for speed, expected in ((2.5, 2.5), (0.0, 0.0)):
        track = build_track(t, facing=1)
        lm = track.landmarks.copy()
        lm[..., 0] += (speed * 180.0 * t / track.image_size[0])[:, None]  # trunk: 180 px
        live = LiveAngles(track.image_size)
        got = [live.update(float(ti), lm[i])["body_speed_tl_s"] for i, ti in enumerate(t)]
        assert math.isnan(got[0])
        np.testing.assert_allclose(got[30:], expected, atol=0.05)
        batch = compute_angles(PoseTrack(t, lm, track.image_size))["body_speed_tl_s"]
        np.testing.assert_allclose(batch, expected, atol=0.05)
