"""The accuracy report's markdown tables, from scored clips (`synth.scoring.ClipResult`)."""

from __future__ import annotations

import numpy as np

from synth import correction
from synth.evaluate import SCORED, ErrorStats
from synth.scoring import ClipResult, camera_class
from synth.truth import PRIMARY

SHORT = {"hip_extension_deg": "hip ext", "knee_flexion_deg": "knee flex",
         "thigh_to_horizontal_deg": "thigh–horiz", "trunk_incline_deg": "trunk incl"}  # fmt: skip


def _pooled(results: list[ClipResult], src: str, d: str, a: str) -> ErrorStats:
    """Stats pooled over clips, weighting each frame equally."""
    parts = [r.errors[(src, d, a)] for r in results if r.errors[(src, d, a)].n]
    if not parts:
        return ErrorStats(np.nan, np.nan, np.nan, 0)
    n = sum(p.n for p in parts)
    return ErrorStats(
        sum(p.bias * p.n for p in parts) / n,
        sum(p.mae * p.n for p in parts) / n,
        max(p.worst for p in parts),
        n,
    )


def summary_table(results: list[ClipResult]) -> list[str]:
    """Per exercise and camera class: pipeline and raw errors against the skeleton truth."""
    lines = [
        "| exercise | camera | clips | angle (tested leg) | pipeline bias / MAE / worst | raw MediaPipe bias / MAE / worst | pipeline MAE vs surface truth | camera's own effect: projected − side-on truth, MAE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[ClipResult]] = {}
    for r in results:
        groups.setdefault((r.spec.exercise, camera_class(r.spec)), []).append(r)
    order = {"ideal": 0, "off-axis": 1, "poor": 2}
    for (ex, cam), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        for a in SCORED:
            p = _pooled(rs, "pipeline", PRIMARY, a)
            if p.n == 0:
                continue
            raw = _pooled(rs, "raw", PRIMARY, a)
            surf = _pooled(rs, "pipeline", "surface", a)
            view = _pooled(rs, "truth", "sagittal", a)
            lines.append(
                f"| {ex} | {cam} | {len(rs)} | {SHORT[a]} | {p.cell()} | {raw.cell()} "
                f"| {surf.mae:.1f} | {view.mae:.1f} |"
            )
    return lines


def clip_table(results: list[ClipResult]) -> list[str]:
    lines = [
        "| clip | exercise | camera | "
        + " | ".join(f"{SHORT[a]}: pipeline / raw MAE" for a in SCORED)
        + " |",
        "|---|---|---|" + "---|" * len(SCORED),
    ]
    for r in results:
        cells = []
        for a in SCORED:
            p, raw = r.errors[("pipeline", PRIMARY, a)], r.errors[("raw", PRIMARY, a)]
            cells.append(
                "–" if p.n == 0 else f"{p.bias:+.1f} / {p.mae:.1f} / {p.worst:.1f} · {raw.mae:.1f}"
            )
        cam = f"{r.spec.camera_name} ({camera_class(r.spec)})"
        lines.append(f"| {r.spec.name} | {r.spec.exercise} | {cam} | " + " | ".join(cells) + " |")
    return lines


def _verdict_cell(v: dict | None, sides: list[str]) -> str:
    if v is None:
        return "n/a"
    parts = []
    for s in sides:
        sv = v.get(s, {})
        extra = ", ".join(sv.get("findings", []) + sv.get("faults", []))
        parts.append(f"{s}: {sv.get('verdict')}" + (f" ({extra})" if extra else ""))
    return "; ".join(parts)


def verdict_table(results: list[ClipResult]) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Engine verdicts on the truth landmarks and on the video, each against the spec's intent.

    Truth ≠ spec points at the engine's rules or the clip; truth = spec but video ≠ spec points at
    the measurement.
    """
    lines = [
        "| clip | expected (spec) | engine on truth landmarks | engine on video | truth as expected | video as expected |",
        "|---|---|---|---|---|---|",
    ]
    counts = {"truth": [0, 0], "video": [0, 0]}
    for r in results:
        exp = r.spec.expect
        sides = exp.get("sides") or [r.spec.side]
        named = exp.get("findings", []) + exp.get("faults", [])
        want = f"{exp.get('verdict', '–')}" + (f" ({', '.join(named)})" if named else "")
        oks = []
        for key, got in (("truth", r.verdict_truth), ("video", r.verdict_video)):
            if got is None:
                oks.append("n/a")
                continue
            good = all(_matches(exp, got.get(s, {})) for s in sides)
            counts[key][0] += good
            counts[key][1] += 1
            oks.append("yes" if good else "**no**")
        lines.append(
            f"| {r.spec.name} | {want} | {_verdict_cell(r.verdict_truth, sides)} "
            f"| {_verdict_cell(r.verdict_video, sides)} | {oks[0]} | {oks[1]} |"
        )
    return lines, {k: (v[0], v[1]) for k, v in counts.items()}


def _matches(exp: dict, got: dict) -> bool:
    """The side's verdict, findings and faults are what the spec expects (where it says)."""
    if "verdict" in exp and got.get("verdict") != exp["verdict"]:
        return False
    if "findings" in exp and sorted(exp["findings"]) != sorted(got.get("findings", [])):
        return False
    return "faults" not in exp or set(exp["faults"]) == set(got.get("faults", []))


def correction_section(
    results: list[ClipResult], offset: correction.HipOffset, real: list[str]
) -> list[str]:
    lines = [
        "Median offset from MediaPipe's hip point to the rig's hip joint centre, ideal-camera clips, in "
        "trunk lengths (along the trunk towards the shoulders, towards the front): "
        f"near hip ({offset.near[0]:+.3f}, {offset.near[1]:+.3f}), "
        f"far hip ({offset.far[0]:+.3f}, {offset.far[1]:+.3f}).",
        "",
        "Raw MediaPipe MAE (degrees, tested leg) without and with each candidate correction:",
        "",
        "| angle | clips | raw | hip shift | near trunk |",
        "|---|---|---|---|---|",
    ]
    groups = {
        "all": results,
        "ideal camera": [r for r in results if camera_class(r.spec) == "ideal"],
    }
    for a in SCORED:
        for label, rs in groups.items():
            cells = [
                f"{_pooled(rs, src, PRIMARY, a).mae:.2f}"
                for src in ("raw", "hip shift", "near trunk")
            ]
            lines.append(f"| {SHORT[a]} | {label} | " + " | ".join(cells) + " |")
    lines += ["", *real]
    return lines
