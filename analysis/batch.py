"""Many recordings at once: which files, where each one's results go, one summary row per file,
and a pool of worker processes that keeps going when one file fails.

Each recording's analysis is a pure function from its input to its result folder
(`outputs.batch.analyze_one`), so the pool here is one way to run it; Ray or Dask can map the same
function over the same items (see README).

The pool (`run_batch`): `jobs` processes (`pose.chunks.process_context`: children of a fork
server that has imported what they need, never forks of this process), each entering a context once (the command line keeps one pose
estimator per process there, `pose.pipeline.kept_estimators`) and then taking one file at a time
from this process, longest first. A file whose worker dies (a crash in native code, the kernel's
OOM killer) is reported as failed with the exit code, and a new worker takes the next file.
"""

from __future__ import annotations

import multiprocessing.process
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TypeVar

from analysis.records import Analysis
from exercises.definition import SIDES
from pose.chunks import process_context
from pose.sources import IMAGE_SUFFIXES, TRACK_SUFFIXES, VIDEO_SUFFIXES, InputError

T = TypeVar("T")
R = TypeVar("R")

#: What a folder is read for (not recursively; hidden files are skipped).
RECORDING_SUFFIXES = VIDEO_SUFFIXES | IMAGE_SUFFIXES | TRACK_SUFFIXES
OK, FAILED = "ok", "failed"


@dataclass(frozen=True)
class BatchItem:
    """One recording of a batch: the input as given, and its own result folder."""

    input: Path
    out: Path


@dataclass(frozen=True)
class SummaryRow:
    """One recording's line in the summary: what it found, or why it failed.

    Attributes:
        file: the input's file name; input: its path as given.
        results: the result folder's name inside the batch's folder.
        status: "ok" or "failed"; reason: the plain sentence saying why it failed.
        exercise: the exercise id ("" for angles only); tested_side: left, right, both or None.
        verdicts: per side the verdict (None for angles only).
        peaks: per side the peak hip extension in degrees: the exercise's peak where one was
            chosen, else the whole recording's maximum; None where not measured.
        asymmetry_deg: left against right on the exercise's target angle, where measured.
        warnings: what a person should know about the measurement.
    """

    file: str
    input: str
    results: str
    status: str
    reason: str = ""
    exercise: str = ""
    frames: int | None = None
    duration_s: float | None = None
    pose_detected_fraction: float | None = None
    tested_side: str | None = None
    verdicts: Mapping[str, str | None] = field(default_factory=dict)
    peaks: Mapping[str, float | None] = field(default_factory=dict)
    asymmetry_deg: float | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == OK


def summary_row(item: BatchItem, analysis: Analysis) -> SummaryRow:
    """The summary line of an analysed recording."""
    report = analysis.report
    result = report.exercise
    if result is None:
        peaks = {s: report.angles[s].angles["hip_extension_deg"].max for s in SIDES}
        verdicts: dict[str, str | None] = dict.fromkeys(SIDES)
    else:
        peaks = {s: result.sides[s].peak_hip_extension_deg for s in SIDES}
        verdicts = {s: result.sides[s].verdict for s in SIDES}
    return SummaryRow(
        file=item.input.name,
        input=str(item.input),
        results=item.out.name,
        status=OK,
        exercise=result.exercise if result else "",
        frames=report.frames,
        duration_s=report.duration_s,
        pose_detected_fraction=report.pose_detected_fraction,
        tested_side=result.tested_side if result else None,
        verdicts=verdicts,
        peaks=peaks,
        asymmetry_deg=result.asymmetry_deg if result else None,
        warnings=tuple(report.warnings),
    )


def failed_row(item: BatchItem, reason: str) -> SummaryRow:
    """The summary line of a recording that could not be analysed, with the reason."""
    return SummaryRow(
        file=item.input.name, input=str(item.input), results="", status=FAILED, reason=reason
    )


def collect_inputs(paths: Sequence[str | Path]) -> list[Path]:
    """The recordings named: files as given (each is tried, whatever its name), folders read for
    videos, images and tracks in name order. A folder with none in it is bad input."""
    found: list[Path] = []
    for given in map(Path, paths):
        if not given.is_dir():
            found.append(given)
            continue
        inside = sorted(
            p
            for p in given.iterdir()
            if p.suffix.lower() in RECORDING_SUFFIXES and not p.name.startswith(".") and p.is_file()
        )
        if not inside:
            raise InputError(
                f"{given} holds no videos, images or .npz tracks: give a folder of recordings."
            )
        found += inside
    return found


