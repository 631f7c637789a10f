"""Exercise engine: angle series -> phases, holds, reps, cues and a report.

Knows nothing of video, MediaPipe or Streamlit: it reads per-frame mappings (see
`pose.angles.AngleSeries.frame`), so live frames, recordings and saved tracks go through the same code.
Exercises are data (`exercises/definitions/*.toml`), read by one engine.

- `catalog`: load and check the definitions (`load_exercises`, `get_exercise`, `list_exercises`).
- `definition`: the records a definition becomes, each number with its source.
- `session`: `ExerciseSession(definition, side, view)`, `update(frame) -> Feedback`, `report()`.
- `phases`, `timing`, `cues`: the small state machines the session is made of.
- `verdict`, `summary`: verdicts per side and the report fields of ../shared/DESIGN.md.
- `report`: `run_exercise(series, exercise_id, ...)`, a whole series fed frame by frame.
"""
