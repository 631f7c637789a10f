"""Widgets the app's pages share, so the recording page and the live page ask the same way."""

from __future__ import annotations

import streamlit as st

from exercises.catalog import load_exercises
from exercises.session import SIDE_CHOICES
from ui.demo_clips import DemoClip

ANGLES_ONLY = "angles only (no exercise)"
SIDE_WORDS = {"auto": "find it for me", "left": "left", "right": "right"}


def pick_demo_clip(clips: list[DemoClip]) -> DemoClip:
    """A rendered demo clip, described by what it shows."""
    by_name = {c.name: c for c in clips}  # plain strings as options: the page state stays simple
    name = st.selectbox("Demo clip", list(by_name), format_func=lambda n: by_name[n].title)
    return by_name[name]


def pick_exercise(preselect: str | None = None, container=st) -> str | None:
    """An exercise id, or None for angles only; `preselect` (a demo clip's exercise) comes first."""
    exercises = load_exercises()
    ids = [ANGLES_ONLY, *sorted(exercises)]
    choice = container.selectbox(
        "Exercise",
        ids,
        index=ids.index(preselect) if preselect in ids else 0,
        format_func=lambda i: i if i == ANGLES_ONLY else f"{exercises[i].name}",
    )
    if choice == ANGLES_ONLY:
        return None
    container.caption(exercises[choice].description)
    return choice


def pick_side(container=st) -> str:
    """The working leg; auto finds it (the back leg of a lunge, the hanging leg, ...)."""
    return container.radio(
        "Working leg", SIDE_CHOICES, horizontal=True, format_func=lambda s: SIDE_WORDS.get(s, s)
    )
