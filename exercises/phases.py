"""Phases that follow what the person does, so no button is needed per phase.

position ──(in position enter_s)──> active ──(out of position leave_s)──> release ──(release_s)──>
other_side (this side done, another to do) | position (this side not done) | done (all sides done)

While active, the other leg taking over the working role for `switch_s` switches sides without a
release (e.g. swapping legs quickly in the Thomas position).
"""

from __future__ import annotations

from collections.abc import Collection

from exercises.timing import EPS_S

PHASES: tuple[str, ...] = ("position", "active", "release", "other_side", "done")


class PhaseTracker:
    """The phase and the side being worked, from per-frame "in position with this leg working"."""

    def __init__(
        self,
        enter_s: float,
        leave_s: float,
        switch_s: float,
        release_s: float,
        required_sides: tuple[str, ...],
    ) -> None:
        self.enter_s, self.leave_s = enter_s, leave_s
        self.switch_s, self.release_s = switch_s, release_s
        self.required_sides = required_sides
        self.phase = "position"
        self.side: str | None = None  # the side being worked while active
        self.last_side: str | None = None  # the side worked most recently
        self._enter: tuple[float, str] | None = None
        self._leave_since: float | None = None
        self._switch: tuple[float, str] | None = None
        self._released_at: float | None = None

    def next_side(self, done_sides: Collection[str]) -> str | None:
        """The first required side not yet done."""
        return next((s for s in self.required_sides if s not in done_sides), None)

    def update(self, t: float, in_position_side: str | None, done_sides: Collection[str]) -> str:
        """Feed one frame: `in_position_side` is the working leg if the frame is in position, else None."""
        if self.phase == "active":
            self._update_active(t, in_position_side)
        else:
            self._update_waiting(t, in_position_side)
        if self.phase != "active":
            released_recently = (
                self._released_at is not None and t - self._released_at < self.release_s - EPS_S
            )
            if self.phase == "release" and released_recently:
                return self.phase
            if all(s in done_sides for s in self.required_sides):
                self.phase = "done"
            elif self.last_side is not None and self.last_side in done_sides:
                self.phase = "other_side"
            else:
                self.phase = "position"
        return self.phase

    def _update_active(self, t: float, in_position_side: str | None) -> None:
        if in_position_side is None:
            self._switch = None
            if self._leave_since is None:
                self._leave_since = t
            if t - self._leave_since >= self.leave_s - EPS_S:
                self.phase, self._released_at = "release", t
                self.side, self._leave_since = None, None
            return
        self._leave_since = None
        if in_position_side == self.side:
            self._switch = None
            return
        if self._switch is None or self._switch[1] != in_position_side:
            self._switch = (t, in_position_side)
        if t - self._switch[0] >= self.switch_s - EPS_S:
            self.side = self.last_side = in_position_side
            self._switch = None

    def _update_waiting(self, t: float, in_position_side: str | None) -> None:
        if in_position_side is None:
            self._enter = None
            return
        if self._enter is None or self._enter[1] != in_position_side:
            self._enter = (t, in_position_side)
        if t - self._enter[0] >= self.enter_s - EPS_S:
            self.phase = "active"
            self.side = self.last_side = in_position_side
            self._enter = self._leave_since = self._switch = None
