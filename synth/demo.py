"""The rendered clips as a demo catalogue for the app: what each shows, labelled as rendered.

Numpy only (reads the truth files' metadata), so the app can offer the clips with their exercise
and tested side preselected when no webcam is present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.spec import CLIP_DIR

RENDERED_LABEL = "rendered person (synthetic demo clip, not a real recording)"


@dataclass(frozen=True)
class DemoClip:
    """One demo clip: the video, the exercise it shows, the tested leg and a one-line description."""

    path: Path
    name: str
    exercise: str
    side: str
    description: str
    label: str = RENDERED_LABEL


def demo_clips(folder: Path = CLIP_DIR) -> list[DemoClip]:
    """Every clip in `folder` with a truth file beside it, sorted by exercise then name."""
    out = []
    for video in sorted(folder.glob("*.mp4")):
        truth = video.with_name(video.stem + ".truth.npz")
        if not truth.exists():
            continue
        with np.load(truth, allow_pickle=False) as z:
            meta = json.loads(str(z["meta_json"]))
        out.append(
            DemoClip(
                path=video,
                name=meta["name"],
                exercise=meta["exercise"],
                side=meta["side"],
                description=meta.get("description", ""),
            )
        )
    return sorted(out, key=lambda c: (c.exercise, c.name))
