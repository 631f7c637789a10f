"""The declarative clip specs (`synth/specs/*.toml`) read into plain, resolved records.

Standard library only: the app's tests read the specs beside the committed clips without the
generator's requirements. Key frames name legs by role ("test" = the leg being tested or
stretched, "other"), so one motion serves both sides; `ClipSpec.keys` holds them resolved to
the person's left (`_l`) and right (`_r`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).resolve().parent / "specs"
CLIP_DIR = Path(__file__).resolve().parent / "clips"
#: the rendered videos are a product asset (the app's demo); their truth files stay here
DEMO_DIR = Path(__file__).resolve().parents[1] / "assets" / "demo_clips"
#: The failure library (issue 11): people who never do a test (a crouch, a jump, a turn, walking
#: past, ...). Specs in `specs/failures/`, videos and truth files together in `clips/failures/`:
#: they are test fixtures, never the app's demo (its catalogue lists `DEMO_DIR` only).
FAILURE_SPEC_DIR = SPEC_DIR / "failures"
FAILURE_DIR = CLIP_DIR / "failures"

EXERCISES = (
    "thomas_test",
    "standing_hip_extension_test",
    "half_kneeling_stretch",
    "standing_lunge_stretch",
    "supine_edge_stretch",
)
#: "feet": both feet flat and planted (a crouch, a jump's take-off and landing); "walk": the
#: stance foot planted, the body carried on by the legs (synth/placement.py)
PLACEMENTS = ("stand", "kneel", "lunge", "bed", "feet", "walk")
#: Channels a key frame may set, by role; "trunk", "yaw" and the root's "travel" and "lift"
#: (metres, synth/motion.py) belong to no leg.
ROLE_CHANNELS = ("hip", "knee", "ankle", "shoulder", "elbow")
BODY_CHANNELS = ("trunk", "yaw", "travel", "lift")


@dataclass(frozen=True)
class ClipSpec:
    """Everything needed to render one clip and to judge what a pipeline made of it."""

    name: str
    exercise: str
    side: str  # the tested leg: "left" / "right"
    near_side: str  # the side the camera sees
    description: str
    placement: str
    duration_s: float
    fps: float
    size: tuple[int, int]
    seed: int
    sway_deg: float
    body: dict[str, float]
    body_name: str
    clothes: dict[str, tuple[float, float, float]]
    camera: dict[str, Any]
    camera_name: str
    room: dict[str, Any]
    bed: dict[str, Any] | None
    keys: list[dict[str, float]]
    expect: dict[str, Any] = field(default_factory=dict)
    ci: bool = False
    #: a failure-library clip (`specs/failures/`): a test fixture, not a demo
    failure: bool = False
    #: loose clothing: garment -> metres the cloth stands off the skin (synth/body.py)
    loose: dict[str, float] = field(default_factory=dict)
    #: a second person in the scene (`second_person`), or None
    second: SecondPerson | None = None

    @property
    def n_frames(self) -> int:
        return round(self.duration_s * self.fps)

    @property
    def video_path(self) -> Path:
        if self.failure:
            return FAILURE_DIR / f"{self.name}.mp4"
        return DEMO_DIR / f"{self.name}.mp4"

    @property
    def truth_path(self) -> Path:
        if self.failure:
            return FAILURE_DIR / f"{self.name}.truth.npz"
        return CLIP_DIR / f"{self.name}.truth.npz"


@dataclass(frozen=True)
class SecondPerson:
    """Another person in view: own body, clothes, placement and key frames, moved by `offset_m`
    (world x, y metres: x towards the camera's side, y behind the first person's start)."""

    body: dict[str, float]
    body_name: str
    clothes: dict[str, tuple[float, float, float]]
    placement: str
    side: str
    seed: int
    keys: list[dict[str, float]]
    offset_m: tuple[float, float]


def _legs(side: str) -> dict[str, str]:
    other = "left" if side == "right" else "right"
    return {"test": side[0], "other": other[0]}


def _resolve_key(key: dict[str, Any], base: dict[str, Any], side: str) -> dict[str, float]:
    """Merge a key frame onto its pose preset and turn role names into _l/_r channel names."""
    merged = {**base, **key}
    legs = _legs(side)
    out: dict[str, float] = {"t": float(merged.pop("t"))}
    merged.pop("pose", None)
    for name, value in merged.items():
        if name in BODY_CHANNELS:
            out[name] = float(value)
            continue
        ch, _, role = name.rpartition("_")
        if ch in ROLE_CHANNELS and role in ("l", "r"):  # a leg named outright (side switches)
            out[name] = float(value)
            continue
        if ch not in ROLE_CHANNELS or role not in legs:
            raise ValueError(f"unknown key-frame channel {name!r}")
        out[f"{ch}_{legs[role]}"] = float(value)
    return out


def _pick(table: dict[str, Any], ref: Any, what: str) -> tuple[str, Any]:
    """A named preset, or an inline table (named 'custom')."""
    if isinstance(ref, str):
        if ref not in table:
            raise ValueError(f"unknown {what} {ref!r}; known: {sorted(table)}")
        return ref, table[ref]
    return "custom", ref


def load_specs(paths: list[Path] | None = None) -> list[ClipSpec]:
    """All clip specs in `paths` (default: every `synth/specs/*.toml`), names unique.

    The failure library (`specs/failures/`) is not among the defaults: `load_failure_specs`."""
    paths = paths or sorted(SPEC_DIR.glob("*.toml"))
    return _load(paths, paths)


def load_failure_specs(paths: list[Path] | None = None) -> list[ClipSpec]:
    """The failure library's clips (default: every `synth/specs/failures/*.toml`), using the
    main library's presets (bodies, clothes, cameras, rooms, poses) and their own."""
    paths = paths or sorted(FAILURE_SPEC_DIR.glob("*.toml"))
    return _load([*sorted(SPEC_DIR.glob("*.toml")), *paths], paths, failure=True)


