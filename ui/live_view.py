"""The live session page's parts: the choices, one coach per session, the panel beside the video
(set-up checklist and camera picture, the phase's instruction in large type, each leg, the cues
said), speech, and the end: the shared report view with one click to save it to Progress.

The frame callback does frame -> array -> LiveCoach -> frame and nothing else (it runs in
streamlit-webrtc's thread); everything here runs in the page's thread and reads the coach.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from html import escape

import av
import streamlit as st

from analysis.records import Analysis
from exercises.catalog import load_exercises
from live.coach import LiveCoach
from live.frames import from_bgr, to_bgr
from live.routine import load_routines
from outputs import presenter as say
from outputs.history import HistoryError, default_history_path, record_session
from outputs.report_json import report_dict
from ui.browser import camera_count, speak
from ui.camera_picture import camera_picture_svg
from ui.demo_clips import RENDERED_LABEL, DemoClip, demo_clips
from ui.live_stream import LiveStream
from ui.report_view import show_downloads, show_report
from ui.widgets import pick_demo_clip, pick_exercise, pick_routine, pick_side

WEBCAM = "Webcam"
DEMO = "Built-in demo clip (rendered person, not a real recording)"
ONE = "One exercise"
ROUTINE = "A short routine"
STREAM_KEYS = {WEBCAM: "live-webcam", DEMO: "live-demo"}
#: Ask the camera for this (the pose model needs no more; more only costs decoding).
CAMERA = {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 30}}
#: How often the panel beside the video is redrawn (seconds).
PANEL_EVERY_S = 0.5
#: What the page offers first: the iliacus stretch, and a clip of it done well, seen side-on.
FIRST_EXERCISE, FIRST_DEMO_CLIP = "half_kneeling_stretch", "half_kneel_right"
#: A demo clip's camera cannot be moved: its set-up gives way after this long (seconds).
DEMO_SETUP_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class LiveChoice:
    """What the person chose before START."""

    source: str  # WEBCAM or DEMO
    clip: DemoClip | None
    exercises: tuple[str, ...]
    side: str
    table_line: str

    @property
    def label(self) -> str:
        """The name a report knows the source by."""
        return say.demo_clip_label(self.clip.name) if self.clip else "webcam"

    @property
    def kind(self) -> str:
        return "demo" if self.clip else "live"


@dataclass
class LiveReport:
    """The reports of a session that has ended, kept on the page until the next one starts."""

    analyses: list[Analysis]
    ended: str | None
    saved: bool = False
    coach: LiveCoach | None = field(default=None, repr=False)  # the session it reports


@dataclass
class LiveSlot:
    """This browser session's live coaching: the coach for the session running (or ready to run)
    and the report of the last one that ended."""

    choice: LiveChoice
    coach: LiveCoach
    stopping: bool = False  # the page asked the video to stop (the coach ended by itself)
    report: LiveReport | None = None
    _stream: LiveStream | None = field(default=None, repr=False)

    @property
    def stream(self) -> LiveStream:
        """The webcam's stream through the current coach (made with it)."""
        if self._stream is None or self._stream.coach is not self.coach:
            self._stream = LiveStream(self.coach)
        return self._stream


