"""When things happened in a session, as the engine judged them frame by frame: the spans of each
fault, the reps, and the frame of the peak in good form.

The result records say how long each fault lasted (`FaultTime.seconds`), not when. Rather than
judge the series a second way here (the engine is the one judge), the recorded angle series is fed
once more, frame by frame, through the engine's own `ExerciseSession`, and its state is read after
each frame. A replay is used only when it reproduces the recorded result exactly; where it does not
(a saved report read back after a definition changed, a series that is not the one the engine
saw), there is no timeline and nothing is drawn from one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.records import Report
from exercises.catalog import UnknownExerciseError, get_exercise, load_exercises
from exercises.definition import SIDES, read_value
from exercises.session import ExerciseSession
from pose.angles import AngleSeries


@dataclass(frozen=True)
class FaultSpan:
    """One run of a posture fault on one side, seconds from the start (as the engine counted it:
    from the run's first frame, once it had lasted the engine's minimum)."""

    side: str
    fault: str
    name: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class RepSpan:
    """One rep: its start and end (seconds), its peak and the frame of the peak."""

    side: str
    start_s: float
    end_s: float
    peak_deg: float
    peak_index: int
    clean: bool


@dataclass(frozen=True)
class Timeline:
    """What the replay saw. `peak_index[side]`: the frame of the side's peak hip extension in good
    form (the report's `peak_hip_extension_deg`), absent when there is none."""

    fault_spans: tuple[FaultSpan, ...]
    reps: tuple[RepSpan, ...]
    peak_index: dict[str, int]

    def spans(self, side: str | None = None) -> tuple[FaultSpan, ...]:
        return tuple(s for s in self.fault_spans if side is None or s.side == side)


def engine_timeline(report: Report, series: AngleSeries | None) -> Timeline | None:
    """The engine's own timeline of `report`'s session, or None where it cannot be had honestly
    (no exercise, no series, an unknown exercise, or a replay that differs from the report)."""
    result = report.exercise
    if result is None or series is None or len(series) == 0:
        return None
    try:
        definition = get_exercise(result.exercise, load_exercises())
    except UnknownExerciseError:
        return None
    session = ExerciseSession(definition, side=result.side_mode, view=result.view)
    names = {r.id: r.name for r in definition.faults}
    open_spans: dict[tuple[str, str], list[float]] = {}
    spans: list[FaultSpan] = []
    for frame in series.frames():
        session.update(frame)
        t = float(frame["t_s"])  # type: ignore[arg-type]
        for side in SIDES:
            for fid, persistence in session.sides[side].faults.items():
                key = (side, fid)
                if persistence.active and persistence.since is not None:
                    span = open_spans.setdefault(key, [persistence.since, t])
                    span[1] = t
                elif key in open_spans:
                    start, end = open_spans.pop(key)
                    spans.append(FaultSpan(side, fid, names[fid], start, end))
    for (side, fid), (start, end) in open_spans.items():
        spans.append(FaultSpan(side, fid, names[fid], start, end))
    if not _same(session.result(), result):
        return None  # not the session the report describes: draw nothing from it
    return Timeline(
        tuple(sorted(spans, key=lambda s: (s.start_s, s.side, s.fault))),
        _reps(session, series),
        _peaks(session, series),
    )


def _same(replayed: object, recorded: object) -> bool:
    """The same result: equal records, or — where the record classes were imported twice (a
    development server reloads changed modules between reruns) — equal field by field."""
    return replayed == recorded or repr(replayed) == repr(recorded)


def _reps(session: ExerciseSession, series: AngleSeries) -> tuple[RepSpan, ...]:
    rule = session.definition.reps
    if rule is None:
        return ()
    out = []
    for side in SIDES:
        counter = session.sides[side].reps
        if counter is None:
            continue
        # a rep counted upwards peaks at its highest value, one counted downwards at its lowest
        sign = 1.0 if rule.enter_deg.value > rule.exit_deg.value else -1.0
        signed = sign * np.array([read_value(f, rule.ref, side) for f in series.frames()])
        for rep in counter.reps:
            inside = (series.t >= rep.start_s - 1e-9) & (series.t <= rep.end_s + 1e-9)
            index = int(np.argmax(np.where(inside & np.isfinite(signed), signed, -np.inf)))
            out.append(RepSpan(side, rep.start_s, rep.end_s, rep.peak_deg, index, rep.clean))
    return tuple(out)


def _peaks(session: ExerciseSession, series: AngleSeries) -> dict[str, int]:
    """Per side, the frame of the highest hip extension among frames in good form (as the report's
    peak is taken)."""
    out: dict[str, int] = {}
    for side in SIDES:
        best: tuple[float, int] | None = None
        for record in session.sides[side].records:
            if not record.form_ok:
                continue
            value = read_value(record.frame, "working.hip_extension_deg", side)
            if np.isfinite(value) and (best is None or value > best[0]):
                best = (value, record.index)
        if best is not None:
            out[side] = best[1]
    return out
