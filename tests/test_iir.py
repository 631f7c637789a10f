"""pose/iir.py against scipy.signal, which it replaces in the product: the same filter
coefficients and the same zero-phase output, to rounding."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from pose.iir import butter_lowpass, filtfilt

CASES = [(1, 0.3), (2, 0.05), (2, 0.4), (2, 0.8), (3, 0.2), (4, 0.6)]


@pytest.mark.parametrize(("order", "cutoff"), CASES)
def test_the_butterworth_design_is_scipys(order: int, cutoff: float) -> None:
    b, a = butter_lowpass(order, cutoff)
    b_ref, a_ref = signal.butter(order, cutoff)
    np.testing.assert_allclose(b, b_ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a, a_ref, rtol=1e-10, atol=1e-14)
    # a low-pass: unit gain at rest, none at Nyquist
    assert np.sum(b) / np.sum(a) == pytest.approx(1.0)
    assert abs(np.sum(b * (-1.0) ** np.arange(b.size))) < 1e-9


@pytest.mark.parametrize(("order", "cutoff"), CASES)
@pytest.mark.parametrize(("n", "padlen"), [(401, 9), (10, 9), (4, 3), (50, 0)])
def test_zero_phase_filtering_is_scipys(order: int, cutoff: float, n: int, padlen: int) -> None:
    x = np.random.default_rng(n + order).normal(0.0, 5.0, (n, 3)).cumsum(axis=0) + 40.0
    b, a = butter_lowpass(order, cutoff)
    expected = signal.filtfilt(b, a, x, axis=0, padlen=padlen)
    np.testing.assert_allclose(filtfilt(b, a, x, padlen), expected, rtol=0, atol=1e-9)
    for column in range(3):  # one column alone takes the other path, to the same numbers
        np.testing.assert_allclose(
            filtfilt(b, a, x[:, column], padlen), expected[:, column], rtol=0, atol=1e-9
        )


def test_a_constant_stays_put_and_bad_arguments_are_refused() -> None:
    b, a = butter_lowpass(2, 0.3)
    np.testing.assert_allclose(filtfilt(b, a, np.full(20, 12.5), 9), 12.5, atol=1e-12)
    with pytest.raises(ValueError, match="padlen"):
        filtfilt(b, a, np.zeros(5), 5)
    with pytest.raises(ValueError, match="cutoff"):
        butter_lowpass(2, 1.0)
    with pytest.raises(ValueError, match="order"):
        butter_lowpass(0, 0.5)