@st.cache_resource
def tune_garbage_collector() -> tuple[int, int, int]:
    """Once per server process: keep Python's cycle collector off the live video's back.

    Measured with `perf` on a live session: 42% of the server's CPU went to the cycle collector
    (gc_collect_main, visit_decref, visit_reachable), more than the pose model took (25%). Every
    full collection walked the server's whole heap (Streamlit, pandas, matplotlib, MediaPipe:
    everything imported), which never becomes garbage. So what is alive once the page has loaded
    is frozen out of the collector's walks (`gc.freeze`), and young objects are collected less
    often (a live frame makes a few hundred short-lived ones). Cycles are still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    return gc.get_threshold()


def stream_playing() -> bool:
    """Whether either live stream (webcam or demo) is playing or starting, as of the last run."""
    for key in STREAM_KEYS.values():
        ctx = st.session_state.get(key)
        state = getattr(ctx, "state", None)
        if state is not None and (state.playing or state.signalling):
            return True
    return False


def _preset_source(clips: list[DemoClip]) -> None:
    """A browser that reports no camera starts on the demo clip (unless the person chose)."""
    cameras = camera_count()
    if cameras == 0 and clips and not st.session_state.get("live-source-chosen"):
        st.session_state["live-source"] = DEMO


def choose(disabled: bool) -> LiveChoice:
    """The session's choices (in the sidebar, beside the video); fixed while a session runs."""
    clips = demo_clips()
    _preset_source(clips)
    st.header("Your session")
    source = st.radio(
        "Video from",
        [WEBCAM, DEMO] if clips else [WEBCAM],
        key="live-source",
        disabled=disabled,
        on_change=lambda: st.session_state.update({"live-source-chosen": True}),
    )
    clip = None
    if source == DEMO:
        clip = pick_demo_clip(clips, key="live-clip", disabled=disabled, first=FIRST_DEMO_CLIP)
        st.caption(f"No webcam needed: a {RENDERED_LABEL} plays through the live coach.")
    else:
        st.caption(
            "The camera is this browser's: the video is analysed on this computer and not kept."
        )
    how = st.radio(
        "Do", [ONE, ROUTINE], key="live-how", disabled=disabled or clip is not None, horizontal=True
    )
    if how == ROUTINE and clip is None:
        routine = pick_routine(load_routines(known=set(load_exercises())), disabled=disabled)
        exercises = routine.exercises
    else:
        preselect = clip.exercise if clip else FIRST_EXERCISE
        one = pick_exercise(
            preselect,
            angles_only=False,
            disabled=disabled,
            key=f"live-exercise-{clip.name if clip else WEBCAM}",
        )
        exercises = (one,)
    side = pick_side(key="live-side", disabled=disabled)
    lying = any("lying" in load_exercises()[e].postures for e in exercises)
    level = lying and st.checkbox(
        "The camera is level (measure the thigh against the image horizontal)",
        key="live-level",
        disabled=disabled,
    )
    if side != "auto":
        st.checkbox(
            f"My {side} leg is nearer the camera",
            key="live-near-leg",
            help="The set-up checks which leg is nearer the camera; where it cannot tell, say so.",
        )
    speech_switch()
    return LiveChoice(source, clip, exercises, side, "image" if level else "trunk")


def _new_coach(choice: LiveChoice) -> LiveCoach:
    coach = LiveCoach(
        _estimator_factory,
        [load_exercises()[e] for e in choice.exercises],
        side=choice.side,
        table_line=choice.table_line,
        setup_timeout_s=DEMO_SETUP_TIMEOUT_S if choice.clip else None,
    )
    coach.confirm_near_leg(bool(st.session_state.get("live-near-leg")))
    return coach


def prepare(choice: LiveChoice, playing: bool) -> LiveSlot:
    """The session's slot, brought up to date.

    A session that has ended (STOP, the camera lost, the clip's end, the routine done) leaves its
    report here; once the video has stopped a fresh coach waits for the next START. A choice
    changed before START makes a fresh coach too.
    """
    slot: LiveSlot | None = st.session_state.get("live-slot")
    if slot is None:
        slot = LiveSlot(choice, _new_coach(choice))
        st.session_state["live-slot"] = slot
        return slot
    coach = slot.coach
    if not playing and not coach.finished and coach.status().frames:
        coach.finish("stopped")  # STOP: the video is no longer playing
    if coach.finished:
        if slot.report is None or slot.report.coach is not coach:
            analyses = coach.analyses(slot.choice.label, slot.choice.kind)
            slot.report = LiveReport(analyses, coach.status().ended, coach=coach)
        if not playing:
            slot.coach, slot.choice, slot.stopping = _new_coach(choice), choice, False
    elif not playing and slot.choice != choice:
        coach.close()
        slot.coach, slot.choice = _new_coach(choice), choice
    else:
        coach.confirm_near_leg(bool(st.session_state.get("live-near-leg")))
    return slot


