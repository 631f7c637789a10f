"""What a person reads: the PDF's text (pypdf) and the page's text (AppTest) carry no Python repr,
no code name and no path, and they carry the date, the decisive numbers with units, what a side
view cannot assess, and the sources written out."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from analysis.service import AnalysisOptions, analyze_source
from outputs import presenter as say
from outputs.pdf import pdf_bytes
from outputs.report_json import report_dict, report_from_dict

ROOT = Path(__file__).resolve().parents[1]
TRACKS = ROOT / "tests" / "golden" / "tracks"

#: Things that must never reach a person: reprs, code names, machine paths, None/NaN.
FORBIDDEN = [
    r"\{'",
    r"'\s*:",
    r"\b\w+_(deg|s|px)\b",
    r"\bdeg\b",  # a unit left as a word: "side on max deg"
    r"\b(working|other|difference)\.\w+",
    r"\bhip_extension|knee_flexion|thigh_to_horizontal|trunk_incline|cue_display",
    r"\bNone\b",
    r"\bnan\b",
    r"\.\./",
    r"/(tmp|work|home|root|usr)/",
    r"\.toml\b",
    r"iliacus-upload",
    r"Traceback",
]
DATE = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")


def person_text_problems(text: str) -> list[str]:
    return [p for p in FORBIDDEN if re.search(p, text)]


CASES = {
    "thomas_tight_left": "thomas_test",
    "half_kneel_right_lean_back": "half_kneeling_stretch",
    "standing_ext_right": "standing_hip_extension_test",
    "lunge_right": "standing_lunge_stretch",
}


@pytest.fixture(scope="module")
def analyses():
    return {
        name: analyze_source(
            TRACKS / f"{name}.npz", AnalysisOptions(exercise=exercise, label=f"{name}.npz")
        )
        for name, exercise in CASES.items()
    }


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_checks_can_fail() -> None:
    assert person_text_problems("{'id': 'one_joint', 'value_deg': 14.6}")
    assert person_text_problems("source ../shared/CLINICAL.md")
    assert person_text_problems("working.thigh_to_horizontal_deg > 0")
    assert person_text_problems("side on max deg 15°")
    assert person_text_problems("/tmp/iliacus-upload-x/upload.mp4")
    assert not person_text_problems("Thigh 14.6° above the table line — normal is at or below 0°")


@pytest.mark.parametrize("name", sorted(CASES))
def test_pdf_text_reads_as_words_with_numbers_date_and_sources(analyses, name: str) -> None:
    analysis = analyses[name]
    text = pdf_text(pdf_bytes(analysis.report, analysis.series))
    assert person_text_problems(text) == []
    assert DATE.search(text), "the PDF must carry the date and time"
    assert "not a diagnosis" in text
    result = analysis.exercise
    assert result.name in text
    for side in result.measured_sides:
        assert say.verdict_title(side, result.sides[side].verdict) in text
    assert "Values used and their sources" in text
    assert re.search(r"-?\d+(\.\d)?°", text), "numbers carry their units"


def test_thomas_pdf_gives_the_decisive_numbers_findings_and_what_was_not_assessed(analyses) -> None:
    text = pdf_text(
        pdf_bytes(analyses["thomas_tight_left"].report, analyses["thomas_tight_left"].series)
    )
    flat = " ".join(text.split())
    assert "Left leg: tight" in flat
    # each decisive number with its uncertainty (the measurement's error for this camera)
    assert re.search(r"Thigh 8\.7° ± \d\.\d° above the table line — normal is at or below 0°", flat)
    assert re.search(r"Knee bent 49\.8° ± \d\.\d° — normal is at or above 67°", flat)
    assert "Not assessed from a side view" in flat
    assert "abductors" in flat and "side view cannot measure it" in flat
    assert "Vigotsky et al. 2016" in flat and "doi 10.1186/s13102-021-00242-y" in flat


def test_holds_are_counted_for_stretches_and_not_for_self_tests(analyses) -> None:
    """A self-test's still moment is its settled window, not a stretch "hold" ("1 hold (5 s)" in a
    standing test's PDF told a person they had done something the test never asked for)."""
    for name in ("standing_ext_right", "thomas_tight_left"):
        a = analyses[name]
        text = " ".join(pdf_text(pdf_bytes(a.report, a.series)).split())
        assert not re.search(r"\bholds?\b \(", text), name
        assert "in the target range" not in text, name
    lunge = analyses["lunge_right"]
    text = " ".join(pdf_text(pdf_bytes(lunge.report, lunge.series)).split())
    assert re.search(r"\d+ holds? \(\d+ s", text)


