"""Key frames -> per-frame joint commands: eased between keys, plus a seeded sway.

A real person never holds perfectly still; a small, slow, seeded sway keeps the clips honest
(the truth is measured after it) and makes the seed mean something.
"""

from __future__ import annotations

import numpy as np

#: The joint commands, degrees, that pose a body (synth.body applies them).
CHANNELS: tuple[str, ...] = (
    "trunk",  # trunk incline, + forward (DESIGN.md sign); -90 = lying on the back
    "yaw",  # turn of the whole body about the vertical, degrees (side switches)
    "hip_l",  # hip extension, + thigh behind the trunk line
    "hip_r",
    "knee_l",  # knee flexion, 0 = straight
    "knee_r",
    "ankle_l",  # plantarflexion, + toes down
    "ankle_r",
    "shoulder_l",  # shoulder flexion relative to the trunk, + arm forward
    "shoulder_r",
    "elbow_l",  # elbow flexion
    "elbow_r",
)

#: The whole body's translation, metres, added after it is placed (synth/placement.py): kept apart
#: from `CHANNELS` so the clips that never move the root keep their truth files as they were.
ROOT_CHANNELS: tuple[str, ...] = (
    "travel",  # along the floor, + = the way the person faces at yaw 0 (world −Y)
    "lift",  # up off the floor (a jump's flight)
)

#: Commands a key frame leaves unset.
DEFAULTS: dict[str, float] = {name: 0.0 for name in (*CHANNELS, *ROOT_CHANNELS)} | {
    "elbow_l": 5.0,
    "elbow_r": 5.0,
}
#: Channels that sway (degrees of the sway amplitude they take).
SWAY_CHANNELS = ("trunk", "hip_l", "hip_r", "knee_l", "knee_r")


def _ease(u: np.ndarray) -> np.ndarray:
    """Smoothstep 0..1: motion starts and stops gently, as a person's does."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def interpolate(keys: list[dict[str, float]], t: np.ndarray) -> dict[str, np.ndarray]:
    """Channel -> (N,) degrees (metres for `ROOT_CHANNELS`) at times `t`; a channel missing from a
    key keeps its last value."""
    filled: list[dict[str, float]] = []
    last = dict(DEFAULTS)
    for key in keys:
        last = {**last, **{k: v for k, v in key.items() if k != "t"}}
        filled.append({**last, "t": key["t"]})
    kt = np.array([k["t"] for k in filled])
    seg = np.clip(np.searchsorted(kt, t, side="right") - 1, 0, len(kt) - 1)
    nxt = np.minimum(seg + 1, len(kt) - 1)
    span = np.where(nxt > seg, kt[nxt] - kt[seg], 1.0)
    u = _ease((t - kt[seg]) / span)
    out = {}
    for name in (*CHANNELS, *ROOT_CHANNELS):
        v = np.array([k[name] for k in filled])
        out[name] = v[seg] + (v[nxt] - v[seg]) * u
    return out


def sway(t: np.ndarray, amplitude_deg: float, seed: int) -> dict[str, np.ndarray]:
    """Seeded slow sway per channel: three sinusoids of 0.1–0.6 Hz, peak about `amplitude_deg`."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in SWAY_CHANNELS:
        freq = rng.uniform(0.1, 0.6, 3)
        phase = rng.uniform(0, 2 * np.pi, 3)
        out[name] = (
            amplitude_deg / 3.0 * np.sum(np.sin(2 * np.pi * freq * t[:, None] + phase), axis=1)
        )
    return out


def commands(
    keys: list[dict[str, float]], n_frames: int, fps: float, sway_deg: float, seed: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(t, channels) for a clip: eased key frames plus sway."""
    t = np.arange(n_frames) / fps
    ch = interpolate(keys, t)
    for name, s in sway(t, sway_deg, seed).items():
        ch[name] = ch[name] + s
    return t, ch
