"""Render the clip library from its specs: `python -m synth.generate [NAME ...]`.

For every clip: key frames -> joint commands -> posed anny body placed in the room -> frames
rendered off-screen -> H.264 mp4, and a truth file with the projected joints and their angles.
Needs synth/requirements.txt (torch, anny, pyrender) and Debian's libosmesa6 and ffmpeg.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from synth import placement, truth
from synth.angles import body_forward, design_angles
from synth.body import Body, PosedFrames
from synth.camera import Camera, place_camera
from synth.demo import write_catalog
from synth.encode import Mp4Writer
from synth.motion import CHANNELS, ROOT_CHANNELS, commands
from synth.scene import Renderer
from synth.spec import ClipSpec, SecondPerson, load_failure_specs, load_specs

#: Projected points may leave the image by at most this fraction of its size.
FRAME_MARGIN = 0.0


@dataclass(frozen=True)
class Simulation:
    """A clip before rendering: timing, commands, the placed body, and the camera."""

    spec: ClipSpec
    t: np.ndarray
    commands: dict[str, np.ndarray]
    posed: PosedFrames  # placed in the room
    forward: np.ndarray  # (N, 3) the body's forward direction
    camera: Camera
    body: Body
    #: a second person in view (failure library): its body and placed vertices (N, V, 3)
    second_body: Body | None = None
    second_vertices: np.ndarray | None = None

    def scene_vertices(self, i: int) -> np.ndarray:
        """(V, 3) every body's vertices in frame i (the first person's first)."""
        if self.second_vertices is None:
            return self.posed.vertices[i]
        return np.concatenate([self.posed.vertices[i], self.second_vertices[i]])


@lru_cache(maxsize=8)
def _body(phenotype: tuple[tuple[str, float], ...]) -> Body:
    return Body(dict(phenotype))


def _bed(spec: ClipSpec) -> dict | None:
    if spec.bed is None:
        return None
    b = spec.bed
    return {
        **b,
        "extents": (b["width_m"], b["length_m"], b["top_m"]),
        "centre": (0.0, b["length_m"] / 2.0, b["top_m"] / 2.0),
        "colour": tuple(b["colour"]),
    }


def _root_offsets(ch: dict[str, np.ndarray], off: np.ndarray) -> np.ndarray:
    """The placement's offsets plus the root's own translation (travel along −Y, lift up)."""
    if not any(np.any(ch[name] != 0.0) for name in ROOT_CHANNELS):
        return off  # untouched: the clips that never move the root stay as they were
    off = off.copy()
    off[:, 1] -= ch["travel"]
    off[:, 2] += ch["lift"]
    return off


def _place(
    body: Body,
    placement_name: str,
    side: str,
    keys: list[dict[str, float]],
    spec: ClipSpec,
    seed: int,
) -> tuple[np.ndarray, dict[str, np.ndarray], PosedFrames]:
    """(t, commands, posed body placed in the room) for one person's key frames."""
    t, ch = commands(keys, spec.n_frames, spec.fps, spec.sway_deg, seed)
    ch = placement.derive(
        placement_name, side, ch, body.thigh_length, body.shank_length, body.ankle_height
    )
    posed = body.pose(ch)
    off = placement.offsets(
        placement_name, side, posed.vertices, posed.joints, body.trunk_mask, _bed(spec)
    )
    off = _root_offsets(ch, off)
    placed = PosedFrames(
        vertices=posed.vertices + off[:, None, :],
        joints={k: v + off for k, v in posed.joints.items()},
        keypoints={k: v + off for k, v in posed.keypoints.items()},
    )
    return t, ch, placed


def _second(spec: ClipSpec, second: SecondPerson) -> tuple[Body, np.ndarray]:
    """The second person's body and placed vertices (N, V, 3), moved by its offset."""
    body = _body(tuple(sorted(second.body.items())))
    _, _, placed = _place(body, second.placement, second.side, second.keys, spec, second.seed)
    shift = np.array([second.offset_m[0], second.offset_m[1], 0.0])
    return body, placed.vertices + shift


