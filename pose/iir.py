"""A Butterworth low-pass and its forward-backward (zero-phase) run, in numpy.

The same numbers as `scipy.signal.butter` and `scipy.signal.filtfilt(..., padtype="odd")` (a test
compares them to 1e-9), written out because importing scipy.signal costs over a second of CPU in
every process that analyses a recording, more than filtering a whole recording takes. Many
columns are filtered at once: the recursion runs over time, each step on a vector of columns.
"""

from __future__ import annotations

import numpy as np


def butter_lowpass(order: int, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """Digital Butterworth low-pass (b, a); `cutoff` as a fraction of Nyquist, in (0, 1)."""
    if order < 1:
        raise ValueError("the order must be at least 1")
    if not 0.0 < cutoff < 1.0:
        raise ValueError("the cutoff must lie between 0 and the Nyquist frequency")
    fs = 2.0  # frequencies as fractions of Nyquist: the bilinear transform at fs = 2
    warped = 2.0 * fs * np.tan(np.pi * cutoff / fs)
    k = np.arange(-order + 1, order, 2)
    poles = -np.exp(1j * np.pi * k / (2 * order)) * warped  # the analog prototype, scaled
    gain = warped**order
    z_poles = (2.0 * fs + poles) / (2.0 * fs - poles)
    z_zeros = -np.ones(order)  # the analog zeros at infinity map to Nyquist
    gain = gain * np.real(1.0 / np.prod(2.0 * fs - poles))
    b = gain * np.real(np.poly(z_zeros))
    a = np.real(np.poly(z_poles))
    return b, a


def _steady_state(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The filter's state for a step of height 1 at rest (scipy's lfilter_zi)."""
    n = max(len(a), len(b))
    a = np.pad(a / a[0], (0, n - len(a)))
    b = np.pad(b / a[0], (0, n - len(b)))
    companion = np.zeros((n - 1, n - 1))
    companion[0, :] = -a[1:]
    companion[1:, :-1] += np.eye(n - 2)
    return np.linalg.solve(np.eye(n - 1) - companion.T, b[1:] - a[1:] * b[0])


def _run(b: np.ndarray, a: np.ndarray, x: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Direct form II transposed over axis 0 of `x` (time x columns), from `state`.

    The recursion cannot be vectorised over time; each step works on all columns at once, and a
    single column runs on Python floats (a numpy call per step would cost more than the step).
    """
    b, a = (b / a[0]).tolist(), (a / a[0]).tolist()
    order = len(a) - 1
    if x.shape[1] == 1:
        z = state[:, 0].tolist()
        out = []
        for xn in x[:, 0].tolist():
            yn = b[0] * xn + z[0]
            for i in range(order - 1):
                z[i] = b[i + 1] * xn - a[i + 1] * yn + z[i + 1]
            z[order - 1] = b[order] * xn - a[order] * yn
            out.append(yn)
        return np.array(out, dtype=np.float64)[:, None]
    z = [state[i].copy() for i in range(order)]
    y = np.empty_like(x)
    for n in range(x.shape[0]):
        xn = x[n]
        yn = b[0] * xn + z[0]
        for i in range(order - 1):
            z[i] = b[i + 1] * xn - a[i + 1] * yn + z[i + 1]
        z[order - 1] = b[order] * xn - a[order] * yn
        y[n] = yn
    return y


def filtfilt(b: np.ndarray, a: np.ndarray, x: np.ndarray, padlen: int) -> np.ndarray:
    """Zero-phase filtering of each column of `x` (time along axis 0), odd extension at both ends
    by `padlen` samples, each pass started from the steady state of its first sample."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.ndim == 1
    if flat:
        x = x[:, None]
    if padlen >= x.shape[0]:
        raise ValueError("padlen must be shorter than the signal")
    if padlen > 0:
        head = 2.0 * x[0] - x[padlen:0:-1]
        tail = 2.0 * x[-1] - x[-2 : -padlen - 2 : -1]
        x = np.concatenate([head, x, tail])
    zi = _steady_state(np.asarray(b, float), np.asarray(a, float))[:, None]
    y = _run(b, a, x, zi * x[0])
    y = _run(b, a, y[::-1], zi * y[-1])[::-1]
    if padlen > 0:
        y = y[padlen:-padlen]
    return y[:, 0] if flat else y
