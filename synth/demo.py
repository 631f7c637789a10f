"""Write the app's demo catalogue (assets/demo_clips/catalog.toml) from the truth files' metadata.

The app reads the catalogue, never this package: the generator is a development tool with its own
requirements, the clips and their catalogue are a product asset. `synth.generate` rewrites the
catalogue after rendering; `tests/test_synth_clips.py` checks the committed one matches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from synth.spec import CLIP_DIR, DEMO_DIR

CATALOG = DEMO_DIR / "catalog.toml"
HEADER = (
    "# The rendered demo clips: a product asset the app reads (written by synth.generate, never by hand).\n"
    "# Each shows a rendered person, not a real recording; the generator and the truth files live in synth/.\n"
)


#: A clip's name inside a spec's description ("half_kneel_right mirrored"): the generator's words.
_CLIP_NAME_MIRRORED = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+ mirrored")


def shown_description(description: str, side: str) -> str:
    """The description as the app lists it: "the right leg's clip mirrored: …" for a mirrored clip,
    not the other clip's file name."""
    other = "right" if side == "left" else "left"
    return _CLIP_NAME_MIRRORED.sub(f"the {other} leg's clip mirrored", description)


def catalog_text(videos: Path = DEMO_DIR, truths: Path = CLIP_DIR) -> str:
    """The catalogue for every video in `videos` whose truth file is in `truths`."""
    rows = []
    for video in sorted(videos.glob("*.mp4")):
        truth = truths / f"{video.stem}.truth.npz"
        if not truth.exists():
            continue
        with np.load(truth, allow_pickle=False) as z:
            meta = json.loads(str(z["meta_json"]))
        description = shown_description(meta.get("description", ""), meta["side"])
        rows.append((meta["exercise"], meta["name"], meta["side"], description))
    parts = [HEADER]
    for exercise, name, side, description in sorted(rows):
        parts.append(
            f'\n[[clip]]\nfile = "{name}.mp4"\nexercise = "{exercise}"\nside = "{side}"\n'
            f"description = {json.dumps(description)}\n"
        )
    return "".join(parts)


def write_catalog() -> Path:
    CATALOG.write_text(catalog_text())
    return CATALOG
