"""Short routines: exercises done one after the other in one live session (live/routines.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ROUTINES_FILE = Path(__file__).with_name("routines.toml")


@dataclass(frozen=True)
class Routine:
    """A named sequence of exercise ids, each done with both legs (or the leg chosen)."""

    id: str
    name: str
    exercises: tuple[str, ...]


def load_routines(path: Path = ROUTINES_FILE, known: set[str] | None = None) -> dict[str, Routine]:
    """Routines by id; with `known` (the exercise ids), an unknown exercise is an error."""
    out: dict[str, Routine] = {}
    for row in tomllib.loads(path.read_text()).get("routine", []):
        routine = Routine(row["id"], row["name"], tuple(row["exercises"]))
        if not routine.exercises:
            raise ValueError(f"routine {routine.id} lists no exercise")
        missing = [e for e in routine.exercises if known is not None and e not in known]
        if missing:
            raise ValueError(f"routine {routine.id} names unknown exercises: {', '.join(missing)}")
        out[routine.id] = routine
    return out
