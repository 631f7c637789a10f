"""Live coaching without Streamlit: frame -> landmarks -> angles -> set-up or exercise feedback ->
drawn frame.

The live page's frame callback calls `LiveCoach.process` and nothing else; the page reads
`status()` and `speech_after()` from its own thread and, at the end, `analyses()`: the same typed
`Analysis` a recording gets, one per exercise done.

A session is one exercise or a short routine. Each exercise begins with a set-up step (a live
checklist: whole body in the picture, side-on, the working leg nearer the camera, enough light);
measuring starts once it has held for a moment, then the engine follows the exercise's phases.
When an exercise is done the next one's set-up begins; after the last the session ends by itself.

Resources: the pose estimator is made on the first frame (in the video thread) and released by
`finish()` (STOP, the camera lost, the clip's end, the routine done), by `close()`, and, should
neither be called, when the coach is garbage collected (the browser tab gone and its session
state with it). Per-frame data lives in preallocated numpy blocks (`live.store`).
"""

from __future__ import annotations

import contextlib
import math
import queue
import statistics
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from analysis.records import Analysis
from analysis.service import AnalysisOptions, make_report
from exercises.definition import SIDES, ExerciseDefinition
from exercises.session import ExerciseSession, Feedback
from live.overlay import build_overlay, setup_overlay
from live.setup import SETUP_HOLD_S, SetupCheck, SetupState, brightness
from live.speech import SpeechItem, SpeechQueue
from live.store import FrameStore
from outputs import presenter as say
from pose.angles import ANGLE_COLUMNS, AngleSeries, compute_angles
from pose.live import LiveAngles
from pose.render import Overlay, annotate_frame
from pose.track import PoseTrack
from pose.view import FRAME_MARGIN, check_view

NO_PERSON = "No one in view: step into the picture, side-on to the camera, head to feet."
OTHER_PERSON = (
    "Someone else is in view: following the person most in view. Best be alone in the picture."
)
OUT_OF_FRAME = "Part of your body is out of the picture: move back until head and feet are in view."
#: The per-frame values kept for the live report (the causal angles the person was coached on).
KEPT_COLUMNS: tuple[str, ...] = (*ANGLE_COLUMNS, "trunk_to_horizontal_deg")
#: How often to look for a second person (seconds); live this runs beside the video, not in it.
OTHER_PERSON_EVERY_S = 2.0
STAGES = ("waiting", "setup", "measuring", "finished")
#: Why a session ended (words: outputs.presenter.LIVE_END_WORDS).
END_REASONS = ("stopped", "ended", "clip_ended", "routine_done")


@dataclass(frozen=True)
class LiveStatus:
    """What the page shows beside the video, as of the newest processed frame.

    Attributes:
        t_s: seconds since the first frame; frames: frames analysed (set-up included).
        person: someone was found on the newest frame; message: the cue of the moment in words.
        angles: the newest frame's smoothed angles (column name -> degrees).
        feedback: the engine's feedback while measuring, else None.
        stage: "waiting", "setup", "measuring" or "finished".
        step, steps: which exercise of the routine (0-based) and how many.
        exercise, exercise_name: its id and name (None/"" for angles only).
        instruction: what to do now, in words (the phase's instruction, or the set-up's).
        setup: the checklist while setting up.
        sides: (side, state) per leg: "not_tested", "not_chosen", "working", "started", "done".
        ended: why the session ended (END_REASONS) once finished.
        rate_fps: frames analysed per second over the last second or so.
        measured_frames: frames measured in this exercise (after its set-up).
        frame_ms, pose_ms: median milliseconds a frame took over the last second or so: all of
            `process` (pose, angles, engine, drawing), and the pose estimator's part of it.
    """

    t_s: float = 0.0
    frames: int = 0
    person: bool = False
    message: str = ""
    angles: dict[str, float] = field(default_factory=dict)
    feedback: Feedback | None = None
    stage: str = "waiting"
    step: int = 0
    steps: int = 1
    exercise: str | None = None
    exercise_name: str = ""
    instruction: str = ""
    setup: SetupState | None = None
    sides: tuple[tuple[str, str], ...] = ()
    ended: str | None = None
    rate_fps: float = 0.0
    measured_frames: int = 0
    frame_ms: float = 0.0
    pose_ms: float = 0.0


