"""The CoP content against its source: every sentence, every list in full and in order."""

import re
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from activities.models import delivery_create
from lessons.models import ACTIVITY_AUDIENCE, SLIDE_AUDIENCE, Audience, Slide

CONTENT = Path(__file__).resolve().parents[2] / "content" / "cop"
SOURCE_LINES = (CONTENT / "SOURCE.txt").read_text(encoding="utf-8").splitlines()

# Lines of the source that are structure, not text: each is held by a YAML key and checked
# by a structured test below (the lesson map, slide numbers, phases, headings).
STRUCTURAL = re.compile(
    r"^(Lesson at a Glance|Lesson Map|The Lesson|Starting the lesson|RESOURCES|INSTRUCTIONS:"
    r"|Films:|Slides? \d+|Duration: 120 minutes total|45 minutes: presentation"
    r"|75 minutes: interactive exchange or activity|Time:|Question\tTraditional Policing\t.*"
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


def source_sentences():
    """(line number, sentence) of every text line of the source; a table row's cells apart."""
    for number, line in enumerate(SOURCE_LINES, start=1):
        if len(normalise(line)) < 3 or STRUCTURAL.match(line.strip()):
            continue
        for cell in line.split("\t"):
            for sentence in re.split(r"(?<=[.:?])\s+", normalise(cell)):
                if sentence and not STRUCTURAL.match(sentence):
                    yield number, sentence


def test_every_sentence_of_the_source_is_in_the_content():
    corpus = re.sub(r"\s+", " ", content_text())
    missing = [
        f"source line {number}: {sentence}"
        for number, sentence in source_sentences()
        if sentence not in corpus
    ]
    assert missing == []


def audience_text(audience: Audience) -> str:
    """The text of every slide and activity field read by `audience` (derived reasons left out)."""
    lesson = yaml.safe_load((CONTENT / "lesson.yaml").read_text(encoding="utf-8"))
    # How to start the lesson is the instructor's plan, read on the console.
    texts = list(yaml_strings(lesson["opening"])) if audience == Audience.CONSOLE else []
    for path in sorted((CONTENT / "sections").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for records, audiences in (
            (data["slides"], SLIDE_AUDIENCE),
            (data.get("activities", []), ACTIVITY_AUDIENCE),
        ):
            for record in records:
                for name, value in record.items():
                    if audiences.get(name) == audience:
                        texts.extend(yaml_strings(value))
    return re.sub(
        r"\s+", " ", " ".join(normalise(line) for text in texts for line in text.splitlines())
    )


# The instructor's voice: lines the source addresses to the instructor alone.
INSTRUCTOR_VOICE = re.compile(
    r"^\s*(?:-\s*)?(Ask |Note for the instructor|Note to Instructor|Use this slide|Use the "
    r"(notes|following notes)|Transition by the instructor|Divide participants|Then, in sequence"
    r"|After the discussion|Before showing|Give learners|To summarise)"
)


def test_the_instructors_lines_are_on_the_console_only():
    room = audience_text(Audience.ROOM) + audience_text(Audience.ON_REVEAL)
    console = audience_text(Audience.CONSOLE)
    lines = [n for n, line in enumerate(SOURCE_LINES, start=1) if INSTRUCTOR_VOICE.match(line)]
    assert len(lines) >= 20  # the check reads the source's instructor lines, not nothing
    misplaced = [
        f"source line {number}: {sentence}"
        for number, sentence in source_sentences()
        # (The group labels WHAT? WHO? HOW? of that line are the room's too.)
        if number in lines
        and ((len(sentence.split()) > 2 and sentence in room) or sentence not in console)
    ]
    assert misplaced == []


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
    # The opening (interactive start, video, slides 1-4) takes 8 of the 45 presentation minutes.
    assert cop_lesson.opening_minutes == 8
    assert "opening.minutes" in cop_lesson.derived
    assert [s.minutes_presentation for s in sections] == [8, 3, 0, 5, 0, 8, 0, 5, 4, 2, 2]
    assert cop_lesson.opening_minutes + sum(s.minutes_presentation for s in sections) == 45
    assert sum(s.minutes_interaction for s in sections) == 75
    for activity in cop_lesson.activities.all():
        assert activity.minutes == sum(p.minutes for p in activity.phases.all()), activity.code
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
    (35, "reveal", "such as:", "Challenges and obstacles to the effective", 14),
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
    # A list the slide presents is the room's; slide 35's challenges are the brainstorm's answers.
    assert SLIDE_AUDIENCE[field] == (Audience.ON_REVEAL if slide_number == 35 else Audience.ROOM)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code, anchor, count",
    [
        ("challenges", "Challenges and obstacles to the effective", 14),
        ("positive-contact", "Ask participants to think of ways to optimize", 15),
        ("problems", "Key Message: In conflict/post-conflict environments, some", 6),
    ],
)
def test_brainstorms_debrief_against_the_sources_answers(cop_lesson, code, anchor, count):
    activity = cop_lesson.activities.get(code=code)
    assert activity.grouping == {"kind": "class"}
    points = [normalise(p.text) for p in activity.key_points.all()]
    assert points == source_items(anchor, count)


@pytest.mark.django_db
def test_the_community_brainstorm_debriefs_against_slide_7(cop_lesson, slides):
    community = cop_lesson.activities.get(code="community")
    assert community.grouping == {"kind": "class"} and community.slide.number == 6
    assert [p.text for p in community.key_points.all()] == slides[7].body.split("\n\n")


@pytest.mark.django_db
def test_every_activity_has_a_derived_task_for_the_participants(cop_lesson):
    for activity in cop_lesson.activities.all():
        assert activity.task and "task" in activity.derived, activity.code
        assert "source line" in activity.derived["task"], activity.code
        assert not INSTRUCTOR_VOICE.match(activity.task), activity.code


@pytest.mark.django_db
def test_responsiveness_keeps_the_dangling_last_item(slides):
    items = list_after(slides[22].body, "Responsiveness includes the following:")
    assert items[-1] == "Supportive programs for victims and witnesses"
    assert len(items) == 10


@pytest.mark.django_db
def test_learning_objectives_and_opening_options(cop_lesson):
    texts = [objective.text for objective in cop_lesson.objectives.all()]
    assert texts == source_items("Upon completion", 5)
    options = cop_lesson.opening["options"]
    assert len(options) == 4
    assert [len(option.get("questions", [])) for option in options] == [0, 3, 0, 0]
    assert "https://www.osce.org/secretariat/107820" in str(cop_lesson.opening)


@pytest.mark.django_db
def test_traditional_vs_cop_table_rows_are_the_debriefs_ten_key_points(cop_lesson):
    activity = cop_lesson.activities.get(code="5.2")
    assert activity.response_form == {"kind": "list", "columns": ["Traditional Policing", "CoP"]}
    source_rows = [line.split("\t") for line in SOURCE_LINES[350:360]]
    points = [p.text for p in activity.key_points.all()]
    assert points == [
        f"{question}\n\n- Traditional Policing: {traditional}\n- CoP: {cop}"
        for question, traditional, cop in source_rows
    ]


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
def test_sara_groups_scan_and_analyse_the_galasi_case(cop_lesson, slides):
    sara = cop_lesson.activities.get(code="sara")
    assert [f["label"] for f in sara.response_form["fields"]] == ["Scanning", "Analysis"]
    assert sara.slide.number == 28 and "Galasi" in slides[28].body
    assert "Scanning" in sara.task and "Analysis" in sara.task
    # The debrief is what the source states for those two steps, on slide 29.
    slide_29 = slides[29].body.replace("**", "")
    for point in sara.key_points.all():
        assert point.text in slide_29
    assert [p.slot for p in sara.key_points.all()] == ["S", "A"]
    assert "(Scanning)" in slide_29 and "(Assessment)" in slides[30].body
    assert {"instructions", "task", "key_points"} <= set(sara.derived)


@pytest.mark.django_db
def test_take_away_asks_what_so_what_now_what(cop_lesson):
    take_away = cop_lesson.activities.get(code="take-away")
    assert [f["label"] for f in take_away.response_form["fields"]] == [
        "What?",
        "So What?",
        "Now What?",
    ]
    assert {p.slot for p in take_away.key_points.all()} == {"what", "so-what", "now-what"}
    # "What?" says "(See four essential elements below)": they are What?'s.
    elements = take_away.key_points.get(text__startswith="The four essential elements")
    assert elements.slot == "what"
    assert elements.text.count("**") == 8  # each element's bold heading


@pytest.mark.django_db
def test_references_are_complete(cop_lesson):
    groups = {group["heading"]: group for group in cop_lesson.references}
    assert len(groups["Reference Materials"]["items"]) == 9
    assert len(groups["UN Information"]["items"]) == 7


@pytest.mark.django_db
def test_the_smaller_fixes(cop_lesson, slides):
    assert "4. the provision of access to UN personnel" in slides[13].notes
    consultation = cop_lesson.activities.get(code="consultation")
    points = {(p.slot, p.text) for p in consultation.key_points.all()}
    assert (
        "WHAT?",
        "Based on consultations and received information UNPOL carry out analysis and develop "
        "solutions.",
    ) in points
    assert ("WHO?", "All sections of the communities must be approached and involved.") in points
    assert cop_lesson.activities.get(code="5.3").grouping_summary == (
        "Pairs or small groups (4–5 per group)"
    )


# What the room sees, screen by screen: the projector and a phone on every slide, with and
# without its activity open.
ROOM_FORBIDDEN = ("Ask participants", "Ask groups", "Use this slide", "Note for the instructor")
CHALLENGE = "Lack of political and/or community will"
GALASI = "In an IDP camp in Galasi, Carana"


def screens(instructor_client, phone, delivery) -> tuple[str, str]:
    delivery.refresh_from_db()
    projector = instructor_client.get(reverse("activities:projector", args=[delivery.pk]))
    stage = phone.get(reverse("participants:stage", args=[delivery.join_code]))
    assert projector.status_code == stage.status_code == 200
    return projector.content.decode(), stage.content.decode()


@pytest.fixture
def room(instructor_client, instructor, client_factory, cop_lesson):
    """A started delivery of the CoP lesson with one participant's phone in a group."""
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Room")
    phone = client_factory()
    phone.post(reverse("participants:join", args=[delivery.join_code]), {"name": "Amina"})
    delivery.start()
    return lambda: screens(instructor_client, phone, delivery), delivery


@pytest.mark.django_db
def test_no_instructor_line_on_the_projector_or_a_phone(room, cop_lesson):
    show, delivery = room
    seen = []
    for slide in cop_lesson.slides.select_related("activity"):
        delivery.go_to_slide(slide.number)
        seen.append((slide.number, *show()))
        if slide.activity:
            delivery.open_activity()
            seen.append((slide.activity.code, *show()))
            delivery.close_activity()
    assert len(seen) == 32 + 10
    assert "What is Community-oriented Policing?" in seen[0][1]  # the projector, read
    assert "Amina" in seen[0][2] or "Slide 5" in seen[0][2]  # the phone, read
    found = [
        (where, line)
        for where, *pages in seen
        for page in pages
        for line in ROOM_FORBIDDEN
        if line in page
    ]
    assert found == []


@pytest.mark.django_db
def test_slide_35s_challenges_reach_the_projector_only_once_revealed(room, instructor_client):
    show, delivery = room
    delivery.go_to_slide(35)
    projector, phone = show()
    assert "Putting in place a CoP strategy" in projector
    assert CHALLENGE not in projector and CHALLENGE not in phone
    console = instructor_client.get(reverse("activities:console", args=[delivery.pk]))
    assert CHALLENGE in console.content.decode()  # the instructor sees what is to come
    response = instructor_client.post(
        reverse("activities:action", args=[delivery.pk]), {"action": "reveal"}
    )
    assert response.status_code in (200, 302)
    projector, phone = show()
    assert CHALLENGE in projector and "Funding equipment training lacking" in projector
    delivery.refresh_from_db()
    delivery.go_to_slide(36)
    delivery.go_to_slide(35)
    assert CHALLENGE not in show()[0]  # leaving the slide hides it again


@pytest.mark.django_db
def test_the_galasi_case_is_on_the_projector_and_phones_while_sara_is_open(room):
    show, delivery = room
    delivery.go_to_slide(28)
    delivery.open_activity()
    projector, phone = show()
    for page in (projector, phone):
        assert GALASI in page
        assert "apply the first two steps of SARA" in page
        assert "Show slide 28" not in page  # the instructor's instruction stays on the console
    assert 'data-slot="field:S"' in phone and 'data-slot="field:A"' in phone


@pytest.mark.django_db
def test_5_2_phone_is_one_list_per_column_with_one_send_per_point(room):
    show, delivery = room
    delivery.go_to_slide(14)
    delivery.open_activity()
    _, phone = show()
    assert phone.count('data-slot="new:c') == 2
    assert 'data-slot="new:c0"' in phone and 'data-slot="new:c1"' in phone
    assert "Traditional Policing" in phone and "cell:" not in phone
