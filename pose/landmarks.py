"""BlazePose landmark indices and the one visibility threshold everything shares."""

from __future__ import annotations

NUM_LANDMARKS = 33

#: A point counts as seen when its visibility is at least this (../shared/DESIGN.md).
VISIBILITY_THRESHOLD = 0.5

NOSE = 0
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

SIDES = ("left", "right")

#: Per side: the points of one body half (odd indices are the person's left).
SIDE_POINTS: dict[str, dict[str, int]] = {
    "left": {
        "shoulder": LEFT_SHOULDER,
        "hip": LEFT_HIP,
        "knee": LEFT_KNEE,
        "ankle": LEFT_ANKLE,
        "heel": LEFT_HEEL,
        "toe": LEFT_FOOT_INDEX,
        "ear": LEFT_EAR,
    },
    "right": {
        "shoulder": RIGHT_SHOULDER,
        "hip": RIGHT_HIP,
        "knee": RIGHT_KNEE,
        "ankle": RIGHT_ANKLE,
        "heel": RIGHT_HEEL,
        "toe": RIGHT_FOOT_INDEX,
        "ear": RIGHT_EAR,
    },
}

#: Bones drawn as the skeleton (pairs of landmark indices).
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (LEFT_SHOULDER, RIGHT_SHOULDER),
    (LEFT_HIP, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_HIP),
    (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_ELBOW),
    (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW),
    (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_HIP, LEFT_KNEE),
    (LEFT_KNEE, LEFT_ANKLE),
    (RIGHT_HIP, RIGHT_KNEE),
    (RIGHT_KNEE, RIGHT_ANKLE),
    (LEFT_ANKLE, LEFT_HEEL),
    (LEFT_HEEL, LEFT_FOOT_INDEX),
    (LEFT_ANKLE, LEFT_FOOT_INDEX),
    (RIGHT_ANKLE, RIGHT_HEEL),
    (RIGHT_HEEL, RIGHT_FOOT_INDEX),
    (RIGHT_ANKLE, RIGHT_FOOT_INDEX),
)
