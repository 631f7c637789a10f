"""Exercise engine: angle series -> phases, holds, reps, cues and a report.

Knows nothing of video, MediaPipe or Streamlit: it reads per-frame mappings (see
`pose.angles.AngleSeries.frame`), so live frames, recordings and saved tracks go through the same code.
Exercises are data (`exercises/definitions/*.toml`), read by one engine (`exercises.session`).
"""
