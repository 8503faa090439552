"""lessons/records.py: one record ↔ rows mapping used by load, dump and the editor's saves."""

import pytest
import yaml
from django.db import connection
from django.http import QueryDict

from lessons import editing, records
from lessons.editing import draft_save_field
from lessons.exporter import dump
from lessons.loader import load
from lessons.models import Activity, Lesson
from lessons.records import check_value, spec_of
from lessons.schema import ACTIVITY
from tests.lessons.helpers import mini_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini_draft():
    return load(mini_files(), status=Lesson.Status.DRAFT).lesson


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("coordinator")


def form(**values: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(values)
    return data


def test_a_saved_markdown_field_is_rendered_before_the_write_transaction(
    mini_draft, user, monkeypatch
):
    depths = []
    render = records.render_html

    def recording(spec, value):
        depths.append(len(connection.atomic_blocks))
        return render(spec, value)

    monkeypatch.setattr(records, "render_html", recording)
    outside = len(connection.atomic_blocks)

    saved = draft_save_field(
        lesson=mini_draft,
        key="slide:1:body",
        data=form(**{"slide:1:body": "Now **bold**"}),
        version=0,
        user=user,
    )

    assert saved.changed
    slide = mini_draft.slides.get(number=1)
    assert (slide.body, slide.body_html) == ("Now **bold**", "<p>Now <strong>bold</strong></p>")
    assert depths and set(depths) == {outside}, "rendered inside the field's write transaction"


def test_a_change_to_the_same_key_between_render_and_lock_is_kept(mini_draft, user, monkeypatch):
    """`grouping.count` and `grouping.size` are stored together: a save of one prepared before
    the lock must not put back the other as it was read then."""
    prepare = editing.prepare_save

    def then_someone_else_saves(lesson, key, data):
        prepared = prepare(lesson, key, data)
        Activity.objects.filter(lesson=lesson, code="1.1").update(
            grouping={"kind": "groups", "size": {"min": 2, "max": 3}}
        )
        return prepared

    monkeypatch.setattr(editing, "prepare_save", then_someone_else_saves)
    key = "activity:1.1:grouping.count"

    draft_save_field(lesson=mini_draft, key=key, data=form(**{key: "6"}), version=0, user=user)

    assert mini_draft.activities.get(code="1.1").grouping == {
        "kind": "groups",
        "size": {"min": 2, "max": 3},
        "count": 6,
    }


def test_saving_a_list_replaces_its_rows_and_dump_writes_them(mini_draft, user):
    key = "activity:1.1:phases"
    data = QueryDict(mutable=True)
    data.setlist(f"{key}.name", ["Read", "Discuss", "Report"])
    data.setlist(f"{key}.minutes", ["1", "3", "2"])

    draft_save_field(lesson=mini_draft, key=key, data=data, version=0, user=user)

    activity = mini_draft.activities.get(code="1.1")
    assert [(p.position, p.name, p.minutes) for p in activity.phases.all()] == [
        (1, "Read", 1),
        (2, "Discuss", 3),
        (3, "Report", 2),
    ]
    written = yaml.safe_load(dump(mini_draft)[activity.section.file])
    assert written["activities"][0]["phases"] == [
        {"name": "Read", "minutes": 1},
        {"name": "Discuss", "minutes": 3},
        {"name": "Report", "minutes": 2},
    ]


def test_an_edited_value_is_checked_as_the_file_would_be_with_problems_in_written_order():
    points = [{"text": [f"Point {n}"], "slot": "s"} for n in range(1, 12)]

    clean, problems = check_value(
        spec_of(ACTIVITY, ["key_points"]), points, file="activity:1.1", path="key_points"
    )

    assert [problem.field for problem in problems] == [
        f"key_points[{n}].text" for n in range(1, 12)
    ]
    assert {problem.message for problem in problems} == {"expected Markdown text, found a list"}


def test_a_valid_edited_value_comes_back_clean_as_plain_values():
    clean, problems = check_value(
        spec_of(ACTIVITY, ["phases"]),
        [{"minutes": 4, "name": "  Group work "}],
        file="activity:1.1",
        path="phases",
    )

    assert problems == []
    assert clean == [{"name": "Group work", "minutes": 4}]
    assert type(clean) is list and type(clean[0]) is dict
