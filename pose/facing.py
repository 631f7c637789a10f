"""Which way the person faces, decided per steady stretch of frames, not frame by frame.

One noisy frame must not flip the sign of every angle, so a change of facing needs a run of
opposite votes lasting `min_switch_s`. Votes are the nose's side of the trunk (see
`geometry.facing_vote`), with an optional second vote from a flat standing foot.
"""

from __future__ import annotations

import numpy as np

#: A vote weaker than this (in trunk lengths) is no vote: the nose sits almost on the trunk line.
MIN_VOTE = 0.08
#: A change of facing must last this long (seconds) before it is believed.
MIN_SWITCH_S = 1.0


def decide_facing(
    t: np.ndarray,
    votes: np.ndarray,
    min_switch_s: float = MIN_SWITCH_S,
    min_vote: float = MIN_VOTE,
) -> np.ndarray:
    """(N,) facing sign per frame (+1/−1, NaN where nothing is known yet), with hysteresis.

    Batch use: a switch takes effect from the first frame of the run that proved it, and frames
    before the first proven run take that run's sign, so a recording is labelled consistently.
    """
    t = np.asarray(t, dtype=np.float64)
    raw = np.where(np.abs(np.nan_to_num(votes)) >= min_vote, np.sign(np.nan_to_num(votes)), 0.0)
    n = t.shape[0]
    out = np.full(n, np.nan)
    state = 0.0
    run_sign, run_start = 0.0, 0
    settled_from = n
    for i in range(n):
        s = raw[i]
        if s == 0.0:
            if state != 0.0:
                out[i] = state
            continue
        if s != run_sign:
            run_sign, run_start = s, i
        if s != state and t[i] - t[run_start] >= min_switch_s - 1e-9:
            if state == 0.0:
                settled_from = run_start
            state = s
            out[run_start : i + 1] = s
        elif state != 0.0:
            out[i] = state
    if state != 0.0 or settled_from < n:
        first = out[settled_from] if settled_from < n else np.nan
        out[:settled_from] = first
    # a recording too short to prove any run: fall back to the majority vote, if there is one
    if np.all(np.isnan(out)) and np.any(raw != 0):
        out[:] = np.sign(np.sum(raw)) or np.nan
    return out


#: Live: the first decision needs only this long a run, so angles appear quickly.
FIRST_DECISION_S = 0.3


class CausalFacing:
    """Frame-by-frame facing for live use: the same rule, without looking back to relabel."""

    def __init__(
        self,
        min_switch_s: float = MIN_SWITCH_S,
        min_vote: float = MIN_VOTE,
        first_decision_s: float = FIRST_DECISION_S,
    ) -> None:
        if min_switch_s < 0 or first_decision_s < 0:
            raise ValueError("min_switch_s and first_decision_s must be >= 0 seconds")
        self.min_switch_s = min_switch_s
        self.first_decision_s = first_decision_s
        self.min_vote = min_vote
        self.reset()

    def reset(self) -> None:
        self.state = 0.0
        self._run_sign = 0.0
        self._run_start = 0.0

    def update(self, t: float, vote: float) -> float:
        """Return the facing sign after this frame (NaN until the first run is proven)."""
        s = float(np.sign(vote)) if np.isfinite(vote) and abs(vote) >= self.min_vote else 0.0
        if s != 0.0:
            if s != self._run_sign:
                self._run_sign, self._run_start = s, t
            needed = self.first_decision_s if self.state == 0.0 else self.min_switch_s
            if s != self.state and t - self._run_start >= needed - 1e-9:
                self.state = s
        return self.state if self.state != 0.0 else float("nan")
