"""Live angles, one frame at a time: causal facing and causal smoothing, no look-ahead.

The recordings path decides facing over the whole recording and smooths with a zero-phase
filter; live frames cannot wait for the future, so this keeps the same definitions with the
causal rules (`CausalFacing`, `LiveSmoother`).
"""

from __future__ import annotations

import numpy as np

from pose.angles import CausalBodySpeed, compute_angles, facing_votes_of_seen, seen_points
from pose.facing import CausalFacing
from pose.landmarks import VISIBILITY_THRESHOLD
from pose.smoothing import LiveSmoother
from pose.track import PoseTrack


class LiveAngles:
    """(t, landmarks) in, one smoothed frame mapping (as `AngleSeries.frame`) out."""

    def __init__(self, image_size: tuple[int, int], table_line: str = "trunk") -> None:
        self.image_size = image_size
        self.table_line = table_line
        self.facing = CausalFacing()
        self.smoother = LiveSmoother()
        self.body_speed = CausalBodySpeed()
        self._last_t = -np.inf

    def reset(self) -> None:
        self.facing.reset()
        self.smoother.reset()
        self.body_speed.reset()
        self._last_t = -np.inf

    def update(self, t: float, landmarks: np.ndarray) -> dict[str, float | str]:
        """Angles of one frame. `landmarks`: (33, 4) normalised x, y, z, visibility (NaN: nobody)."""
        t = max(float(t), self._last_t + 1e-6)  # a live clock can repeat a timestamp
        self._last_t = t
        track = PoseTrack(t=np.array([t]), landmarks=landmarks[None], image_size=self.image_size)
        seen = track.seen(VISIBILITY_THRESHOLD)
        masked = seen_points(track.points_px, seen)
        vote = facing_votes_of_seen(masked)[0]
        facing = self.facing.update(t, float(vote))
        series = compute_angles(
            track, table_line=self.table_line, facing=np.array([facing]), seen=seen
        )
        frame = self.smoother.update(series.frame(0))
        # one frame cannot tell a speed: it comes from the frames before it
        frame["body_speed_tl_s"] = self.body_speed.update(t, masked[0])
        return frame