def _estimator_factory():
    from pose.estimator import PoseEstimator

    return PoseEstimator(video=True)


def stream(slot: LiveSlot):
    """The video component: the camera (or the clip) in, the annotated video out."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    coach, choice = slot.coach, slot.choice
    common = {
        # local only: no STUN/TURN servers are asked for (this works offline, on this machine)
        "rtc_configuration": {"iceServers": []},
        "desired_playing_state": False if slot.stopping else None,
        "video_html_attrs": {"autoPlay": True, "controls": False, "muted": True,
                             "style": {"width": "100%"}},
    }  # fmt: skip
    if choice.clip is None:
        # the camera: its frames through the coach in a worker of the stream's own (live_stream)
        return webrtc_streamer(
            key=STREAM_KEYS[WEBCAM],
            mode=WebRtcMode.SENDRECV,
            media_stream_constraints={"video": CAMERA, "audio": False},
            sink_video_track=slot.stream.sink,
            source_video_track=slot.stream.source,
            **common,
        )
    from aiortc.contrib.media import MediaPlayer

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        image = to_bgr(frame)
        t = frame.time if frame.time is not None else time.monotonic()
        return from_bgr(coach.process(image, t))

    def ended() -> None:  # the clip's end (or STOP): release the estimator now
        coach.finish("clip_ended")

    path = str(choice.clip.path)
    return webrtc_streamer(
        key=STREAM_KEYS[DEMO],
        mode=WebRtcMode.RECVONLY,
        player_factory=lambda: MediaPlayer(path),
        media_stream_constraints={"video": True, "audio": False},
        video_frame_callback=callback,
        on_video_ended=ended,
        async_processing=True,
        **common,
    )


def speech_on() -> bool:
    """Whether the cues are spoken: the switch, or (before it is drawn) the person's last choice."""
    return bool(st.session_state.get("live-speak", st.session_state.get("live-speak-kept", True)))


def speech_switch() -> None:
    """The mute switch, remembered for the session (also across the other pages).

    Its default is the person's last choice, never set through session state: a switch whose
    default differed from its value came back off when Streamlit redrew the sidebar mid-run on a
    busy machine (the browser re-sent the default), and muted a session nobody had muted.
    """
    st.toggle(
        "Speak the cues aloud",
        value=st.session_state.get("live-speak-kept", True),
        key="live-speak",
        on_change=lambda: st.session_state.update(
            {"live-speak-kept": st.session_state["live-speak"]}
        ),
        help="A voice of this computer says each cue (nothing is sent anywhere); where the "
        "browser has none, a short tone.",
    )


def _big(text: str) -> None:
    """The instruction of the moment, in large type."""
    st.markdown(
        f'<div class="live-instruction" style="font-size:1.9rem;line-height:1.25;'
        f'font-weight:600;margin:0.2rem 0 0.8rem 0">{escape(text)}</div>',
        unsafe_allow_html=True,
    )


def _posture(exercise_id: str | None) -> str:
    if exercise_id is None:
        return "standing"
    postures = load_exercises()[exercise_id].postures
    return (
        "lying" if "lying" in postures else ("kneeling" if "kneeling" in postures else "standing")
    )


def before_start(choice: LiveChoice) -> None:
    """Beside the video before START: how to set up for the first exercise."""
    d = load_exercises()[choice.exercises[0]]
    st.subheader(say.setup_title(d.name, 0, len(choice.exercises)))
    _big(d.setup)
    st.html(camera_picture_svg(_posture(d.id)))
    st.markdown(say.bullet(say.setup_item_before(i, choice.side) for i in say.SETUP_WORDS))
    st.caption("Press START. Measuring begins once all of these hold for a moment.")


