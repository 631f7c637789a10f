"""Import only what the run needs: MediaPipe without the plotting library it imports for drawing
helpers this app never calls, and that library still there, for real, for whoever uses it."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

CODE = """
import sys
from pose.estimator import PoseEstimator

with PoseEstimator(video=True):
    pass
print("pyplot imported by MediaPipe:", "matplotlib.pyplot" in sys.modules)
import mediapipe.python.solutions.drawing_utils as drawing_utils

figure = drawing_utils.plt.figure  # MediaPipe's own helper still finds the real pyplot
import matplotlib.pyplot as plt

print("the real pyplot:", type(sys.modules["matplotlib.pyplot"]).__name__, plt.figure is figure)
"""


def test_mediapipe_is_imported_without_pyplot_which_still_works_when_used() -> None:
    run = subprocess.run(
        [sys.executable, "-c", CODE], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "pyplot imported by MediaPipe: False",
        "the real pyplot: module True",
    ]
    assert run.stderr == ""
