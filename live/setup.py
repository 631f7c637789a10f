"""The set-up step before measuring: a live checklist, frame by frame, that must hold a moment.

Items (ids; the words are `outputs.presenter`'s):
- "body": shoulders, hips, knees and ankles of one side seen inside the picture;
- "side_on": the camera within 45° of side-on (`pose.view`, median of the last half second);
- "near_leg": the working leg nearer the camera (MediaPipe's depth over the last second), or
  confirmed by the person, or "auto" (the engine finds the working leg as it goes);
- "light": the picture bright enough for the pose model (mean brightness).

Measuring starts once every item has held for `hold_s` without a break.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from pose.track import PoseTrack
from pose.view import MAX_OFF_AXIS_DEG, near_side, off_axis_deg, whole_body_in_frame

SETUP_ITEMS: tuple[str, ...] = ("body", "side_on", "near_leg", "light")
#: Every item must hold this long (seconds) before measuring starts.
SETUP_HOLD_S = 1.0
#: Mean brightness (0–255) below which the pose model loses people; a dim room reads about 40–60.
MIN_BRIGHTNESS = 45.0
#: How much recent history the side-on and near-leg items look at (seconds).
SIDE_ON_WINDOW_S, NEAR_LEG_WINDOW_S = 0.5, 1.0


@dataclass(frozen=True)
class SetupState:
    """The checklist after one frame: each item's id and whether it is met, and how long all have
    held (seconds); `ready` once they held `hold_s`."""

    items: tuple[tuple[str, bool], ...]
    held_s: float
    hold_s: float
    ready: bool

    @property
    def met(self) -> dict[str, bool]:
        return dict(self.items)


def brightness(bgr: np.ndarray) -> float:
    """Mean brightness of a frame (0–255), from every 8th pixel of each row and column."""
    return float(bgr[::8, ::8].mean())


class SetupCheck:
    """Feed frames while setting up; `update` says which items are met and when it holds.

    Args:
        image_size: (width, height) of the frames.
        side: the working leg chosen ("auto", "left" or "right").
        hold_s: how long every item must hold.
    """

    def __init__(self, image_size: tuple[int, int], side: str, hold_s: float = SETUP_HOLD_S):
        self.image_size = image_size
        self.side = side
        self.hold_s = hold_s
        self.confirmed = False  # the person says the working leg is nearer the camera
        self._off: deque[tuple[float, float]] = deque()
        self._near: deque[tuple[float, np.ndarray]] = deque()
        self._since: float | None = None
        self.state = SetupState(tuple((i, False) for i in SETUP_ITEMS), 0.0, hold_s, False)

    def _window(self, q: deque, t: float, seconds: float) -> None:
        while q and q[0][0] < t - seconds:
            q.popleft()

    def update(self, t: float, landmarks: np.ndarray, light: float) -> SetupState:
        """One frame: t (s), landmarks (33, 4) (NaN: nobody), light = `brightness(frame)`."""
        track = PoseTrack(np.array([t]), landmarks[None], self.image_size)
        person = bool(np.isfinite(landmarks[0, 0]))
        body = person and bool(whole_body_in_frame(track)[0])
        off = float(off_axis_deg(track)[0]) if person else np.nan
        self._off.append((t, off))
        self._window(self._off, t, SIDE_ON_WINDOW_S)
        offs = [o for _, o in self._off if np.isfinite(o)]
        side_on = bool(offs) and float(np.median(offs)) <= MAX_OFF_AXIS_DEG
        if person:
            self._near.append((t, landmarks))
        self._window(self._near, t, NEAR_LEG_WINDOW_S)
        if self.side == "auto" or self.confirmed:
            near = True
        elif self._near:
            recent = PoseTrack(
                np.array([x for x, _ in self._near]),
                np.stack([lm for _, lm in self._near]),
                self.image_size,
            )
            near = near_side(recent) == self.side
        else:
            near = False
        items = (
            ("body", body),
            ("side_on", side_on),
            ("near_leg", near),
            ("light", light >= MIN_BRIGHTNESS),
        )
        if all(ok for _, ok in items):
            self._since = t if self._since is None else self._since
        else:
            self._since = None
        held = 0.0 if self._since is None else t - self._since
        self.state = SetupState(items, round(held, 2), self.hold_s, held >= self.hold_s - 1e-6)
        return self.state