@st.fragment(run_every=PANEL_EVERY_S)
def live_panel() -> None:
    """Beside the video while it plays: redrawn on its own, so the page never blocks in a loop."""
    slot: LiveSlot | None = st.session_state.get("live-slot")
    if slot is None:
        return
    coach = slot.coach
    if coach.finished and not slot.stopping:
        slot.stopping = True  # the coach ended by itself: stop the video, show the report
        st.rerun(scope="app")
    muted = not speech_on()
    items = coach.speech_after(0)
    speak([(i.seq, i.text) for i in items], muted)
    s = coach.status()
    if s.stage == "waiting":
        st.info("Waiting for the video…")
        return
    if s.stage == "setup":
        st.subheader(say.setup_title(s.exercise_name, s.step, s.steps))
        _big(s.message or s.instruction)
        met = s.setup.met if s.setup else {}
        st.markdown(
            "\n".join(f"- {say.setup_item_line(i, met.get(i, False), coach.side)}" for i in met)
        )
        st.html(camera_picture_svg(_posture(s.exercise)))
        if st.button("Start measuring now", key="live-start-now"):
            coach.start_measuring()
    elif s.stage == "measuring":
        where = f" (exercise {s.step + 1} of {s.steps})" if s.steps > 1 else ""
        st.subheader(f"{s.exercise_name}{where}")
        _big(s.instruction or s.message)
        if s.message and s.message != s.instruction:
            st.warning(s.message) if not s.person else st.info(s.message)
        st.markdown("\n".join(f"- {say.live_side_line(side, st_)}" for side, st_ in s.sides))
        fb = s.feedback
        if fb is not None:
            metrics = []
            if fb.steady_target_s:
                metrics.append(("Kept still", say.of(fb.steady_s or 0.0, fb.steady_target_s, "s")))
            elif fb.hold_target_s:
                metrics.append(("Hold", say.of(fb.hold_s, fb.hold_target_s, "s")))
            if fb.reps is not None:
                metrics.append(("Reps", say.of(fb.reps, fb.reps_target)))
            if fb.sets_target:
                metrics.append(("Holds done", say.of(fb.holds_completed, fb.sets_target)))
            for col, (label, value) in zip(st.columns(max(3, len(metrics))), metrics, strict=False):
                col.metric(label, value)
        if s.steps > 1 and st.button("Next exercise", key="live-next"):
            coach.next_exercise()
    said = [i.text for i in items][-5:]
    if said:
        st.caption("The coach said")
        st.markdown(say.bullet(reversed(said)))
    st.caption(f"{say.live_rate_line(s.rate_fps, s.frame_ms, s.pose_ms)} · {s.frames} frames")


def show_end(report: LiveReport) -> None:
    """The end of a session: the same report view as a recording, and saving to Progress."""
    analyses, ended = report.analyses, report.ended
    if not analyses:
        st.info(f"{say.live_end_line(ended)} Nothing was measured: press START to begin again.")
        return
    st.success(f"{say.live_end_line(ended)} Here is the report of this session.")
    cols = st.columns([2, 3])
    if report.saved:
        cols[0].success("Saved to your progress history: open Progress to see it.")
    elif cols[0].button("Save to Progress", type="primary", key="live-save"):
        try:
            for analysis in analyses:
                record_session(default_history_path(), report_dict(analysis.report))
        except HistoryError as exc:
            st.error(f"The session was not saved to your progress history: {exc}")
        else:
            report.saved = True
            cols[0].success("Saved to your progress history: open Progress to see it.")
    cols[1].caption("Press START for a new session; this report stays until then.")
    for i, analysis in enumerate(analyses):
        st.header(f"{say.report_title(analysis.report)}: {analysis.report.source_label}")
        show_report(analysis.report, analysis.series, key=f"live-{i}")
        show_downloads(analysis, analysis.report, key=f"live-{i}")
