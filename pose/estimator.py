"""The pose estimator: the only module that imports MediaPipe.

Default: BlazePose *full*, which the `mediapipe==0.10.21` wheel carries, so nothing is downloaded.
A user's own `.task` model (lite or heavy) may be given instead; it runs through the Tasks API,
which can see two people and lets us follow the one most in view.

MediaPipe's C++ side writes its own log lines straight to file descriptor 2 ("INFO: Created
TensorFlow Lite XNNPACK delegate", "W0000 ... Feedback manager requires a model with a single
signature", "Using NORM_RECT without IMAGE_DIMENSIONS"); mediapipe 0.10.21 has no switch for them
(GLOG_minloglevel and TF_CPP_MIN_LOG_LEVEL change nothing). A graph's threads print them while it
starts, after the call that made it has returned, and when it first finds a person; so each graph
is made and run once on a blank frame inside `captured_native_stderr` (the first frame waits for
the start-up), and each frame runs inside it too until the graph has found someone.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self, TypeVar

import numpy as np

from pose.landmarks import NUM_LANDMARKS, VISIBILITY_THRESHOLD
from pose.sources import captured_native_stderr

T = TypeVar("T")

EMPTY = np.full((NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
#: The frame a new graph is run on once, nobody in it (tracking starts afresh on the next frame:
#: the landmarks of the recordings in ../shared/data come out bit for bit the same).
_BLANK = np.zeros((64, 64, 3), np.uint8)


class _Deferred(types.ModuleType):
    """Stands in for a module nobody has used yet: the first attribute asked of it imports the
    real module, which answers from then on."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lock"] = threading.Lock()

    def _real(self) -> types.ModuleType:
        with self._lock:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            return importlib.import_module(self.__name__)

    def __getattr__(self, attr: str) -> object:
        return getattr(self._real(), attr)


#: What `import mediapipe` drags in for helpers this app never calls: its `solutions` package
#: imports matplotlib.pyplot for `drawing_utils.plot_landmarks` (0.3 s of CPU and 20 MB a
#: process, as much as the rest of MediaPipe's import).
_UNUSED_BY_MEDIAPIPE = ("matplotlib.pyplot",)