def simulate(spec: ClipSpec) -> Simulation:
    """Pose and place the body for every frame and set up the camera (no rendering)."""
    body = _body(tuple(sorted(spec.body.items())))
    t, ch, placed = _place(body, spec.placement, spec.side, spec.keys, spec, spec.seed)
    if spec.loose:
        placed = PosedFrames(
            vertices=body.loosen(placed.vertices, spec.loose),
            joints=placed.joints,
            keypoints=placed.keypoints,
        )
    allj = np.concatenate([v for v in placed.joints.values()])
    target = np.array(
        [0.0, (allj[:, 1].min() + allj[:, 1].max()) / 2, (allj[:, 2].min() + allj[:, 2].max()) / 2]
    )
    cam = spec.camera
    camera = place_camera(
        target=target,
        near_side=spec.near_side,
        off_axis_deg=float(cam["off_axis_deg"]),
        distance_m=float(cam["distance_m"]),
        height_m=float(cam["height_m"]),
        pitch_deg=None if cam.get("pitch_deg") == "aim" else float(cam["pitch_deg"]),
        yfov_deg=float(cam["yfov_deg"]),
        size=spec.size,
    )
    second_body, second_vertices = None, None
    if spec.second is not None:
        second_body, second_vertices = _second(spec, spec.second)
    sim = Simulation(
        spec,
        t,
        ch,
        placed,
        body_forward(ch["trunk"], ch["yaw"]),
        camera,
        body,
        second_body,
        second_vertices,
    )
    _check_in_frame(sim)
    return sim


