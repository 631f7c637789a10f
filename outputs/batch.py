"""A batch of recordings: each analysed into its own result folder, and one summary CSV.

`analyze_one(input, out, options)` is the whole of one recording's work, a pure function from its
input to its result folder and summary row (plus the history, when one is asked for), so a
process pool here (`analysis.batch.run_batch`) or Ray or Dask elsewhere can map it over files.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from analysis.batch import BatchItem, SummaryRow, failed_row, summary_row
from analysis.service import AnalysisOptions, analyze_source
from exercises.definition import SIDES
from outputs.folder import OutputError, WriteOptions, plain_os_error, write_folder
from pose.pipeline import kept_estimators
from pose.sources import InputError, quiet_decoder_logs

SUMMARY_NAME = "summary.csv"
SUMMARY_COLUMNS: tuple[str, ...] = (
    "file",
    "input",
    "status",
    "reason",
    "results",
    "exercise",
    "frames",
    "duration_s",
    "pose_detected_fraction",
    "tested_side",
    *(f"{side}_verdict" for side in SIDES),
    *(f"{side}_peak_hip_extension_deg" for side in SIDES),
    "asymmetry_deg",
    "warnings",
)
#: Warnings share one cell, separated by this.
WARNING_SEPARATOR = " | "


@dataclass(frozen=True)
class BatchOptions:
    """How each recording of a batch is analysed and written. `write.input_path` is set per
    recording; `history` is a progress history each session is added to (None: none)."""

    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    write: WriteOptions = field(default_factory=WriteOptions)
    history: str | None = None


def analyze_one(input_path: str | Path, out: str | Path, options: BatchOptions) -> SummaryRow:
    """Analyse one recording into the folder `out` (written whole or not at all, as
    `outputs.folder.write_folder` does); its summary row, which says why where it failed."""
    item = BatchItem(Path(input_path), Path(out))
    try:
        analysis = analyze_source(item.input, options.analysis)
        write_folder(analysis, item.out, replace(options.write, input_path=str(item.input)))
    except (InputError, OutputError) as exc:
        return failed_row(item, str(exc))
    except MemoryError:
        return failed_row(item, "not enough memory for this input: try a shorter recording.")
    row = summary_row(item, analysis)
    if options.history:
        from outputs.history import HistoryError, record_session
        from outputs.report_json import report_dict

        try:
            record_session(options.history, report_dict(analysis.report))
        except HistoryError as exc:
            return replace(
                row,
                status="failed",
                reason=f"The results were written, but the session was not added to the "
                f"history: {exc}",
            )
    return row


def analyze_item(job: tuple[BatchItem, BatchOptions]) -> SummaryRow:
    """`analyze_one` for a pool that hands over one argument."""
    item, options = job
    return analyze_one(item.input, item.out, options)


def crashed_item(job: tuple[BatchItem, BatchOptions], reason: str) -> SummaryRow:
    return failed_row(job[0], reason)


@contextmanager
def worker_context() -> Iterator[None]:
    """What a batch worker process sets up once: the command line's quiet decoder logs and numpy
    settings, and one pose estimator kept from file to file (reset between them)."""
    quiet_decoder_logs()
    np.seterr(all="ignore")  # NaN is "not measured" here, not a floating-point accident
    with kept_estimators():
        yield


def _number(value: float | int | None, digits: int) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def summary_cells(row: SummaryRow) -> list[str]:
    """One row of the summary CSV, in SUMMARY_COLUMNS' order; an empty cell where unknown."""
    return [
        row.file,
        row.input,
        row.status,
        row.reason,
        row.results,
        row.exercise,
        _number(row.frames, 0),
        _number(row.duration_s, 3),
        _number(row.pose_detected_fraction, 4),
        row.tested_side or "",
        *(row.verdicts.get(side) or "" for side in SIDES),
        *(_number(row.peaks.get(side), 1) for side in SIDES),
        _number(row.asymmetry_deg, 1),
        WARNING_SEPARATOR.join(row.warnings),
    ]


def write_summary(rows: Sequence[SummaryRow], out: Path) -> Path:
    """DIR/summary.csv, one row per recording in the order given; written whole or not at all
    (a scratch file moved into place)."""
    path = out / SUMMARY_NAME
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(prefix=".summary-", suffix=".csv", dir=out)
        try:
            with os.fdopen(fd, "w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(SUMMARY_COLUMNS)
                writer.writerows(summary_cells(row) for row in rows)
            os.replace(scratch, path)
        finally:
            Path(scratch).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(plain_os_error(exc, out)) from exc
    return path


def read_summary(path: str | Path) -> list[dict[str, str]]:
    """The summary CSV back as one dict per row (column -> cell text)."""
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def batch_lines(rows: Sequence[SummaryRow], summary: Path) -> list[str]:
    """What the command line prints after a batch: a line per recording, then the count."""
    lines = []
    for row in rows:
        if not row.ok:
            lines.append(f"{row.file}: failed (see {SUMMARY_NAME})")
            continue
        verdicts = [f"{side} {row.verdicts[side]}" for side in SIDES if row.verdicts.get(side)]
        found = f" ({', '.join(verdicts)})" if verdicts else ""
        lines.append(f"{row.file}: analysed{found}, results in {row.results}")
    failed = sum(not row.ok for row in rows)
    lines.append(
        f"{len(rows)} recordings: {len(rows) - failed} analysed, {failed} failed; "
        f"summary in {summary}"
    )
    return lines
