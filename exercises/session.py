"""The exercise engine: frames in one by one, feedback out, and a report at the end.

The same object serves the live page (one `update` per camera frame) and recordings
(`exercises.report.run_exercise` feeds a whole series through it), so both give the same verdicts.
It reads plain per-frame mappings (`pose.angles.AngleSeries.frame`) and nothing else.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from exercises.cues import HOLD_DONE_PRIORITY, SIDE_DONE_PRIORITY, Cue, CuePicker
from exercises.definition import (
    SIDES,
    SUMMARY_ANGLES,
    ExerciseDefinition,
    FormRule,
    frame_keys,
    other_side,
    read_value,
)
from exercises.phases import PhaseTracker
from exercises.result import ExerciseResult
from exercises.summary import build_result
from exercises.timing import EPS_S, HoldTracker, Persistence, Rep, RepCounter
from exercises.verdict import steady_columns, steady_refs

SIDE_CHOICES: tuple[str, ...] = ("auto", "left", "right")


@dataclass(frozen=True)
class Feedback:
    """What to show the person after one frame.

    Attributes:
        t_s: the frame's time, seconds.
        phase: "position", "active", "release", "other_side" or "done" (see exercises.phases).
        phase_label: the active phase's name from the data ("measure", "hold", "reps"), else `phase`.
        instruction: what to do in this phase (from the definition).
        side: the leg being worked while active, else None; next_side: the leg still to do.
        cue: the one cue to show now (message, kind, fault id), or None.
        hold_s: seconds of the current hold (in range, form good); 0 when not holding.
        hold_target_s: the hold time asked for, None when the exercise has none.
        holds_completed, sets_target: holds of at least hold_target_s on this side, and how many to do.
        reps, reps_target: reps on this side so far, and how many to do (None without reps).
        in_range: whether the measured angle is in the target range (None when not measuring).
        angle_deg: the measured angle of the working leg (None when not measuring or not seen).
        faults: the fault ids present now (after persisting fault_min_s).
        steady_s, steady_target_s: self-tests only: how long the leg has been still in position in
            good form, and how long the verdict needs (the measure is done when one reaches the
            other); None for other exercises.
    """

    t_s: float
    phase: str
    phase_label: str
    instruction: str
    side: str | None
    next_side: str | None
    cue: Cue | None
    hold_s: float
    hold_target_s: float | None
    holds_completed: int
    sets_target: int | None
    reps: int | None
    reps_target: int | None
    in_range: bool | None
    angle_deg: float | None
    faults: tuple[str, ...]
    steady_s: float | None = None
    steady_target_s: float | None = None


@dataclass
class FrameRecord:
    """One frame during which a side was being worked, kept for the report."""

    t: float
    index: int
    measured: bool  # in position with this leg working, and the leg seen
    good: bool  # measured, and every form rule could be checked and none was broken on this frame
    form_ok: bool  # measured, no fault present (after fault_min_s) and every rule could be checked
    frame: Mapping[str, object]  # only the values the report reads (a live session runs for long)


@dataclass
class SideState:
    """Everything the engine tracks for one leg."""

    faults: dict[str, Persistence]
    holds: HoldTracker
    reps: RepCounter | None
    records: list[FrameRecord] = field(default_factory=list)
    in_range: bool = False
    good_run_start: float | None = None
    settled: bool = False
    unchecked: set[str] = field(default_factory=set)  # rules that could not be checked at times
    recent: deque[tuple[float, list[float]]] = field(default_factory=deque)  # settle_s of values
    last_index: int = -2


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _has_person(frame: Mapping[str, object]) -> bool:
    """A person was found: a posture, or any leg's visibility (NaN on frames with nobody)."""
    return frame.get("posture") not in (None, "unknown") or any(
        _finite(frame.get(f"{s}_visibility")) for s in SIDES
    )


