"""The CoP content against its source: every sentence, every list in full and in order."""

import re
from pathlib import Path

import pytest
import yaml

from lessons.models import Slide

CONTENT = Path(__file__).resolve().parents[2] / "content" / "cop"
SOURCE_LINES = (CONTENT / "SOURCE.txt").read_text(encoding="utf-8").splitlines()

# Lines of the source that are structure, not text: each is held by a YAML key and checked
# by a structured test below (the lesson map, slide numbers, phases, headings).
STRUCTURAL = re.compile(
    r"^(Lesson at a Glance|Lesson Map|The Lesson|Starting the lesson|RESOURCES|INSTRUCTIONS:"
    r"|Films:|Slides? \d+|Duration: 120 minutes total|45 minutes: presentation"
    r"|75 minutes: interactive exchange or activity|Time:"
    r"|.*\tSlides? \d+(-\d+)?"
    r"|(Group discussion|Group work): \d+ minutes(Presentations|Discussion): \d+ minutes"
    r"|(Discussion in small groups|Presenting in plenary) 5 min)$"
)
# PDF-extraction repairs, each listed in content/cop/TRANSCRIPTION.md.
REPAIRS = {"Communityoriented": "Community-oriented", "\\$/2013": "S/2013", "СоР": "CoP"}
LABEL = re.compile(
    r"^(Key [Mm]essage|Purpose|Note for the instructor|Note to Instructor"
    r"|Transition by the instructor|Expected responses):\s*"
)


def normalise(line: str) -> str:
    for old, new in REPAIRS.items():
        line = line.replace(old, new)
    line = line.replace("**", "").replace("•", " ")
    line = re.sub(r"^\s*(?:[-•]\s*)?(?:\d+[.)]\s*)?", "", line)
    return re.sub(r"\s+", " ", LABEL.sub("", line)).strip()


def yaml_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from yaml_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from yaml_strings(item)


