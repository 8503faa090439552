import pytest
from django.core.management import call_command

from lessons.document import read_folder
from lessons.exporter import dump
from lessons.loader import load
from lessons.models import Lesson, Slide
from tests.lessons.helpers import MINI, edited, mini_files

pytestmark = pytest.mark.django_db


def test_load_stores_the_whole_tree_with_rendered_markdown():
    lesson = load(mini_files()).lesson

    assert (lesson.slug, lesson.version, lesson.status) == ("mini", 1, "published")
    assert [s.title for s in lesson.sections.all()] == [
        "Introduction",
        "Learning Activity 1.1: Practice",
    ]
    assert "<strong>checked</strong>" in lesson.relevance_html
    slide = lesson.slides.get(number=1)
    assert "<li>lesson.yaml</li>" in slide.body_html
    assert slide.questions[0]["expected_responses"][1] == "Its planned minutes"
    activity = lesson.slides.get(number=3).activity
    assert activity.code == "1.1"
    assert [(p.name, p.minutes) for p in activity.phases.all()] == [
        ("Group work", 4),
        ("Presentations", 2),
    ]
    assert activity.key_points.get().text_html == (
        "<p>Content is <strong>validated</strong> before it is stored.</p>"
    )


def test_dump_of_load_gives_the_same_bytes_back():
    files = mini_files()
    dumped = dump(load(files).lesson)
    assert {name: text.encode() for name, text in dumped.items()} == files


def test_loading_identical_content_twice_makes_one_version():
    first = load(mini_files())
    second = load(mini_files())
    assert first.created and not second.created
    assert second.lesson.pk == first.lesson.pk
    assert Lesson.objects.count() == 1


def test_same_content_laid_out_differently_is_not_a_new_version():
    load(mini_files())
    reflowed = edited(mini_files(), "lesson.yaml", "  total: 10\n", "  total:   10   \n")
    assert not load(reflowed).created


def test_changed_content_makes_a_new_version_and_keeps_the_old_one():
    first = load(mini_files()).lesson
    changed = edited(
        mini_files(), "sections/01-introduction.yaml", "What the format is", "What a lesson is"
    )
    second = load(changed).lesson
    assert second.version == 2
    assert Slide.objects.get(lesson=first, number=1).title == "What the format is"
    assert Slide.objects.get(lesson=second, number=1).title == "What a lesson is"


def test_raw_html_and_scripts_in_markdown_are_made_inert():
    hostile = edited(
        mini_files(),
        "lesson.yaml",
        "aim: To check the lesson format.",
        "aim: 'Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>'",
    )
    lesson = load(hostile).lesson
    assert "<script" not in lesson.aim_html
    assert "javascript:" not in lesson.aim_html
    assert "onerror" not in lesson.aim_html
    assert "<script>" in lesson.aim  # the source text is kept as written


def test_dumplesson_writes_the_folder_loadlesson_read(tmp_path):
    call_command("loadlesson", str(MINI))
    call_command("dumplesson", "mini", "--version", "1", "-o", str(tmp_path))
    assert read_folder(tmp_path) == mini_files()
