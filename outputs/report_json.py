"""report.json: the one writer and the one reader of the JSON edge.

Keys and meanings are ../shared/DESIGN.md's (and those of earlier versions of this project: the
golden fixtures in tests/golden/ hold them); additions: `source_label`, `recorded_at`,
`schema_version`, `angles_per_side`, `thresholds_list`, per side `fault_list`, per finding
`unit`, `source`, `uncertainty_deg` (beside `value_deg`) and `borderline`, per side's
`verdict_values` an `uncertainty_deg` map (value name -> degrees). The reader accepts reports
written before these additions (history rows).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.records import Report, SideAngles
from exercises.definition import SIDES, SUMMARY_ANGLES
from exercises.result import (
    AngleStats,
    Asymmetry,
    CueRecord,
    ExerciseResult,
    FaultTime,
    Finding,
    Hold,
    NotAssessed,
    SideResult,
    ThresholdUsed,
    VerdictValues,
    Window,
)
from outputs.presenter import DISCLAIMER, side_summary
from pose.view import ViewCheck

SCHEMA_VERSION = 2


class ReportFormatError(ValueError):
    """A report.json (or a saved history row) that is not one this project wrote."""


# ----- records -> JSON ----------------------------------------------------------------------------


def _stats(s: AngleStats) -> dict[str, float | None]:
    return {"min": s.min, "median": s.median, "max": s.max}


def _angles(angles: Mapping[str, AngleStats]) -> dict[str, dict[str, float | None]]:
    return {name: _stats(angles[name]) for name in SUMMARY_ANGLES}


def _finding(f: Finding) -> dict[str, object]:
    if f.compensation:
        return {"id": f.id, "name": f.name, "reps": f.reps}
    return {
        "id": f.id,
        "name": f.name,
        "angle": f.angle,
        "value_deg": f.value,
        "uncertainty_deg": f.uncertainty,
        "borderline": f.borderline,
        "op": f.op,
        "threshold_deg": f.threshold,
        "unit": f.unit,
        "source": f.source,
    }


def _values(v: VerdictValues | None) -> dict[str, object] | None:
    if v is None:
        return None
    out: dict[str, object] = {}
    if v.window is not None:
        out["window"] = {"start_s": v.window.start_s, "end_s": v.window.end_s}
    out.update(v.angles)
    if v.median_rep_peak_deg is not None or v.clean_reps is not None:
        out.update({"median_rep_peak_deg": v.median_rep_peak_deg, "clean_reps": v.clean_reps})
    if v.sets is not None:
        out.update({"holds_completed": v.holds_completed, "sets": v.sets})
    if v.uncertainty:
        # beside each value its uncertainty, under the value's own name
        out["uncertainty_deg"] = dict(v.uncertainty)
    return out


def _side(s: SideResult, result: ExerciseResult) -> dict[str, object]:
    return {
        "measured": s.measured,
        "angles": _angles(s.angles),
        "peak_hip_extension_deg": s.peak_hip_extension_deg,
        "time_in_target_s": s.time_in_target_s,
        "holds": [
            {"start_s": h.start_s, "end_s": h.end_s, "mean_deg": h.mean_deg} for h in s.holds
        ],
        "holds_completed": s.holds_completed,
        "reps": s.reps,
        "rep_peaks_deg": None if s.rep_peaks_deg is None else list(s.rep_peaks_deg),
        "verdict": s.verdict,
        "findings": [_finding(f) for f in s.findings],
        "reasons": list(s.reasons),
        "verdict_values": _values(s.values),
        "result_deg": s.result_deg,
        "faults": s.fault_seconds(),
        "fault_list": [{"id": f.id, "name": f.name, "seconds": f.seconds} for f in s.faults],
        "measured_s": s.measured_s,
        "not_assessed": [{"id": n.id, "name": n.name, "why": n.why} for n in s.not_assessed],
        "summary": side_summary(s, result),
    }


def _threshold(t: ThresholdUsed) -> dict[str, object]:
    return {
        "key": t.key,
        "name": t.name,
        "angle": t.angle,
        "op": t.op,
        "value": t.value,
        "unit": t.unit,
        "source": t.source,
    }


def exercise_dict(result: ExerciseResult) -> dict[str, object]:
    """The exercise fields of report.json."""
    a = result.asymmetry
    return {
        "exercise": result.exercise,
        "exercise_name": result.name,
        "exercise_kind": result.kind,
        "measured_leg": result.measured_leg,
        "disclaimer": DISCLAIMER,
        "side_mode": result.side_mode,
        "tested_side": result.tested_side,
        "sides": {side: _side(result.sides[side], result) for side in SIDES},
        "asymmetry_deg": result.asymmetry_deg,
        "asymmetry": None
        if a is None
        else {
            "angle": a.angle,
            "left_deg": a.left_deg,
            "right_deg": a.right_deg,
            "more_limited_side": a.more_limited_side,
            "uncertainty_deg": a.uncertainty_deg,
        },
        "thresholds": dict(result.thresholds),
        "thresholds_list": [_threshold(t) for t in result.thresholds_used],
        "cues": [
            {"t_s": c.t_s, "side": c.side, "fault": c.fault, "message": c.message, "kind": c.kind}
            for c in result.cues
        ],
        "notes": list(result.notes),
        "view": None if result.view is None else dict(result.view),
    }


def _side_angles(s: SideAngles) -> dict[str, object]:
    return {"measured": s.measured, "angles": _angles(s.angles)}


def report_dict(report: Report) -> dict[str, Any]:
    """report.json as a dict (JSON-ready: no NaN, no numpy types)."""
    angles = {side: _side_angles(report.angles[side]) for side in SIDES}
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "source": report.source,
        "source_label": report.source_label,
        "source_kind": report.source_kind,
        "recorded_at": report.recorded_at.astimezone(UTC).isoformat(timespec="seconds"),
        "frames": report.frames,
        "duration_s": report.duration_s,
        "image_size": list(report.image_size),
        "pose_detected_fraction": report.pose_detected_fraction,
        "filter": report.filter,
        "table_line": report.table_line,
        "view": report.view.as_dict(),
        "warnings": list(report.warnings),
        "exercise": None,
        "disclaimer": DISCLAIMER,
        "sides": angles,
        "angles_per_side": angles,
    }
    if report.exercise is not None:
        out.update(exercise_dict(report.exercise))
        out["view"] = report.view.as_dict()  # the same check the exercise was judged with
    return out


def report_text(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, allow_nan=False) + "\n"


def write_report_json(report: Report, path: str | Path) -> None:
    Path(path).write_text(report_text(report))


# ----- JSON -> records ----------------------------------------------------------------------------


def _num(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ReportFormatError(f"expected a number, got {value!r}")
    return float(value)


def _read_stats(d: Mapping[str, Any]) -> dict[str, AngleStats]:
    return {
        name: AngleStats(_num(d[name]["min"]), _num(d[name]["median"]), _num(d[name]["max"]))
        for name in SUMMARY_ANGLES
    }


def _read_finding(d: Mapping[str, Any], sources: Mapping[str, str]) -> Finding:
    if str(d["id"]).startswith("compensation:"):
        return Finding(d["id"], d["name"], None, None, None, None, unit="count", reps=d.get("reps"))
    return Finding(
        id=d["id"],
        name=d["name"],
        angle=d.get("angle"),
        value=_num(d.get("value_deg")),
        op=d.get("op"),
        threshold=_num(d.get("threshold_deg")),
        unit=d.get("unit", "deg"),
        source=d.get("source") or sources.get(d["id"], ""),
        uncertainty=_num(d.get("uncertainty_deg")),
        borderline=bool(d.get("borderline", False)),
    )


def _read_values(d: Mapping[str, Any] | None) -> VerdictValues | None:
    if d is None:
        return None
    not_angles = ("median_rep_peak_deg", "uncertainty_deg")
    rest = {k: v for k, v in d.items() if k.endswith("_deg") and k not in not_angles}
    window = d.get("window")
    return VerdictValues(
        window=None if window is None else Window(window["start_s"], window["end_s"]),
        angles={k: _num(v) for k, v in rest.items()},
        median_rep_peak_deg=_num(d.get("median_rep_peak_deg")),
        clean_reps=d.get("clean_reps"),
        holds_completed=d.get("holds_completed"),
        sets=d.get("sets"),
        uncertainty={k: _num(v) for k, v in (d.get("uncertainty_deg") or {}).items()},
    )


def _fault_words(fault_id: str) -> str:
    return fault_id.replace("_", " ")


def _read_side(side: str, d: Mapping[str, Any], sources: Mapping[str, str]) -> SideResult:
    names = {f["id"]: f["name"] for f in d.get("fault_list", [])}
    return SideResult(
        side=side,
        measured=bool(d["measured"]),
        angles=_read_stats(d["angles"]),
        verdict=d["verdict"],
        peak_hip_extension_deg=_num(d.get("peak_hip_extension_deg")),
        time_in_target_s=_num(d.get("time_in_target_s")),
        holds=tuple(
            Hold(h["start_s"], h["end_s"], _num(h["mean_deg"])) for h in d.get("holds", [])
        ),
        holds_completed=int(d.get("holds_completed") or 0),
        reps=d.get("reps"),
        rep_peaks_deg=None if d.get("rep_peaks_deg") is None else tuple(d["rep_peaks_deg"]),
        findings=tuple(_read_finding(f, sources) for f in d.get("findings", [])),
        reasons=tuple(d.get("reasons", [])),
        values=_read_values(d.get("verdict_values")),
        result_deg=_num(d.get("result_deg")),
        faults=tuple(
            FaultTime(fid, names.get(fid, _fault_words(fid)), float(sec))
            for fid, sec in (d.get("faults") or {}).items()
        ),
        measured_s=float(d.get("measured_s") or 0.0),
        not_assessed=tuple(
            NotAssessed(n["id"], n["name"], n["why"]) for n in d.get("not_assessed", [])
        ),
    )


def _read_exercise(d: Mapping[str, Any]) -> ExerciseResult:
    thresholds = d.get("thresholds") or {}
    findings = ((thresholds.get("verdict") or {}).get("findings")) or {}
    sources = {fid: f.get("source", "") for fid, f in findings.items()}
    a = d.get("asymmetry")
    return ExerciseResult(
        exercise=d["exercise"],
        name=d.get("exercise_name") or d["exercise"],
        kind=d["exercise_kind"],
        measured_leg=d.get("measured_leg", ""),
        side_mode=d.get("side_mode", "auto"),
        tested_side=d.get("tested_side"),
        sides={side: _read_side(side, d["sides"][side], sources) for side in SIDES},
        asymmetry=None
        if a is None
        else Asymmetry(
            a["angle"],
            a["left_deg"],
            a["right_deg"],
            a.get("more_limited_side"),
            a.get("uncertainty_deg"),
        ),
        thresholds=thresholds,
        thresholds_used=tuple(
            ThresholdUsed(
                t["key"], t["name"], t["angle"], t["op"], _num(t["value"]), t["unit"], t["source"]
            )
            for t in d.get("thresholds_list", [])
        ),
        cues=tuple(
            CueRecord(c.get("t_s"), c.get("side"), c.get("fault"), c["message"], c.get("kind", ""))
            for c in d.get("cues", [])
        ),
        notes=tuple(d.get("notes", [])),
        view=d.get("view"),
    )


def _read_view(d: Mapping[str, Any]) -> ViewCheck:
    return ViewCheck(
        side_on=d.get("side_on"),
        off_axis_deg=_num(d.get("off_axis_deg")),
        near_side=d.get("near_side"),
        posture=d.get("posture", "unknown"),
        whole_body_fraction=float(d.get("whole_body_fraction") or 0.0),
        messages=tuple(d.get("messages", [])),
    )


def _label(d: Mapping[str, Any]) -> str:
    if d.get("source_label"):
        return str(d["source_label"])
    source = str(d.get("source") or "")
    if source.startswith("camera:") or d.get("source_kind") in ("webcam", "live"):
        return "webcam"
    return Path(source.replace("\\", "/")).name or "recording"


def report_from_dict(d: Mapping[str, Any], recorded_at: datetime | None = None) -> Report:
    """A `Report` from report.json's dict; ReportFormatError when it is not one of ours.

    `recorded_at` is used for reports written before they carried their own time.
    """
    try:
        per_side = d.get("angles_per_side") or (d["sides"] if not d.get("exercise") else None)
        angles = {
            side: SideAngles(
                side,
                bool(per_side[side]["measured"])
                if per_side
                else bool(d["sides"][side]["measured"]),
                _read_stats(per_side[side]["angles"])
                if per_side
                else {n: AngleStats() for n in SUMMARY_ANGLES},
            )
            for side in SIDES
        }
        when = d.get("recorded_at")
        moment = datetime.fromisoformat(when) if when else (recorded_at or datetime.now(UTC))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return Report(
            source=str(d.get("source", "")),
            source_label=_label(d),
            source_kind=d.get("source_kind") or "video",
            recorded_at=moment,
            frames=int(d["frames"]),
            duration_s=float(d["duration_s"]),
            image_size=tuple(d.get("image_size") or (1, 1)),  # type: ignore[arg-type]
            pose_detected_fraction=float(d["pose_detected_fraction"]),
            filter=d.get("filter", ""),
            table_line=d.get("table_line", "trunk"),
            view=_read_view(d.get("view") or {}),
            warnings=tuple(d.get("warnings", [])),
            angles=angles,
            exercise=_read_exercise(d) if d.get("exercise") else None,
        )
    except ReportFormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportFormatError(f"not a report of this app ({type(exc).__name__}: {exc})") from exc


def read_report_json(path: str | Path) -> Report:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportFormatError(f"{Path(path).name} could not be read as a report") from exc
    if not isinstance(data, dict):
        raise ReportFormatError(f"{Path(path).name} is not a report of this app")
    return report_from_dict(data)
