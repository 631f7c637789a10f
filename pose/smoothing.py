"""Smoothing that removes jitter without smearing peaks.

- Recordings: single-frame outliers are rejected (Hampel), then a zero-lag Butterworth low-pass
  runs forwards and backwards (`filtfilt`), so peaks stay where they happened.
- Live: the One Euro filter (Casiez et al., CHI 2012), causal, with a cutoff that rises with speed
  so a held stretch is steady and a movement is followed closely. Its lag is measured by a test
  (see README) on a 60°/s ramp at 30 fps.
Both take their rate from the timestamps, because a webcam's frame rate varies.
"""

from __future__ import annotations

import math

import numpy as np

from pose.angles import SMOOTHED_COLUMNS, AngleSeries
from pose.iir import butter_lowpass, filtfilt
from pose.limits import KNEE_FLEXION_MIN_DEG

#: Zero-phase low-pass cutoff. Human stretching and walking carry little above 6 Hz.
ZERO_PHASE_CUTOFF_HZ = 6.0
ZERO_PHASE_ORDER = 2
#: A sample further than this from its neighbours' median (and 3 robust sigmas) is an outlier.
OUTLIER_MIN_JUMP_DEG = 10.0
OUTLIER_WINDOW = 2  # neighbours each side

#: Angles defined only within a range: knee flexion is 180° − an interior angle, signed by the way
#: knees bend, and a reading below pose.limits.KNEE_FLEXION_MIN_DEG is no measurement.
BOUNDED_COLUMNS: dict[str, tuple[float, float]] = {
    "left_knee_flexion_deg": (KNEE_FLEXION_MIN_DEG, 180.0),
    "right_knee_flexion_deg": (KNEE_FLEXION_MIN_DEG, 180.0),
}

ONE_EURO_MIN_CUTOFF_HZ = 1.5
ONE_EURO_BETA = 0.05
ONE_EURO_D_CUTOFF_HZ = 1.0
#: Live: a jump larger than this in one frame is held back for one frame, as a likely outlier.
LIVE_MAX_JUMP_DEG = 25.0


