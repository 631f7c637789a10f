"""A result folder: every file of one analysis, written completely or not at all.

Files are written into a scratch folder inside DIR (same filesystem, so moving them into place is
atomic) and moved in only when all are complete. A run that is killed leaves its scratch folder
behind; the next run in DIR sweeps scratch folders whose process is gone. Files in DIR that this
tool did not write are never touched: report.json lists the files its run wrote
(`result_files`), and only those may be removed when this run does not write them again.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.records import Analysis
from outputs.angles_csv import write_angles_csv
from outputs.report_json import report_dict

SCRATCH_PREFIX = ".analyze-"
#: Every file name a run may write (a manifest naming anything else is ignored).
RESULT_FILES = (
    "angles.csv",
    "landmarks.npz",
    "report.json",
    "report.pdf",
    "annotated.mp4",
    "annotated.png",
    "key_frame_left.png",
    "key_frame_right.png",
)


class OutputError(OSError):
    """The results could not be written; the message says where and why in plain words."""


@dataclass(frozen=True)
class WriteOptions:
    pdf: bool = False
    annotated: bool = False
    key_frames: bool = False  # key_frame_<side>.png per measured side (and in the PDF)
    input_path: str | None = None  # the recording, re-read for the annotated copy and key frames


def plain_os_error(exc: OSError, where: Path) -> str:
    """One sentence for an OSError met while writing into `where`."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "it is on a read-only disk",
        errno.ENOTDIR: "part of the path is a file, not a folder",
        errno.ENAMETOOLONG: "the name is too long",
    }
    why = reasons.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    return f"The results could not be written into {where} ({why}): choose another --out folder."


def check_writable(out: Path) -> None:
    """Check before the slow part that `out` is, or can be made, a folder this process can write
    to — without creating it (bad input must leave nothing behind)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder: give --out a folder name.")
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{existing} is a file, not a folder: give --out a folder name.")
    try:
        Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-probe-", dir=existing)).rmdir()
    except OSError as exc:
        raise OutputError(plain_os_error(exc, out)) from exc


def prepare(out: Path) -> None:
    """Make `out` and sweep what killed runs left in it."""
    check_writable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(plain_os_error(exc, out)) from exc
    sweep(out)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(out: Path) -> list[Path]:
    """Remove scratch folders left in `out` by runs that were killed; returns what was removed."""
    removed = []
    for item in out.glob(f"{SCRATCH_PREFIX}*"):
        pid_text = item.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if item.is_dir() and pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(item, ignore_errors=True)
            removed.append(item)
    return removed


def _previous_files(out: Path) -> set[str]:
    """The files the previous run in `out` wrote, as its report.json lists them."""
    try:
        listed = json.loads((out / "report.json").read_text()).get("result_files")
    except (OSError, ValueError, AttributeError):
        return set()
    return set(listed) & set(RESULT_FILES) if isinstance(listed, list) else set()


def write_folder(
    analysis: Analysis, out: Path, options: WriteOptions = WriteOptions()
) -> list[str]:
    """Write every result file of `analysis` into `out`; returns the names written."""
    prepare(out)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=out))
    try:
        write_angles_csv(analysis.series, scratch / "angles.csv")
        analysis.track.save(scratch / "landmarks.npz")
        if options.annotated and options.input_path:
            _write_annotated(analysis, options.input_path, scratch)
        frames = []
        if options.key_frames or options.pdf:
            frames = _key_frames(analysis, options, scratch if options.key_frames else None)
        if options.pdf:
            from outputs.pdf import write_pdf

            write_pdf(analysis.report, analysis.series, scratch / "report.pdf", frames)
        written = sorted([*(p.name for p in scratch.iterdir()), "report.json"])
        data = report_dict(analysis.report)
        data["result_files"] = written
        (scratch / "report.json").write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
        # results of an earlier run that this run does not rewrite must not pass for this run's;
        # only files this tool wrote (listed by its report.json) are ever removed
        for stale in _previous_files(out) - set(written):
            (out / stale).unlink(missing_ok=True)
        for name in written:
            (scratch / name).replace(out / name)
        return written
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(plain_os_error(exc, out)) from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _key_frames(analysis: Analysis, options: WriteOptions, folder: Path | None) -> list:
    """The key frames (on the recording's own frames where it is a video or an image), written as
    key_frame_<side>.png into `folder` when given."""
    from outputs.keyframes import key_frame_file_name, key_frames

    video = (
        options.input_path if analysis.report.source_kind in ("video", "demo", "image") else None
    )
    frames = key_frames(analysis, video)
    if folder is not None:
        for frame in frames:
            (folder / key_frame_file_name(frame.side)).write_bytes(frame.png())
    return frames


def _write_annotated(analysis: Analysis, input_path: str, folder: Path) -> None:
    from outputs.video import cue_at, write_annotated_image, write_annotated_video

    kind = analysis.report.source_kind
    if kind == "image":
        write_annotated_image(input_path, analysis.track, analysis.series, folder / "annotated.png")
    elif kind in ("video", "demo"):
        result = analysis.exercise
        cues = result.cues if result else ()
        shown = result.threshold("engine.cue_display_s") if result else None
        text_at = cue_at(cues, shown.value if shown and shown.value else 0.0)
        write_annotated_video(
            input_path, analysis.track, analysis.series, folder / "annotated.mp4", text_at
        )
