"""A pinhole camera that both renders and projects, so the truth lands on the very pixels drawn.

Pure numpy (no renderer), so tests can re-project a truth file's 3-D points without OpenGL.
World frame: X = the body's left at rest, −Y = forward, Z = up, floor at Z = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A level-or-tilted camera looking at `target`.

    Attributes:
        position: (3,) metres.
        target: (3,) metres, the point on the optical axis.
        yfov_deg: vertical field of view.
        width, height: image size in pixels.
    """

    position: np.ndarray
    target: np.ndarray
    yfov_deg: float
    width: int
    height: int

    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors of the image in world coordinates."""
        fwd = np.asarray(self.target, float) - np.asarray(self.position, float)
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        return right, up, fwd

    def pose_matrix(self) -> np.ndarray:
        """(4, 4) OpenGL camera-to-world pose (the camera looks down its −Z)."""
        right, up, fwd = self.axes()
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = right, up, -fwd, self.position
        return m

    def project(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world points -> (..., 2) pixels (x right, y down, 0..width / 0..height edges)."""
        right, up, fwd = self.axes()
        rel = np.asarray(points, float) - np.asarray(self.position, float)
        depth = rel @ fwd
        f = 1.0 / np.tan(np.radians(self.yfov_deg) / 2.0)
        aspect = self.width / self.height
        x_ndc = (rel @ right) * f / aspect / depth
        y_ndc = (rel @ up) * f / depth
        return np.stack(
            [(x_ndc + 1.0) / 2.0 * self.width, (1.0 - y_ndc) / 2.0 * self.height], axis=-1
        )


def place_camera(
    target: np.ndarray,
    near_side: str,
    off_axis_deg: float,
    distance_m: float,
    height_m: float,
    pitch_deg: float | None,
    yfov_deg: float,
    size: tuple[int, int],
) -> Camera:
    """A camera side-on to the body's sagittal plane, turned `off_axis_deg` towards the front.

    `near_side` is the side of the body nearest the camera ("right" shows the right side, so a
    person facing −Y faces image-right). `pitch_deg` None aims at `target`; a number tilts the
    optical axis that much (0 = level, − = looking down), keeping the camera's heading.
    """
    if near_side not in ("left", "right"):
        raise ValueError(f"near_side must be 'left' or 'right', got {near_side!r}")
    side = -1.0 if near_side == "right" else 1.0
    a = np.radians(off_axis_deg)
    # the sagittal normal towards the near side, turned towards the front (−Y) by off_axis_deg
    horiz = np.array([side * np.cos(a), -np.sin(a), 0.0])
    target = np.asarray(target, float)
    position = np.array([target[0], target[1], 0.0]) + distance_m * horiz
    position[2] = height_m
    if pitch_deg is not None:
        look = -horiz * np.cos(np.radians(pitch_deg))
        look[2] = np.sin(np.radians(pitch_deg))
        target = position + look * distance_m
    return Camera(
        position=position, target=target, yfov_deg=yfov_deg, width=size[0], height=size[1]
    )