def _segments(finite: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True."""
    edges = np.diff(np.concatenate([[0], finite.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def reject_outliers(
    x: np.ndarray, window: int = OUTLIER_WINDOW, min_jump: float = OUTLIER_MIN_JUMP_DEG
) -> np.ndarray:
    """Replace single-frame jumps by the median of their neighbours (a Hampel filter)."""
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    n = x.shape[0]
    if n < 2 * window + 1:
        return out
    padded = np.concatenate([np.full(window, np.nan), x, np.full(window, np.nan)])
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * window + 1)
    neighbours = np.delete(win, window, axis=1)
    count = np.sum(np.isfinite(neighbours), axis=1)
    ok = count >= window + 1
    med = np.full(n, np.nan)
    mad = np.full(n, np.nan)
    med[ok] = np.nanmedian(neighbours[ok], axis=1)
    mad[ok] = np.nanmedian(np.abs(neighbours[ok] - med[ok, None]), axis=1)
    threshold = np.maximum(3.0 * 1.4826 * np.nan_to_num(mad), min_jump)
    outlier = ok & np.isfinite(x) & (np.abs(x - med) > threshold)
    out[outlier] = med[outlier]
    return out


def zero_phase(
    t: np.ndarray,
    x: np.ndarray,
    cutoff_hz: float = ZERO_PHASE_CUTOFF_HZ,
    order: int = ZERO_PHASE_ORDER,
) -> np.ndarray:
    """Forward-backward Butterworth low-pass over each run of finite samples; NaN gaps stay NaN."""
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    if x.shape[0] < 2:
        return out
    fs = 1.0 / float(np.median(np.diff(t)))
    cutoff = min(cutoff_hz, 0.8 * fs / 2.0)
    b, a = butter_lowpass(order, cutoff / (fs / 2.0))
    for start, stop in _segments(np.isfinite(x)):
        seg = x[start:stop]
        padlen = min(3 * max(len(a), len(b)), seg.shape[0] - 1)
        if seg.shape[0] >= 4:
            out[start:stop] = filtfilt(b, a, seg, padlen=padlen)
    return out


def unwrap_deg(x: np.ndarray) -> np.ndarray:
    """Remove ±360° jumps within each run of finite samples."""
    out = np.asarray(x, dtype=np.float64).copy()
    for start, stop in _segments(np.isfinite(out)):
        out[start:stop] = np.degrees(np.unwrap(np.radians(out[start:stop])))
    return out


def wrap_deg(x: np.ndarray) -> np.ndarray:
    """Back onto (−180°, 180°]."""
    return 180.0 - np.mod(180.0 - np.asarray(x, dtype=np.float64), 360.0)


def smooth_recording(series: AngleSeries) -> AngleSeries:
    """The recordings path: outlier rejection, then zero-phase low-pass, on every angle column."""
    values = {}
    for name in SMOOTHED_COLUMNS:
        if name not in series.values:
            continue
        x = series.values[name]
        circular = name not in BOUNDED_COLUMNS
        if circular:
            # signed angles live on (−180°, 180°]: a deep fold can cross ±180°, and filtering the
            # raw numbers across that seam would invent values in between
            x = unwrap_deg(x)
        y = zero_phase(series.t, reject_outliers(x))
        values[name] = wrap_deg(y) if circular else y
    for name, (low, high) in BOUNDED_COLUMNS.items():
        if name in values:
            # the low-pass overshoots a little at a quick bend; keep the angle in its own range
            # (never beyond what a knee can do)
            values[name] = np.clip(values[name], low, high)
    return series.with_values(values, filtered="zero-phase")


class OneEuroFilter:
    """Causal, low-latency smoothing for one signal (Casiez, Roussel & Vogel, CHI 2012)."""

    def __init__(
        self,
        min_cutoff_hz: float = ONE_EURO_MIN_CUTOFF_HZ,
        beta: float = ONE_EURO_BETA,
        d_cutoff_hz: float = ONE_EURO_D_CUTOFF_HZ,
    ) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0:
            raise ValueError("cutoffs must be positive frequencies in Hz")
        if beta < 0:
            raise ValueError("beta must be >= 0 (seconds per degree)")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        self._t: float | None = None
        self._x = math.nan
        self._dx = 0.0

    @staticmethod
    def _alpha(cutoff_hz: float, dt: float) -> float:
        tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, t: float, x: float) -> float:
        """Filtered value at time t (seconds); NaN in gives NaN out and the filter restarts after it."""
        if not math.isfinite(x):
            self.reset()
            return math.nan
        if self._t is None or not math.isfinite(self._x) or t <= self._t:
            self._t, self._x, self._dx = t, x, 0.0
            return x
        dt = t - self._t
        dx = (x - self._x) / dt
        self._dx += self._alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        self._x += self._alpha(cutoff, dt) * (x - self._x)
        self._t = t
        return self._x


class LiveSmoother:
    """The live path for every angle column: a one-frame outlier gate, then One Euro."""

    def __init__(
        self,
        columns: tuple[str, ...] = SMOOTHED_COLUMNS,
        max_jump_deg: float = LIVE_MAX_JUMP_DEG,
    ) -> None:
        self.columns = columns
        self.max_jump_deg = max_jump_deg
        self._filters = {c: OneEuroFilter() for c in columns}
        self._last_raw: dict[str, float] = {}
        self._held: dict[str, bool] = {}

    def reset(self) -> None:
        for f in self._filters.values():
            f.reset()
        self._last_raw.clear()
        self._held.clear()

    def update(self, frame: dict[str, float | str]) -> dict[str, float | str]:
        """A copy of one frame's mapping with its angle columns smoothed."""
        out = dict(frame)
        t = float(frame["t_s"])
        for c in self.columns:
            x = float(frame.get(c, math.nan))
            last = self._last_raw.get(c, math.nan)
            # hold back a lone jump for one frame; a second frame at the new level is real motion
            if (
                math.isfinite(x)
                and math.isfinite(last)
                and abs(x - last) > self.max_jump_deg
                and not self._held.get(c)
            ):
                self._held[c] = True
                out[c] = self._filters[c](t, last)
                continue
            self._held[c] = False
            self._last_raw[c] = x
            out[c] = self._filters[c](t, x)
        return out


def smooth_live(series: AngleSeries) -> AngleSeries:
    """Run a whole series through the live smoother, as the live page would frame by frame."""
    smoother = LiveSmoother(tuple(c for c in SMOOTHED_COLUMNS if c in series.values))
    rows = [smoother.update(series.frame(i)) for i in range(len(series))]
    values = {c: np.array([r[c] for r in rows], dtype=np.float64) for c in smoother.columns}
    return series.with_values(values, filtered="causal")
