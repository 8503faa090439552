"""Learning objectives in the content: listed with ids, cited by activities and key points,
checked like every reference, dumped back, edited in the coordinator's editor."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from lessons.errors import LessonInvalid
from lessons.exporter import dump
from lessons.loader import load
from lessons.models import Lesson, Objective
from tests.lessons.helpers import MINI, edited, mini_files

pytestmark = pytest.mark.django_db
PRACTICE = "sections/02-practice.yaml"


def problems_of(files) -> list[str]:
    with pytest.raises(LessonInvalid) as raised:
        load(files)
    return [str(problem) for problem in raised.value.problems]


def test_load_stores_the_objectives_and_who_cites_them():
    lesson = load(mini_files()).lesson
    assert [(o.code, o.text) for o in lesson.objectives.all()] == [
        ("format", "Explain the format"),
        ("checks", "Describe the checks"),
    ]
    activity = lesson.activities.get(code="1.1")
    assert activity.objective_codes == ["format"]
    point = activity.key_points.get()
    assert point.objective_codes == ["checks"]
    assert point.served_objective_codes == ["checks"]


def test_a_key_point_that_names_none_serves_its_activitys_objectives():
    files = edited(mini_files(), PRACTICE, "        objectives:\n          - checks\n", "")
    point = load(files).lesson.activities.get().key_points.get()
    assert point.objective_codes == []
    assert point.served_objective_codes == ["format"]


def test_dump_of_load_gives_the_objectives_back_byte_for_byte():
    files = mini_files()
    dumped = dump(load(files).lesson)
    assert {name: text.encode() for name, text in dumped.items()} == files
    assert "    - id: checks\n      text: Describe the checks\n" in dumped["lesson.yaml"]


def test_an_unknown_objective_id_is_a_file_line_problem_that_suggests_the_nearest():
    files = edited(
        mini_files(),
        PRACTICE,
        "    objectives:\n      - format",
        "    objectives:\n      - formats",
    )
    assert problems_of(files) == [
        f"{PRACTICE}:35: activities[1].objectives[1]: 'formats' is not an objective of this "
        "lesson; did you mean 'format'? (objectives: format, checks)"
    ]
    assert not Lesson.objects.exists()
    assert not Objective.objects.exists()


def test_an_unknown_id_on_a_key_point_names_the_key_point():
    files = edited(mini_files(), PRACTICE, "          - checks", "          - zebra")
    assert problems_of(files) == [
        f"{PRACTICE}:42: activities[1].key_points[1].objectives[1]: 'zebra' is not an objective "
        "of this lesson (objectives: format, checks)"
    ]


def test_an_objective_id_used_twice_or_badly_spelt_is_refused():
    twice = edited(mini_files(), "lesson.yaml", "id: checks", "id: format")
    assert "lesson.yaml:15: learning_objectives.items[2].id: 'format' is used twice" in problems_of(
        twice
    )
    spelt = edited(mini_files(), "lesson.yaml", "id: checks", "id: The Checks")
    assert any(
        p.startswith(
            "lesson.yaml:15: learning_objectives.items[2].id: 'The Checks' is not a short id"
        )
        for p in problems_of(spelt)
    )
    text_only = edited(mini_files(), "lesson.yaml", "    - id: checks\n      text:", "    -")
    assert problems_of(text_only)[0].startswith(
        "lesson.yaml:15: learning_objectives.items[2]: expected a mapping, found text"
    )
    assert not Lesson.objects.exists()


def test_checklesson_warns_of_an_objective_no_activity_serves(tmp_path, capsys):
    call_command("checklesson", str(MINI))
    assert "warning" not in capsys.readouterr().out
    files = edited(mini_files(), PRACTICE, "        objectives:\n          - checks\n", "")
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    call_command("checklesson", str(tmp_path))  # a warning: still valid, exit status 0
    out = capsys.readouterr().out
    assert (
        f"{tmp_path}/lesson.yaml:15: learning_objectives.items[2]: no activity serves "
        "objective 'checks' (warning)"
    ) in out
    assert "valid — lesson 'mini'" in out


def test_the_cop_lesson_serves_every_objective_and_marks_each_link_derived(cop_lesson):
    assert [o.code for o in cop_lesson.objectives.all()] == [
        "concept",
        "benefits",
        "elements",
        "problem-solving",
        "challenges",
    ]
    served = set()
    for activity in cop_lesson.activities.prefetch_related("key_points"):
        assert activity.objective_codes, activity.code
        assert "does not say which activity serves which" in activity.derived["objectives"]
        for point in activity.key_points.all():
            assert point.objective_codes, (activity.code, point.text[:40])
            served.update(point.objective_codes)
        served.update(activity.objective_codes)
    assert served == {o.code for o in cop_lesson.objectives.all()}


# The coordinator's editor.

HTMX = {"HTTP_HX_REQUEST": "true"}


def save(client, lesson, data):
    return client.post(reverse("content:field", args=[lesson.pk]), data)


def test_the_editor_shows_an_activitys_objectives_and_saves_new_ones(coordinator_client, cop_draft):
    page = coordinator_client.get(reverse("content:activity", args=[cop_draft.pk, "5.1"]))
    text = html.unescape(page.content.decode())
    assert "Objectives it serves" in text
    assert "concept\nbenefits</textarea>" in text
    key = "activity:5.1:objectives"
    response = save(
        coordinator_client, cop_draft, {"field": key, "version": "0", key: "benefits\r\n"}
    )
    assert response.status_code in (200, 302)
    assert cop_draft.activities.get(code="5.1").objective_codes == ["benefits"]
    assert (
        "      - benefits\n    key_points:"
        in dump(Lesson.objects.get(pk=cop_draft.pk))["sections/03-learning-activity-5-1.yaml"]
    )


def test_the_editor_refuses_a_malformed_id_and_keeps_the_links(coordinator_client, cop_draft):
    key = "activity:5.1:objectives"
    response = save(coordinator_client, cop_draft, {"field": key, "version": "0", key: "Concept!"})
    assert response.status_code == 400
    assert "is not a short id" in html.unescape(response.content.decode())
    assert cop_draft.activities.get(code="5.1").objective_codes == ["concept", "benefits"]


def test_a_cited_id_the_lesson_lacks_is_reported_when_the_draft_is_validated(
    coordinator_client, cop_draft
):
    key = "activity:5.1:objectives"
    save(coordinator_client, cop_draft, {"field": key, "version": "0", key: "benefit"})
    page = coordinator_client.get(reverse("content:validate", args=[cop_draft.pk]))
    text = html.unescape(page.content.decode())
    assert "'benefit' is not an objective of this lesson; did you mean 'benefits'?" in text


def test_the_editor_edits_the_objectives_list(coordinator_client, cop_draft):
    key = "lesson:learning_objectives.items"
    ids = [o.code for o in cop_draft.objectives.all()]
    texts = [o.text for o in cop_draft.objectives.all()]
    texts[1] = "Describe the benefits of CoP for the host State"
    response = save(
        coordinator_client,
        cop_draft,
        {"field": key, "version": "0", f"{key}.id": ids, f"{key}.text": texts},
    )
    assert response.status_code in (200, 302)
    objective = Objective.objects.get(lesson=cop_draft, code="benefits")
    assert objective.text == "Describe the benefits of CoP for the host State"
    assert cop_draft.objectives.count() == 5