def _check_in_frame(sim: Simulation) -> None:
    """A spec whose person leaves the picture is a spec error, not a test of the pipeline."""
    w, h = sim.spec.size
    pts = sim.camera.project(sim.posed.vertices[:: max(1, len(sim.t) // 12)])
    lo, hi = pts.reshape(-1, 2).min(0), pts.reshape(-1, 2).max(0)
    m = FRAME_MARGIN
    if lo[0] < -m * w or lo[1] < -m * h or hi[0] > (1 + m) * w or hi[1] > (1 + m) * h:
        raise ValueError(
            f"{sim.spec.name}: the person leaves the frame (x {lo[0]:.0f}..{hi[0]:.0f} of {w}, "
            f"y {lo[1]:.0f}..{hi[1]:.0f} of {h}); move the camera back"
        )


def make_truth(sim: Simulation) -> truth.Truth:
    """Project both joint definitions and measure their angles (synth.angles)."""
    spec, cam = sim.spec, sim.camera
    lying = np.full(len(sim.t), spec.placement == "bed")
    hips = (sim.posed.joints["left_hip"] + sim.posed.joints["right_hip"]) / 2
    forward_px = cam.project(hips + 0.3 * sim.forward) - cam.project(hips)
    points, angles, arrays = {}, {}, {}
    for d in truth.DEFINITIONS:
        p3 = truth.to_layout(sim.posed.joints, sim.posed.keypoints, d)
        points[d] = cam.project(p3)
        angles[d] = design_angles(points[d], forward_px, lying)
        arrays[f"joints_3d_{d}"] = p3.astype(np.float32)
    arrays["forward_px"] = forward_px
    arrays["camera_position"] = np.asarray(cam.position, float)
    arrays["camera_target"] = np.asarray(cam.target, float)
    arrays["camera_yfov_deg"] = np.asarray(cam.yfov_deg, float)
    for name in CHANNELS:
        arrays[f"command.{name}"] = sim.commands[name]
    for name in ROOT_CHANNELS:  # metres; stored only where the root moves (failure library)
        if np.any(sim.commands[name] != 0.0):
            arrays[f"command.{name}"] = sim.commands[name]
    meta = {
        "name": spec.name,
        "exercise": spec.exercise,
        "side": spec.side,
        "near_side": spec.near_side,
        "description": spec.description,
        "expect": spec.expect,
        "body": spec.body_name,
        "phenotype": spec.body,
        "camera": spec.camera_name,
        "camera_spec": spec.camera,
        "placement": spec.placement,
        "fps": spec.fps,
        "seed": spec.seed,
        "rendered": True,
        "truth_definition": truth.PRIMARY,
        "generator": "synth.generate (anny body, pyrender/OSMesa, x264)",
    }
    if spec.failure:  # keys only the failure library has: the other clips' truth stays as it was
        meta["failure"] = True
        meta["loose"] = spec.loose
        meta["second_person"] = None
        if spec.second is not None:
            meta["second_person"] = {
                "body": spec.second.body_name,
                "placement": spec.second.placement,
                "offset_m": list(spec.second.offset_m),
            }
    return truth.Truth(
        t=sim.t,
        image_size=spec.size,
        points=points,
        angles=angles,
        lying=lying,
        meta=meta,
        arrays=arrays,
    )


def make_renderer(sim: Simulation) -> Renderer:
    """The clip's scene: room, bed, lights and camera, ready for `render(vertices)`."""
    spec = sim.spec
    colours = sim.body.vertex_colours(spec.clothes)
    faces = sim.body.faces
    if sim.second_body is not None and spec.second is not None:
        # one mesh for both people: the second's faces index past the first's vertices
        colours = np.concatenate([colours, sim.second_body.vertex_colours(spec.second.clothes)])
        faces = np.concatenate([faces, sim.second_body.faces + len(sim.posed.vertices[0])])
    supersample = int(spec.room.get("supersample", 2))
    return Renderer(sim.camera, faces, colours, spec.room, _bed(spec), supersample=supersample)


def render_frames(sim: Simulation, frames: list[int] | None = None) -> Iterator[np.ndarray]:
    """RGB frames of the clip (all, or just the given indices)."""
    r = make_renderer(sim)
    try:
        for i in range(len(sim.t)) if frames is None else frames:
            yield r.render(sim.scene_vertices(i))
    finally:
        r.close()


def generate(spec: ClipSpec) -> float:
    """Write the clip's mp4 and truth file; returns seconds taken."""
    start = time.perf_counter()
    spec.video_path.parent.mkdir(parents=True, exist_ok=True)
    sim = simulate(spec)
    with Mp4Writer(spec.video_path, spec.size, spec.fps) as out:
        for frame in render_frames(sim):
            out.write(frame)
    truth.save(spec.truth_path, make_truth(sim))
    return time.perf_counter() - start


def preview(spec: ClipSpec, out_dir: str) -> str:
    """A 2x2 contact sheet of the clip with the skeleton truth dotted on (for eyeballing specs)."""
    from pathlib import Path

    from PIL import Image

    sim = simulate(spec)
    tr = make_truth(sim)
    idx = [round(f * (len(sim.t) - 1)) for f in (0.0, 0.33, 0.66, 1.0)]
    w, h = spec.size
    sheet = Image.new("RGB", (2 * w, 2 * h))
    for k, (i, img) in enumerate(zip(idx, render_frames(sim, idx), strict=True)):
        img = img.copy()
        for colour, d in (((0, 255, 0), "skeleton"), ((255, 0, 255), "surface")):
            for x, y in tr.points[d][i, 11:29]:
                xi, yi = int(x), int(y)
                img[max(0, yi - 1) : yi + 2, max(0, xi - 1) : xi + 2] = colour
        sheet.paste(Image.fromarray(img), ((k % 2) * w, (k // 2) * h))
    path = Path(out_dir) / f"{spec.name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return str(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="clip names (default: every clip in synth/specs)")
    ap.add_argument("--list", action="store_true", help="list the clips and exit")
    ap.add_argument("--markdown", action="store_true", help="with --list: a markdown table")
    ap.add_argument("--preview", metavar="DIR", help="write a contact sheet PNG per clip instead")
    ap.add_argument(
        "--failures",
        action="store_true",
        help="the failure library (synth/specs/failures) instead of the demo library",
    )
    args = ap.parse_args(argv)
    specs = load_failure_specs() if args.failures else load_specs()
    if args.list and args.markdown:
        print("| clip | exercise | tested leg | body | camera | s | what it shows |")
        print("|---|---|---|---|---|---|---|")
        for s in specs:
            ci = " (CI)" if s.ci else ""
            print(
                f"| `{s.name}`{ci} | {s.exercise} | {s.side} | {s.body_name} | {s.camera_name} "
                f"| {s.duration_s:g} | {s.description} |"
            )
        return 0
    if args.list:
        for s in specs:
            print(
                f"{s.name:40s} {s.exercise:28s} {s.side:5s} {s.duration_s:4.0f} s  {s.description}"
            )
        return 0
    if args.names:
        unknown = set(args.names) - {s.name for s in specs}
        if unknown:
            print(f"unknown clips: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        specs = [s for s in specs if s.name in args.names]
    total = time.perf_counter()
    if args.preview:
        for s in specs:
            print(preview(s, args.preview), flush=True)
        return 0
    for s in specs:
        took = generate(s)
        size = s.video_path.stat().st_size / 1e3
        print(f"{s.name}: {s.n_frames} frames, {size:.0f} kB, {took:.1f} s", flush=True)
    print(f"{len(specs)} clips in {time.perf_counter() - total:.0f} s")
    if not args.failures:  # failure clips are no demos: the catalogue never lists them
        print(f"demo catalogue: {write_catalog()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
