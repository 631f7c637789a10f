"""What a live session keeps per frame, in preallocated numpy blocks: no Python object per frame.

An hour at 30 frames/s is 108,000 frames; kept as lists of arrays and tuples that was several
hundred bytes of object overhead a frame on top of the numbers. Here a frame costs its numbers
only, in blocks of `BLOCK_FRAMES` that are allocated once each and never copied while the session
runs: the landmarks' x and y as float32 (what every angle is measured from), their depth and
visibility as float16 (depth only ever says which side is nearer; visibility is compared with 0.5:
both to about 0.001), the kept angle columns as float32 (0.00001° at these magnitudes), a posture
code and the facing. 449 bytes a frame: 48 MB for an hour at 30 frames/s.
"""

from __future__ import annotations

import numpy as np

from pose.landmarks import NUM_LANDMARKS

#: Frames per block: one minute at 30 frames/s (about 0.6 MB of landmarks).
BLOCK_FRAMES = 1800
#: Posture codes (the values `pose.view.classify_posture` gives).
POSTURES: tuple[str, ...] = ("unknown", "standing", "kneeling", "lying", "prone")
_POSTURE_CODE = {p: i for i, p in enumerate(POSTURES)}


class FrameStore:
    """Append-only per-frame record of one live exercise.

    Args:
        columns: names of the per-frame values kept (float64 each).
        block_frames: frames per preallocated block.
    """

    def __init__(self, columns: tuple[str, ...], block_frames: int = BLOCK_FRAMES) -> None:
        if block_frames < 1:
            raise ValueError(f"block_frames must be at least 1, got {block_frames}")
        self.columns = columns
        self.block_frames = block_frames
        self._blocks: list[dict[str, np.ndarray]] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def _new_block(self) -> dict[str, np.ndarray]:
        b = self.block_frames
        return {
            "t": np.empty(b, np.float64),
            "xy": np.empty((b, NUM_LANDMARKS, 2), np.float32),
            "zv": np.empty((b, NUM_LANDMARKS, 2), np.float16),
            "values": np.empty((b, len(self.columns)), np.float32),
            "posture": np.empty(b, np.int8),
            "facing": np.empty(b, np.float32),
        }

    def append(
        self, t: float, landmarks: np.ndarray, values: np.ndarray, posture: str, facing: float
    ) -> None:
        """One frame: t (s), landmarks (33, 4), values (len(columns),), posture, facing (±1/NaN)."""
        i = self._n % self.block_frames
        if i == 0:
            self._blocks.append(self._new_block())
        block = self._blocks[-1]
        block["t"][i] = t
        block["xy"][i] = landmarks[:, :2]
        block["zv"][i] = landmarks[:, 2:]
        block["values"][i] = values
        block["posture"][i] = _POSTURE_CODE.get(posture, 0)
        block["facing"][i] = facing
        self._n += 1

    @property
    def last_t(self) -> float | None:
        if not self._n:
            return None
        return float(self._blocks[-1]["t"][(self._n - 1) % self.block_frames])

    def _joined(self, name: str) -> np.ndarray:
        parts = [b[name] for b in self._blocks]
        tail = self._n - (len(parts) - 1) * self.block_frames
        parts[-1] = parts[-1][:tail]
        return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()

    def arrays(self) -> dict[str, np.ndarray]:
        """Copies of everything kept: t (N,), landmarks (N, 33, 4) float32, values (N, C) float64,
        posture (N,) str, facing (N,) float64. Needs at least one frame."""
        if not self._n:
            raise ValueError("no frames kept yet")
        codes = self._joined("posture")
        return {
            "t": self._joined("t"),
            "landmarks": np.concatenate(
                [self._joined("xy"), self._joined("zv").astype(np.float32)], axis=-1
            ),
            "values": self._joined("values").astype(np.float64),
            "posture": np.array(POSTURES, dtype=object)[codes],
            "facing": self._joined("facing").astype(np.float64),
        }

    @property
    def nbytes(self) -> int:
        """Bytes held by the blocks (what the session's frames cost)."""
        return sum(a.nbytes for b in self._blocks for a in b.values())
