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
        near = [f"{b} borderline" for b in sv.get("borderline", [])]
        extra = ", ".join(sv.get("findings", []) + near + sv.get("faults", []))
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


CORRECTIONS = ("hip shift", "near trunk", "midpoint trunk", "per-leg trunk")


def correction_section(
    results: list[ClipResult], offset: correction.HipOffset, real: list[str]
) -> list[str]:
    lines = [
        "Median offset from MediaPipe's hip point to the rig's hip joint centre, ideal-camera clips, in "
        "trunk lengths (along the trunk towards the shoulders, towards the front): "
        f"near hip ({offset.near[0]:+.3f}, {offset.near[1]:+.3f}), "
        f"far hip ({offset.far[0]:+.3f}, {offset.far[1]:+.3f}).",
        "",
        "Raw MediaPipe MAE (degrees, tested leg) without and with each candidate correction. raw = "
        "the pipeline's geometry as it is (the near leg against its own side's trunk line when "
        "kneeling side-on); midpoint trunk = every leg against the midpoint line (the rule before); "
        "per-leg trunk = the near leg against its own side's line in every posture and view:",
        "",
        "| angle | clips | raw | " + " | ".join(CORRECTIONS) + " |",
        "|---|---|---|" + "---|" * len(CORRECTIONS),
    ]
    groups = {
        "all": results,
        "ideal camera": [r for r in results if camera_class(r.spec) == "ideal"],
    }
    for a in SCORED:
        for label, rs in groups.items():
            cells = [f"{_pooled(rs, src, PRIMARY, a).mae:.2f}" for src in ("raw", *CORRECTIONS)]
            lines.append(f"| {SHORT[a]} | {label} | " + " | ".join(cells) + " |")
    lines += ["", *trunk_study_table(results), "", *real]
    return lines


