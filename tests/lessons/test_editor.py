"""The coordinator's editor at /content/: drafts edited field by field, validated, published."""

import html
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.models import delivery_create
from copsite.roles import COORDINATOR, INSTRUCTOR, grant_role
from lessons.document import read_folder
from lessons.editing import draft_create_from_version
from lessons.exporter import dump
from lessons.loader import load
from lessons.models import Lesson

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
OLD_BENEFIT = "- Community trust\n"
NEW_BENEFIT = "- Community trust and **legitimacy**\n"


@pytest.fixture
def draft(cop_draft):
    return cop_draft


def field_url(lesson):
    return reverse("content:field", args=[lesson.pk])


def save(client, lesson, key, value=None, *, version=0, extra=None, **headers):
    data = {"field": key, "version": str(version)}
    if value is not None:
        data[key] = value
    data.update(extra or {})
    return client.post(field_url(lesson), data, **headers)


def text_of(response) -> str:
    """The response as a person reads it: entities like &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def body_13(lesson):
    return lesson.slides.get(number=13).body


# Who may edit.


def every_editor_url(lesson):
    args = [lesson.pk]
    return [
        ("get", reverse("content:index")),
        ("post", reverse("content:upload")),
        ("get", reverse("content:version", args=args)),
        ("post", reverse("content:new_draft", args=args)),
        ("post", reverse("content:discard", args=args)),
        ("post", reverse("content:retire", args=args)),
        ("get", reverse("content:validate", args=args)),
        ("post", reverse("content:publish", args=args)),
        ("get", reverse("content:download", args=args)),
        ("get", field_url(lesson) + "?field=slide:13:body"),
        ("post", field_url(lesson)),
        ("get", reverse("content:slide", args=[lesson.pk, 13])),
        ("post", reverse("content:slide_preview", args=[lesson.pk, 13])),
        ("get", reverse("content:activity", args=[lesson.pk, "5.2"])),
        ("post", reverse("content:activity_preview", args=[lesson.pk, "5.2"])),
        ("get", reverse("content:compare", args=[lesson.slug])),
    ]


def test_an_instructor_cannot_reach_the_editor(instructor_client, draft):
    before = dump(draft)
    for method, url in every_editor_url(draft):
        response = getattr(instructor_client, method)(url, {"field": "slide:13:body"})
        assert response.status_code == 403, f"{method.upper()} {url}"
    assert dump(Lesson.objects.get(pk=draft.pk)) == before
    assert Lesson.objects.count() == 2


def test_someone_not_signed_in_is_sent_to_the_login_page(client, draft):
    for method, url in every_editor_url(draft):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_person_with_both_roles_edits(client, draft, instructor):
    grant_role(instructor, COORDINATOR)
    client.force_login(instructor)
    assert client.get(reverse("content:index")).status_code == 200


def test_instructors_read_published_versions_but_not_drafts(instructor_client, draft):
    page = instructor_client.get(reverse("lessons:detail", args=["cop"]))
    assert page.status_code == 200 and page.context["lesson"].version == 1
    url = reverse("lessons:detail", args=["cop"]) + f"?version={draft.version}"
    assert instructor_client.get(url).status_code == 404


# Lessons and versions.


def test_the_index_lists_each_version_who_made_it_and_its_deliveries(
    coordinator_client, draft, cop_lesson, instructor
):
    delivery_create(lesson=cop_lesson, instructor=instructor, title="Induction 12")
    page = coordinator_client.get(reverse("content:index"))
    rows = {v.version: v for v in page.context["versions"]}
    assert (rows[1].status, rows[1].delivery_count) == ("published", 1)
    assert (rows[2].status, rows[2].delivery_count, rows[2].based_on) == ("draft", 0, cop_lesson)
    text = text_of(page)
    assert "Version 2" in text and "from version 1" in text and "coordinator" in text


def test_a_new_draft_is_always_a_new_row_and_loadlesson_stays_idempotent(
    coordinator_client, cop_lesson, coordinator
):
    first = coordinator_client.post(reverse("content:new_draft", args=[cop_lesson.pk]))
    second = coordinator_client.post(reverse("content:new_draft", args=[cop_lesson.pk]))
    drafts = Lesson.objects.filter(status="draft").order_by("version")
    assert [d.version for d in drafts] == [2, 3]
    assert first["Location"] == reverse("content:version", args=[drafts[0].pk])
    assert second["Location"] == reverse("content:version", args=[drafts[1].pk])
    assert all(d.created_by == coordinator and d.based_on == cop_lesson for d in drafts)
    assert dump(drafts[0]) == dump(cop_lesson)
    # The same content loaded again is still the published version 1, not a new one.
    call_command("loadlesson", "content/cop")
    assert load(read_folder("content/cop")).lesson == cop_lesson
    assert Lesson.objects.count() == 3


# Saving a field.


def test_a_saved_field_changes_the_draft_only(coordinator_client, draft, cop_lesson):
    new_body = body_13(draft).replace(OLD_BENEFIT, NEW_BENEFIT)
    response = save(coordinator_client, draft, "slide:13:body", new_body, **HTMX)

    assert response.status_code == 200
    assert "✓ Saved" in text_of(response)
    slide = draft.slides.get(number=13)
    assert slide.body == new_body
    assert "<li>Community trust and <strong>legitimacy</strong></li>" in slide.body_html
    assert body_13(cop_lesson).count(OLD_BENEFIT) == 1  # the published version is untouched
    stamp = Lesson.objects.get(pk=draft.pk).edit_versions["slide:13:body"]
    assert (stamp["version"], stamp["by"]) == (1, "coordinator")


def test_a_save_without_htmx_goes_back_to_the_page_at_the_field(coordinator_client, draft):
    page = reverse("content:slide", args=[draft.pk, 13])
    response = save(coordinator_client, draft, "slide:13:title", "Benefits", extra={"next": page})
    assert response.status_code == 302
    assert response["Location"] == f"{page}#f-slide-13-title"
    assert draft.slides.get(number=13).title == "Benefits"


def test_an_htmx_save_also_updates_the_running_minutes_totals(coordinator_client, draft):
    response = save(coordinator_client, draft, "section:4:minutes.presentation", "7", **HTMX)
    text = text_of(response)
    assert response.status_code == 200
    assert 'id="minutes-totals"' in text and 'hx-swap-oob="true"' in text
    assert "The lesson-map rows add up to 47 minutes of presentation" in text  # 5 -> 7
    assert draft.sections.get(position=4).minutes_presentation == 7


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("slide:13:title", "   ", "is required"),
        ("section:4:minutes.presentation", "six", "expected a whole number, found text"),
        ("section:4:minutes.presentation", "601", "601 is outside 0–600"),
        # Digits of other scripts are not ASCII: int() would read "٦" as 6, the YAML file never.
        ("section:4:minutes.presentation", "٦", "expected a whole number, found text"),
        ("section:4:minutes.presentation", "６", "expected a whole number, found text"),
        ("section:4:slides", "14-13", "range '14-13' ends before it starts"),
        ("lesson:language", "de", "'de' is not one of en, fr"),
        ("activity:5.2:response_form.fields", None, ""),
    ],
)
def test_a_bad_value_is_refused_with_the_schema_message_and_nothing_changes(
    coordinator_client, draft, key, value, message
):
    before = dump(draft)
    if value is None:  # a row without its required label
        response = save(
            coordinator_client,
            draft,
            key,
            extra={f"{key}.key": "who", f"{key}.label": "", f"{key}.prompt": "Who?"},
            **HTMX,
        )
        message = "row 1 · label: is required"
    else:
        response = save(coordinator_client, draft, key, value, **HTMX)
    text = text_of(response)
    assert response.status_code == 400
    assert message in text and "Not saved" in text
    assert dump(Lesson.objects.get(pk=draft.pk)) == before
    assert Lesson.objects.get(pk=draft.pk).edit_versions == {}


def test_what_was_typed_stays_in_the_box_when_refused(coordinator_client, draft):
    response = save(coordinator_client, draft, "activity:5.2:minutes", "twenty", **HTMX)
    assert response.status_code == 400
    assert 'value="twenty"' in text_of(response)


def test_rows_fields_save_phases_key_points_and_questions(coordinator_client, draft):
    phases = "activity:5.2:phases"
    response = save(
        coordinator_client,
        draft,
        phases,
        extra={
            f"{phases}.name": ["Group work", "", "Discussion", "Debrief"],
            f"{phases}.minutes": ["8", "", "8", "4"],
        },
        **HTMX,
    )
    assert response.status_code == 200
    activity = draft.activities.get(code="5.2")
    assert [(p.name, p.minutes) for p in activity.phases.all()] == [
        ("Group work", 8),
        ("Discussion", 8),
        ("Debrief", 4),
    ]
    questions = "slide:13:questions"
    save(
        coordinator_client,
        draft,
        questions,
        extra={
            f"{questions}.ask": ["Which benefit matters most *here*?", ""],
            f"{questions}.expected_responses": ["Trust\r\n\r\nAdvance warning", ""],
        },
    )
    slide = draft.slides.get(number=13)
    assert slide.questions == [
        {
            "ask": "Which benefit matters most *here*?",
            "expected_responses": ["Trust", "Advance warning"],
        }
    ]
    assert slide.questions_html[0]["ask"] == "<p>Which benefit matters most <em>here</em>?</p>"
    points = "activity:5.3:key_points"
    activity = draft.activities.get(code="5.3")
    count = activity.key_points.count()
    form = coordinator_client.get(f"{field_url(draft)}?field={points}", **HTMX)
    cells = form.context_data["state"].rows
    texts = [row[0][1] for row in cells[:-1]] + ["Partnerships need **time**"]
    slots = [row[1][1] for row in cells[:-1]] + [""]
    keywords = [row[2][1] for row in cells[:-1]] + ["time\npatience"]
    objectives = [row[3][1] for row in cells[:-1]] + [""]
    response = save(
        coordinator_client,
        draft,
        points,
        extra={
            f"{points}.text": texts,
            f"{points}.slot": slots,
            f"{points}.keywords": keywords,
            f"{points}.objectives": objectives,
        },
        **HTMX,
    )
    assert response.status_code == 200, text_of(response)[:2000]
    last = activity.key_points.order_by("position").last()
    assert activity.key_points.count() == count + 1
    assert (last.text_html, last.keywords) == (
        "<p>Partnerships need <strong>time</strong></p>",
        ["time", "patience"],
    )


def test_lesson_details_save_markdown_lists_and_references(coordinator_client, draft):
    save(coordinator_client, draft, "lesson:aim", "To *understand* CoP.")
    references = "lesson:references"
    save(
        coordinator_client,
        draft,
        references,
        extra={
            f"{references}.heading": ["Reading", ""],
            f"{references}.intro": ["", ""],
            f"{references}.items": ["The *Manual*\nThe Toolkit", ""],
            f"{references}.outro": ["", ""],
        },
    )
    lesson = Lesson.objects.get(pk=draft.pk)
    assert lesson.aim_html == "<p>To <em>understand</em> CoP.</p>"
    assert lesson.references == [{"heading": "Reading", "items": ["The *Manual*", "The Toolkit"]}]
    assert lesson.references_html[0]["items"][0] == "<p>The <em>Manual</em></p>"
    assert lesson.opening["options"]  # the parts the editor does not show are kept


def test_without_javascript_a_field_has_a_page_of_its_own(coordinator_client, draft):
    url = f"{field_url(draft)}?field=slide:13:title&next=/content/{draft.pk}/slides/13/"
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "← Back to the editor" in text_of(page) and "<html" in text_of(page)
    refused = save(coordinator_client, draft, "slide:13:title", "")
    assert refused.status_code == 400
    assert "<html" in text_of(refused) and "is required" in text_of(refused)
    unsafe = save(coordinator_client, draft, "slide:13:title", "B", extra={"next": "https://x.y/"})
    assert unsafe["Location"] == f"/content/{draft.pk}/#f-slide-13-title"


def test_a_full_page_validation_and_refused_publish_show_the_problems(coordinator_client, draft):
    save(coordinator_client, draft, "activity:5.2:minutes", "25")
    validated = coordinator_client.get(reverse("content:validate", args=[draft.pk]))
    assert validated.status_code == 200 and "2 problems to fix" in text_of(validated)
    refused = coordinator_client.post(reverse("content:publish", args=[draft.pk]))
    assert refused.status_code == 400 and "Not published: 2 problems" in text_of(refused)
    assert Lesson.objects.get(pk=draft.pk).is_draft


def test_published_versions_never_change(coordinator_client, cop_lesson):
    before = dump(cop_lesson)
    response = save(coordinator_client, cop_lesson, "slide:13:title", "Changed", **HTMX)
    assert response.status_code == 400
    assert "published versions never change" in text_of(response)
    assert dump(Lesson.objects.get(pk=cop_lesson.pk)) == before
    page = coordinator_client.get(reverse("content:slide", args=[cop_lesson.pk, 13]))
    assert "New draft from version 1" in text_of(page)
    assert 'name="slide:13:title" value="The Benefits' in text_of(page)
    assert " disabled>" in text_of(page)


def test_an_unknown_field_is_not_found(coordinator_client, draft):
    assert save(coordinator_client, draft, "slide:99:body", "x").status_code == 404
    assert save(coordinator_client, draft, "slide:13:number", "14").status_code == 404


# Two coordinators, one draft.


def test_a_stale_save_is_refused_and_keeps_both_texts(
    client, draft, coordinator, django_user_model
):
    other = django_user_model.objects.create_user("second-coordinator", password="x" * 12)
    grant_role(other, COORDINATOR)
    key = "slide:13:key_message"
    original = draft.slides.get(number=13).key_message
    theirs = original + " Theirs: trust takes years."
    yours = original + " Yours: start with listening."

    client.force_login(other)
    assert save(client, draft, key, theirs, version=0, **HTMX).status_code == 200
    client.force_login(coordinator)
    response = save(client, draft, key, yours, version=0, **HTMX)

    text = text_of(response)
    assert response.status_code == 409
    assert "second-coordinator saved this field" in text and "nothing is lost" in text
    assert "Theirs: trust takes years." in text and "Yours: start with listening." in text
    assert f">{yours}</textarea>" in text  # yours stays in the box, ready to save again
    assert draft.slides.get(number=13).key_message == theirs
    # Saving again, knowing theirs, replaces it: the form now carries their version.
    assert response.context_data["state"].version == 1
    assert save(client, draft, key, yours, version=1, **HTMX).status_code == 200
    assert draft.slides.get(number=13).key_message == yours


def test_a_stale_save_of_the_same_text_is_not_a_conflict(coordinator_client, draft):
    key = "slide:13:title"
    assert save(coordinator_client, draft, key, "Benefits", version=0).status_code == 302
    response = save(coordinator_client, draft, key, "Benefits", version=0, **HTMX)
    assert response.status_code == 200 and "No change to save" in text_of(response)


def test_two_coordinators_saving_different_fields_of_one_slide_lose_nothing(
    coordinator_client, draft
):
    save(coordinator_client, draft, "slide:13:title", "Benefits", version=0)
    save(coordinator_client, draft, "slide:13:key_message", "Trust first.", version=0)
    slide = draft.slides.get(number=13)
    assert (slide.title, slide.key_message) == ("Benefits", "Trust first.")


# The preview.


def test_the_preview_renders_unsaved_markdown_as_the_console_does(coordinator_client, draft):
    url = reverse("content:slide_preview", args=[draft.pk, 13])
    response = coordinator_client.post(
        url,
        {
            "slide:13:title": "Benefits",
            "slide:13:body": "- Community **trust**\n\n<script>alert(1)</script>",
            "slide:13:key_message": "",
        },
        **HTMX,
    )
    text = text_of(response)
    assert response.status_code == 200
    assert "<li>Community <strong>trust</strong></li>" in text
    assert "<script>alert" not in text
    # The console and the projector, the title marked as in the lesson's language.
    assert '<h2 id="slide-title" lang="en">Benefits</h2>' in text
    assert '<h1 lang="en">Benefits</h1>' in text
    assert "Key message" not in text  # cleared in the form, so gone from the preview
    assert draft.slides.get(number=13).title.startswith("The Benefits")  # nothing saved


def test_the_preview_leaves_out_a_value_the_field_refuses_and_says_why(coordinator_client, draft):
    url = reverse("content:activity_preview", args=[draft.pk, "5.2"])
    key = "activity:5.2:phases"
    response = coordinator_client.post(
        url,
        {f"{key}.name": ["Group work", "Discussion"], f"{key}.minutes": ["12", "none"]},
        **HTMX,
    )
    text = text_of(response)
    assert "Not in the preview: Phases: row 2 · minutes: expected a whole number" in text
    assert "Group work 10 min" in text  # the saved phases


def test_each_editors_projector_preview_names_the_slide_it_is_shown_on(coordinator_client, draft):
    slide = text_of(coordinator_client.get(reverse("content:slide", args=[draft.pk, 13])))
    activity = text_of(coordinator_client.get(reverse("content:activity", args=[draft.pk, "5.2"])))
    footer = '<footer class="projector-foot"><span lang="en">Community-oriented Policing</span>'
    assert f"{footer}<span>Slide 13</span></footer>" in slide
    assert f"{footer}<span>Slide 14</span></footer>" in activity  # 5.2 opens on slide 14
    for page in (slide, activity):
        assert 'hx-post="/content/' in page and "Not in the preview" not in page


# Validate and publish.


def test_validation_lists_checklesson_problems_each_linked_to_its_field(coordinator_client, draft):
    save(coordinator_client, draft, "section:4:minutes.presentation", "7")
    save(
        coordinator_client,
        draft,
        "activity:5.2:phases",
        extra={"activity:5.2:phases.name": ["Group work"], "activity:5.2:phases.minutes": ["10"]},
    )
    response = coordinator_client.get(reverse("content:validate", args=[draft.pk]), **HTMX)
    text = text_of(response)
    problems = {p.problem.message: p for p in response.context_data["problems"]}

    assert "2 problems to fix" in text
    phases = problems["the phases add up to 10 minutes, but the activity's minutes are 20"]
    assert phases.where == "Activity 5.2 · Phases"
    assert phases.url == reverse("content:activity", args=[draft.pk, "5.2"]) + (
        "#f-activity-5-2-phases"
    )
    assert phases.problem.file == "sections/05-learning-activity-5-2.yaml"
    assert phases.problem.field == "activities[1].phases"
    minutes = problems[
        "the rows add up to 47 minutes of presentation, but minutes.presentation is 45"
    ]
    assert minutes.where == "Lesson map" and minutes.url.endswith("#lesson-map")
    assert f'href="{phases.url}"' in text


def test_problem_messages_are_those_of_checklesson(coordinator_client, draft, tmp_path, capsys):
    save(coordinator_client, draft, "activity:5.2:minutes", "25")
    problems = coordinator_client.get(reverse("content:validate", args=[draft.pk])).context_data[
        "problems"
    ]
    call_command("dumplesson", "cop", "--version", str(draft.version), "-o", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("checklesson", str(tmp_path))
    printed = capsys.readouterr().err
    for linked in problems:
        assert f"{tmp_path}/{linked.problem}" in printed


def test_publishing_is_refused_with_the_problems_and_nothing_changes(coordinator_client, draft):
    save(coordinator_client, draft, "section:4:slides", "13-14")
    response = coordinator_client.post(reverse("content:publish", args=[draft.pk]), **HTMX)
    text = text_of(response)
    assert response.status_code == 400
    assert "Not published: 2 problems to fix" in text
    assert "slides 14 overlap the previous row, which ends at slide 14" in text
    assert Lesson.objects.get(pk=draft.pk).status == "draft"
    assert Lesson.objects.published().count() == 1


def test_a_draft_identical_to_a_published_version_is_not_published_again(coordinator_client, draft):
    response = coordinator_client.post(reverse("content:publish", args=[draft.pk]))
    assert response.status_code == 302
    page = text_of(coordinator_client.get(response["Location"]))
    assert "says exactly what published version 1 says" in page
    assert Lesson.objects.get(pk=draft.pk).status == "draft"


def test_a_change_to_slide_13_reaches_new_deliveries_while_a_running_one_keeps_the_old_text(
    client, coordinator, instructor, cop_lesson
):
    # A class is being taught version 1 and is on slide 13.
    running = delivery_create(lesson=cop_lesson, instructor=instructor, title="Running class")
    running.start()
    running.go_to_slide(13)

    # The coordinator makes a draft and edits the benefits of slide 13.
    client.force_login(coordinator)
    draft_page = client.post(reverse("content:new_draft", args=[cop_lesson.pk]))["Location"]
    draft = Lesson.objects.get(status="draft")
    assert draft_page == reverse("content:version", args=[draft.pk])
    slide_page = client.get(reverse("content:slide", args=[draft.pk, 13]))
    assert slide_page.status_code == 200
    new_body = body_13(draft).replace(OLD_BENEFIT, NEW_BENEFIT)
    key = "slide:13:body"

    preview = client.post(
        reverse("content:slide_preview", args=[draft.pk, 13]), {key: new_body}, **HTMX
    )
    assert "<li>Community trust and <strong>legitimacy</strong></li>" in text_of(preview)
    assert save(client, draft, key, new_body, **HTMX).status_code == 200
    validated = client.get(reverse("content:validate", args=[draft.pk]), **HTMX)
    assert validated.context_data["problems"] == [] and "✓ Valid" in text_of(validated)
    published = client.post(reverse("content:publish", args=[draft.pk]), **HTMX)
    # django-htmx's HttpResponseClientRedirect: the whole page goes to the published version.
    assert published.status_code == 200
    assert published["HX-Redirect"] == reverse("content:version", args=[draft.pk])

    version_2 = Lesson.objects.get(pk=draft.pk)
    assert (version_2.status, version_2.version, version_2.published_by) == (
        "published",
        2,
        coordinator,
    )
    assert Lesson.objects.latest_published("cop") == version_2
    assert Lesson.objects.get(pk=cop_lesson.pk).status == "published"

    # A new delivery gets version 2; the running one still shows version 1's text.
    client.force_login(instructor)
    fresh = delivery_create(
        lesson=Lesson.objects.latest_published("cop"), instructor=instructor, title="Next class"
    )
    fresh.go_to_slide(13)
    new_console = text_of(client.get(reverse("activities:console", args=[fresh.pk])))
    old_console = text_of(client.get(reverse("activities:console", args=[running.pk])))
    assert "<li>Community trust and <strong>legitimacy</strong></li>" in new_console
    assert "<li>Community trust</li>" not in new_console
    assert "<li>Community trust</li>" in old_console
    assert "legitimacy" not in old_console
    # Loading the published version's files again finds it: the content is the same.
    assert not load({n: t.encode() for n, t in dump(version_2).items()}).created


def test_publishing_after_another_draft_was_published_takes_the_next_number(
    coordinator_client, cop_lesson, coordinator
):
    older = draft_create_from_version(lesson=cop_lesson, user=coordinator)  # version 2
    newer = draft_create_from_version(lesson=cop_lesson, user=coordinator)  # version 3
    save(coordinator_client, newer, "slide:13:title", "Benefits (newer)")
    save(coordinator_client, older, "slide:13:title", "Benefits (older)")
    coordinator_client.post(reverse("content:publish", args=[newer.pk]))
    coordinator_client.post(reverse("content:publish", args=[older.pk]))
    assert Lesson.objects.get(pk=newer.pk).version == 3
    assert Lesson.objects.get(pk=older.pk).version == 4
    assert Lesson.objects.latest_published("cop").slides.get(number=13).title == (
        "Benefits (older)"
    )


# Other version actions.


def test_a_draft_can_be_discarded_and_a_published_version_cannot(coordinator_client, draft):
    response = coordinator_client.post(reverse("content:discard", args=[draft.pk]), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("content:index")
    assert not Lesson.objects.filter(pk=draft.pk).exists()
    published = Lesson.objects.get()
    coordinator_client.post(reverse("content:discard", args=[published.pk]))
    assert Lesson.objects.filter(pk=published.pk).exists()


def test_retiring_a_version_keeps_it_for_its_deliveries(coordinator_client, cop_lesson, instructor):
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Class")
    coordinator_client.post(reverse("content:retire", args=[cop_lesson.pk]))
    assert Lesson.objects.get(pk=cop_lesson.pk).status == "retired"
    assert Lesson.objects.published().count() == 0
    assert delivery.slide(13).lesson == cop_lesson


def test_only_a_published_version_offers_retire_and_the_instructors_reading(
    coordinator_client, cop_lesson, draft
):
    index = coordinator_client.get(reverse("content:index")).content.decode()
    assert index.count(">Retire</button>") == 1
    assert reverse("content:retire", args=[cop_lesson.pk]) in index
    assert reverse("content:retire", args=[draft.pk]) not in index
    published = coordinator_client.get(reverse("content:version", args=[cop_lesson.pk]))
    assert "Read as instructors do" in published.content.decode()
    drafted = coordinator_client.get(reverse("content:version", args=[draft.pk]))
    assert "Read as instructors do" not in drafted.content.decode()


def test_minutes_totals_warn_when_they_no_longer_add_up(coordinator_client, draft):
    page = text_of(coordinator_client.get(reverse("content:version", args=[draft.pk])))
    assert "✓ Everything adds up" in page
    save(coordinator_client, draft, "activity:5.2:minutes", "25")
    page = text_of(coordinator_client.get(reverse("content:version", args=[draft.pk])))
    assert "Row 5 ‘Learning Activity 5.2: CoP vs. Traditional Policing’ plans 20" in page
    assert "Activity 5.2: the phases add up to 20 minutes, but the activity takes 25." in page


def test_the_instructor_role_alone_is_not_enough_for_a_new_user(client, django_user_model):
    user = django_user_model.objects.create_user("new", password="x" * 12)
    grant_role(user, INSTRUCTOR)
    client.force_login(user)
    assert client.get(reverse("content:index")).status_code == 403


def test_a_list_item_that_spans_lines_is_left_to_the_yaml(coordinator_client, draft):
    slide = draft.slides.get(number=13)
    slide.questions = [{"ask": "Why?", "expected_responses": ["Trust\nand respect"]}]
    slide.save()
    page = text_of(coordinator_client.get(reverse("content:slide", args=[draft.pk, 13])))
    assert "An item of this list spans several lines" in page
    key = "slide:13:questions"
    response = save(
        coordinator_client,
        draft,
        key,
        extra={f"{key}.ask": ["Why?"], f"{key}.expected_responses": ["Trust\nand respect"]},
        **HTMX,
    )
    assert response.status_code == 400 and "edit it in the YAML files" in text_of(response)
    assert draft.slides.get(number=13).questions[0]["expected_responses"] == ["Trust\nand respect"]


def test_editor_pages_keep_to_the_strict_content_security_policy(coordinator_client, draft):
    pages = [
        reverse("content:index"),
        reverse("content:version", args=[draft.pk]),
        reverse("content:slide", args=[draft.pk, 13]),
        reverse("content:activity", args=[draft.pk, "5.3"]),
        reverse("content:compare", args=["cop"]),
        f"{field_url(draft)}?field=activity:5.3:key_points",
    ]
    for url in pages:
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script in {url}"
        assert not re.search(r"\son[a-z]+\s*=", page), f"inline event handler in {url}"
        assert not re.search(r'\sstyle="', page), f"inline style in {url}"
