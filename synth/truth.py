"""Truth files: per-frame projected joints in BlazePose's 33-point layout, and their angles.

Two definitions of where a joint is, both kept because they differ by several degrees:
- "skeleton" (the truth we judge against): anny's joint centres — the hip, knee, ankle, shoulder,
  elbow and wrist rotation centres of the rig, which is what a goniometer's axis aims at;
- "surface": anny's COCO keypoint regressor, points on the skin as annotators click them, which is
  what a pose model is trained to find.
Face points, heels and toes come from the surface regressor in both (the rig has no such joints).

A truth file is also a landmark track in DESIGN.md's format (`t`, `landmarks`, `image_size`,
skeleton truth with visibility 1), so `analyze.py NAME.truth.npz` reads it as a track.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.angles import ANGLE_NAMES

DEFINITIONS = ("skeleton", "surface")
PRIMARY = "skeleton"

#: BlazePose index -> (skeleton source, surface source); "kp:" = COCO keypoint, "j:" = rig joint.
_LAYOUT: dict[int, tuple[str, str]] = {
    0: ("kp:nose", "kp:nose"),
    1: ("kp:left_eye", "kp:left_eye"),
    2: ("kp:left_eye", "kp:left_eye"),
    3: ("kp:left_eye", "kp:left_eye"),
    4: ("kp:right_eye", "kp:right_eye"),
    5: ("kp:right_eye", "kp:right_eye"),
    6: ("kp:right_eye", "kp:right_eye"),
    7: ("kp:left_ear", "kp:left_ear"),
    8: ("kp:right_ear", "kp:right_ear"),
    9: ("kp:nose", "kp:nose"),
    10: ("kp:nose", "kp:nose"),
    11: ("j:left_shoulder", "kp:left_shoulder"),
    12: ("j:right_shoulder", "kp:right_shoulder"),
    13: ("j:left_elbow", "kp:left_elbow"),
    14: ("j:right_elbow", "kp:right_elbow"),
    15: ("j:left_wrist", "kp:left_wrist"),
    16: ("j:right_wrist", "kp:right_wrist"),
    17: ("j:left_index", "j:left_index"),
    18: ("j:right_index", "j:right_index"),
    19: ("j:left_index", "j:left_index"),
    20: ("j:right_index", "j:right_index"),
    21: ("j:left_wrist", "kp:left_wrist"),
    22: ("j:right_wrist", "kp:right_wrist"),
    23: ("j:left_hip", "kp:left_hip"),
    24: ("j:right_hip", "kp:right_hip"),
    25: ("j:left_knee", "kp:left_knee"),
    26: ("j:right_knee", "kp:right_knee"),
    27: ("j:left_ankle", "kp:left_ankle"),
    28: ("j:right_ankle", "kp:right_ankle"),
    29: ("kp:left_heel", "kp:left_heel"),
    30: ("kp:right_heel", "kp:right_heel"),
    31: ("kp:left_big_toe", "kp:left_big_toe"),
    32: ("kp:right_big_toe", "kp:right_big_toe"),
}


def to_layout(
    joints: dict[str, np.ndarray], keypoints: dict[str, np.ndarray], definition: str
) -> np.ndarray:
    """(N, 33, 3) points for one truth definition, from rig joints and COCO keypoints."""
    col = DEFINITIONS.index(definition)
    out = []
    for i in range(33):
        kind, name = _LAYOUT[i][col].split(":")
        out.append((keypoints if kind == "kp" else joints)[name])
    return np.stack(out, axis=1)


@dataclass(frozen=True)
class Truth:
    """What a clip shows, frame by frame.

    Attributes:
        t: (N,) seconds.
        image_size: (width, height).
        points: definition -> (N, 33, 2) projected pixels.
        angles: definition -> angle name -> (N,) degrees (NaN where not defined).
        lying: (N,) bool.
        meta: the spec and what it expects (exercise, side, verdict, faults, ...).
        arrays: everything else stored (3-D joints, commands, camera).
    """

    t: np.ndarray
    image_size: tuple[int, int]
    points: dict[str, np.ndarray]
    angles: dict[str, dict[str, np.ndarray]]
    lying: np.ndarray
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]

    def landmarks(self, definition: str = PRIMARY) -> np.ndarray:
        """(N, 33, 4) float32 normalised x, y, z=0, visibility=1 — a DESIGN.md track."""
        w, h = self.image_size
        p = self.points[definition] / np.array([w, h], float)
        n = p.shape[0]
        return np.concatenate([p, np.zeros((n, 33, 1)), np.ones((n, 33, 1))], axis=2).astype(
            np.float32
        )


def save(path: Path, truth: Truth) -> None:
    """Write the truth `.npz` (compressed; atomic so a crash leaves no half file)."""
    arrays: dict[str, np.ndarray] = {
        "t": truth.t,
        "landmarks": truth.landmarks(PRIMARY),
        "image_size": np.asarray(truth.image_size, dtype=np.int64),
        "lying": truth.lying,
        "meta_json": np.array(json.dumps(truth.meta, sort_keys=True)),
    }
    for d in DEFINITIONS:
        arrays[f"joints_px_{d}"] = truth.points[d]
        for name in ANGLE_NAMES:
            arrays[f"{d}.{name}"] = truth.angles[d][name]
    arrays.update(truth.arrays)
    # float32 keeps the library small: 1e-5 px and 1e-5° are far below any tolerance we test
    for k, v in arrays.items():
        if k != "t" and v.dtype == np.float64:
            arrays[k] = v.astype(np.float32)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    tmp.replace(path)


def load(path: Path) -> Truth:
    """Read a truth `.npz` written by `save`."""
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    points = {d: data.pop(f"joints_px_{d}") for d in DEFINITIONS}
    angles = {d: {n: data.pop(f"{d}.{n}") for n in ANGLE_NAMES} for d in DEFINITIONS}
    size = data.pop("image_size")
    data.pop("landmarks")
    data = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in data.items()}
    points = {k: v.astype(np.float64) for k, v in points.items()}
    angles = {d: {n: v.astype(np.float64) for n, v in a.items()} for d, a in angles.items()}
    return Truth(
        t=data.pop("t"),
        image_size=(int(size[0]), int(size[1])),
        points=points,
        angles=angles,
        lying=data.pop("lying").astype(bool),
        meta=json.loads(str(data.pop("meta_json"))),
        arrays=data,
    )
