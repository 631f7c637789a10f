"""Off-screen rendering of one body in a plain room (floor, wall, an optional bed) with pyrender.

Rendered at `supersample` times the output size and averaged down: OSMesa has no multisampling,
and jagged edges are not what a webcam shows.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

import numpy as np
import pyrender
import trimesh

from synth.camera import Camera


def _box(
    extents: tuple[float, float, float], centre: tuple[float, float, float], rgb
) -> pyrender.Mesh:
    mesh = trimesh.creation.box(extents=extents)
    mesh.apply_translation(centre)
    mat = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=(*rgb, 1.0), metallicFactor=0.0, roughnessFactor=0.95
    )
    return pyrender.Mesh.from_trimesh(mesh, material=mat, smooth=False)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) area-weighted unit normals, vectorised (trimesh's own is slower per frame)."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    vn = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(vn, faces[:, k], fn)
    return vn / np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-12)


class Renderer:
    """One scene per clip; `render(vertices)` swaps the body and returns an RGB frame."""

    def __init__(
        self,
        camera: Camera,
        faces: np.ndarray,
        vertex_colours: np.ndarray,
        room: dict,
        bed: dict | None,
        supersample: int = 2,
    ) -> None:
        self.camera = camera
        self.faces = faces
        self.colours = np.concatenate([vertex_colours, np.ones((len(vertex_colours), 1))], axis=1)
        self.ss = supersample
        self.scene = pyrender.Scene(
            ambient_light=np.full(3, room["ambient"]), bg_color=(*room["wall"], 1.0)
        )
        self.scene.add(_box((30.0, 30.0, 0.1), (0.0, 0.0, -0.05), room["floor"]))
        # the wall: behind the person as seen from the camera
        right, _, fwd = camera.axes()
        wall_dir = np.array([fwd[0], fwd[1], 0.0])
        wall_dir /= np.linalg.norm(wall_dir)
        centre = np.asarray(camera.target)[:2] + wall_dir[:2] * room["wall_behind_m"]
        wall = trimesh.creation.box(extents=(30.0, 0.1, 6.0))
        yaw = np.arctan2(wall_dir[1], wall_dir[0]) - np.pi / 2
        wall.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
        wall.apply_translation((centre[0], centre[1], 3.0))
        mat = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(*room["wall"], 1.0), metallicFactor=0.0, roughnessFactor=1.0
        )
        self.scene.add(pyrender.Mesh.from_trimesh(wall, material=mat, smooth=False))
        # a skirting strip where wall meets floor gives the eye (and the model) a horizon
        skirt = trimesh.creation.box(extents=(30.0, 0.12, 0.1))
        skirt.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
        skirt.apply_translation(
            (centre[0] - wall_dir[0] * 0.05, centre[1] - wall_dir[1] * 0.05, 0.05)
        )
        smat = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(*room["skirting"], 1.0), metallicFactor=0.0, roughnessFactor=1.0
        )
        self.scene.add(pyrender.Mesh.from_trimesh(skirt, material=smat, smooth=False))
        if bed is not None:
            self.scene.add(_box(bed["extents"], bed["centre"], bed["colour"]))
        cam = pyrender.PerspectiveCamera(
            yfov=np.radians(camera.yfov_deg),
            aspectRatio=camera.width / camera.height,
            znear=0.05,
            zfar=40.0,
        )
        self.scene.add(cam, pose=camera.pose_matrix())
        # key light from above the camera's shoulder, fill from the other side
        for direction, intensity in (
            (right * 0.5 - fwd + [0, 0, 1.2], 2.6),
            (-right - fwd * 0.3 + [0, 0, 0.4], 1.0),
        ):
            self.scene.add(
                pyrender.DirectionalLight(color=np.ones(3), intensity=intensity),
                pose=_light_pose(direction),
            )
        self.material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(1.0, 1.0, 1.0, 1.0), metallicFactor=0.0, roughnessFactor=0.8
        )
        self.body_node = None
        self.renderer = pyrender.OffscreenRenderer(camera.width * self.ss, camera.height * self.ss)

    def render(self, vertices: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 frame of the body at `vertices` (V, 3) world metres."""
        prim = pyrender.Primitive(
            positions=vertices.astype(np.float32),
            normals=vertex_normals(vertices, self.faces).astype(np.float32),
            color_0=self.colours.astype(np.float32),
            indices=self.faces.astype(np.uint32),
            material=self.material,
        )
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        self.body_node = self.scene.add(pyrender.Mesh([prim]))
        colour, _ = self.renderer.render(self.scene)
        h, w = self.camera.height, self.camera.width
        img = (
            colour[:, :, :3].astype(np.float32).reshape(h, self.ss, w, self.ss, 3).mean(axis=(1, 3))
        )
        return np.clip(np.rint(img), 0, 255).astype(np.uint8)

    def close(self) -> None:
        self.renderer.delete()


def _light_pose(towards_light: np.ndarray) -> np.ndarray:
    """Pose of a directional light shining from `towards_light` (it shines down its −Z)."""
    z = np.asarray(towards_light, float)
    z /= np.linalg.norm(z)
    x = np.cross([0.0, 0.0, 1.0], z)
    if np.linalg.norm(x) < 1e-6:
        x = np.array([1.0, 0.0, 0.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2] = x, y, z
    return m
