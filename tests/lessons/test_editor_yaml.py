"""YAML in and out of the editor (zips, uploads) and the comparison of two versions."""

import html
import io
import stat
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from lessons.archive import zip_lesson
from lessons.canonical import to_yaml
from lessons.document import read_folder
from lessons.editing import draft_create_from_version
from lessons.exporter import dump
from lessons.models import Activity, KeyPoint, Lesson, Phase, Section, Slide
from lessons.schema import ACTIVITY
from tests.lessons.helpers import edited, mini_files

pytestmark = pytest.mark.django_db
COP = settings.BASE_DIR / "content" / "cop"
BENEFITS = "sections/04-benefits-of-cop.yaml"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def zip_of(files: dict[str, bytes], folder: str = "cop") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, data)
    return buffer.getvalue()


def upload(client, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(reverse("content:upload"), {"files": uploads})


def stored_state():
    return tuple(m.objects.count() for m in (Lesson, Section, Slide, Activity, Phase, KeyPoint))


def members(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


# Download.


def test_a_download_is_a_zip_of_the_files_dumplesson_writes(
    coordinator_client, cop_lesson, tmp_path
):
    response = coordinator_client.get(reverse("content:download", args=[cop_lesson.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="cop-v1-published.zip"' in response["Content-Disposition"]
    call_command("dumplesson", "cop", "-o", str(tmp_path))
    written = read_folder(tmp_path)
    assert members(response.content) == {f"cop/{name}": data for name, data in written.items()}
    assert written == read_folder(COP)  # and content/cop is in that same form


def test_download_upload_download_gives_the_same_bytes(coordinator_client, cop_lesson):
    first = coordinator_client.get(reverse("content:download", args=[cop_lesson.pk])).content

    response = upload(coordinator_client, ("cop-v1.zip", first))

    draft = Lesson.objects.get(status="draft")
    assert response.status_code == 302
    assert response["Location"] == reverse("content:version", args=[draft.pk])
    assert (draft.version, draft.based_on, draft.created_by.username) == (2, None, "coordinator")
    second = coordinator_client.get(reverse("content:download", args=[draft.pk])).content
    assert second == first
    page = text_of(coordinator_client.get(response["Location"]))
    assert "Uploaded 12 files as draft version 2 of cop." in page


def test_uploading_loose_yaml_files_puts_them_where_the_lesson_map_says(
    coordinator_client, cop_lesson
):
    files = read_folder(COP)
    # Browsers send a file's name without its folder.
    loose = [(name.rsplit("/", 1)[-1], data) for name, data in files.items()]

    response = upload(coordinator_client, *loose)

    assert response.status_code == 302
    draft = Lesson.objects.get(status="draft")
    assert {name: text.encode() for name, text in dump(draft).items()} == files


def test_an_upload_with_a_bad_line_reports_file_line_and_field_and_stores_nothing(
    coordinator_client, cop_lesson
):
    files = edited(read_folder(COP), BENEFITS, "  - number: 13\n", "  - numbr: 13\n")
    before = stored_state()

    response = upload(coordinator_client, ("cop.zip", zip_of(files)))

    text = text_of(response)
    assert response.status_code == 400
    assert "Nothing was stored" in text
    problem = next(p for p in response.context["upload_problems"] if p.field == "slides[1].numbr")
    assert (problem.file, problem.line) == (BENEFITS, 2)
    assert "unknown key 'numbr'; did you mean 'number'?" in problem.message
    assert f"<code>{BENEFITS}</code>" in response.content.decode()
    assert '<td class="num">2</td>' in response.content.decode()
    assert stored_state() == before


def test_an_upload_of_yaml_that_does_not_parse_names_the_line(coordinator_client, cop_lesson):
    files = mini_files()
    broken = files["lesson.yaml"].replace(b"title: A small lesson", b"title: [A small lesson")
    before = stored_state()
    response = upload(
        coordinator_client,
        ("lesson.yaml", broken),
        *[(name.rsplit("/", 1)[-1], data) for name, data in files.items() if "/" in name],
    )
    problems = response.context["upload_problems"]
    assert response.status_code == 400 and stored_state() == before
    assert [(p.file, p.line) for p in problems] == [("lesson.yaml", 4)]
    assert problems[0].message.startswith("is not valid YAML")


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (zip_of({"../lesson.yaml": b"x"}, folder=""), "has '..' in its path"),
        (zip_of({"/etc/lesson.yaml": b"x"}, folder=""), "has an absolute path"),
        (b"PK\x03\x04 not really a zip", "is not a readable zip file"),
        (
            zip_of({"lesson.yaml": b"#" * (settings.LESSON_FILE_MAX_BYTES + 1)}),
            "the limit is 524,288 bytes",
        ),
    ],
)
def test_a_dangerous_or_broken_zip_is_refused_and_nothing_is_stored(
    coordinator_client, cop_lesson, archive, message
):
    before = stored_state()
    response = upload(coordinator_client, ("lesson.zip", archive))
    assert response.status_code == 400
    assert message in text_of(response)
    assert stored_state() == before


def test_a_symbolic_link_in_a_zip_is_refused(coordinator_client, cop_lesson):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("cop/lesson.yaml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    response = upload(coordinator_client, ("cop.zip", buffer.getvalue()))
    assert response.status_code == 400 and "is a symbolic link" in text_of(response)


def test_files_other_than_yaml_in_a_zip_are_left_out_and_said_so(coordinator_client, cop_lesson):
    files = {**read_folder(COP), "SOURCE.txt": b"notes", "__MACOSX/._lesson.yaml": b"junk"}
    response = upload(coordinator_client, ("cop.zip", zip_of(files)))
    assert response.status_code == 302
    page = text_of(coordinator_client.get(response["Location"]))
    assert "Left out (not .yaml): cop/SOURCE.txt, cop/__MACOSX/._lesson.yaml." in page


def test_an_upload_of_another_kind_of_file_is_refused(coordinator_client, cop_lesson):
    before = stored_state()
    response = upload(coordinator_client, ("slides.pptx", b"PK..."))
    assert response.status_code == 400
    assert "is not a .yaml, .yml or .zip file" in text_of(response)
    assert stored_state() == before


def test_an_empty_upload_says_what_to_choose(coordinator_client, cop_lesson):
    response = coordinator_client.post(reverse("content:upload"), {})
    assert response.status_code == 400
    assert "choose the .yaml files of a lesson or a .zip of them" in text_of(response)


def test_the_zip_is_the_same_for_the_same_files():
    files = {"lesson.yaml": "a: 1\n", "sections/01.yaml": "b: 2\n"}
    assert zip_lesson(files, "x") == zip_lesson(dict(reversed(files.items())), "x")


# Comparing versions.


def test_the_comparison_shows_what_changed_by_slide_and_field_with_word_highlights(
    coordinator_client, cop_lesson, coordinator
):
    draft = draft_create_from_version(lesson=cop_lesson, user=coordinator)
    slide = draft.slides.get(number=13)
    slide.body = slide.body.replace("- Community trust\n", "- Community trust and legitimacy\n")
    slide.title = "Benefits of CoP"
    slide.save()
    phase = draft.activities.get(code="5.2").phases.get(position=2)
    phase.minutes = 12
    phase.save()

    url = reverse("content:compare", args=["cop"])
    response = coordinator_client.get(url, {"old": 1, "new": 2})

    comparison = response.context["comparison"]
    assert [(e.title, e.kind) for e in comparison.entities] == [
        ("Slide 13 · Benefits of CoP", "changed"),
        ("Activity 5.2 · Traditional Policing vs. CoP", "changed"),
    ]
    slide_change = comparison.entities[0]
    assert [f.label for f in slide_change.fields] == ["title", "body"]
    body = slide_change.fields[1]
    changed = [line for line in body.lines if line.kind == "changed"]
    assert len(changed) == 1
    assert [(s.kind, s.text) for s in changed[0].new] == [
        ("same", "- Community trust"),
        ("ins", " and legitimacy"),
    ]
    # Slide 13 shows the eleven benefits (its paragraphs are notes now): the list's tail folds.
    assert any(line.kind == "folded" and line.folded >= 5 for line in body.lines)
    assert comparison.entities[1].fields[0].label == "phases 2 · minutes"
    text = response.content.decode()
    assert "Slide 13 · body" in text
    assert "<ins> and legitimacy</ins>" in text
    assert "Activity 5.2 · phases 2 · minutes" in text
    assert "2 parts of the lesson" in text


def test_comparing_a_draft_defaults_to_the_version_it_came_from(coordinator_client, cop_lesson):
    response = coordinator_client.post(reverse("content:new_draft", args=[cop_lesson.pk]))
    assert response.status_code == 302
    page = coordinator_client.get(reverse("content:compare", args=["cop"]))
    comparison = page.context["comparison"]
    assert (comparison.old.version, comparison.new.version) == (1, 2)
    assert "nothing differs" in text_of(page)


def test_comparing_an_unknown_lesson_is_not_found(coordinator_client, cop_lesson):
    assert coordinator_client.get(reverse("content:compare", args=["nope"])).status_code == 404


def test_derived_reasons_are_written_in_field_order_whatever_order_the_database_keeps():
    # PostgreSQL's jsonb gives a mapping's keys back sorted by length, not as written.
    activity = {
        "code": "x",
        "title": "T",
        "derived": {"phases": "p", "title": "t", "minutes": "m", "zzz": "z", "aaa": "a"},
    }
    written = to_yaml(activity, ACTIVITY)
    assert written.endswith("derived:\n  title: t\n  minutes: m\n  phases: p\n  aaa: a\n  zzz: z\n")
