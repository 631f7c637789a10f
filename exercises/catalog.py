"""Read exercise definitions from their TOML data files, checking them once with messages that name
the file and the field, so a therapist's typo fails loudly instead of changing a verdict silently.

Layout: `exercises/definitions/*.toml`, one exercise per file; files whose name starts with "_" hold
shared data (`_common.toml`: the sources cited by key and the engine's timing defaults).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from exercises.definition import (
    BODY_VALUES,
    CAMERA_CLASSES,
    KINDS,
    LEG_VALUES,
    OPS,
    POSTURES,
    VERDICT_METHODS,
    Condition,
    EngineTiming,
    ExerciseDefinition,
    Finding,
    FormRule,
    NotAssessed,
    Phases,
    RepRule,
    Sourced,
    Target,
    Uncertainty,
    VerdictRule,
    is_valid_ref,
)
from pose.angles import SIDE_ANGLES

#: Where the shipped definitions live.
DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
COMMON_FILE = "_common.toml"


class DefinitionError(ValueError):
    """A definition file that does not follow the documented layout."""


class UnknownExerciseError(ValueError):
    """An exercise id that no definition file defines; the message lists the known ids."""

    def __init__(self, exercise_id: str, known: list[str]) -> None:
        self.exercise_id = exercise_id
        self.known = sorted(known)
        super().__init__(
            f"unknown exercise {exercise_id!r}; known exercises: {', '.join(self.known)}"
        )


class _Reader:
    """Typed access to one TOML table, naming the file and the field in every error."""

    def __init__(self, data: Mapping[str, Any], where: str, sources: Mapping[str, str]) -> None:
        self.data, self.where, self.sources = data, where, sources

    def fail(self, message: str) -> DefinitionError:
        return DefinitionError(f"{self.where}: {message}")

    def sub(self, key: str) -> _Reader:
        value = self.data.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(f"[{key}] must be a table")
        return _Reader(value, f"{self.where} [{key}]", self.sources)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key!r} must be a non-empty string")
        return value.strip()

    def number(self, key: str) -> float:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{key!r} must be a number, got {value!r}")
        return float(value)

    def source(self, value: Any, key: str) -> str:
        """A source key or list of keys -> their texts joined by "; "."""
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise self.fail(f"{key!r} needs a source: a key of [sources] or a list of keys")
        unknown = [k for k in keys if k not in self.sources]
        if unknown:
            raise self.fail(
                f"{key!r} cites unknown source {', '.join(unknown)}; known: {', '.join(sorted(self.sources))}"
            )
        return "; ".join(self.sources[k] for k in keys)

    def sourced(self, key: str) -> Sourced:
        """`key = { value = x, source = "key" }`."""
        item = self.data.get(key)
        if not isinstance(item, Mapping) or "value" not in item:
            raise self.fail(f"{key!r} must be {{ value = <number>, source = <key> }}")
        inner = _Reader(item, f"{self.where} {key}", self.sources)
        return Sourced(inner.number("value"), self.source(item.get("source"), key))

    def optional_sourced(self, key: str) -> Sourced | None:
        return self.sourced(key) if key in self.data else None

    def ref(self, key: str) -> str:
        ref = self.text(key)
        if not is_valid_ref(ref):
            raise self.fail(
                f"{key!r} = {ref!r} names no value; use working.<x>, other.<x> or difference.<x> with x in "
                f"{', '.join(LEG_VALUES)}, or one of {', '.join(BODY_VALUES)}"
            )
        return ref

    def condition(self, threshold_key: str = "threshold") -> Condition:
        op = self.text("op")
        if op not in OPS:
            raise self.fail(f"'op' must be one of {', '.join(OPS)}, got {op!r}")
        return Condition(
            ref=self.ref("angle"),
            op=op,
            threshold=self.number(threshold_key),
            source=self.source(self.data.get("source"), "source"),
        )

    def tables(self, key: str) -> list[_Reader]:
        items = self.data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise self.fail(f"[[{key}]] must be an array of tables")
        return [
            _Reader(item, f"{self.where} [[{key}]] #{n + 1}", self.sources)
            for n, item in enumerate(items)
        ]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path}: not valid TOML ({exc})") from exc


def _timing(common: _Reader, own: Mapping[str, Any], path: str) -> EngineTiming:
    """The engine defaults of _common.toml with the definition's own [engine] overrides."""
    merged = {**common.data, **own}
    reader = _Reader(merged, f"{path} [engine] / {common.where}", common.sources)
    known = EngineTiming.__dataclass_fields__
    unknown = set(own) - set(known)
    if unknown:
        raise DefinitionError(
            f"{path} [engine]: unknown settings {', '.join(sorted(unknown))}; "
            f"known: {', '.join(known)}"
        )
    return EngineTiming(
        **{name: reader.sourced(name) for name in EngineTiming.__dataclass_fields__}
    )