def content_text() -> str:
    texts = []
    for path in [CONTENT / "lesson.yaml", *sorted((CONTENT / "sections").glob("*.yaml"))]:
        texts.extend(yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return " ".join(normalise(line) for text in texts for line in text.splitlines())


def test_every_sentence_of_the_source_is_in_the_content():
    corpus = re.sub(r"\s+", " ", content_text())
    missing = []
    for number, line in enumerate(SOURCE_LINES, start=1):
        text = normalise(line)
        if len(text) < 3 or STRUCTURAL.match(line.strip()):
            continue
        for sentence in re.split(r"(?<=[.:?])\s+", text):
            if sentence not in corpus and not STRUCTURAL.match(sentence):
                missing.append(f"source line {number}: {sentence}")
    assert missing == []


def source_items(anchor: str, count: int) -> list[str]:
    """The first `count` list items after the source line that starts with `anchor`."""
    start = next(i for i, line in enumerate(SOURCE_LINES) if line.strip().startswith(anchor))
    items = []
    for line in SOURCE_LINES[start + 1 :]:
        if re.match(r"^\s*[-•]\s", line):
            if len(items) == count:
                break
            items.append(normalise(line))
        elif items and line.startswith(" ") and line.strip():
            items[-1] += " " + normalise(line)  # an item the PDF wrapped onto a second line
    return items


def list_after(markdown: str, intro: str) -> list[str]:
    """The Markdown list items that follow the line containing `intro`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if intro in line)
    items = []
    for line in lines[start + 1 :]:
        if line.startswith("- "):
            items.append(normalise(line))
        elif items and line.strip():
            break
    return items


@pytest.fixture
def slides(cop_lesson) -> dict[int, Slide]:
    return {slide.number: slide for slide in cop_lesson.slides.select_related("activity")}


@pytest.mark.django_db
def test_every_slide_from_5_to_36_exists_with_a_title(slides):
    assert sorted(slides) == list(range(5, 37))
    assert all(slide.title for slide in slides.values())


@pytest.mark.django_db
def test_lesson_map_rows_match_the_source(cop_lesson):
    source_rows = [line.split("\t") for line in SOURCE_LINES[31:42]]
    rows = [
        (section.title, f"Slide{'s' if '-' in section.slides_label else ''} {section.slides_label}")
        for section in cop_lesson.sections.all()
    ]
    assert rows == [(title, slides) for title, slides in source_rows]


@pytest.mark.django_db
def test_minutes_add_up_to_the_plan(cop_lesson):
    sections = list(cop_lesson.sections.all())
    assert (cop_lesson.minutes_total, cop_lesson.minutes_presentation) == (120, 45)
    assert cop_lesson.minutes_interaction == 75
    assert sum(s.minutes_presentation for s in sections) == 45
    assert sum(s.minutes_interaction for s in sections) == 75
    phases = {
        activity.code: [(p.name, p.minutes) for p in activity.phases.all()]
        for activity in cop_lesson.activities.all()
    }
    assert phases["5.1"] == [("Group discussion", 5), ("Presentations", 10)]
    assert phases["5.2"] == [("Group work", 10), ("Discussion", 10)]
    assert phases["5.3"] == [("Group work", 5), ("Discussion", 10)]
    assert phases["consultation"] == [
        ("Discussion in small groups", 5),
        ("Presenting in plenary", 5),
    ]


LISTS = [
    # (slide, field, the line before the list in the YAML, source anchor, count)
    (13, "body", "benefits of CoP as:", "The UN Manual on Community-oriented Policing", 11),
    (9, "body", "Other initiatives to promote security include:", "This initiative is in line", 4),
    (11, "key_message", "are:", "Key Message: The main guiding documents", 6),
    (22, "body", "Responsiveness includes the following:", "Responsiveness includes", 9),
    (31, "key_message", "are:", "Key message: The end goals", 5),
    (32, "body", "These are the basic requirements", "These are the basic requirements", 5),
    (33, "key_message", "consists of 6 stages:", "Key message: Implementation process", 6),
    (35, "body", "such as:", "Challenges and obstacles to the effective", 14),
    (
        25,
        "key_message",
        "can be defined as:",
        "Key Message: In conflict/post-conflict environments in the CoP context",
        3,
    ),
    (
        26,
        "key_message",
        "have been subject to problem solving include:",
        "Key Message: In conflict/post-conflict environments, some",
        7,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("slide_number, field, intro, anchor, count", LISTS)
def test_slide_lists_are_complete_and_in_source_order(
    slides, slide_number, field, intro, anchor, count
):
    expected = source_items(anchor, count)
    assert len(expected) == count
    assert list_after(getattr(slides[slide_number], field), intro)[:count] == expected


@pytest.mark.django_db
def test_responsiveness_keeps_the_dangling_last_item(slides):
    items = list_after(slides[22].body, "Responsiveness includes the following:")
    assert items[-1] == "Supportive programs for victims and witnesses"
    assert len(items) == 10


@pytest.mark.django_db
def test_learning_objectives_and_opening_options(cop_lesson):
    assert cop_lesson.learning_objectives["items"] == source_items("Upon completion", 5)
    options = cop_lesson.opening["options"]
    assert len(options) == 4
    assert [len(option.get("questions", [])) for option in options] == [0, 3, 0, 0]
    assert "https://www.osce.org/secretariat/107820" in str(cop_lesson.opening)


@pytest.mark.django_db
def test_traditional_vs_cop_table_has_all_ten_rows(cop_lesson):
    form = cop_lesson.activities.get(code="5.2").response_form
    source_rows = [line.split("\t") for line in SOURCE_LINES[350:360]]
    assert form["columns"] == ["Traditional Policing", "CoP"]
    assert [[row["label"], *row["expected"]] for row in form["rows"]] == source_rows


@pytest.mark.django_db
def test_mobilizing_communities_has_the_21_ways_in_order(cop_lesson):
    points = list(cop_lesson.activities.get(code="5.3").key_points.all())
    assert len(points) == 21
    numbers = [int(re.match(r"\*\*(\d+)\.", point.text)[1]) for point in points]
    assert numbers == list(range(1, 22))
    assert "Neighbourhood watch" in points[15].text
    assert "Coordinating with other government agencies" in points[20].text


@pytest.mark.django_db
def test_consultation_task_assigns_what_who_how(cop_lesson):
    consultation = cop_lesson.activities.get(code="consultation")
    assignments = consultation.grouping["assignments"]
    assert [a["label"] for a in assignments] == ["WHAT?", "WHO?", "HOW?"]
    assert [a["prompt"] for a in assignments] == source_items("To ensure the efficiency", 3)
    assert consultation.slide.number == 16


@pytest.mark.django_db
def test_sara_case_of_the_galasi_camp(cop_lesson, slides):
    sara = cop_lesson.activities.get(code="sara")
    assert [f["label"] for f in sara.response_form["fields"]] == [
        "Scanning",
        "Analysis",
        "Response",
        "Assessment",
    ]
    assert "Galasi" in slides[28].body
    assert "(Scanning)" in slides[29].body.replace("**", "")
    assert "(Assessment)" in slides[30].body
    assert sara.derived  # the source gives the case as an illustration, not a group task


@pytest.mark.django_db
def test_take_away_asks_what_so_what_now_what(cop_lesson):
    take_away = cop_lesson.activities.get(code="take-away")
    assert [f["label"] for f in take_away.response_form["fields"]] == [
        "What?",
        "So What?",
        "Now What?",
    ]
    assert {p.slot for p in take_away.key_points.all()} == {"what", "so-what", "now-what"}


@pytest.mark.django_db
def test_references_are_complete(cop_lesson):
    groups = {group["heading"]: group for group in cop_lesson.references}
    assert len(groups["Reference Materials"]["items"]) == 9
    assert len(groups["UN Information"]["items"]) == 7
