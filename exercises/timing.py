"""Small state machines that turn noisy per-frame truths into steady events, in seconds.

Everything here is driven by frame timestamps, never frame counts: live frames drop when the machine
is busy, and a recording's frame rate is whatever the camera gave.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

#: Tolerance for comparing sums of float timestamps with a duration.
EPS_S = 1e-6


class Persistence:
    """A condition that counts only once it has held for `min_s`, and the time it counted for.

    `seconds` sums the full length of every run that reached `min_s` (from its first frame to its last),
    so a fault that lasted 2 s reports 2 s, and one that flickered for 0.3 s reports nothing.
    """

    def __init__(self, min_s: float) -> None:
        if min_s < 0:
            raise ValueError(f"min_s must be >= 0 seconds, got {min_s}")
        self.min_s = min_s
        self.seconds = 0.0
        self.active = False
        self.became_active = False
        self._since: float | None = None
        self._last_t: float | None = None

    @property
    def since(self) -> float | None:
        """When the current run of the condition began (None when it does not hold)."""
        return self._since

    def update(self, t: float, on: bool) -> bool:
        """Feed one frame; return whether the condition counts now."""
        was_active = self.active
        if not on:
            self._since, self.active = None, False
        elif self._since is None:
            self._since = t
        if on and self._since is not None:
            if self.active:
                self.seconds += t - (self._last_t if self._last_t is not None else t)
            elif t - self._since >= self.min_s - EPS_S:
                self.active = True
                self.seconds += t - self._since
        self._last_t = t
        self.became_active = self.active and not was_active
        return self.active


@dataclass
class Hold:
    """One unbroken stretch of time in the target range with good form: its frames' times and values."""

    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def start_s(self) -> float:
        return self.times[0]

    @property
    def end_s(self) -> float:
        return self.times[-1]

    @property
    def duration_s(self) -> float:
        return self.times[-1] - self.times[0] if self.times else 0.0

    @property
    def mean_deg(self) -> float:
        finite = [v for v in self.values if math.isfinite(v)]
        return sum(finite) / len(finite) if finite else math.nan


class HoldTracker:
    """Holds as runs of qualifying frames; a frame gap longer than `max_gap_s` breaks a hold."""

    def __init__(self, max_gap_s: float) -> None:
        self.max_gap_s = max_gap_s
        self.holds: list[Hold] = []
        self.current: Hold | None = None
        self._last_t: float | None = None

    def update(self, t: float, running: bool, value: float) -> float:
        """Feed one frame; return the current hold's length in seconds (0 when not holding)."""
        gap = self._last_t is not None and t - self._last_t > self.max_gap_s
        self._last_t = t
        if not running or gap:
            self.current = None
        if not running:
            return 0.0
        if self.current is None:
            self.current = Hold()
            self.holds.append(self.current)
        self.current.times.append(t)
        self.current.values.append(value)
        return self.current.duration_s

    def cut(self, from_t: float) -> None:
        """End the current hold before `from_t`: form broke then, though it was confirmed only now."""
        hold = self.current
        if hold is None:
            return
        keep = sum(1 for ht in hold.times if ht < from_t - EPS_S)
        del hold.times[keep:], hold.values[keep:]
        if not hold.times:
            self.holds.remove(hold)
        self.current = None

    @property
    def total_s(self) -> float:
        return sum(h.duration_s for h in self.holds)

    def completed(self, hold_s: float) -> int:
        """Holds that lasted at least `hold_s`."""
        return sum(1 for h in self.holds if h.duration_s >= hold_s - EPS_S)


@dataclass
class Rep:
    """One rep: from passing the enter threshold to coming back past the exit threshold."""

    start_s: float
    end_s: float
    peak_deg: float
    faults: set[str] = field(default_factory=set)

    @property
    def clean(self) -> bool:
        return not self.faults