def _target(r: _Reader) -> Target:
    target = Target(
        ref=r.ref("angle"),
        min=r.optional_sourced("min"),
        max=r.optional_sourced("max"),
        hold_s=r.optional_sourced("hold_s"),
        sets=r.optional_sourced("sets"),
        cue=r.text("cue"),
        praise=r.text("praise"),
        done=r.text("done") if r.has("done") else r.text("praise"),
    )
    if target.min is None and target.max is None:
        raise r.fail("needs 'min' or 'max'")
    if target.min is not None and target.max is not None and target.min.value > target.max.value:
        raise r.fail("'min' is above 'max'")
    return target


def _verdict(r: _Reader) -> VerdictRule:
    method = r.text("method")
    if method not in VERDICT_METHODS:
        raise r.fail(f"'method' must be one of {', '.join(VERDICT_METHODS)}, got {method!r}")
    findings = tuple(
        Finding(id=f.text("id"), name=f.text("name"), condition=f.condition())
        for f in r.tables("findings")
    )
    if not findings:
        raise r.fail("needs at least one [[verdict.findings]]")
    uncertainty, side_on_max = (
        _uncertainty(r.sub("uncertainty")) if r.has("uncertainty") else ((), None)
    )
    rule = VerdictRule(
        method=method,
        findings=findings,
        settle_s=r.optional_sourced("settle_s"),
        min_reps=r.optional_sourced("min_reps"),
        steady_deg=r.optional_sourced("steady_deg"),
        not_assessed=tuple(
            NotAssessed(id=n.text("id"), name=n.text("name"), why=n.text("why"))
            for n in r.tables("not_assessed")
        ),
        uncertainty=uncertainty,
        side_on_max_deg=side_on_max,
    )
    decisive = {f.condition.ref.partition(".")[2] for f in findings}
    covered = {u.angle for u in uncertainty}
    if uncertainty and not decisive <= covered:
        raise r.fail(
            f"[verdict.uncertainty] needs every finding's angle: missing "
            f"{', '.join(sorted(decisive - covered))}"
        )
    if method == "settled_median" and rule.settle_s is None:
        raise r.fail("method settled_median needs 'settle_s'")
    if method == "rep_peaks" and rule.min_reps is None:
        raise r.fail("method rep_peaks needs 'min_reps'")
    return rule


def _uncertainty(r: _Reader) -> tuple[tuple[Uncertainty, ...], Sourced]:
    """[verdict.uncertainty]: `side_on_max_deg`, and per decisive angle
    `<angle> = { side_on = <deg>, oblique = <deg>, source = <key> }`."""
    out: dict[str, Uncertainty] = {}
    for name, item in r.data.items():
        if name == "side_on_max_deg":
            continue
        if name not in SIDE_ANGLES:
            raise r.fail(f"{name!r} is not an angle; use one of {', '.join(SIDE_ANGLES)}")
        if not isinstance(item, Mapping):
            raise r.fail(f"{name!r} must be {{ side_on = <deg>, oblique = <deg>, source = <key> }}")
        inner = _Reader(item, f"{r.where} {name}", r.sources)
        u = Uncertainty(
            name,
            inner.number(CAMERA_CLASSES[0]),
            inner.number(CAMERA_CLASSES[1]),
            r.source(item.get("source"), name),
        )
        if min(u.side_on, u.oblique) <= 0:
            raise r.fail(f"{name!r}: an uncertainty is a positive number of degrees")
        out[name] = u
    return tuple(out.values()), r.sourced("side_on_max_deg")


#: The working leg's one value a position may skip while unread: its knee, whose ankle can be out
#: of the picture (a foot hanging below a bed's edge) while the hip and thigh are measured.
WORKING_IF_SEEN: frozenset[str] = frozenset({"working.knee_flexion_deg"})


def _position_condition(r: _Reader) -> Condition:
    """A [[position]] condition, with its optional `if_seen` (the other leg, a whole-body value
    such as the view check's estimate, which a frame may not be able to tell, or the working knee;
    never the working leg's hip or thigh, which must be measured)."""
    condition = r.condition()
    if_seen = r.data.get("if_seen", False)
    if not isinstance(if_seen, bool):
        raise r.fail(f"'if_seen' must be true or false, got {if_seen!r}")
    if if_seen and condition.ref.startswith("working.") and condition.ref not in WORKING_IF_SEEN:
        raise r.fail(
            "'if_seen' applies to the other leg, a whole-body value or the working knee, "
            "not the working leg's hip or thigh"
        )
    return replace(condition, if_seen=if_seen)


