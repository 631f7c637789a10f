"""The engine's small state machines, in seconds from timestamps (never frame counts)."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.cues import Cue, CueScheduler
from exercises.phases import PhaseTracker
from exercises.timing import HoldTracker, Persistence, RepCounter


def _run_persistence(times, flags, min_s=0.5):
    p = Persistence(min_s)
    states = [p.update(t, f) for t, f in zip(times, flags, strict=True)]
    return p, states


@pytest.mark.parametrize(
    ("on_from", "on_to", "fps", "counted_s"),
    [
        (1.0, 1.3, 30, 0.0),  # a flicker shorter than 0.5 s is no fault
        (1.0, 1.5, 30, 0.5),  # exactly the minimum counts, all of it
        (1.0, 3.0, 30, 2.0),
        (1.0, 3.0, 7, 2.0),  # a slow, dropping live stream: the same seconds
    ],
)
def test_persistence_counts_whole_runs_that_last(on_from, on_to, fps, counted_s):
    t = np.arange(0, 4 + 1e-9, 1 / fps)
    # sample the edges exactly so the expected length does not depend on the grid
    t = np.unique(np.concatenate([t, [on_from, on_to]]))
    flags = (t >= on_from) & (t <= on_to)
    p, states = _run_persistence(t, flags)
    assert p.seconds == pytest.approx(counted_s, abs=1e-6)
    if counted_s:
        first_on = t[np.argmax(states)]
        assert first_on == pytest.approx(on_from + 0.5, abs=1 / fps)


def test_hold_tracker_splits_on_gaps_and_cuts_back_to_a_fault():
    h = HoldTracker(max_gap_s=1.0)
    for t in np.arange(0, 5.01, 0.1):
        h.update(float(t), True, 10.0)
    for t in np.arange(6.5, 8.01, 0.1):  # 1.5 s without frames: a new hold
        h.update(float(t), True, 12.0)
    assert [round(x.duration_s, 2) for x in h.holds] == [5.0, 1.5]
    h.cut(7.0)  # form broke at 7.0, confirmed later
    assert round(h.holds[-1].end_s, 2) == 6.9
    assert h.total_s == pytest.approx(5.4)
    assert h.completed(5.0) == 1 and h.holds[0].mean_deg == 10.0


def _reps(values, enter=6.0, exit=2.0, dt=1 / 30):
    counter = RepCounter(enter, exit)
    for i, v in enumerate(values):
        counter.update(i * dt, float(v), True)
    return counter.reps


def _wave(peaks, rest=30, up=30):
    out = [0.0] * rest
    for p in peaks:
        out += list(np.linspace(0, p, up)) + list(np.linspace(p, 0, up)) + [0.0] * rest
    return np.array(out)


@pytest.mark.parametrize(
    ("peaks", "noise", "expected"),
    [
        ([15, 15, 15], 0.0, 3),
        ([15, 15, 15], 1.9, 3),  # jitter around the thresholds adds no reps (hysteresis)
        ([5, 15, 4], 1.0, 1),  # movements short of the enter threshold are not reps
        ([], 1.9, 0),
    ],
)
def test_rep_counter_with_hysteresis(peaks, noise, expected):
    values = _wave(peaks)
    values = values + np.random.default_rng(1).uniform(-noise, noise, values.shape)
    reps = _reps(values)
    assert len(reps) == expected
    for rep in reps:
        assert rep.peak_deg == pytest.approx(15.0, abs=noise + 1e-6)


def test_rep_counter_counts_downward_movements_too():
    reps = _reps(-_wave([10, 10]), enter=0.0, exit=5.0)
    assert reps == []  # the wave goes negative only: it never comes back up past 5
    reps = _reps(5.0 - _wave([10, 10]), enter=0.0, exit=5.0)
    assert len(reps) == 2 and reps[0].peak_deg == pytest.approx(-5.0)


def test_rep_needs_permission_to_start_and_collects_faults():
    counter = RepCounter(6.0, 2.0)
    counter.update(0.0, 10.0, may_start=False)
    counter.update(0.1, 1.0, may_start=False)
    assert counter.reps == []
    counter.update(0.2, 10.0, may_start=True, faults={"lean_forward"})
    rep = counter.update(0.3, 1.0, may_start=False)
    assert rep is not None and rep.faults == {"lean_forward"} and not rep.clean


def _cue(key, priority, repeat_s=None):
    return Cue(key, key, "fault", priority, repeat_s=repeat_s)


def test_cues_one_at_a_time_most_important_first_not_repeated():
    s = CueScheduler(repeat_s=5.0, display_s=2.5)
    emitted = []
    for t in np.arange(0, 12.01, 0.1):
        cands = [_cue("lean_back", 10)]
        if 1.0 <= t < 9.0:
            cands.append(_cue("view", 0))
        shown, new = s.update(float(t), cands)
        assert shown is None or shown.key in {c.key for c in cands}
        if new:
            emitted.append((round(float(t), 1), new.key))
    # lean_back first; the view problem preempts it at once; neither repeats within 5 s of itself
    assert emitted == [
        (0.0, "lean_back"),
        (1.0, "view"),
        (5.0, "lean_back"),
        (6.0, "view"),
        (10.0, "lean_back"),
    ]


def test_praise_has_its_own_repeat_time():
    s = CueScheduler(repeat_s=5.0, display_s=2.5)
    emitted = [
        t
        for t in np.arange(0, 40.01, 0.5)
        if s.update(float(t), [_cue("praise", 70, repeat_s=15.0)])[1]
    ]
    assert emitted == [0.0, 15.0, 30.0]


def test_phase_tracker_follows_position_release_and_switch():
    p = PhaseTracker(
        enter_s=0.5, leave_s=1.0, switch_s=1.5, release_s=2.0, required_sides=("left", "right")
    )
    seen = []
    timeline = [(0, 2, None), (2, 10, "right"), (10, 14, None), (14, 20, "left")]
    for t in np.arange(0, 20, 0.1):
        side = next(s for a, b, s in timeline if a <= t < b)
        done = {"right"} if t >= 9 else set()
        phase = p.update(float(t), side, done)
        if not seen or seen[-1][1:] != (phase, p.side):
            seen.append((round(float(t), 1), phase, p.side))
    assert seen == [
        (0.0, "position", None),
        (2.5, "active", "right"),
        (11.0, "release", None),
        (13.0, "other_side", None),
        (14.5, "active", "left"),
    ]


@pytest.mark.parametrize(("swing", "expected"), [(None, 0), (5.0, 3)])
def test_rep_counter_follows_a_biased_resting_level_with_swing(swing, expected):
    """A model that reads the relaxed stance 9° into extension: the leg never comes back below a
    fixed exit of 4°, but it does come back 5° from each peak."""
    values = 9.0 + _wave([11, 11, 11])
    counter = RepCounter(7.0, 4.0, swing=swing)
    for i, v in enumerate(values):
        counter.update(i / 30, float(v), True)
    assert len(counter.reps) == expected
    assert all(r.peak_deg == pytest.approx(20.0, abs=0.5) for r in counter.reps)


def _jump_and_test(fps: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
    """A stance read at +10° (a pose model's bias); two crouches down to −60° and straight back up
    to the stance (jumps' take-offs: no leg taken back), a second of stance after each; then a real
    rep: the leg taken 12° back from the stance over a second, and returned."""
    t = np.arange(0.0, 6.5, 1.0 / fps)
    v = np.full(t.shape, 10.0)
    for start in (1.0, 2.6):
        crouch = (t >= start) & (t < start + 0.8)
        v[crouch] = 10.0 - 70.0 * np.sin(np.pi * (t[crouch] - start) / 0.8)
    rep = (t >= 4.2) & (t < 5.2)
    v[rep] = 10.0 + 12.0 * np.sin(np.pi * (t[rep] - 4.2))
    return t, v


@pytest.mark.parametrize(("rest_hold_s", "expected_peaks"), [(None, [10.0, 22.0]), (0.3, [22.0])])
def test_a_rep_swings_from_a_stance_held_not_from_a_hip_passing_through(
    rest_hold_s, expected_peaks
) -> None:
    """Rising out of a crouch passes a hip through every angle on its way to the stance: measured
    from the lowest value it is a 'rep' peaking at the stance. Measured from a level held for
    `rest_hold_s`, only the leg taken back from the stance is one. The crouch below −25° is out of
    the test's position, as the standing test's definition has it."""
    t, v = _jump_and_test()
    counter = RepCounter(2.0, 0.0, swing=5.0, rest_hold_s=rest_hold_s)
    for ti, vi in zip(t, v, strict=True):
        counter.update(float(ti), float(vi), True, at_rest=bool(vi >= -25.0))
    assert [r.peak_deg for r in counter.reps] == pytest.approx(expected_peaks, abs=0.6)


def test_rest_hold_must_be_a_positive_time() -> None:
    with pytest.raises(ValueError, match="rest_hold_s"):
        RepCounter(2.0, 0.0, swing=5.0, rest_hold_s=0.0)


def test_leaving_the_position_forgets_the_resting_level() -> None:
    """Standing at 0°, bending to the floor (out of position), then straightening up and reaching
    up to +6° (both hips extended): from the stance before the bend that is a 6° 'rep'; the
    stance after it (+4.5° held) makes it none. A leg then taken back from there is a rep."""
    counter = RepCounter(2.0, 0.0, swing=5.0, rest_hold_s=0.3)
    t = 0.0
    for value, at_rest, seconds in ((0.0, True, 1.0), (-80.0, False, 1.0), (4.5, True, 0.5),
                                    (6.0, True, 0.5), (4.5, True, 0.5), (16.0, True, 0.5),
                                    (4.5, True, 0.5)):  # fmt: skip
        for _ in range(round(seconds * 15)):
            counter.update(t, value, True, at_rest=at_rest)
            t += 1 / 15
    assert [r.peak_deg for r in counter.reps] == [16.0]
