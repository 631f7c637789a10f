"""Widgets the app's pages share, so the recording page and the live page ask the same way."""

from __future__ import annotations

import streamlit as st

from exercises.catalog import load_exercises
from ui.demo_clips import DemoClip

ANGLES_ONLY = "angles only (no exercise)"
SIDES = ("auto", "left", "right")


def pick_demo_clip(clips: list[DemoClip]) -> DemoClip:
    """A rendered demo clip, described by what it shows."""
    return st.selectbox("Demo clip", clips, format_func=lambda c: c.title)


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
    return container.radio("Working leg", SIDES, horizontal=True)