def parse_definition(
    data: Mapping[str, Any], path: str, common: Mapping[str, Any]
) -> ExerciseDefinition:
    """One exercise from its parsed TOML and the parsed _common.toml."""
    sources = common.get("sources", {})
    r = _Reader(data, path, sources)
    common_engine = _Reader(common.get("engine", {}), f"{COMMON_FILE} [engine]", sources)
    kind = r.text("kind")
    if kind not in KINDS:
        raise r.fail(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    postures = data.get("postures")
    if not isinstance(postures, list) or not postures or not set(postures) <= set(POSTURES):
        raise r.fail(f"'postures' must be a non-empty list drawn from {', '.join(POSTURES)}")
    phases = r.sub("phases")
    side = r.sub("side")
    faults = tuple(
        FormRule(id=f.text("id"), name=f.text("name"), cue=f.text("cue"), condition=f.condition())
        for f in r.tables("faults")
    )
    ids = [f.id for f in faults]
    if len(set(ids)) != len(ids):
        raise r.fail(f"fault ids must be unique, got {ids}")
    reps = None
    if r.has("reps"):
        rr = r.sub("reps")
        reps = RepRule(
            ref=rr.ref("angle"),
            enter_deg=rr.sourced("enter_deg"),
            exit_deg=rr.sourced("exit_deg"),
            per_side=rr.sourced("per_side"),
            swing_deg=rr.optional_sourced("swing_deg"),
            rest_hold_s=rr.optional_sourced("rest_hold_s"),
        )
        if reps.enter_deg.value == reps.exit_deg.value:
            raise rr.fail("'enter_deg' and 'exit_deg' must differ (the gap is the hysteresis)")
    verdict = _verdict(r.sub("verdict")) if r.has("verdict") else None
    if kind == "self_test" and (verdict is None or verdict.method != "settled_median"):
        raise r.fail("a self_test needs [verdict] with method settled_median")
    if kind == "rep_test" and (verdict is None or verdict.method != "rep_peaks" or reps is None):
        raise r.fail("a rep_test needs [reps] and [verdict] with method rep_peaks")
    own_engine = data.get("engine", {})
    if not isinstance(own_engine, Mapping):
        raise r.fail("[engine] must be a table")
    side_angle = side.text("angle")
    if side_angle not in LEG_VALUES:
        raise side.fail(f"'angle' must be one of {', '.join(LEG_VALUES)}")
    return ExerciseDefinition(
        id=r.text("id"),
        name=r.text("name"),
        description=r.text("description"),
        kind=kind,
        view=r.text("view"),
        postures=tuple(postures),
        measured_leg=r.text("measured_leg"),
        setup=r.text("setup"),
        phases=Phases(
            position=phases.text("position"),
            active=phases.text("active"),
            active_label=phases.text("active_label"),
            release=phases.text("release"),
            other_side=phases.text("other_side"),
            done=phases.text("done"),
        ),
        side_angle=side_angle,
        side_margin_deg=side.sourced("margin_deg"),
        position=tuple(_position_condition(p) for p in r.tables("position")),
        target=_target(r.sub("target")),
        faults=faults,
        timing=_timing(common_engine, own_engine, path),
        reps=reps,
        verdict=verdict,
        path=path,
    )


def _shown_path(file: Path) -> str:
    """The file as reports name it: relative to the project for the shipped definitions (a report
    leaves the machine; its folders need not), in full for a therapist's own copy elsewhere."""
    project = DEFINITIONS_DIR.parents[1]
    resolved = file.resolve()
    return str(resolved.relative_to(project)) if resolved.is_relative_to(project) else str(resolved)


def load_exercises(path: str | Path | None = None) -> dict[str, ExerciseDefinition]:
    """All exercise definitions, by id.

    `path` is a folder of definition files (with its own `_common.toml`) or one definition file
    (its `_common.toml` is the one beside it); None reads the shipped `exercises/definitions/`.
    Raises DefinitionError naming the file and field of anything malformed.
    """
    path = DEFINITIONS_DIR if path is None else Path(path)
    folder = path if path.is_dir() else path.parent
    files = sorted(folder.glob("*.toml")) if path.is_dir() else [path]
    common_path = folder / COMMON_FILE
    if not common_path.is_file():
        raise DefinitionError(f"{folder}: {COMMON_FILE} (sources and engine defaults) is missing")
    common = _read_toml(common_path)
    out: dict[str, ExerciseDefinition] = {}
    for file in files:
        if file.name.startswith("_"):
            continue
        definition = parse_definition(_read_toml(file), _shown_path(file), common)
        if definition.id in out:
            raise DefinitionError(
                f"{file}: id {definition.id!r} is also defined in {out[definition.id].path}"
            )
        out[definition.id] = definition
    if not out:
        raise DefinitionError(f"{path}: no exercise definitions found")
    return out


def get_exercise(
    exercise_id: str, definitions: Mapping[str, ExerciseDefinition] | None = None
) -> ExerciseDefinition:
    """The definition of `exercise_id`; UnknownExerciseError (listing the known ids) if none."""
    definitions = load_exercises() if definitions is None else definitions
    try:
        return definitions[exercise_id]
    except KeyError:
        raise UnknownExerciseError(exercise_id, list(definitions)) from None


def list_exercises(definitions: Mapping[str, ExerciseDefinition] | None = None) -> str:
    """`--list-exercises` text: one line per exercise, "id  description"."""
    definitions = load_exercises() if definitions is None else definitions
    width = max(len(i) for i in definitions)
    return "\n".join(
        f"{d.id:<{width}}  {d.description}"
        for d in sorted(definitions.values(), key=lambda d: d.id)
    )
