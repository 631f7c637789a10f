"""The shared report view (ui/report_view.py) through AppTest: key frames when the page passes the
analysis, the plot, and the annotated video only on request."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def view_script() -> None:
    """A page that shows a rendered Thomas clip's report as the recording page does."""
    from pathlib import Path

    from analysis.service import AnalysisOptions, analyze_source
    from ui.report_view import show_downloads, show_report

    root = Path.cwd()
    video = root / "assets" / "demo_clips" / "thomas_tight_left.mp4"
    track = root / "tests" / "golden" / "tracks" / "thomas_tight_left.npz"
    import streamlit as st

    if "analysis" not in st.session_state:
        st.session_state.analysis = analyze_source(
            track,
            AnalysisOptions(exercise="thomas_test", label="thomas_tight_left.mp4", kind="demo"),
        )
    analysis = st.session_state.analysis
    show_report(analysis.report, analysis.series, key="recording", analysis=analysis, video=video)
    show_downloads(analysis, analysis.report, key="recording", video=video)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        file_id = original(self, data, mimetype, kind, filename)
        files[file_id] = data if isinstance(data, bytes) else str(data).encode()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def test_key_frames_plot_and_the_annotated_video_on_request(
    downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    at = AppTest.from_function(view_script, default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    assert "Key frames" in [s.value for s in at.subheader]
    assert len(at.image) == 2  # the left leg's key frame and the plot
    assert any("No key frame" in i.value and "Right leg" in i.value for i in at.info)
    assert any("Dotted lines: the key frames." in c.value for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Annotated video (MP4)" not in labels  # only on request: it re-encodes every frame

    before = set(Path(tempfile.gettempdir()).glob("iliacus-video-*"))
    next(b for b in at.button if b.label == "Make the annotated video").click().run()
    assert not at.exception, at.exception
    button = next(b for b in at.get("download_button") if b.proto.label == "Annotated video (MP4)")
    data = downloads[button.proto.url.rsplit("/", 1)[-1].split(".")[0]]
    assert data[4:8] == b"ftyp" and len(data) > 10_000
    assert set(Path(tempfile.gettempdir()).glob("iliacus-video-*")) == before  # no file left