class ExerciseSession:
    """Follow one exercise frame by frame.

    Args:
        definition: the exercise (`exercises.catalog.load_exercises()[id]`).
        side: "auto" (find the working leg, both legs expected), "left" or "right" (only that leg).
        view: `pose.view.check_view(...).as_dict()` when known; a self-test whose view is not side-on
            is inconclusive. The live page may set `session.view` whenever it re-checks the view.

    `update(frame)` takes the mapping of `AngleSeries.frame(i)` (keys in ../shared/DESIGN.md) and
    returns `Feedback`; `result()` returns the typed `ExerciseResult` so far.
    Frames must come in time order; a frame not later than the previous one is ignored.
    """

    def __init__(
        self,
        definition: ExerciseDefinition,
        side: str = "auto",
        view: Mapping[str, object] | None = None,
    ) -> None:
        if side not in SIDE_CHOICES:
            raise ValueError(f"side must be one of {', '.join(SIDE_CHOICES)}, got {side!r}")
        self.definition = definition
        self.side_mode = side
        self.view = dict(view) if view is not None else None
        tm = definition.timing
        self.required_sides: tuple[str, ...] = SIDES if side == "auto" else (side,)
        self.phases = PhaseTracker(
            enter_s=tm.position_enter_s.value,
            leave_s=tm.position_leave_s.value,
            switch_s=tm.switch_s.value,
            release_s=tm.release_s.value,
            required_sides=self.required_sides,
        )
        reps = definition.reps
        self.sides: dict[str, SideState] = {
            s: SideState(
                faults={r.id: Persistence(tm.fault_min_s.value) for r in definition.faults},
                holds=HoldTracker(tm.max_gap_s.value),
                reps=None
                if reps is None
                else RepCounter(
                    reps.enter_deg.value,
                    reps.exit_deg.value,
                    reps.swing_deg.value if reps.swing_deg else None,
                    reps.rest_hold_s.value if reps.rest_hold_s else None,
                ),
            )
            for s in SIDES
        }
        refs = {f"working.{name}" for name in SUMMARY_ANGLES} | {definition.target.ref}
        if definition.verdict is not None:
            refs |= {f.condition.ref for f in definition.verdict.findings}
        self._steady_refs = steady_refs(definition)
        self._kept_keys = {
            s: sorted({key for ref in refs for key in frame_keys(ref, s)}) for s in SIDES
        }
        self.cues = CuePicker(definition)
        self.frames_seen = 0
        self._last_t: float | None = None
        self._last_feedback: Feedback | None = None
        self._person_frames = 0
        self._unseen_frames = dict.fromkeys(SIDES, 0)

    # ----- per-frame reading -------------------------------------------------------------------

    def candidate_side(self, frame: Mapping[str, object]) -> str | None:
        """The leg that looks like the working one.

        With both legs seen: the one whose side angle is larger by the margin. With only one seen
        (in a side view the far leg is often hidden behind the near one): that leg, if it is in
        position as the working leg; the set-up asks for the working leg towards the camera.
        """
        name = self.definition.side_angle
        values = {s: read_value(frame, f"working.{name}", s) for s in SIDES}
        seen = [s for s in SIDES if math.isfinite(values[s]) and self.leg_seen(frame, s)]
        if len(seen) == 1:
            alone = seen[0]
            hidden = not math.isfinite(values[other_side(alone)])
            return alone if hidden and self.in_position(frame, alone) else None
        if not all(math.isfinite(v) for v in values.values()):
            return None
        margin = self.definition.side_margin_deg.value
        if values["left"] - values["right"] >= margin:
            return "left"
        if values["right"] - values["left"] >= margin:
            return "right"
        return None

    def in_position(self, frame: Mapping[str, object], side: str) -> bool:
        """Posture right and every position condition met with `side` as the working leg.

        A condition marked `if_seen` is skipped while its value cannot be read: the other leg not
        seen (the far leg is the model's guess in a side view, ../shared/DESIGN.md), or that one
        angle left empty as beyond what a body can do (pose/limits.py).
        """
        if frame.get("posture") not in self.definition.postures:
            return False
        for condition in self.definition.position:
            met = condition.check(frame, side)
            if met is None and condition.if_seen:
                continue
            if met is not True:
                return False
        return True

    def leg_seen(self, frame: Mapping[str, object], side: str) -> bool:
        """The working leg is seen well enough to measure: visibility and the target angle."""
        vis = read_value(frame, "working.visibility", side)
        if not (math.isfinite(vis) and vis >= self.definition.timing.min_visibility.value):
            return False
        return math.isfinite(read_value(frame, self.definition.target.ref, side))

    def _frame_side(self, frame: Mapping[str, object]) -> str | None:
        """The leg to treat as working on this frame, or None."""
        if self.side_mode != "auto":
            return self.side_mode
        return self.candidate_side(frame) or self.phases.side

    # ----- the update --------------------------------------------------------------------------

    def update(self, frame: Mapping[str, object]) -> Feedback:
        """Feed one frame (a mapping as `AngleSeries.frame` gives); return what to show now."""
        t = float(frame["t_s"])  # type: ignore[arg-type]
        if self._last_feedback is not None and self._last_t is not None and t <= self._last_t:
            return self._last_feedback
        self._last_t = t
        index = self.frames_seen
        self.frames_seen += 1

        if _has_person(frame):
            self._person_frames += 1
            for s in SIDES:
                self._unseen_frames[s] += not self.leg_seen(frame, s)
        frame_side = self._frame_side(frame)
        pos_side = frame_side if frame_side and self.in_position(frame, frame_side) else None
        done_before = self.done_sides()
        phase = self.phases.update(t, pos_side, done_before)
        # The leg measured on this frame: the one in position while the phase is active. The side
        # shown (phases.side) follows it after switch_s, but measuring never waits for that.
        working = pos_side if phase == "active" else None
        shown_side = working or (self.phases.side if phase == "active" else None)

        events: list[Cue] = []
        hold_s, in_range, angle, faults = 0.0, None, None, ()
        for s in SIDES:
            if s == working:
                hold_s, in_range, angle, faults = self._update_working_side(
                    t, index, frame, s, events
                )
            elif not (phase == "active" and working is None and s == self.phases.side):
                # (the active side out of position for less than leave_s is no information yet,
                # like a dropped frame, so it is not idled)
                self._idle_side(t, s)
            # a rep starts only on a measured frame of its leg; it ends wherever the leg comes back,
            # unless the other leg is worked meanwhile (after a turn, the far leg's guessed reading
            # is no rep of it)
            if working is not None and s != working:
                reps = self.sides[s].reps
                if reps is not None and reps.current is not None:
                    reps.abandon()
            self._update_reps(t, frame, s, s == working, events)

        events.extend(self._side_done_events(done_before))
        cue = self._choose_cue(t, frame, phase, shown_side, in_range, hold_s, faults, events)
        feedback = self._feedback(t, phase, shown_side, cue, hold_s, in_range, angle, faults)
        self._last_feedback = feedback
        return feedback

    def _update_reps(
        self, t: float, frame: Mapping[str, object], side: str, in_pos: bool, events: list[Cue]
    ) -> None:
        state, rule = self.sides[side], self.definition.reps
        if state.reps is None or rule is None:
            return
        present = {fid for fid, p in state.faults.items() if p.active}
        # the resting level: any frame in the test's position (turning round, stepping in are not)
        at_rest = self.in_position(frame, side)
        rep = state.reps.update(t, read_value(frame, rule.ref, side), in_pos, present, at_rest)
        if rep is not None and self.definition.kind == "rep_test":
            events.extend(self._rep_events(rep, side))

    def _rep_events(self, rep: Rep, side: str) -> list[Cue]:
        """A rep test praises a clean rep in range and asks for more after a clean short one."""
        if not rep.clean:
            return []
        target = self.definition.target
        if target.in_range(rep.peak_deg):
            return [self.cues.praise(side)]
        return [self.cues.range_cue(side)]

    def _side_done_events(self, done_before: set[str]) -> list[Cue]:
        """A self-test or rep test says when a side is measured and what comes next."""
        if self.definition.kind == "stretch":
            return []  # a stretch's last hold already says so ("hold_done")
        phases = self.definition.phases
        out = []
        for side in sorted(self.done_sides() - done_before):
            left_to_do = self.phases.next_side(self.done_sides() | {side}) is not None
            message = phases.other_side if left_to_do else phases.done
            out.append(Cue("side_done", message, "side_done", SIDE_DONE_PRIORITY, side=side))
        return out

    def _rule_states(self, frame: Mapping[str, object], side: str) -> dict[str, bool | None]:
        return {rule.id: rule.condition.check(frame, side) for rule in self.definition.faults}

    def _update_working_side(
        self,
        t: float,
        index: int,
        frame: Mapping[str, object],
        side: str,
        events: list[Cue],
    ) -> tuple[float, bool | None, float | None, tuple[str, ...]]:
        """Faults, holds and the record of the leg in position on this frame."""
        state, d = self.sides[side], self.definition
        if not self.leg_seen(frame, side):
            # no information on this frame, as if it had been dropped: holds and faults keep their
            # state (a hold survives a gap up to max_gap_s), the settled run restarts
            kept = {k: frame.get(k, math.nan) for k in self._kept_keys[side]}
            state.records.append(FrameRecord(t, index, False, False, False, kept))
            self._update_settled(state, side, t, index, False, frame)
            held = state.holds.current.duration_s if state.holds.current else 0.0
            return held, None, None, tuple(r.id for r in d.faults if state.faults[r.id].active)
        raw = self._rule_states(frame, side)
        for rule in d.faults:
            persistence = state.faults[rule.id]
            persistence.update(t, raw.get(rule.id) is True)
            if persistence.became_active and persistence.since is not None:
                self._fault_began(state, persistence.since)
        faults = tuple(r.id for r in d.faults if state.faults[r.id].active)
        # a rule on the hidden far leg cannot be checked: a stretch's hold and a rep's peak go on
        # without it, but a self-test's verdict needs every rule checked (its validity rests on them)
        other_hidden = not self.leg_seen(frame, other_side(side))
        unchecked = {fid for fid, v in raw.items() if v is None}
        excused = {
            r.id
            for r in d.faults
            if r.condition.ref.startswith(("other.", "difference.")) and other_hidden
        }
        state.unchecked |= unchecked
        good = not unchecked and not any(raw.values())
        form_ok = not (unchecked - excused) and not faults
        kept = {k: frame.get(k, math.nan) for k in self._kept_keys[side]}
        state.records.append(FrameRecord(t, index, True, good, form_ok, kept))
        self._update_settled(state, side, t, index, good, frame)

        value = read_value(frame, d.target.ref, side)
        widen = d.timing.range_hysteresis_deg.value if state.in_range else 0.0
        state.in_range = d.target.in_range(value, widen)
        previous_hold = state.holds.current.duration_s if state.holds.current else 0.0
        hold_s = state.holds.update(t, state.in_range and form_ok, value)
        hold_target = d.target.hold_s.value if d.target.hold_s is not None else None
        if hold_target is not None and previous_hold < hold_target - EPS_S <= hold_s:
            events.append(
                Cue("hold_done", d.target.done, "hold_done", HOLD_DONE_PRIORITY, side=side)
            )
        return hold_s, state.in_range, value, faults

    def _fault_began(self, state: SideState, since: float) -> None:
        """A fault confirmed now began at `since`: form was not good from then on, so the hold ends
        there and those frames leave the peaks (compensation must not count as range)."""
        state.holds.cut(since)
        for record in reversed(state.records):
            if record.t < since - EPS_S:
                break
            record.form_ok = False

    def _update_settled(
        self,
        state: SideState,
        side: str,
        t: float,
        index: int,
        good: bool,
        frame: Mapping[str, object],
    ) -> None:
        """A self-test side is done once its leg has been still in position, in good form, for
        settle_s: the same test as the verdict's (exercises.verdict.settled_window), as it goes."""
        verdict = self.definition.verdict
        contiguous = index == state.last_index + 1
        state.last_index = index
        if not good or not contiguous:
            state.recent.clear()
        if not good:
            state.good_run_start = None
            return
        if state.good_run_start is None or not contiguous:
            state.good_run_start = t
        if verdict is None or verdict.settle_s is None:
            return
        settle = verdict.settle_s.value
        state.recent.append((t, [read_value(frame, ref, side) for ref in self._steady_refs]))
        while len(state.recent) > 1 and state.recent[1][0] <= t - settle + EPS_S:
            state.recent.popleft()  # keep the latest start that still covers settle_s
        if t - state.recent[0][0] < settle - EPS_S:
            return
        steady = verdict.steady_deg.value if verdict.steady_deg is not None else None
        if steady is None or steady_columns(np.array([v for _, v in state.recent]), steady):
            state.settled = True

    def _idle_side(self, t: float, side: str) -> None:
        state = self.sides[side]
        for p in state.faults.values():
            p.update(t, False)
        state.holds.update(t, False, math.nan)
        state.in_range = False
        state.good_run_start = None

    # ----- cues and feedback -------------------------------------------------------------------

    def _choose_cue(
        self,
        t: float,
        frame: Mapping[str, object],
        phase: str,
        side: str | None,
        in_range: bool | None,
        hold_s: float,
        faults: tuple[str, ...],
        events: list[Cue],
    ) -> Cue | None:
        """The one cue to show now (see exercises.cues for the order of importance)."""
        d = self.definition
        short = in_range is False and not faults and d.kind != "rep_test"
        if short and side is not None:
            holds = self.sides[side].holds.holds
            resting = bool(holds) and t - holds[-1].end_s < d.timing.rest_after_hold_s.value
            short = not resting
        by_id: dict[str, FormRule] = {r.id: r for r in d.faults}
        return self.cues.pick(
            t,
            side,
            self._view_problem(frame, phase, side),
            tuple(by_id[f] for f in faults),
            short,
            hold_s,
            events,
        )

    def _view_problem(
        self, frame: Mapping[str, object], phase: str, side: str | None
    ) -> str | None:
        """What keeps the camera from judging this frame, in words, or None."""
        if not _has_person(frame):
            return "Step into view: the camera should see you from head to feet, from the side."
        if side is not None and not self.leg_seen(frame, side):
            return f"Turn so the camera sees your {side} leg, hip to ankle."
        # both legs are needed to tell which one is working and whether the position is right
        if phase != "active" and not all(self.leg_seen(frame, s) for s in SIDES):
            return "Make sure both legs are in view, seen from the side."
        return None

    def _feedback(
        self,
        t: float,
        phase: str,
        side: str | None,
        cue: Cue | None,
        hold_s: float,
        in_range: bool | None,
        angle: float | None,
        faults: tuple[str, ...],
    ) -> Feedback:
        d = self.definition
        done = self.done_sides()
        counted_side = side or self.phases.last_side
        state = self.sides[counted_side] if counted_side else None
        next_side = self.phases.next_side(done)
        if phase == "active" and side in done and next_side is not None:
            # still in position after finishing a side (e.g. standing between legs): say what's next
            instruction = d.phases.other_side
        else:
            instruction = {
                "position": d.phases.position,
                "active": d.phases.active,
                "release": d.phases.release,
                "other_side": d.phases.other_side,
                "done": d.phases.done,
            }[phase]
        return Feedback(
            t_s=t,
            phase=phase,
            phase_label=d.phases.active_label if phase == "active" else phase,
            instruction=instruction,
            side=side,
            next_side=next_side if (phase != "active" or side in done) else None,
            cue=cue,
            hold_s=round(hold_s, 3),
            hold_target_s=d.target.hold_s.value if d.target.hold_s else None,
            holds_completed=self.holds_completed(counted_side) if counted_side else 0,
            sets_target=int(d.target.sets.value) if d.target.sets else None,
            reps=(len(state.reps.reps) if state and state.reps else (0 if d.reps else None)),
            reps_target=int(d.reps.per_side.value) if d.reps else None,
            in_range=in_range,
            angle_deg=None if angle is None or not math.isfinite(angle) else round(angle, 1),
            faults=faults,
            **self._steady(t, side),
        )

    def _steady(self, t: float, side: str | None) -> dict[str, float | None]:
        verdict = self.definition.verdict
        if verdict is None or verdict.settle_s is None:
            return {}
        start = self.sides[side].good_run_start if side else None
        return {
            "steady_s": 0.0 if start is None else round(t - start, 3),
            "steady_target_s": verdict.settle_s.value,
        }

    # ----- progress and report -----------------------------------------------------------------

    def side_done(self, side: str) -> bool:
        """Whether this side has what the exercise asks: a settled measure, the reps or the holds."""
        state, d = self.sides[side], self.definition
        if d.kind == "self_test":
            return state.settled
        if d.kind == "rep_test":
            return state.reps is not None and len(state.reps.reps) >= int(d.reps.per_side.value)  # type: ignore[union-attr]
        sets = int(d.target.sets.value) if d.target.sets else 1
        return self.holds_completed(side) >= sets

    def holds_completed(self, side: str) -> int:
        """Holds on this side that lasted the asked hold time (0 for exercises without one)."""
        hold_s = self.definition.target.hold_s
        return 0 if hold_s is None else self.sides[side].holds.completed(hold_s.value)

    def done_sides(self) -> set[str]:
        return {s for s in SIDES if self.side_done(s)}

    @property
    def cue_log(self) -> list[Cue]:
        """Every cue given so far, with its time."""
        return self.cues.log

    def unseen_fraction(self, side: str) -> float | None:
        """Share of the frames with a person in which this leg was not seen well enough to measure."""
        if not self._person_frames:
            return None
        return self._unseen_frames[side] / self._person_frames

    def result(self) -> ExerciseResult:
        """The typed result of everything fed so far (report.json's exercise fields)."""
        return build_result(self)