def trunk_study_table(results: list[ClipResult]) -> list[str]:
    """The per-leg trunk line by placement and camera: hip extension of the tested leg."""
    lines = [
        "### Per-leg trunk line",
        "",
        "Hip extension of the tested leg (raw MediaPipe, bias / MAE, degrees) against the trunk line "
        "through the midpoints (before), the near leg's own side's line everywhere, and the rule "
        "adopted (own line kneeling with a side-on view, pose.angles.OWN_TRUNK_POSTURES):",
        "",
        "| placement | camera | clips | midpoint trunk | per-leg everywhere | adopted |",
        "|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[ClipResult]] = {}
    for r in results:
        cam = "ideal" if camera_class(r.spec) == "ideal" else "off-axis or poor"
        groups.setdefault((r.spec.placement, cam), []).append(r)
    for (place, cam), rs in sorted(groups.items()):
        cells = []
        for src in ("midpoint trunk", "per-leg trunk", "raw"):
            p = _pooled(rs, src, PRIMARY, "hip_extension_deg")
            cells.append(f"{p.bias:+.1f} / {p.mae:.1f}")
        lines.append(f"| {place} | {cam} | {len(rs)} | " + " | ".join(cells) + " |")
    return lines


#: A camera counts as side-on for an uncertainty up to this estimate (the definitions'
#: [verdict.uncertainty] side_on_max_deg).
SIDE_ON_MAX_DEG = 15.0


def _decisive(report: dict, side: str) -> tuple[dict[str, float], dict | None]:
    """The side's decisive values (name -> degrees) and its settled window, from report.json."""
    v = (report.get("sides", {}).get(side) or {}).get("verdict_values") or {}
    out = {k: x for k, x in v.items() if k.endswith("_deg") and isinstance(x, int | float)}
    return out, v.get("window")


def uncertainty_section(results: list[ClipResult]) -> list[str]:
    """Error of each decisive value (video against truth) by exercise and camera: the numbers the
    definitions' [verdict.uncertainty] rest on (root mean square over the clips)."""
    lines = [
        "Each self-test's decisive values on the video against the truth: a settled value against "
        "the truth's median over the same settled window, a median rep peak against the engine's on "
        "the truth landmarks. Camera: side-on when the view check's estimate is at most "
        f"{SIDE_ON_MAX_DEG:g}°, else oblique. The root mean square per group is what the exercise "
        "definitions' [verdict.uncertainty] carries.",
        "",
        "| clip | side | view estimate | camera | value | video | truth | error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str, str], list[float]] = {}
    for r in results:
        if r.report_video is None or r.report_video.get("exercise_kind") == "stretch":
            continue
        off = (r.report_video.get("view") or {}).get("off_axis_deg")
        camera = "side_on" if off is not None and off <= SIDE_ON_MAX_DEG else "oblique"
        for side in r.spec.expect.get("sides") or [r.spec.side]:
            values, window = _decisive(r.report_video, side)
            truth_values, _ = _decisive(r.report_truth or {}, side)
            for name, got in values.items():
                if name == "median_rep_peak_deg":
                    want = truth_values.get(name)
                elif window is not None:
                    col = r.truth.angles[PRIMARY].get(f"{side}_{name}")
                    inside = (r.truth.t >= window["start_s"]) & (r.truth.t <= window["end_s"])
                    want = float(np.nanmedian(col[inside])) if col is not None else None
                else:
                    want = None
                if want is None or not np.isfinite(want):
                    continue
                err = got - want
                groups.setdefault((r.spec.exercise, camera, name), []).append(err)
                lines.append(
                    f"| {r.spec.name} | {side} | {off:.1f}° | {camera} | {name} | {got:+.1f} "
                    f"| {want:+.1f} | {err:+.1f} |"
                )
    lines += [
        "",
        "| exercise | camera | value | clips | bias | root mean square |",
        "|---|---|---|---|---|---|",
    ]
    for (ex, cam, name), errs in sorted(groups.items()):
        e = np.array(errs)
        lines.append(
            f"| {ex} | {cam} | {name} | {e.size} | {e.mean():+.1f} | {np.sqrt(np.mean(e**2)):.1f} |"
        )
    return lines


#: Beyond these a reading is no measurement (pose/limits.py): no frame may show one.
def _impossible(values: dict[str, np.ndarray]) -> int:
    from pose.limits import HIP_EXTENSION_MAX_DEG, KNEE_FLEXION_MIN_DEG

    n = 0
    for side in ("left", "right"):
        with np.errstate(invalid="ignore"):
            n += int(np.sum(values[f"{side}_hip_extension_deg"] > HIP_EXTENSION_MAX_DEG + 1e-6))
            n += int(np.sum(values[f"{side}_knee_flexion_deg"] < KNEE_FLEXION_MIN_DEG - 1e-6))
    return n


def plausibility_section(results: list[ClipResult]) -> list[str]:
    """Per clip: how much of the tested leg was measured, frames emptied, impossible readings."""
    from synth.evaluate import leg_under_test, per_side_column

    lines = [
        "Tested leg measured = frames with its hip extension in angles.csv, of the frames in which "
        "that leg is under test (a clean clip: ideal camera, no fault to show). Emptied = frames "
        "pose/limits.py left empty (beyond what a body can do), from the report's warnings. "
        "Impossible = frames reading hip extension above +45° or knee flexion below −15° "
        "(pipeline and raw): there must be none.",
        "",
        "| clip | clean | tested leg measured | emptied (report) | impossible frames |",
        "|---|---|---|---|---|",
    ]
    fractions = []
    for r in results:
        if r.pipeline is None:
            continue
        legs = leg_under_test(r.truth)
        hip = per_side_column(r.pipeline, "hip_extension_deg", legs)
        under = legs != ""
        frac = float(np.mean(np.isfinite(hip[under]))) if under.any() else float("nan")
        clean = camera_class(r.spec) == "ideal" and not r.spec.expect.get("faults")
        if clean:
            fractions.append(frac)
        warnings = (r.report_video or {}).get("warnings", [])
        emptied = [w.split(":")[0] + ": " + w.split(":")[1].split(" read")[0].split(" jumped")[0]
                   for w in warnings if "left empty" in w]  # fmt: skip
        impossible = _impossible(r.pipeline) + _impossible(r.raw_video or r.pipeline)
        lines.append(
            f"| {r.spec.name} | {'yes' if clean else 'no'} | {frac:.0%} "
            f"| {'; '.join(emptied) or '–'} | {impossible} |"
        )
    if fractions:
        lines += [
            "",
            f"Clean clips: the tested leg measured in {min(fractions):.0%}–{max(fractions):.0%} "
            f"of its frames (median {np.median(fractions):.0%}).",
        ]
    return lines


#: Verdict words in the failure table: "–" is the expected "not tested".
_SHORT = {"not_tested": "–", "inconclusive": "inc"}


def failure_answer_ok(spec, side: str, verdict: str, measured: bool) -> bool:
    """A failure clip's side gets the spec's answer: `expect.verdict`, or "inconclusive" for a
    leg never measured where `expect.inconclusive_ok` names that side (tests/test_failure_library.py
    asserts the same)."""
    if verdict == spec.expect["verdict"]:
        return True
    return (
        verdict == "inconclusive"
        and not measured
        and side in spec.expect.get("inconclusive_ok", [])
    )


def failure_section(rows: list[dict]) -> list[str]:
    """The failure library (issue 11): every clip scored as every exercise in its `scored_as`.

    `rows`: one per (clip, source) with `spec`, `source` ("video" / "truth"), `verdicts`
    (exercise -> side -> (verdict, measured)), `notes` (frames emptied, pose/limits.py) and `raw`
    (the raw angle columns).
    """
    if not rows:
        return ["No failure clips rendered (`python -m synth.generate --failures`)."]
    exercises = list(dict.fromkeys(e for r in rows for e in r["verdicts"]))
    lines = [
        "Rendered people who never do a test (synth/specs/failures/failures.toml; "
        "tests/test_failure_library.py asserts the same). Every side scored as every exercise must "
        "be not tested (–), or inconclusive (inc) for a leg never measured where the spec allows "
        "it (the far leg, hidden side-on). Cells: left / right; ✗ = an answer the spec does not "
        "accept (a product bug, documented as an xfail in the test). Emptied = frames pose/limits.py "
        "left empty; impossible = readings beyond the limits left in the raw angles (must be 0); "
        "peaks = the raw series' highest hip extension and lowest knee flexion, either leg.",
        "",
        "| clip | source | " + " | ".join(exercises) + " | emptied | impossible | peaks |",
        "|---|---|" + "---|" * len(exercises) + "---|---|---|",
    ]
    ok_cases, cases = 0, 0
    for r in rows:
        spec, cells = r["spec"], []
        for exercise in exercises:
            sides = r["verdicts"].get(exercise)
            if sides is None:
                cells.append("")
                continue
            words = []
            for side in ("left", "right"):
                verdict, measured = sides[side]
                good = failure_answer_ok(spec, side, verdict, measured)
                words.append(_SHORT.get(verdict, verdict.upper()) + ("" if good else " ✗"))
            good_case = all(not w.endswith("✗") for w in words)
            ok_cases += good_case
            cases += 1
            cells.append(" / ".join(words))
        raw = r["raw"]
        with np.errstate(invalid="ignore"):
            hip = np.nanmax(
                [
                    np.nanmax(raw[f"{s}_hip_extension_deg"], initial=-np.inf)
                    for s in ("left", "right")
                ]
            )
            knee = np.nanmin(
                [np.nanmin(raw[f"{s}_knee_flexion_deg"], initial=np.inf) for s in ("left", "right")]
            )
        emptied = "; ".join(n.split(" read ")[0].split(" jumped ")[0] for n in r["notes"])
        lines.append(
            f"| {spec.name} | {r['source']} | "
            + " | ".join(cells)
            + f" | {emptied or '–'} | {_impossible(raw)} | hip {hip:+.1f}°, knee {knee:+.1f}° |"
        )
    lines += [
        "",
        f"Answers as the specs expect: {ok_cases} of {cases} (clip, source, exercise) cases.",
        "",
        "| clip | what it shows |",
        "|---|---|",
        *dict.fromkeys(f"| {r['spec'].name} | {r['spec'].description} |" for r in rows),
    ]
    return lines