def result_folder_names(inputs: Sequence[Path]) -> list[str]:
    """A folder name per input, unique among them: the file's stem ("walking.mp4" -> "walking"),
    with its suffix where two stems meet ("a.mp4", "a.mov" -> "a.mp4", "a.mov"), then a number."""
    names: list[str] = []
    stems = [p.stem.lstrip(".") or "recording" for p in inputs]
    for path, stem in zip(inputs, stems, strict=True):
        name = stem if stems.count(stem) == 1 else f"{stem}{path.suffix.lower()}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def batch_items(paths: Sequence[str | Path], out: Path) -> list[BatchItem]:
    inputs = collect_inputs(paths)
    return [
        BatchItem(p, out / name)
        for p, name in zip(inputs, result_folder_names(inputs), strict=True)
    ]


def _worker(
    work: Callable[[T], R],
    context: Callable[[], AbstractContextManager] | None,
    conn: Connection,
) -> None:
    """A worker process: enter the context, then analyse what the parent sends until None."""
    try:
        with context() if context else nullcontext():
            while (message := conn.recv()) is not None:
                index, item = message
                try:
                    conn.send(("done", index, work(item)))
                except Exception as exc:  # a bug in one file's analysis: that file fails
                    conn.send(("failed", index, f"{type(exc).__name__}: {exc}"))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        return  # Ctrl-C, or the parent gone: the parent says what happened
    finally:
        conn.close()


@dataclass
class _Worker:
    proc: multiprocessing.process.BaseProcess
    conn: Connection
    index: int | None = None  # the item it is working on


class _Pool:
    """Worker processes, each fed one item at a time; stopped and joined by `close()`."""

    def __init__(self, work, context, preload: Sequence[str]) -> None:
        self._ctx = process_context(preload)
        self._work, self._context = work, context
        self.workers: list[_Worker] = []

    def start(self) -> _Worker:
        ours, theirs = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker, args=(self._work, self._context, theirs), name="batch-worker"
        )
        proc.start()
        theirs.close()
        worker = _Worker(proc, ours)
        self.workers.append(worker)
        return worker

    def retire(self, worker: _Worker) -> int | None:
        """Forget a worker whose pipe has closed; its exit code."""
        self.workers.remove(worker)
        worker.conn.close()
        worker.proc.join()
        return worker.proc.exitcode

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                continue  # that worker is gone already: nothing to tell it
        for worker in self.workers:
            worker.proc.join(timeout=5)
            if worker.proc.is_alive():
                worker.proc.terminate()
                worker.proc.join()
            worker.conn.close()
        self.workers.clear()


def _order(items: Sequence[T], cost: Callable[[T], float] | None) -> Iterator[int]:
    """Longest first, so that no worker is left with a long file at the end."""
    indices = range(len(items))
    return iter(sorted(indices, key=lambda i: -cost(items[i])) if cost else indices)


def run_batch(
    work: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    crashed: Callable[[T, str], R],
    done: Callable[[int, R], None] | None = None,
    context: Callable[[], AbstractContextManager] | None = None,
    cost: Callable[[T], float] | None = None,
    preload: Sequence[str] = (),
) -> list[R]:
    """`work(item)` for every item, `jobs` at a time; results in the order of `items`.

    `work` and `context` must be module-level functions (they are sent to the workers by name),
    items and results picklable. `work` should turn a file's failure into its result; where it
    raises anyway, or its worker dies, `crashed(item, reason)` stands in. `done(index, result)`
    is called here as each finishes; `cost(item)` orders the work, largest first; `preload` names
    modules every worker needs (`pose.chunks.process_context`). With one job (or one item)
    everything runs in this process.
    """
    results: dict[int, R] = {}

    def finish(index: int, result: R) -> None:
        results[index] = result
        if done:
            done(index, result)

    if jobs <= 1 or len(items) <= 1:
        with context() if context else nullcontext():
            for index in _order(items, cost):
                try:
                    result = work(items[index])
                except Exception as exc:  # as a worker process would: that file fails
                    result = crashed(items[index], f"{type(exc).__name__}: {exc}")
                finish(index, result)
        return [results[i] for i in range(len(items))]

    pool = _Pool(work, context, preload)
    pending: deque[int] = deque()

    def feed(worker: _Worker) -> None:
        worker.index = pending.popleft() if pending else None
        worker.conn.send(None if worker.index is None else (worker.index, items[worker.index]))

    try:
        started = [pool.start() for _ in range(min(jobs, len(items)))]
        pending.extend(_order(items, cost))  # while the workers start up
        for worker in started:
            feed(worker)
        while len(results) < len(items):
            ready = wait([w.conn for w in pool.workers])
            for worker in [w for w in pool.workers if w.conn in ready]:
                try:
                    kind, index, value = worker.conn.recv()
                except EOFError:  # the worker died
                    index, code = worker.index, pool.retire(worker)
                    if index is not None:
                        reason = (
                            f"the analysis stopped unexpectedly (exit code {code}): try this "
                            "file on its own"
                        )
                        finish(index, crashed(items[index], reason))
                    if pending:
                        feed(pool.start())
                    continue
                finish(index, value if kind == "done" else crashed(items[index], value))
                feed(worker)
        return [results[i] for i in range(len(items))]
    finally:
        pool.close()
