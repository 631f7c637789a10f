"""The layout holds: data flows one way, Streamlit stays in the UI, MediaPipe in the estimator, the
generator out of the product, the command line out of the pages; and pose's frame contract is
what exercise definitions read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pose_builder import build_track, times

from exercises.catalog import DefinitionError, load_exercises
from exercises.definition import frame_keys, is_valid_ref
from pose.angles import BODY_VALUES, LEG_VALUES, compute_angles

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("analysis", "exercises", "live", "outputs", "pose", "ui", "app_pages")
UI = ("ui", "app_pages", "app")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    files = [ROOT / "app.py", ROOT / "analyze.py"]
    for package in (*PRODUCT, "synth", "benchmarks"):
        files += sorted((ROOT / package).rglob("*.py"))
    return {module_name(p): p for p in files}


MODULES = project_modules()
TOP = {name.split(".")[0] for name in MODULES}


def _runtime_nodes(tree: ast.AST):
    """Every node, except those under `if TYPE_CHECKING:` (type hints only, never imported)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports at run time (at the top or inside functions), absolute names."""
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def project_imports(name: str) -> set[str]:
    return {i for i in imports_of(MODULES[name]) if i in MODULES and i != name}


def owner(name: str) -> str:
    return name.split(".")[0]


def test_the_walk_sees_the_whole_product() -> None:
    assert {"app", "analyze", "analysis.service", "live.coach", "outputs.presenter"} <= set(MODULES)
    assert "pose.estimator" in MODULES and "ui.report_view" in MODULES


def test_no_import_cycle() -> None:
    graph = {name: project_imports(name) for name in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_streamlit_only_in_the_ui(name: str) -> None:
    uses = {
        i for i in imports_of(MODULES[name]) if i.split(".")[0] in ("streamlit", "streamlit_webrtc")
    }
    if owner(name) not in UI:
        assert not uses, (
            f"{name} imports {sorted(uses)}: Streamlit belongs in app.py, app_pages/, ui/"
        )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_mediapipe_only_in_the_estimator(name: str) -> None:
    uses = {i for i in imports_of(MODULES[name]) if i.split(".")[0] == "mediapipe"}
    if name != "pose.estimator":
        assert not uses, f"{name} imports MediaPipe: only pose/estimator.py may"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if owner(n) in (*PRODUCT, "app")))
def test_no_product_module_imports_scipy(name: str) -> None:
    """scipy.signal alone costs a second of CPU to import in every analysing process; the
    filters are pose/iir.py's."""
    uses = {i for i in imports_of(MODULES[name]) if i.split(".")[0] == "scipy"}
    assert not uses, f"{name} imports {sorted(uses)}: the filters are in pose/iir.py"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if owner(n) in (*PRODUCT, "app")))
def test_no_product_module_imports_the_generator(name: str) -> None:
    bad = {i for i in imports_of(MODULES[name]) if owner(i) == "synth"}
    assert not bad, f"{name} imports the clip generator ({sorted(bad)})"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if owner(n) in (*UI, "live")))
def test_no_ui_module_calls_the_command_line(name: str) -> None:
    source = MODULES[name].read_text()
    assert "analyze" not in {i.split(".")[0] for i in imports_of(MODULES[name])}
    assert "build_parser" not in source and "argv" not in source


#: Who may import whom: each layer only from those upstream of it (frames -> ... -> writers -> UI).
UPSTREAM = {
    "pose": set(),
    "exercises": {"pose"},
    "analysis": {"pose", "exercises"},
    "outputs": {"pose", "exercises", "analysis"},
    "live": {"pose", "exercises", "analysis", "outputs"},
    "ui": {"pose", "exercises", "analysis", "outputs", "live"},
    "app_pages": {"pose", "exercises", "analysis", "outputs", "live", "ui"},
    "app": {"pose", "exercises", "analysis", "outputs", "ui"},
    "analyze": {"pose", "exercises", "analysis", "outputs"},
}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if owner(n) in UPSTREAM))
def test_data_flows_one_way(name: str) -> None:
    layer = owner(name)
    reached = {owner(i) for i in project_imports(name)} - {layer}
    assert reached <= UPSTREAM[layer], (
        f"{name} ({layer}) reaches {sorted(reached - UPSTREAM[layer])}, downstream of it"
    )


def test_every_reference_a_definition_may_use_is_in_pose_frames() -> None:
    track = build_track(times(1.0), facing=1)
    frame = compute_angles(track).frame(0)
    refs = [f"{role}.{v}" for role in ("working", "other", "difference") for v in LEG_VALUES]
    refs += list(BODY_VALUES)
    for ref in refs:
        assert is_valid_ref(ref)
        for side in ("left", "right"):
            for key in frame_keys(ref, side):
                assert key in frame, f"{ref} reads {key}, which pose's frames do not have"


def test_a_definition_naming_an_unknown_angle_fails_with_its_file_and_key(tmp_path: Path) -> None:
    from exercises.catalog import DEFINITIONS_DIR

    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "_common.toml").write_text((DEFINITIONS_DIR / "_common.toml").read_text())
    text = (DEFINITIONS_DIR / "couch_stretch.toml").read_text()
    (folder / "couch_stretch.toml").write_text(
        text.replace('angle = "trunk_incline_deg"', 'angle = "trunk_tilt_deg"', 1)
    )
    with pytest.raises(DefinitionError) as err:
        load_exercises(folder)
    message = str(err.value)
    assert "couch_stretch.toml" in message and "'angle'" in message and "trunk_tilt_deg" in message
