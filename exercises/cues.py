"""What to say, and when: one cue at a time, the most important first, none repeated within a few
seconds of itself, so live cues do not flicker.

Order of importance: the camera cannot see (view), posture faults in the definition's order, a side
just measured, a hold just completed, falling short of the range (a cue, never a fault), praise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from exercises.definition import ExerciseDefinition, FormRule
from exercises.timing import EPS_S

# Lower is more important. Faults take FAULT_PRIORITY + their order in the data.
VIEW_PRIORITY, FAULT_PRIORITY, SIDE_DONE_PRIORITY = 0, 10, 40
HOLD_DONE_PRIORITY, RANGE_PRIORITY, PRAISE_PRIORITY = 50, 60, 70


@dataclass(frozen=True)
class Cue:
    """One thing to tell the person. Lower `priority` is more important."""

    key: str
    message: str
    kind: str  # "view", "fault", "side_done", "hold_done", "range", "praise"
    priority: int
    side: str | None = None
    fault: str | None = None
    repeat_s: float | None = None  # None: the scheduler's default
    t_s: float = math.nan


class CueScheduler:
    """One cue at a time, the most important first, none repeated within `repeat_s` of itself.

    A shown cue stays `display_s` while it still applies, unless a more important one arrives.
    """

    def __init__(self, repeat_s: float, display_s: float) -> None:
        self.repeat_s, self.display_s = repeat_s, display_s
        self.shown: Cue | None = None
        self._last_emitted: dict[str, float] = {}

    def _cooling(self, cue: Cue, t: float) -> bool:
        last = self._last_emitted.get(cue.key)
        repeat = self.repeat_s if cue.repeat_s is None else cue.repeat_s
        return last is not None and t - last < repeat - EPS_S

    def update(self, t: float, candidates: list[Cue]) -> tuple[Cue | None, Cue | None]:
        """Return (the cue to show now, the cue newly emitted on this frame or None)."""
        ranked = sorted(candidates, key=lambda c: c.priority)
        keys = {c.key for c in ranked}
        shown = self.shown
        if shown is not None and (t - shown.t_s >= self.display_s - EPS_S or shown.key not in keys):
            shown = None
        fresh = next((c for c in ranked if not self._cooling(c, t)), None)
        emitted = None
        if fresh is not None and (shown is None or fresh.priority < shown.priority):
            emitted = replace(fresh, t_s=t)
            self._last_emitted[fresh.key] = t
            shown = emitted
        self.shown = shown
        return shown, emitted


class CuePicker:
    """Turns what the engine sees on a frame into the one cue to show, and logs every cue given.

    Conditions that earn a cue only after lasting a while (a view problem, falling short of the
    range, holding well) are timed here, in seconds from the frames' timestamps.
    """

    def __init__(self, definition: ExerciseDefinition) -> None:
        self.definition = definition
        tm = definition.timing
        self.scheduler = CueScheduler(tm.cue_repeat_s.value, tm.cue_display_s.value)
        self.log: list[Cue] = []
        self._unseen_since: float | None = None
        self._short_since: float | None = None

    def praise(self, side: str) -> Cue:
        return Cue(
            "praise",
            self.definition.target.praise,
            "praise",
            PRAISE_PRIORITY,
            side=side,
            repeat_s=self.definition.timing.praise_repeat_s.value,
        )

    def range_cue(self, side: str | None) -> Cue:
        return Cue("range", self.definition.target.cue, "range", RANGE_PRIORITY, side=side)

    def pick(
        self,
        t: float,
        side: str | None,
        view_problem: str | None,
        faults: tuple[FormRule, ...],
        short: bool,
        hold_s: float,
        events: list[Cue],
    ) -> Cue | None:
        """The cue to show after this frame.

        Args:
            view_problem: what keeps the camera from judging this frame, or None.
            faults: the faults present now (after fault_min_s), most important first.
            short: in position, form good, but short of the target range (and not resting).
            hold_s: the current hold; praise comes once it has lasted praise_after_s.
            events: one-frame cues (a rep, a hold or a side just done).
        """
        tm = self.definition.timing
        candidates = list(events)
        self._unseen_since = _since(self._unseen_since, t, view_problem is not None)
        if view_problem is not None and _lasted(self._unseen_since, t, tm.view_cue_after_s.value):
            candidates.append(Cue("view", view_problem, "view", VIEW_PRIORITY, side=side))
        for order, rule in enumerate(faults):
            candidates.append(
                Cue(
                    f"fault:{rule.id}",
                    rule.cue,
                    "fault",
                    FAULT_PRIORITY + order,
                    side=side,
                    fault=rule.id,
                )
            )
        self._short_since = _since(self._short_since, t, short)
        if short and _lasted(self._short_since, t, tm.range_cue_after_s.value):
            candidates.append(self.range_cue(side))
        praising = self.definition.kind != "rep_test" and not faults
        if side is not None and praising and hold_s >= tm.praise_after_s.value - EPS_S:
            candidates.append(self.praise(side))
        shown, emitted = self.scheduler.update(t, candidates)
        if emitted is not None:
            self.log.append(emitted)
        return shown


def _since(since: float | None, t: float, condition: bool) -> float | None:
    """When a condition began: kept while it holds, cleared when it does not."""
    if not condition:
        return None
    return t if since is None else since


def _lasted(since: float | None, t: float, seconds: float) -> bool:
    return since is not None and t - since >= seconds - EPS_S
