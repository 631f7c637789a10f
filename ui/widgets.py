"""Widgets the app's pages share, so the recording page and the live page ask the same way."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.records import Analysis
from analysis.service import AnalysisOptions, analyze_source
from exercises.catalog import load_exercises
from exercises.session import SIDE_CHOICES
from live.routine import Routine
from outputs import presenter as say
from pose.sources import InputError
from ui.demo_clips import DemoClip

ANGLES_ONLY = "angles only (no exercise)"
SIDE_WORDS = {"auto": "find it for me", "left": "left", "right": "right"}


def pick_demo_clip(
    clips: list[DemoClip],
    container=st,
    key: str | None = None,
    disabled: bool = False,
    first: str | None = None,
) -> DemoClip:
    """A rendered demo clip, described by what it shows; `first` (a clip's name) offered first."""
    by_name = {c.name: c for c in clips}  # plain strings as options: the page state stays simple
    names_of = {i: d.name for i, d in load_exercises().items()}
    names = list(by_name)
    index = names.index(first) if first in names else 0
    name = container.selectbox(
        "Demo clip",
        names,
        index=index,
        format_func=lambda n: say.demo_clip_title(
            names_of[by_name[n].exercise], by_name[n].side, by_name[n].description
        ),
        key=key,
        disabled=disabled,
    )
    return by_name[name]


def pick_exercise(
    preselect: str | None = None,
    container=st,
    angles_only: bool = True,
    key: str | None = None,
    disabled: bool = False,
) -> str | None:
    """An exercise id, or None for angles only (offered when `angles_only`); `preselect` (a demo
    clip's exercise) comes first."""
    exercises = load_exercises()
    ids = [ANGLES_ONLY, *sorted(exercises)] if angles_only else sorted(exercises)
    choice = container.selectbox(
        "Exercise",
        ids,
        index=ids.index(preselect) if preselect in ids else 0,
        format_func=lambda i: i if i == ANGLES_ONLY else f"{exercises[i].name}",
        key=key,
        disabled=disabled,
    )
    if choice == ANGLES_ONLY:
        return None
    container.caption(exercises[choice].description)
    return choice


def pick_side(container=st, key: str | None = None, disabled: bool = False) -> str:
    """The working leg; auto finds it (the back leg of a lunge, the hanging leg, ...)."""
    return container.radio(
        "Working leg",
        SIDE_CHOICES,
        horizontal=True,
        format_func=lambda s: SIDE_WORDS.get(s, s),
        key=key,
        disabled=disabled,
    )


def pick_routine(routines: dict[str, Routine], container=st, disabled: bool = False) -> Routine:
    """A short routine of exercises done one after the other."""
    ids = list(routines)
    choice = container.selectbox(
        "Routine",
        ids,
        format_func=lambda i: routines[i].name,
        key="live-routine",
        disabled=disabled,
    )
    return routines[choice]


def safety_notes() -> None:
    """The safety notes, folded under "Before you stretch" on every page that measures."""
    with st.expander("Before you stretch", expanded=False):
        st.markdown(say.bullet((*say.SAFETY_NOTES, say.NOT_A_DIAGNOSIS)))


def analyse_with_progress(
    path: Path, label: str, options: AnalysisOptions, text: str
) -> Analysis | None:
    """The analysis service with a progress bar; bad input is one plain message naming the file
    by `label` (never its server path), and None."""
    bar = st.progress(0.0, text=text)

    def factory(total: int | None):
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if total:
                bar.progress(min(done[0] / total, 1.0), text=f"Frame {done[0]} of {total}")

        return step

    try:
        return analyze_source(path, options, factory)
    except InputError as exc:
        st.error(str(exc).replace(str(path), label))
        return None
    finally:
        bar.empty()