@contextmanager
def _deferring(names: tuple[str, ...]) -> Iterator[None]:
    """Within: `names` not yet imported are `_Deferred` stand-ins (imported for real if used);
    after: stand-ins nobody used are taken out of sys.modules again."""
    stand_ins = {n: _Deferred(n) for n in names if n not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def import_mediapipe() -> types.ModuleType:
    """MediaPipe, imported without what it imports for helpers we never call."""
    if "mediapipe" not in sys.modules:
        with _deferring(_UNUSED_BY_MEDIAPIPE):
            import mediapipe  # noqa: F401
    return sys.modules["mediapipe"]


def _to_array(landmarks) -> np.ndarray:
    return np.array([[p.x, p.y, p.z, p.visibility] for p in landmarks], dtype=np.float32)


def in_view_score(lm: np.ndarray) -> float:
    """How much of a person is in view: summed visibility of points inside the image, times size."""
    inside = (lm[:, 0] >= 0) & (lm[:, 0] <= 1) & (lm[:, 1] >= 0) & (lm[:, 1] <= 1)
    span = np.ptp(lm[:, 0]) * np.ptp(lm[:, 1])
    return float(np.sum(lm[inside, 3]) * (1.0 + span))


def _started(make: Callable[[], T], warm_up: Callable[[T], object]) -> T:
    """A graph made and run once with stderr captured, so that its start-up lines are out."""
    with captured_native_stderr():
        graph = make()
        try:
            warm_up(graph)
        except BaseException:
            graph.close()
            raise
    return graph


class PoseEstimator:
    """Frames in, (33, 4) landmark arrays out (normalised x, y, z, visibility; all NaN if nobody).

    `video=True` tracks between frames and needs increasing timestamps; `video=False` treats each
    frame as a still image.
    """

    def __init__(
        self,
        video: bool = True,
        model_path: str | Path | None = None,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        mp = import_mediapipe()  # here, so that importing pose/ never loads MediaPipe

        self.video = video
        self.people_seen_max = 0
        self._mp = mp
        self._last_ms = -1
        self._checker = None
        self._settled: set[str] = set()  # graphs that have printed their start-up lines
        if model_path is None:
            self._solution = _started(
                lambda: mp.solutions.pose.Pose(
                    static_image_mode=not video,
                    model_complexity=1,
                    smooth_landmarks=True,
                    min_detection_confidence=min_detection_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                ),
                lambda graph: graph.process(_BLANK),
            )
            self._task = None
        else:
            path = Path(model_path)
            if not path.is_file():
                raise FileNotFoundError(f"Model file {path} does not exist.")
            from mediapipe.tasks.python import BaseOptions, vision

            mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(path)),
                running_mode=mode,
                num_poses=2,
                min_pose_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=_BLANK)
            self._make_task = lambda: _started(
                lambda: vision.PoseLandmarker.create_from_options(options),
                (lambda g: g.detect_for_video(blank, 0)) if video else (lambda g: g.detect(blank)),
            )
            self._last_ms = 0
            self._task = self._make_task()
            self._solution = None

    def _quietly(self, graph: str, call: Callable[[], T], found: Callable[[T], bool]) -> T:
        """`call()`, with MediaPipe's lines kept off stderr until `graph` has found a person once
        (the last of them comes then); after that it runs as is, and stderr is left alone."""
        if graph in self._settled:
            return call()
        with captured_native_stderr():
            result = call()
        if found(result):
            self._settled.add(graph)
        return result

    def process(self, rgb: np.ndarray, t_s: float) -> np.ndarray:
        """Landmarks of the person most in view in one RGB frame at time `t_s`."""
        if self._solution is not None:
            result = self._quietly(
                "solution",
                lambda: self._solution.process(rgb),
                lambda r: r.pose_landmarks is not None,
            )
            if result.pose_landmarks is None:
                return EMPTY.copy()
            self.people_seen_max = max(self.people_seen_max, 1)
            return _to_array(result.pose_landmarks.landmark)
        image = self._mp.Image(
            image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )
        if self.video:
            ms = max(round(t_s * 1000.0), self._last_ms + 1)
            self._last_ms = ms
            result = self._quietly(
                "task", lambda: self._task.detect_for_video(image, ms), lambda r: r.pose_landmarks
            )
        else:
            result = self._quietly(
                "task", lambda: self._task.detect(image), lambda r: r.pose_landmarks
            )
        people = [_to_array(p) for p in result.pose_landmarks]
        if not people:
            return EMPTY.copy()
        self.people_seen_max = max(self.people_seen_max, len(people))
        return max(people, key=in_view_score)

    def other_person_in_view(self, rgb: np.ndarray, landmarks: np.ndarray) -> bool:
        """Is someone else in view? Hide the tracked person and look again, in still-image mode.

        The built-in model follows one person only; this second look is how we notice a second one.
        """
        if not np.any(np.isfinite(landmarks[:, 0])):
            return False
        if self._task is not None:
            return self.people_seen_max > 1
        h, w = rgb.shape[:2]
        pts = landmarks[np.isfinite(landmarks[:, 0]), :2] * np.array([w, h])
        x0, y0 = np.maximum(pts.min(axis=0) - 0.15 * np.ptp(pts, axis=0), 0).astype(int)
        x1, y1 = np.minimum(pts.max(axis=0) + 0.15 * np.ptp(pts, axis=0), [w, h]).astype(int)
        masked = rgb.copy()
        masked[y0:y1, x0:x1] = 0
        if self._checker is None:
            self._checker = _started(
                lambda: self._mp.solutions.pose.Pose(
                    static_image_mode=True, model_complexity=1, min_detection_confidence=0.6
                ),
                lambda graph: graph.process(_BLANK),
            )
        result = self._quietly(
            "checker",
            lambda: self._checker.process(masked),
            lambda r: r.pose_landmarks is not None,
        )
        if result.pose_landmarks is None:
            return False
        other = _to_array(result.pose_landmarks.landmark)
        return bool(np.mean(other[:, 3] >= VISIBILITY_THRESHOLD) >= 0.5)  # half its points seen

    def reset(self) -> None:
        """Forget the person followed so far: the next frame starts a new recording, exactly as
        with a new estimator (the same landmarks, bit for bit), without loading the model again.

        The still-image checker keeps no state between frames and is kept as it is.
        """
        self.people_seen_max = 0
        if self._solution is not None:
            if self.video:
                with captured_native_stderr():  # the graph restarts: its start-up lines again
                    self._solution.reset()
                    self._solution.process(_BLANK)
                self._settled.discard("solution")
            return
        if self.video:  # a Tasks graph cannot be rewound (its timestamps must increase): made anew
            self._task.close()
            self._task = None
            self._task = self._make_task()
            self._last_ms = 0
            self._settled.discard("task")

    def close(self) -> None:
        if self._checker is not None:
            self._checker.close()
        if self._solution is not None:
            self._solution.close()
        if self._task is not None:
            self._task.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