def test_a_leg_not_worked_gets_no_counts(analyses) -> None:
    """The lunge clip works the right leg only: the left reads "not tested", without "0 reps"."""
    result = analyses["lunge_right"].report.exercise
    left = result.sides["left"]
    assert left.verdict == "not_tested" and not left.measured
    assert say.side_details(left, result) == []
    assert say.side_details(result.sides["right"], result)


def test_a_finding_sentence_carries_its_number_threshold_and_leg(analyses) -> None:
    left = analyses["thomas_tight_left"].exercise.sides["left"]
    sentences = [say.finding_sentence(f, "left") for f in left.findings]
    u = left.findings[0].uncertainty
    assert u is not None and 2.8 <= u < 4.0  # the side-on library error, and the window's spread
    assert sentences[0] == (
        f"Thigh 8.7° ± {u:.1f}° above the table line — normal is at or below 0°: short one-joint "
        "hip flexors (iliopsoas, iliacus) in the left leg"
    )


def test_every_threshold_row_is_words_value_and_source(analyses) -> None:
    for analysis in analyses.values():
        for label, value, source in say.threshold_rows(analysis.exercise):
            assert person_text_problems(f"{label} {value} {source}") == [], (label, value, source)
            assert source and value and label
            assert not re.search(r"[a-z]\.[a-z]", label), label  # a dotted key: "uncertainty.knee"


def test_a_saved_report_reads_back_to_the_same_words(analyses) -> None:
    for analysis in analyses.values():
        back = report_from_dict(report_dict(analysis.report))
        assert back.exercise == analysis.exercise
        assert say.session_line(back) == say.session_line(analysis.report)
        assert pdf_text(pdf_bytes(back, None)).count("°") > 5


def test_the_page_text_reads_as_words() -> None:
    at = AppTest.from_file(
        str(ROOT / "app_pages" / "1_Analyse_a_recording.py"), default_timeout=120
    )
    at.run()
    at.radio[0].set_value("A file on this computer").run()
    at.text_input[0].set_value(str(TRACKS / "thomas_tight_left.npz")).run()
    at.selectbox[0].set_value("thomas_test").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    shown = [
        *(m.value for m in at.markdown),
        *(c.value for c in at.caption),
        *(s.value for s in [*at.success, *at.warning, *at.info]),
        *(str(m.value) for m in at.metric),
        *(h.value for h in [*at.header, *at.subheader]),
    ]
    text = "\n".join(shown)
    assert person_text_problems(text) == []
    assert DATE.search(text)
    assert "Left leg: tight" in text
    assert re.search(r"Thigh 8\.7° ± \d\.\d° above the table line", text)
    assert "Not assessed: short abductors" in text
    tables = "\n".join(df.value.to_string() for df in at.dataframe)
    assert person_text_problems(tables) == []


@pytest.mark.parametrize("side", ["auto", "left", "right"])
def test_the_checklist_before_start_says_what_to_arrange_not_what_is_wrong(side) -> None:
    """Nothing is checked before START: no line may say the picture is dark or the person is off."""
    lines = [say.setup_item_before(item, side) for item in say.SETUP_WORDS]
    assert len(lines) == len(say.SETUP_WORDS) and all(lines)
    for line in lines:
        assert person_text_problems(line) == [], line
        assert not re.search(r"too dark|: turn", line), line
    if side != "auto":
        assert f"Your {side} leg nearer the camera." in lines


def test_every_demo_clip_is_listed_in_words() -> None:
    """The clip list names the exercise and leg; no generator file name ("half_kneel_right")."""
    from exercises.catalog import load_exercises
    from ui.demo_clips import demo_clips

    names = {i: d.name for i, d in load_exercises().items()}
    clips = demo_clips()
    assert clips
    for clip in clips:
        title = say.demo_clip_title(names[clip.exercise], clip.side, clip.description)
        assert title.startswith(f"{clip.side.title()} leg")
        assert title.endswith(f"({names[clip.exercise]})")
        assert "_" not in title and person_text_problems(title) == [], title
    mirrored = [c for c in clips if "mirrored" in c.description]
    assert mirrored and all(
        f"the {'right' if c.side == 'left' else 'left'} leg's clip mirrored" in c.description
        for c in mirrored
    )