class RepCounter:
    """Counts movements past `enter` and back past `exit`; the gap between them is the hysteresis.

    `enter > exit` counts upward movements, `enter < exit` downward ones. A rep may only start on a
    frame the caller allows (`may_start`, e.g. in position with this leg working) and needs no hold.

    `swing`, when given, makes the counter follow the person's own resting level as well: a rep
    also needs a rise of `swing` from the lowest point since the last rep (of the frames that could
    start one: out of position is no resting level), and it also ends once
    the angle has come `swing` back from its peak. A pose model may read a relaxed stance several
    degrees into extension, and that bias differs between people and views; a fixed `exit` alone
    would then never see the leg come back.
    """

    def __init__(
        self,
        enter: float,
        exit: float,
        swing: float | None = None,
        rest_hold_s: float | None = None,
    ) -> None:
        if enter == exit:
            raise ValueError("enter and exit must differ (the gap is the hysteresis)")
        if swing is not None and swing <= 0:
            raise ValueError(f"swing must be a positive angle, got {swing}")
        if rest_hold_s is not None and rest_hold_s <= 0:
            raise ValueError(f"rest_hold_s must be a positive time, got {rest_hold_s}")
        self.enter, self.exit, self.swing = enter, exit, swing
        self.rest_hold_s = rest_hold_s
        self.sign = 1.0 if enter > exit else -1.0
        self.reps: list[Rep] = []
        self.current: Rep | None = None
        self._trough = math.inf  # lowest (signed) value since the last rep, for `swing`
        self._rest: deque[tuple[float, float]] = deque()  # (t, signed value): at rest in a row

    def abandon(self) -> None:
        """Drop the rep under way (the other leg has taken over: this one never came back while
        worked), and learn the resting level anew."""
        self.current = None
        self._trough = math.inf
        self._rest.clear()

    def _at_rest(self, t: float, value: float) -> None:
        """A frame that may set the resting level (`value` signed).

        With `rest_hold_s`, the resting level is a level the angle *held*: the highest value of
        at least `rest_hold_s` of frames at rest in a row, at its lowest, since the frames last
        came to rest. A hip swinging through
        on its way somewhere (rising out of a jump's crouch: −17°, −1°, +9° in 0.3 s) is no
        stance to measure a rep from; standing still is.
        """
        if self.rest_hold_s is None:
            self._trough = min(self._trough, value)
            return
        self._rest.append((t, value))
        while len(self._rest) > 1 and self._rest[1][0] <= t - self.rest_hold_s + 1e-9:
            self._rest.popleft()
        if t - self._rest[0][0] >= self.rest_hold_s - 1e-9:
            self._trough = min(self._trough, max(v for _, v in self._rest))

    def update(
        self,
        t: float,
        value: float,
        may_start: bool,
        faults: set[str] | frozenset[str] = frozenset(),
        at_rest: bool | None = None,
    ) -> Rep | None:
        """Feed one frame; return the rep that ended on it, if one did. NaN frames change nothing.

        `at_rest`: whether this frame may set the resting level (`swing`): in the test's position,
        whichever leg moves (default: `may_start`)."""
        if not math.isfinite(value):
            return None
        s = self.sign
        if self.current is None:
            if may_start if at_rest is None else at_rest:
                self._at_rest(t, s * value)
            elif self.rest_hold_s is not None:
                # out of position is no stance: the resting level is learned anew once back (a
                # person bending to the floor and straightening up has no stance from before)
                self._rest.clear()
                self._trough = math.inf
            risen = self.swing is None or s * value >= self._trough + self.swing
            if may_start and s * value >= s * self.enter and risen:
                self.current = Rep(start_s=t, end_s=t, peak_deg=value, faults=set(faults))
            return None
        rep = self.current
        rep.end_s = t
        rep.faults |= set(faults)
        if s * value > s * rep.peak_deg:
            rep.peak_deg = value
        back = s * value <= s * self.exit
        if self.swing is not None:
            back = back or s * value <= s * rep.peak_deg - self.swing
        if back:
            self.current = None
            self._trough = s * value
            self._rest.clear()
            self.reps.append(rep)
            return rep
        return None
