"""A fifth response-form kind, registered only here: one class and its phone template are all
it takes for the lesson YAML to accept it, the phone to show it and an answer to be stored."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from activities.models import Submission, delivery_create
from activities.wall import wall
from lessons.errors import LessonInvalid
from lessons.forms import KINDS, FormKind
from lessons.forms.parts import PROMPT
from lessons.loader import load
from lessons.schema import Integer, Key
from tests.lessons.helpers import edited, mini_files

pytestmark = pytest.mark.django_db
PRACTICE = "sections/02-practice.yaml"
TABLE_FORM = """    response_form:
      kind: table
      columns:
        - Before
        - After
      rows:
        - label: Who writes it?
          expected:
            - An editor
            - A coordinator
"""
RATING_FORM = """    response_form:
      kind: rating
      prompt: How ready is your group?
      scale: 4
"""


class RatingForm(FormKind):
    name = "rating"
    title = "A rating"
    keys = (PROMPT, Key("scale", Integer(minimum=2, maximum=10)))
    required = ("scale",)
    phone_template = "rating_kind/rating.html"

    def accepts(self, key: str) -> bool:
        return key == "rating"

    def phone(self, stored) -> dict:
        return {
            "prompt": self.form.get("prompt", ""),
            "scale": [str(value) for value in range(1, self.form["scale"] + 1)],
            "rating": self.piece("rating", stored),
        }

    def piece_label(self, key: str) -> str:
        return "Rating"


@pytest.fixture
def rating_kind(monkeypatch, settings):
    monkeypatch.setitem(KINDS, "rating", RatingForm)
    engine = settings.TEMPLATES[0]
    templates = Path(__file__).parent / "form_kind_templates"
    settings.TEMPLATES = [{**engine, "DIRS": [*engine.get("DIRS", []), templates]}]


def rating_lesson(form: str = RATING_FORM) -> dict[str, bytes]:
    files = edited(mini_files(), PRACTICE, TABLE_FORM, form)
    # The key point named a table row, which a rating form has none of.
    return edited(files, PRACTICE, "        slot: Who writes it?\n", "")


def test_the_lesson_yaml_refuses_a_kind_nobody_registered():
    with pytest.raises(LessonInvalid) as refused:
        load(rating_lesson())
    assert "response_form.kind" in str(refused.value)
    assert "'rating'" in str(refused.value)


def test_a_registered_kind_loads_from_yaml_with_its_own_rules(rating_kind):
    with pytest.raises(LessonInvalid) as refused:
        load(rating_lesson(RATING_FORM.replace("scale: 4", "scale: 40")))
    assert "activities[1].response_form.scale" in str(refused.value)
    with pytest.raises(LessonInvalid) as refused:
        load(rating_lesson(RATING_FORM + "      columns:\n        - Before\n"))
    assert "response_form.columns: does not apply to a rating form" in str(refused.value)
    with pytest.raises(LessonInvalid) as refused:
        load(rating_lesson(RATING_FORM.replace("      scale: 4\n", "")))
    assert "response_form.scale: is required for a rating" in str(refused.value)

    activity = load(rating_lesson()).lesson.activities.get()
    assert activity.response_form == {
        "kind": "rating",
        "prompt": "How ready is your group?",
        "scale": 4,
    }
    assert activity.response_form_summary == "A rating"


def test_a_registered_kind_shows_on_the_phone_and_stores_an_answer(rating_kind, client, instructor):
    lesson = load(rating_lesson()).lesson
    delivery = delivery_create(lesson=lesson, instructor=instructor, title="Rating rehearsal")
    delivery.start()
    delivery.go_to_slide(3)
    delivery.open_activity()
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": "Amina"})
    stage = reverse("participants:stage", args=[delivery.join_code])
    page = client.get(stage).content.decode()
    assert "form-rating" in page and "How ready is your group?" in page
    assert page.count('type="radio" name="rating"') == 4

    def send(key: str, text: str):
        return client.post(
            reverse("participants:answer", args=[delivery.join_code, "save"]),
            json.dumps({"key": key, "text": text}),
            content_type="application/json",
        )

    refused = send("cell:0:0", "3")
    assert refused.status_code == 404
    assert "does not belong to the activity's form" in refused.json()["error"]
    assert not Submission.objects.exists()

    assert send("rating", "3").status_code == 200
    assert Submission.objects.get().text == "3"
    assert "Your group said 3" in client.get(stage).content.decode()
    delivery.refresh_from_db()
    pieces = [
        piece for answer in wall(delivery.open_run, include_hidden=False) for piece in answer.pieces
    ]
    assert [(piece.label, piece.submission.text) for piece in pieces] == [("Rating", "3")]


def test_each_kind_adds_its_own_part_to_the_instructors_console(rating_kind, client, instructor):
    client.force_login(instructor)

    def console_on_the_activity(files: dict[str, bytes]) -> str:
        lesson = load(files).lesson
        delivery = delivery_create(lesson=lesson, instructor=instructor, title="Reading")
        delivery.start()
        delivery.go_to_slide(3)
        return client.get(reverse("activities:console", args=[delivery.pk])).content.decode()

    table = console_on_the_activity(mini_files())
    assert "Response table and the notes to supplement it" in table
    assert "Who writes it?" in table and "A coordinator" in table

    rating = console_on_the_activity(rating_lesson())
    assert "Response table" not in rating and "rating-reader" not in rating
    RatingForm.reader_template = "rating_kind/reader.html"
    try:
        rating = console_on_the_activity(rating_lesson())
    finally:
        del RatingForm.reader_template
    assert "Groups rate on a scale of 4." in rating
