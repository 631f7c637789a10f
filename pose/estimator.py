"""The pose estimator: the only module that imports MediaPipe.

Default: BlazePose *full*, which the `mediapipe==0.10.21` wheel carries, so nothing is downloaded.
A user's own `.task` model (lite or heavy) may be given instead; it runs through the Tasks API,
which can see two people and lets us follow the one most in view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np

from pose.landmarks import NUM_LANDMARKS

EMPTY = np.full((NUM_LANDMARKS, 4), np.nan, dtype=np.float32)


def _to_array(landmarks) -> np.ndarray:
    return np.array([[p.x, p.y, p.z, p.visibility] for p in landmarks], dtype=np.float32)


def in_view_score(lm: np.ndarray) -> float:
    """How much of a person is in view: summed visibility of points inside the image, times size."""
    inside = (lm[:, 0] >= 0) & (lm[:, 0] <= 1) & (lm[:, 1] >= 0) & (lm[:, 1] <= 1)
    span = np.ptp(lm[:, 0]) * np.ptp(lm[:, 1])
    return float(np.sum(lm[inside, 3]) * (1.0 + span))


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
        import mediapipe as mp  # imported here so that importing pose/ never loads MediaPipe

        self.video = video
        self.people_seen_max = 0
        self._mp = mp
        self._last_ms = -1
        self._checker = None
        if model_path is None:
            self._solution = mp.solutions.pose.Pose(
                static_image_mode=not video,
                model_complexity=1,
                smooth_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
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
            self._task = vision.PoseLandmarker.create_from_options(options)
            self._solution = None

    def process(self, rgb: np.ndarray, t_s: float) -> np.ndarray:
        """Landmarks of the person most in view in one RGB frame at time `t_s`."""
        if self._solution is not None:
            result = self._solution.process(rgb)
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
            result = self._task.detect_for_video(image, ms)
        else:
            result = self._task.detect(image)
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
            self._checker = self._mp.solutions.pose.Pose(
                static_image_mode=True, model_complexity=1, min_detection_confidence=0.6
            )
        result = self._checker.process(masked)
        if result.pose_landmarks is None:
            return False
        other = _to_array(result.pose_landmarks.landmark)
        return bool(np.mean(other[:, 3] >= 0.5) >= 0.5)

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