def _load(
    preset_paths: list[Path], clip_paths: list[Path], failure: bool = False
) -> list[ClipSpec]:
    presets: dict[str, dict[str, Any]] = {}
    clips: list[dict[str, Any]] = []
    for path in dict.fromkeys([*preset_paths, *clip_paths]):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for section in ("defaults", "bodies", "clothes", "cameras", "rooms", "beds", "poses"):
            presets.setdefault(section, {}).update(data.get(section, {}))
        if path in clip_paths:
            clips.extend(data.get("clip", []))
    specs = [_build(c, presets, failure) for c in clips]
    names = [s.name for s in specs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"duplicate clip names: {sorted(dupes)}")
    return specs


def _keys(raw: list[dict[str, Any]], p: dict[str, dict[str, Any]], side: str, name: str):
    keys = []
    for key in raw:
        base = p["poses"][key["pose"]] if "pose" in key else {}
        keys.append(_resolve_key(key, base, side))
    times = [k["t"] for k in keys]
    if times != sorted(times) or times[0] != 0.0:
        raise ValueError(f"{name}: key frames must start at t=0 and be in order")
    return keys


def _second(d: dict[str, Any], p: dict[str, dict[str, Any]], name: str) -> SecondPerson:
    body_name, body = _pick(p["bodies"], d["body"], "body")
    _, clothes = _pick(p["clothes"], d["clothes"], "clothes")
    side = d.get("side", "right")
    if d["placement"] not in PLACEMENTS or d["placement"] == "bed":
        raise ValueError(f"{name}: the second person's placement must be on the floor")
    return SecondPerson(
        body={k: float(v) for k, v in body.items()},
        body_name=body_name,
        clothes={k: tuple(float(x) for x in v) for k, v in clothes.items()},
        placement=d["placement"],
        side=side,
        seed=int(d.get("seed", 2)),
        keys=_keys(d["keys"], p, side, f"{name} (second person)"),
        offset_m=(float(d["offset_m"][0]), float(d["offset_m"][1])),
    )


def _build(c: dict[str, Any], p: dict[str, dict[str, Any]], failure: bool = False) -> ClipSpec:
    d = {**p["defaults"], **c}
    if d["exercise"] not in EXERCISES:
        raise ValueError(f"{d['name']}: unknown exercise {d['exercise']!r}")
    side = d["side"]
    if side not in ("left", "right"):
        raise ValueError(f"{d['name']}: side must be left or right")
    body_name, body = _pick(p["bodies"], d["body"], "body")
    _, clothes = _pick(p["clothes"], d["clothes"], "clothes")
    camera_name, camera = _pick(p["cameras"], d["camera"], "camera")
    camera = {**p["cameras"].get("_base", {}), **camera, **d.get("camera_override", {})}
    _, room = _pick(p["rooms"], d["room"], "room")
    bed = None
    if d.get("bed"):
        _, bed = _pick(p["beds"], d["bed"], "bed")
    keys = _keys(d["keys"], p, side, d["name"])
    placement = d["placement"]
    if placement not in PLACEMENTS:
        raise ValueError(f"{d['name']}: placement must be one of {PLACEMENTS}")
    return ClipSpec(
        name=d["name"],
        exercise=d["exercise"],
        side=side,
        near_side=d.get("near_side", side),
        description=d.get("description", ""),
        placement=placement,
        duration_s=float(d["duration_s"]),
        fps=float(d["fps"]),
        size=(int(d["size"][0]), int(d["size"][1])),
        seed=int(d["seed"]),
        sway_deg=float(d["sway_deg"]),
        body={k: float(v) for k, v in body.items()},
        body_name=body_name,
        clothes={k: tuple(float(x) for x in v) for k, v in clothes.items()},
        camera=camera,
        camera_name=camera_name,
        room=room,
        bed=bed,
        keys=keys,
        expect=dict(d.get("expect", {})),
        ci=bool(d.get("ci", False)),
        failure=failure,
        loose={k: float(v) for k, v in d.get("loose", {}).items()},
        second=_second(d["second_person"], p, d["name"]) if "second_person" in d else None,
    )
