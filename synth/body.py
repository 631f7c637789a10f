"""The rendered person: anny's body model posed from sagittal joint angles.

Anny's pose parameters are local rotations in world-aligned axes at rest (X = the body's left,
−Y = forward, Z = up), and its rest pose is not at zero angles (the trunk leans a little, the legs
stand apart, the arms hang in an A). We measure those rest angles once per body and take them off
the commands, so a commanded hip extension of 10° comes out close to 10°; the truth written for
every clip is still measured from the posed joints, never taken from the commands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

os.environ.setdefault("ANNY_CACHE_DIR", "/work/.anny_cache")

import anny
import torch

#: Joint centres we read off the skeleton: name -> bone whose head is that joint.
SKELETON_JOINTS: dict[str, str] = {
    "left_shoulder": "upperarm01.L",
    "right_shoulder": "upperarm01.R",
    "left_elbow": "lowerarm01.L",
    "right_elbow": "lowerarm01.R",
    "left_wrist": "wrist.L",
    "right_wrist": "wrist.R",
    "left_hip": "upperleg01.L",
    "right_hip": "upperleg01.R",
    "left_knee": "lowerleg01.L",
    "right_knee": "lowerleg01.R",
    "left_ankle": "foot.L",
    "right_ankle": "foot.R",
    "left_index": "finger2-1.L",
    "right_index": "finger2-1.R",
}

#: Legs stand this far apart at rest; bring them under the hips (degrees of adduction).
LEG_ADDUCTION_DEG = 4.0
#: The arms hang in an A at rest; bring them to the sides (degrees of adduction).
ARM_ADDUCTION_DEG = 38.0


def _rx(deg: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations about X (the body's left): + swings a hanging segment backwards."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((*a.shape, 3, 3))
    m[..., 0, 0] = 1.0
    m[..., 1, 1], m[..., 1, 2] = c, -s
    m[..., 2, 1], m[..., 2, 2] = s, c
    return m


def _ry(deg: float) -> np.ndarray:
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rz(deg: np.ndarray) -> np.ndarray:
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((*a.shape, 3, 3))
    m[..., 0, 0], m[..., 0, 1] = c, -s
    m[..., 1, 0], m[..., 1, 1] = s, c
    m[..., 2, 2] = 1.0
    return m


def _sagittal_deg(vec: np.ndarray) -> np.ndarray:
    """Angle of a segment pointing down, behind the vertical (+ = towards +Y, the body's back)."""
    return np.degrees(np.arctan2(vec[..., 1], -vec[..., 2]))


@dataclass(frozen=True)
class PosedFrames:
    """A batch of posed bodies in the body's own frame (pelvis at the origin, before placing).

    Attributes:
        vertices: (N, V, 3) metres.
        joints: name -> (N, 3) skeleton joint centres (`SKELETON_JOINTS`).
        keypoints: name -> (N, 3) anny's COCO surface keypoints.
    """

    vertices: np.ndarray
    joints: dict[str, np.ndarray]
    keypoints: dict[str, np.ndarray]


@lru_cache(maxsize=1)
def _model() -> anny.Anny:
    """One anny model per process: building it costs seconds even with a warm cache."""
    return anny.Anny()


class Body:
    """One body shape, posed in batches from `CHANNELS` arrays."""

    def __init__(self, phenotype: dict[str, float]) -> None:
        self.model = _model()
        self.phenotype = {k: float(v) for k, v in phenotype.items()}
        unknown = set(self.phenotype) - set(self.model.phenotype_labels)
        if unknown:
            raise ValueError(
                f"unknown phenotype labels {sorted(unknown)}; know {self.model.phenotype_labels}"
            )
        self.labels: list[str] = list(self.model.bone_labels)
        self._bone = {name: i for i, name in enumerate(self.labels)}
        self.keypoint_regressor = anny.KeypointsRegressor.coco(self.model)
        self.faces = self.model.faces.cpu().numpy().astype(np.int64)
        rest = self._forward({}, 1)
        self.rest_vertices = rest.vertices[0]
        idx = self.model.vertex_bone_indices.cpu().numpy()
        w = self.model.vertex_bone_weights.cpu().numpy()
        dominant = np.array(self.labels)[idx[np.arange(len(idx)), np.argmax(w, axis=1)]]
        #: (V,) vertices of the pelvis and back, the part that lies on a bed
        self.trunk_mask = np.array([d.startswith(("root", "pelvis", "spine")) for d in dominant])
        self._calibrate(rest)

    # -- model access -------------------------------------------------------------------------
    def _forward(self, rotations: dict[str, np.ndarray], n: int) -> PosedFrames:
        """Run anny on (n, 3, 3) world-aligned local rotations per bone (missing = rest)."""
        pose = {}
        for bone, rot in rotations.items():
            m = np.broadcast_to(np.eye(4), (n, 4, 4)).copy()
            m[:, :3, :3] = rot
            pose[bone] = torch.as_tensor(m, dtype=self.model.dtype)
        if not pose:
            pose = {"root": torch.eye(4, dtype=self.model.dtype)[None].repeat(n, 1, 1)}
        pheno = {k: torch.full((1,), v, dtype=self.model.dtype) for k, v in self.phenotype.items()}
        with torch.no_grad():
            out = self.model(pose_parameters=pose, phenotype_kwargs=pheno)
            kps = self.keypoint_regressor(out).cpu().numpy()
        verts = out["vertices"].cpu().numpy()
        heads = out["bone_poses"][..., :3, 3].cpu().numpy()
        joints = {name: heads[:, self._bone[bone]] for name, bone in SKELETON_JOINTS.items()}
        keypoints = {label: kps[:, k] for k, label in enumerate(self.keypoint_regressor.labels)}
        return PosedFrames(vertices=verts, joints=joints, keypoints=keypoints)

    def _calibrate(self, rest: PosedFrames) -> None:
        """Rest-pose sagittal angles (degrees) that the commands must cancel."""
        j = {k: v[0] for k, v in rest.joints.items()}
        hip = (j["left_hip"] + j["right_hip"]) / 2
        shoulder = (j["left_shoulder"] + j["right_shoulder"]) / 2
        # trunk: + leaning forward (towards −Y)
        up = shoulder - hip
        self.trunk0 = float(np.degrees(np.arctan2(-up[1], up[2])))
        self.thigh0 = {
            s: float(_sagittal_deg(j[f"{side}_knee"] - j[f"{side}_hip"]))
            for s, side in (("l", "left"), ("r", "right"))
        }
        self.shank0 = {
            s: float(_sagittal_deg(j[f"{side}_ankle"] - j[f"{side}_knee"]))
            for s, side in (("l", "left"), ("r", "right"))
        }
        self.thigh_length = float(np.linalg.norm(j["left_knee"] - j["left_hip"]))
        self.shank_length = float(np.linalg.norm(j["left_ankle"] - j["left_knee"]))
        self.ankle_height = float(j["left_ankle"][2] - self.rest_vertices[:, 2].min())

    # -- posing -------------------------------------------------------------------------------
    def rotations(self, ch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """World-aligned local rotations per bone for channel arrays (each (N,) degrees)."""
        trunk = ch["trunk"] - self.trunk0
        root = _rz(ch["yaw"]) @ _rx(trunk)
        rot = {"root": root}
        for s, side, sign in (("l", "L", 1.0), ("r", "R", -1.0)):
            # thigh behind vertical = trunk + hip extension; the root already turned it by `trunk`
            hip = ch[f"hip_{s}"] + self.trunk0 - self.thigh0[s]
            knee = ch[f"knee_{s}"] - (self.shank0[s] - self.thigh0[s])
            rot[f"upperleg01.{side}"] = _rx(hip) @ _ry(sign * LEG_ADDUCTION_DEG)
            rot[f"lowerleg01.{side}"] = _rx(knee)
            rot[f"foot.{side}"] = _rx(ch[f"ankle_{s}"])
            rot[f"upperarm01.{side}"] = _rx(-ch[f"shoulder_{s}"]) @ _ry(sign * ARM_ADDUCTION_DEG)
            rot[f"lowerarm01.{side}"] = _rx(-ch[f"elbow_{s}"])
        return rot

    def pose(self, ch: dict[str, np.ndarray], batch: int = 16) -> PosedFrames:
        """Posed bodies for every frame of the channel arrays, run in batches to bound memory."""
        n = len(ch["trunk"])
        rot = self.rotations(ch)
        parts = [
            self._forward({b: r[i : i + batch] for b, r in rot.items()}, min(batch, n - i))
            for i in range(0, n, batch)
        ]
        return PosedFrames(
            vertices=np.concatenate([p.vertices for p in parts]),
            joints={k: np.concatenate([p.joints[k] for p in parts]) for k in parts[0].joints},
            keypoints={
                k: np.concatenate([p.keypoints[k] for p in parts]) for k in parts[0].keypoints
            },
        )

    # -- appearance ---------------------------------------------------------------------------
    def vertex_colours(self, colours: dict[str, tuple[float, float, float]]) -> np.ndarray:
        """(V, 3) colours in 0..1: clothing by the bones that move each vertex, blended at seams."""
        idx = self.model.vertex_bone_indices.cpu().numpy()
        w = self.model.vertex_bone_weights.cpu().numpy()
        table = np.array([colours[_garment(label)] for label in self.labels], dtype=np.float64)
        out = np.einsum("vk,vkc->vc", w, table[idx]) / np.maximum(
            w.sum(axis=1, keepdims=True), 1e-9
        )
        # hair: the back and top of the head, above the eyes
        rv = self.rest_vertices
        eye = (self._rest_head("eye.L") + self._rest_head("eye.R")) / 2
        head_bone = self._bone["head"]
        dominant = idx[np.arange(len(idx)), np.argmax(w, axis=1)]
        hair = (dominant == head_bone) & (
            (rv[:, 2] > eye[2] + 0.045) | ((rv[:, 2] > eye[2] - 0.04) & (rv[:, 1] > eye[1] + 0.07))
        )
        out[hair] = colours["hair"]
        return out

    def garment_weights(self, garment: str) -> np.ndarray:
        """(V,) 0..1: how much of each vertex's skin that garment covers (blended at seams)."""
        idx = self.model.vertex_bone_indices.cpu().numpy()
        w = self.model.vertex_bone_weights.cpu().numpy()
        covers = np.array([_garment(label) == garment for label in self.labels], dtype=np.float64)
        return (w * covers[idx]).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-9)

    def loosen(self, vertices: np.ndarray, loose: dict[str, float]) -> np.ndarray:
        """(N, V, 3) posed vertices with loose clothing: each garment's skin pushed out along the
        surface normal by its `loose` metres (a baggy shirt, wide trousers). The joints stay where
        they were: the cloth hides them, which is what the failure library tests."""
        if not loose:
            return vertices
        from synth.scene import vertex_normals

        push = sum(self.garment_weights(g) * float(m) for g, m in loose.items())
        out = np.empty_like(vertices)
        for i, v in enumerate(vertices):
            out[i] = v + vertex_normals(v, self.faces) * push[:, None]
        return out

    def _rest_head(self, bone: str) -> np.ndarray:
        pheno = {k: torch.full((1,), v, dtype=self.model.dtype) for k, v in self.phenotype.items()}
        with torch.no_grad():
            out = self.model(phenotype_kwargs=pheno)
        return out["bone_poses"][0, self._bone[bone], :3, 3].cpu().numpy()


def _garment(bone: str) -> str:
    """Which colour a bone's skin takes: the garments are where a bone moves the skin."""
    if bone.startswith(("foot", "toe")):
        return "shoes"
    if bone.startswith(("root", "pelvis", "upperleg", "lowerleg")):
        return "trousers"
    if bone.startswith(("spine", "clavicle", "shoulder", "upperarm")):
        return "shirt"
    if bone.startswith("eye"):
        return "eyes"
    return "skin"
