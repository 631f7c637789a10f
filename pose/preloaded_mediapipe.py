"""MediaPipe, imported by the workers' fork server (`pose.chunks.POSE_PRELOAD`).

Importing MediaPipe costs about 0.4 s of CPU and starts no thread, so a fork server can import it
once for every worker it forks (a graph starts threads: each worker makes its own). Importing
this module is the import: `pose.estimator.import_mediapipe`, without the helpers never used.
"""

from pose.estimator import import_mediapipe

import_mediapipe()
