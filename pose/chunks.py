"""A long recording on every core: its time cut into chunks, each tracked in a process of its own.

The pose loop uses about one core. A video longer than `SPLIT_ABOVE_S` is cut into up to `workers`
chunks of at least `MIN_CHUNK_S`; the calling process tracks the first, and a fresh process
(multiprocessing's "spawn": MediaPipe's threads would not survive a fork of this one) with its own
estimator tracks each of the others, all at once. Each chunk after the first starts tracking `WARM_UP_S`
before its own frames and drops those, so that at the seam the tracking has settled on the person
as a single pass would have (how close the seams come: tests/test_chunks.py).

This module knows nothing of pose itself: `run_chunks` runs a picklable `work(spec, progress)`
per chunk and gives the results in order; an error in any chunk is raised here, and the other
processes are stopped.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import TypeVar

S = TypeVar("S")
R = TypeVar("R")

#: A video longer than this (seconds) is cut into chunks when more than one worker is allowed.
SPLIT_ABOVE_S = 20.0
#: No chunk is shorter than this: each costs a process start, a model load and a warm-up.
MIN_CHUNK_S = 10.0
#: Each chunk but the first starts tracking this long before its own frames.
WARM_UP_S = 1.5
#: A chunk's process reports its progress every this many frames.
PROGRESS_EVERY = 10

Progress = Callable[[int], None]

#: What a process that runs pose needs: imported once by a fork server, so that each worker
#: starts with them loaded instead of importing them anew (about 1.4 s of CPU a worker).
#: MediaPipe comes in through `pose.estimator.import_mediapipe`, which leaves out what it never
#: uses; no graph is made before the fork (its threads would not survive one).
POSE_PRELOAD: tuple[str, ...] = ("numpy", "cv2", "pose.pipeline", "pose.preloaded_mediapipe")


def process_context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """Where worker processes come from: forks of a fork server that has imported `preload`
    (a fresh interpreter, started on first use: never a fork of this process, whose MediaPipe
    threads would not survive it), or fresh interpreters ("spawn") where there is no fork server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    if preload:
        ctx.set_forkserver_preload(list(preload))  # heeded when the server starts
    return ctx


class ChunkError(RuntimeError):
    """A chunk's process stopped without a result (killed, or crashed in native code)."""


def plan(
    duration_s: float | None,
    workers: int,
    split_above_s: float = SPLIT_ABOVE_S,
    min_chunk_s: float = MIN_CHUNK_S,
) -> list[tuple[float, float]]:
    """(start_s, end_s) of each chunk: the first from -inf, the last to +inf, so every frame
    falls in exactly one whatever the container's duration says. One chunk for a short (or an
    unknown) duration or a single worker."""
    if workers < 2 or duration_s is None or not duration_s > split_above_s:
        return [(-math.inf, math.inf)]
    n = max(2, min(workers, int(duration_s // max(min_chunk_s, 1e-9))))
    edges = [-math.inf, *(duration_s * k / n for k in range(1, n)), math.inf]
    return list(itertools.pairwise(edges))


def _child(work: Callable[[S, Progress], R], spec: S, conn: Connection) -> None:
    """A chunk's process: the result, or the error, sent back; Ctrl-C ends it quietly (the parent
    says what happened)."""
    pending = 0

    def progress(n: int) -> None:
        nonlocal pending
        pending += n
        if pending >= PROGRESS_EVERY:
            conn.send(("progress", pending))
            pending = 0

    try:
        result = work(spec, progress)
        if pending:
            conn.send(("progress", pending))
        conn.send(("done", result))
    except KeyboardInterrupt:
        return  # Ctrl-C reaches the whole process group: the parent says what happened
    except BaseException as exc:  # sent to the parent, which raises it
        conn.send(("error", exc))
    finally:
        conn.close()


class _Children:
    """The processes of chunks 1..n-1 and the ends of their pipes; stopped and joined on close."""

    def __init__(self, work, specs: Sequence[S]) -> None:
        # spawn, not the fork server: its first start waits for the server's imports, and this
        # process should be tracking the first chunk meanwhile (a spawned child imports beside it)
        ctx = multiprocessing.get_context("spawn")
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.conns: dict[int, Connection] = {}
        self.results: dict[int, object] = {}
        for i, spec in enumerate(specs, start=1):
            ours, theirs = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(work, spec, theirs), daemon=True)
            proc.start()
            theirs.close()
            self.procs.append(proc)
            self.conns[i] = ours

    def _take(self, i: int, progress: Progress | None) -> None:
        conn = self.conns[i]
        try:
            kind, value = conn.recv()
        except EOFError:
            proc = self.procs[i - 1]
            proc.join()
            del self.conns[i]
            raise ChunkError(
                f"the process tracking part {i + 1} stopped (exit code {proc.exitcode})"
            ) from None
        if kind == "progress":
            if progress:
                progress(value)
            return
        del self.conns[i]
        if kind == "error":
            raise value
        self.results[i] = value

    def drain(self, progress: Progress | None) -> None:
        """Take what has arrived, without waiting."""
        for i in list(self.conns):
            while i in self.conns and self.conns[i].poll():
                self._take(i, progress)

    def wait_all(self, progress: Progress | None) -> None:
        while self.conns:
            ready = wait(list(self.conns.values()))
            for i in [i for i, c in self.conns.items() if c in ready]:
                self._take(i, progress)

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()


def run_chunks(
    work: Callable[[S, Progress | None], R],
    specs: Sequence[S],
    progress: Progress | None = None,
    here: Callable[[S, Progress | None], R] | None = None,
) -> list[R]:
    """`work(spec, progress)` for every spec at once: the first here (by `here` where given: the
    calling process keeps its own settings), each other in a process of its own. `work` must be a
    module-level function (it is sent by name) and its results picklable. `progress(n)` hears of
    every frame, from all of them."""
    here = here or work
    if len(specs) == 1:
        return [here(specs[0], progress)]
    children = _Children(work, specs[1:])
    try:

        def step(n: int) -> None:
            if progress:
                progress(n)
            children.drain(progress)

        first = here(specs[0], step)
        children.wait_all(progress)
        return [first, *(children.results[i] for i in range(1, len(specs)))]
    finally:
        children.close()
