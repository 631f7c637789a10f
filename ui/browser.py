"""What only the browser can do: say the cues aloud and tell whether it has a camera.

Two small `st.components.v2` components (their JavaScript runs in the page, nothing is loaded from
anywhere):

- `speak(items, muted)`: the newest cue not yet said, spoken with the Web Speech API's speech
  synthesis using a voice of this computer (`localService`: never a network voice, which would
  send the words away); where the browser has no local voice, a short tone instead (WebAudio).
  The page passes the last few items on every refresh; the script remembers the last one said, so
  each is said once, and a newer cue cuts off one still being said. Muted, nothing is said.
- `camera_count()`: how many cameras the browser reports (`enumerateDevices`), None until it has
  answered. A browser without one is offered the demo clip.
"""

from __future__ import annotations

import json
from functools import cache

import streamlit as st

_SPEECH_JS = """
export default function (component) {
  const { data } = component;
  const w = window;
  const state = w.__iliacusSpeech || (w.__iliacusSpeech = { said: 0, voice: undefined });
  if (!data) return;
  const synth = w.speechSynthesis;
  if (data.muted) {
    state.said = Math.max(state.said, data.last || 0);
    try { if (synth) synth.cancel(); } catch (e) {}
    return;
  }
  const fresh = (data.items || []).filter((i) => i.seq > state.said);
  if (!fresh.length) return;
  const item = fresh[fresh.length - 1];  // only the newest: an older cue is stale by now
  state.said = item.seq;
  const local = () =>
    (synth ? synth.getVoices() : []).filter((v) => v.localService === true);
  const pick = () => {
    const voices = local();
    const lang = (data.lang || "en").toLowerCase();
    return voices.find((v) => (v.lang || "").toLowerCase().startsWith(lang)) || voices[0] || null;
  };
  const tone = () => {
    try {
      const Ctx = w.AudioContext || w.webkitAudioContext;
      if (!Ctx) return;
      const ctx = state.audio || (state.audio = new Ctx());
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 660;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.2);
      state.tones = (state.tones || 0) + 1;
    } catch (e) {}
  };
  const say = (voice) => {
    if (!voice) { tone(); return; }
    const u = new w.SpeechSynthesisUtterance(item.text);
    try { u.voice = voice; } catch (e) {}  // a voice gone meanwhile: the language still holds
    u.lang = voice.lang || data.lang || "en";
    u.rate = 1.0;
    synth.cancel();
    synth.speak(u);
  };
  const voice = pick();
  if (voice || !synth) { say(voice); return; }
  // voices load after the page: wait for them once, briefly, then fall back to the tone
  let done = false;
  const finish = () => { if (!done) { done = true; say(pick()); } };
  try { synth.addEventListener("voiceschanged", finish, { once: true }); } catch (e) {}
  setTimeout(finish, 300);
}
"""

_CAMERA_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const w = window;
  // tell the page only what it does not know yet: each answer reruns the page. On a busy
  // machine an answer can be lost on its way (the page then waits for ever): until the page
  // shows it knows, say it again every 2 s, at most 5 times.
  const tell = (n) => {
    clearTimeout(w.__iliacusCamerasRetry);
    if (data && data.known === n) { w.__iliacusCamerasHeard = true; return; }
    setStateValue("cameras", n);
    const tries = (w.__iliacusCamerasTries = (w.__iliacusCamerasTries || 0) + 1);
    if (tries < 5) w.__iliacusCamerasRetry = setTimeout(() => tell(n), 2000);
  };
  if (w.__iliacusCameras !== undefined) { tell(w.__iliacusCameras); return; }
  const md = navigator.mediaDevices;
  if (!md || !md.enumerateDevices) { w.__iliacusCameras = 0; tell(0); return; }
  md.enumerateDevices()
    .then((ds) => ds.filter((d) => d.kind === "videoinput").length)
    .catch(() => 0)
    .then((n) => { w.__iliacusCameras = n; tell(n); });
}
"""


@cache
def _component(name: str):
    """Registered on first use (not at import): the page's components, by name."""
    js = {"iliacus_speech": _SPEECH_JS, "iliacus_camera_count": _CAMERA_JS}[name]
    return st.components.v2.component(name, js=js)


def speak(items: list[tuple[int, str]], muted: bool, key: str = "speech") -> None:
    """Say the newest of `items` ((number, words), numbers growing) not yet said, unless muted."""
    last = max((seq for seq, _ in items), default=0)
    data = {
        "items": [{"seq": seq, "text": text} for seq, text in items[-3:]],
        "muted": muted,
        "last": last,
        "lang": "en",
    }
    # the data is compared as JSON by Streamlit: unchanged data does not run the script again
    _component("iliacus_speech")(key=key, data=json.loads(json.dumps(data)))


def camera_count(key: str = "camera_count") -> int | None:
    """The browser's cameras (None until the browser has answered, which takes one rerun)."""
    # what the browser said before this run, passed back so that its script sees it was heard
    before = st.session_state.get(key)
    known = before.get("cameras") if hasattr(before, "get") else None
    result = _component("iliacus_camera_count")(
        key=key, data={"known": known}, on_cameras_change=lambda: None
    )
    value = result.get("cameras") if hasattr(result, "get") else getattr(result, "cameras", None)
    return None if value is None else int(value)
