"""The built-in demo clips (rendered people with known angles), read from their catalogue.

A product asset: `assets/demo_clips/catalog.toml` names each clip's exercise, tested leg and what
it shows. No import of the generator (`synth/`), which is a development tool.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parents[1] / "assets" / "demo_clips"
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


def demo_clips(folder: Path = DEMO_DIR) -> list[DemoClip]:
    """Every catalogued clip whose video is present, sorted by exercise then name."""
    catalog = folder / "catalog.toml"
    if not catalog.is_file():
        return []
    clips = []
    for row in tomllib.loads(catalog.read_text()).get("clip", []):
        path = folder / row["file"]
        if path.is_file():
            clips.append(
                DemoClip(path, path.stem, row["exercise"], row["side"], row.get("description", ""))
            )
    return sorted(clips, key=lambda c: (c.exercise, c.name))
