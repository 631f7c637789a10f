"""Live coaching page: webcam in the browser, angles and cues drawn on the returned video.

The frame callback does frame -> array -> LiveCoach -> frame and nothing else (it runs in
streamlit-webrtc's thread); this page reads the coach's status from its own thread.
"""

from __future__ import annotations

import time

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from exercises.catalog import load_exercises
from live.coach import LiveCoach
from outputs import presenter as say
from pose.estimator import PoseEstimator
from ui.demo_clips import RENDERED_LABEL, demo_clips
from ui.report_view import show_downloads, show_report
from ui.widgets import pick_demo_clip, pick_exercise, pick_side

WEBCAM = "Webcam"
DEMO = "Built-in demo clip (rendered person)"


def new_coach(exercise: str | None, side: str) -> LiveCoach:
    definition = None if exercise is None else load_exercises()[exercise]
    return LiveCoach(lambda: PoseEstimator(video=True), definition, side=side)


def coach_for(exercise: str | None, side: str, source: str) -> LiveCoach:
    """One coach per browser session and choice; a new choice starts a new session."""
    key = (exercise, side, source)
    if st.session_state.get("coach_key") != key:
        old = st.session_state.get("coach")
        if old is not None:
            old.close()
        st.session_state.coach = new_coach(exercise, side)
        st.session_state.coach_key = key
    return st.session_state.coach


@st.fragment(run_every=0.5)
def live_status() -> None:
    """Redrawn twice a second on its own, so the page never blocks in a loop while the video runs."""
    coach: LiveCoach = st.session_state.coach
    s = coach.status()
    with st.container():
        if s.frames == 0:
            st.info("Waiting for the camera…")
            return
        if s.message:
            (st.success if s.person else st.warning)(s.message)
        cols = st.columns(4)
        cols[0].metric("Left hip extension", say.degrees(s.angles.get("left_hip_extension_deg")))
        cols[1].metric("Right hip extension", say.degrees(s.angles.get("right_hip_extension_deg")))
        cols[2].metric("Trunk incline", say.degrees(s.angles.get("trunk_incline_deg")))
        cols[3].metric("Frames analysed", s.frames)
        fb = s.feedback
        if fb is not None:
            cols = st.columns(4)
            cols[0].metric("Phase", fb.phase_label)
            cols[1].metric("Working leg", fb.side or "–")
            hold = f"{fb.hold_s:.0f} s" + (
                f" / {fb.hold_target_s:.0f} s" if fb.hold_target_s else ""
            )
            cols[2].metric("Hold", hold)
            reps = (
                "–"
                if fb.reps is None
                else f"{fb.reps}" + (f" / {fb.reps_target}" if fb.reps_target else "")
            )
            cols[3].metric("Reps", reps)


def show_session(coach: LiveCoach, label: str, kind: str) -> None:
    """The report of what was measured so far; kept when the camera stops or disconnects."""
    analysis = coach.analysis(label, kind)
    if analysis is None:
        return
    st.subheader("This session")
    show_report(analysis.report, analysis.series, key="live")
    show_downloads(analysis, analysis.report, key="live")


def main() -> None:
    st.set_page_config(page_title="Live coaching", layout="wide")
    st.title("Live coaching")
    st.write(
        "Stand side-on to the camera, at hip height, far enough that it sees you from head to feet, "
        "with the leg you work nearer the camera. The video is analysed on this computer and not "
        f"kept. {say.SAFETY_NOTES[0]} {say.NOT_A_DIAGNOSIS}"
    )
    clips = demo_clips()
    source = st.radio("Video from", [WEBCAM, DEMO] if clips else [WEBCAM], horizontal=True)
    clip = None
    if source == DEMO:
        clip = pick_demo_clip(clips)
        st.caption(f"No webcam needed: a {RENDERED_LABEL} plays through the live coach.")
    exercise = pick_exercise(clip.exercise if clip else None)
    side = pick_side()
    coach = coach_for(exercise, side, str(clip.path) if clip else WEBCAM)

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        image = frame.to_ndarray(format="bgr24")
        t = frame.time if frame.time is not None else time.monotonic()
        return av.VideoFrame.from_ndarray(coach.process(image, t), format="bgr24")

    if clip is not None:
        from aiortc.contrib.media import MediaPlayer

        def player() -> MediaPlayer:
            return MediaPlayer(str(clip.path))

        stream = {"key": f"demo-{clip.name}", "mode": WebRtcMode.RECVONLY, "player_factory": player}
    else:
        stream = {"key": "live", "mode": WebRtcMode.SENDRECV}
    ctx = webrtc_streamer(
        **stream,
        video_frame_callback=callback,
        # local only: no STUN/TURN servers are asked for (this works offline, on this machine)
        rtc_configuration={"iceServers": []},
        media_stream_constraints={"video": True, "audio": False},
        async_processing=True,
    )
    if ctx.state.playing:
        live_status()
        return
    if coach.track() is not None:
        st.info("The video has stopped. Everything measured so far is kept below.")
    show_session(coach, f"{clip.name} (rendered)" if clip else "webcam", "demo" if clip else "live")


main()