def _body_out_of_frame(landmarks: np.ndarray) -> bool:
    """Hips, knees or ankles of both legs outside the image (shoulders to ankles must show)."""
    lo, hi = FRAME_MARGIN, 1 - FRAME_MARGIN
    xy = landmarks[:, :2].tolist()  # eight points: plain floats cost less than numpy calls

    def whole(points: tuple[int, ...]) -> bool:
        return all(lo <= xy[i][0] <= hi and lo <= xy[i][1] <= hi for i in points)

    return not (whole((11, 23, 25, 27)) or whole((12, 24, 26, 28)))


class _Resources:
    """The session's pose estimator and its second-person watcher: one owner, released once.

    Kept apart from the coach so that `weakref.finalize` can release them without keeping the
    coach alive. `lock` is held while the estimator runs a frame, so closing it waits for that frame.
    """

    def __init__(self, factory: Callable[[], object]) -> None:
        self.factory = factory
        self.estimator: object | None = None
        self.lock = threading.Lock()
        self.closed = False
        self.watch: _OtherPersonWatch | None = None

    def estimate(self, rgb: np.ndarray, t: float) -> np.ndarray | None:
        with self.lock:
            if self.closed:
                return None
            if self.estimator is None:
                self.estimator = self.factory()
            return self.estimator.process(rgb, t)

    def close(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        with self.lock:
            self.closed = True
            estimator, self.estimator = self.estimator, None
        if estimator is not None and hasattr(estimator, "close"):
            estimator.close()
            _return_freed_memory()


def _return_freed_memory() -> None:
    """Hand the memory a released pose model freed back to the system (glibc only).

    The model's graph allocates a few hundred MB from its own threads' malloc arenas; freed, that
    memory stays with the process unless trimmed, so each live session looked like a leak of tens
    of MB. Elsewhere (no glibc) this does nothing.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return  # not glibc: its allocator returns memory by itself, there is nothing to trim


class _OtherPersonWatch:
    """Looks for a second person every `every_s`, beside the video thread (threaded) or in it.

    The look is a second pose pass on the frame with the tracked person blanked out (about as
    slow as the frame's own pose): in the video thread it would drop a frame each time.
    """

    def __init__(self, resources: _Resources, every_s: float, threaded: bool) -> None:
        self.resources = resources
        self.every_s = every_s
        self.threaded = threaded
        self.found = False
        self._next_t = 0.0
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def _look(self, rgb: np.ndarray, lm: np.ndarray) -> None:
        estimator = self.resources.estimator
        if estimator is not None and not self.resources.closed:
            self.found = bool(estimator.other_person_in_view(rgb, lm))

    def offer(self, t: float, rgb: np.ndarray, lm: np.ndarray) -> None:
        if t < self._next_t or self._stopped.is_set():
            return
        if not hasattr(self.resources.estimator, "other_person_in_view"):
            return
        self._next_t = t + self.every_s
        if not self.threaded:
            self._look(rgb, lm)
            return
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="other-person-watch", daemon=True
            )
            self._thread.start()
        with contextlib.suppress(queue.Full):  # still looking at the last one: skip this one
            self._queue.put_nowait((rgb, lm))

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                break
            self._look(*item)

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            # a full queue needs no end marker: the thread sees `_stopped` after its current look
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
            self._thread.join(timeout=5.0)


@dataclass
class _Step:
    """One exercise of the session: its engine and what was measured (after its set-up)."""

    definition: ExerciseDefinition | None
    session: ExerciseSession | None
    store: FrameStore
    t0: float | None = None  # the session time its measuring began
    started_at: datetime | None = None
    cues_seen: int = 0
    phase: str | None = None
    worked: set[str] = field(default_factory=set)


class LiveCoach:
    """One person's live session: one exercise or a routine, each with a set-up step.

    Args:
        estimator_factory: builds the pose estimator on first use (in the video thread).
        definitions: the exercise, or the routine's exercises in order; None to show angles only.
        side: "auto", "left" or "right" (the working leg, for every exercise).
        table_line: "trunk" or "image" (lying tests).
        setup_hold_s: how long the set-up checklist must hold; None to measure from the first frame.
        setup_timeout_s: measure anyway after this long in the set-up (a demo clip's camera cannot
            be moved); None to wait for the checklist.
        other_person_every_s: how often to look for a second person; `threaded_checks` runs that
            look beside the video thread.

    Thread-safety: `process` runs on the video thread; every other method may be called from any
    thread. The engine's update, the per-frame store and every read of them (status, speech,
    report) happen under one lock, so a report is never built from a half-updated engine; the
    pose estimator runs and is released under its own lock (`_Resources.lock`).
    """

    def __init__(
        self,
        estimator_factory: Callable[[], object],
        definitions: ExerciseDefinition | Sequence[ExerciseDefinition] | None = None,
        side: str = "auto",
        table_line: str = "trunk",
        setup_hold_s: float | None = SETUP_HOLD_S,
        setup_timeout_s: float | None = None,
        other_person_every_s: float = OTHER_PERSON_EVERY_S,
        threaded_checks: bool = True,
    ) -> None:
        if definitions is None or isinstance(definitions, ExerciseDefinition):
            definitions = [definitions]  # type: ignore[list-item]
        self.definitions: list[ExerciseDefinition | None] = list(definitions)
        if not self.definitions:
            raise ValueError("a live session needs at least one exercise (or None: angles only)")
        self.side = side
        self.table_line = table_line
        self.setup_hold_s = setup_hold_s
        self.setup_timeout_s = setup_timeout_s
        self._setup_since = 0.0
        self._res = _Resources(estimator_factory)
        self._res.watch = _OtherPersonWatch(self._res, other_person_every_s, threaded_checks)
        self._finalizer = weakref.finalize(self, self._res.close)
        self._lock = threading.Lock()
        self._steps = [self._new_step(d) for d in self.definitions]
        self._index = 0
        self._stage = "waiting"
        self._setup: SetupCheck | None = None
        self._confirmed = False
        self._skip_setup = False
        self._angles: LiveAngles | None = None
        self._image_size: tuple[int, int] | None = None
        self._t_origin: float | None = None
        self._last_t: float | None = None
        self._frames = 0
        self._rate: deque[float] = deque(maxlen=31)
        self._costs: deque[tuple[float, float]] = deque(maxlen=31)  # (frame, pose) seconds
        self._speech = SpeechQueue()
        self._status = LiveStatus(steps=len(self._steps))
        self._ended: str | None = None
        self._analyses: tuple[tuple[str, str], list[Analysis]] | None = None

    # ----- set-up and steps --------------------------------------------------------------------

    def _new_step(self, definition: ExerciseDefinition | None) -> _Step:
        session = ExerciseSession(definition, side=self.side) if definition else None
        return _Step(definition, session, FrameStore(KEPT_COLUMNS))

    @property
    def definition(self) -> ExerciseDefinition | None:
        """The exercise being done now (the last one once the session has finished)."""
        return self._steps[min(self._index, len(self._steps) - 1)].definition

    @property
    def session(self) -> ExerciseSession | None:
        return self._steps[min(self._index, len(self._steps) - 1)].session

    def confirm_near_leg(self, confirmed: bool = True) -> None:
        """The person says the working leg is nearer the camera (the view cannot always tell)."""
        with self._lock:
            self._confirmed = confirmed
            if self._setup is not None:
                self._setup.confirmed = confirmed

    def start_measuring(self) -> None:
        """Skip the rest of the set-up: measure from the next frame."""
        with self._lock:
            self._skip_setup = True

    def next_exercise(self) -> None:
        """Leave the exercise being done (finished or not) for the next, or end the session."""
        with self._lock:
            self._advance(self._last_t or 0.0)

    def _advance(self, t: float) -> None:
        """Under the lock: the next exercise's set-up, or the end of the routine."""
        if self._index + 1 >= len(self._steps):
            self._end("routine_done", t)
            return
        self._index += 1
        self._begin_setup(t)
        step = self._steps[self._index]
        if step.definition is not None:
            self._speech.add(
                t, say.next_exercise_line(step.definition.name, step.definition.setup), "setup"
            )

    def _begin_setup(self, t: float) -> None:
        self._skip_setup = False
        if self.setup_hold_s is None or self._image_size is None:
            self._begin_measuring(t)
            return
        self._stage = "setup"
        self._setup_since = t
        self._setup = SetupCheck(self._image_size, self.side, self.setup_hold_s)
        self._setup.confirmed = self._confirmed

    def _begin_measuring(self, t: float) -> None:
        self._stage = "measuring"
        self._setup = None
        step = self._steps[self._index]
        step.t0 = t
        step.started_at = datetime.now(UTC)
        if step.definition is not None:
            text = say.measuring_line(step.definition.name, step.definition.phases.position)
            self._speech.add(t, text, "setup")

    def _end(self, reason: str, t: float) -> None:
        if self._stage == "finished":
            return
        self._stage = "finished"
        self._ended = reason
        self._speech.add(t, say.live_end_line(reason), "end")
        self._status = replace(self._status, stage="finished", ended=reason)

    # ----- words -------------------------------------------------------------------------------

    def _words(self, step: _Step, message: str) -> str:
        """The engine's words, except "both sides" when only one leg was chosen."""
        d, s = step.definition, step.session
        if d is not None and s is not None and s.side_mode != "auto" and message == d.phases.done:
            return say.one_leg_done_line(d.kind, s.side_mode)
        return message

    def _side_states(self, step: _Step, feedback: Feedback | None) -> tuple[tuple[str, str], ...]:
        s = step.session
        if s is None:
            return ()
        out = []
        for side in SIDES:
            if side not in s.required_sides:
                state = "not_chosen"
            elif s.side_done(side):
                state = "done"
            elif feedback is not None and feedback.side == side and feedback.phase == "active":
                state = "working"
            elif side in step.worked:
                state = "started"
            else:
                state = "not_tested"
            out.append((side, state))
        return tuple(out)

    # ----- the frame ---------------------------------------------------------------------------

    def process(self, bgr: np.ndarray, t: float) -> np.ndarray:
        """Analyse one BGR frame at time t (seconds, any origin) and return it annotated."""
        import cv2

        if self._stage == "finished":
            return bgr
        h, w = bgr.shape[:2]
        if self._angles is None or self._image_size != (w, h):
            self._angles = LiveAngles((w, h), self.table_line)
            self._image_size = (w, h)
        if self._t_origin is None:
            self._t_origin = t
        t_rel = t - self._t_origin
        if self._last_t is not None and t_rel <= self._last_t:
            return bgr  # a repeated or late frame: nothing new to say
        started = time.perf_counter()
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        lm = self._res.estimate(rgb, t_rel)
        if lm is None:  # released meanwhile: the session has ended
            return bgr
        pose_s = time.perf_counter() - started
        self._res.watch.offer(t_rel, rgb, lm)
        frame = self._angles.update(t_rel, lm)
        light = brightness(bgr) if self._stage in ("waiting", "setup") else 255.0
        with self._lock:  # the engine update and a report read never interleave
            overlay = self._update(t_rel, lm, frame, light)
            done = self._stage == "finished"
        if done:  # the routine is over: nothing more to measure
            self._res.close()
        if overlay is not None:
            annotate_frame(bgr, lm, frame, overlay=overlay)
        with self._lock:
            self._costs.append((time.perf_counter() - started, pose_s))
        return bgr

    def _update(
        self, t: float, lm: np.ndarray, frame: dict[str, float | str], light: float
    ) -> Overlay | None:
        """Under the lock: set-up or engine, the store, the status and the words of this frame."""
        if self._stage == "finished":
            return None
        self._last_t = t
        self._frames += 1
        self._rate.append(time.monotonic())
        if self._stage == "waiting":
            self._begin_setup(t)
        step = self._steps[self._index]
        person = bool(np.isfinite(lm[0, 0]))
        setup_state = None
        if self._stage == "setup":
            setup_state = self._setup.update(t, lm, light)
            timed_out = (
                self.setup_timeout_s is not None and t - self._setup_since >= self.setup_timeout_s
            )
            if setup_state.ready or self._skip_setup or timed_out:
                self._begin_measuring(t)
                setup_state = None
        feedback = None
        if self._stage == "measuring":
            feedback = self._measure(step, t, lm, frame)
            if self._stage != "measuring":  # the exercise is done: next set-up or the end
                step = self._steps[self._index]
        if person and _body_out_of_frame(lm):
            problem = OUT_OF_FRAME
        elif not person:
            problem = NO_PERSON
        elif self._res.watch.found:
            problem = OTHER_PERSON
        else:
            problem = ""
        instruction = ""
        d = step.definition
        if setup_state is not None:
            instruction = say.setup_cue(setup_state.met, self.side)
            message = problem or instruction
        elif feedback is not None:
            instruction = self._words(step, feedback.instruction)
            cue = self._words(step, feedback.cue.message) if feedback.cue else ""
            message = problem or cue or instruction
        else:
            message = problem
        angles = {k: v for k, v in frame.items() if isinstance(v, float) and k != "t_s"}
        rate = (
            (len(self._rate) - 1) / (self._rate[-1] - self._rate[0])
            if len(self._rate) > 1 and self._rate[-1] > self._rate[0]
            else 0.0
        )
        self._status = LiveStatus(
            t_s=t,
            frames=self._frames,
            person=person,
            message=message,
            angles=angles,
            feedback=feedback,
            stage=self._stage,
            step=self._index,
            steps=len(self._steps),
            exercise=d.id if d else None,
            exercise_name=d.name if d else "",
            instruction=instruction,
            setup=setup_state,
            sides=self._side_states(step, feedback),
            ended=self._ended,
            rate_fps=round(rate, 1),
            measured_frames=len(step.store),
            frame_ms=round(1000.0 * statistics.median(c[0] for c in self._costs), 1)
            if self._costs
            else 0.0,
            pose_ms=round(1000.0 * statistics.median(c[1] for c in self._costs), 1)
            if self._costs
            else 0.0,
        )
        if setup_state is not None:
            return setup_overlay(message)
        return build_overlay(d, feedback, message, frame, self.table_line)

    def _measure(
        self, step: _Step, t: float, lm: np.ndarray, frame: dict[str, float | str]
    ) -> Feedback | None:
        """Under the lock: one measured frame into the step's store and engine."""
        t_step = t - (step.t0 or 0.0)
        values = np.array([float(frame.get(c, math.nan)) for c in KEPT_COLUMNS])
        step.store.append(
            t_step,
            lm,
            values,
            str(frame.get("posture", "unknown")),
            float(frame.get("facing_x", math.nan)),
        )
        if step.session is None:
            return None
        feedback = step.session.update({**frame, "t_s": t_step})
        if feedback.side is not None and feedback.angle_deg is not None:
            step.worked.add(feedback.side)
        log = step.session.cue_log
        for cue in log[step.cues_seen :]:
            self._speech.add(t, self._words(step, cue.message), cue.kind)
        step.cues_seen = len(log)
        if feedback.phase != step.phase:
            if step.phase is not None or feedback.phase != "position":
                self._speech.add(t, self._words(step, feedback.instruction), "instruction")
            step.phase = feedback.phase
        if feedback.phase == "done":
            self._advance(t)
        return feedback

    # ----- reading -----------------------------------------------------------------------------

    def status(self) -> LiveStatus:
        with self._lock:
            return self._status

    def speech_after(self, seq: int) -> list[SpeechItem]:
        """What to say aloud: the items numbered above `seq` (the last one the page spoke)."""
        with self._lock:
            return self._speech.after(seq)

    @property
    def finished(self) -> bool:
        with self._lock:
            return self._stage == "finished"

    def track(self) -> PoseTrack | None:
        """What the current exercise measured, as a landmark track (None before its first frame)."""
        with self._lock:
            step = self._steps[min(self._index, len(self._steps) - 1)]
            if not len(step.store) or self._image_size is None:
                return None
            a = step.store.arrays()
            return PoseTrack(a["t"], a["landmarks"], self._image_size)

    def _analysis(self, step: _Step, label: str, kind: str) -> Analysis:
        """Under the lock: one exercise's `Analysis` from its store and engine."""
        a = step.store.arrays()
        track = PoseTrack(a["t"], a["landmarks"], self._image_size)
        raw = compute_angles(track, table_line=self.table_line)
        view = check_view(track, raw.posture)
        if step.session is not None:
            # the view check over what was measured, as a recording's verdict gets it: a self-test
            # seen from too far off side-on is inconclusive, and its uncertainty is the camera's
            step.session.view = view.as_dict()
        result = step.session.result() if step.session else None
        if result is not None and step.session.side_mode != "auto":
            cues = tuple(replace(c, message=self._words(step, c.message)) for c in result.cues)
            result = replace(result, cues=cues)
        series = AngleSeries(
            t=track.t,
            values={c: a["values"][:, i] for i, c in enumerate(KEPT_COLUMNS)},
            posture=a["posture"],
            facing_x=a["facing"],
            filtered="causal",
        )
        options = AnalysisOptions(
            exercise=step.definition.id if step.definition else None,
            side=step.session.side_mode if step.session else "auto",
            table_line=self.table_line,
            label=label,
        )
        report = make_report(
            track, series, view, options, label, kind, result, recorded_at=step.started_at
        )
        return Analysis(report, track, raw, series)

    def analyses(self, label: str = "webcam", kind: str = "live") -> list[Analysis]:
        """One `Analysis` per exercise measured so far, as a recording gets: the causal angles the
        person was coached on and the live engine's own result, so the report says what the
        person was told. Built once when the session has finished (status refreshes cost nothing)."""
        with self._lock:
            key = (label, kind)
            if self._stage == "finished" and self._analyses and self._analyses[0] == key:
                return list(self._analyses[1])
            out = [self._analysis(s, label, kind) for s in self._steps if len(s.store)]
            if self._stage == "finished":
                self._analyses = (key, out)
            return list(out)

    def analysis(self, label: str = "webcam", kind: str = "live") -> Analysis | None:
        """The latest exercise measured, as `analyses` (None before anything was measured)."""
        found = self.analyses(label, kind)
        return found[-1] if found else None

    @property
    def nbytes(self) -> int:
        """Bytes of per-frame data the coach holds (its stores; the engines keep their own)."""
        with self._lock:
            return sum(s.store.nbytes for s in self._steps)

    # ----- the end -----------------------------------------------------------------------------

    def finish(self, reason: str = "stopped") -> None:
        """End the session (idempotent) and release the estimator; what was measured is kept."""
        if reason not in END_REASONS:
            raise ValueError(f"reason must be one of {', '.join(END_REASONS)}, got {reason!r}")
        with self._lock:
            self._end(reason, self._last_t or 0.0)
        self._res.close()

    def close(self) -> None:
        """Release the estimator (as `finish`, for a coach that is being dropped)."""
        self.finish(self._ended or "stopped")

    @property
    def released(self) -> bool:
        """Whether the estimator has been released."""
        return self._res.closed
