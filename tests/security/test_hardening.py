"""Security measures a reviewer can see: headers, production settings, hostile input made inert."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from activities.models import delivery_create
from lessons.document import parse
from lessons.errors import LessonInvalid
from lessons.loader import load
from lessons.markdown import render_markdown
from tests.lessons.helpers import edited, mini_files

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "\x00\x07\x1b[31mred\u202etxet",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.django_db
def test_every_page_sends_a_csp_without_inline_scripts(
    client, instructor, instructor_client, cop_lesson
):
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="CSP")
    pages = [
        client.get(reverse("participants:join_page")),
        instructor_client.get(reverse("activities:deliveries")),
        instructor_client.get(reverse("activities:console", args=[delivery.pk])),
        instructor_client.get(reverse("activities:projector", args=[delivery.pk])),
        instructor_client.get(reverse("lessons:detail", args=["cop"])),
    ]
    for response in pages:
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script found"
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler found"
        assert not re.search(r'\sstyle="', html), "inline style found"


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "cop.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_inert(text):
    html = render_markdown(f"Intro {text} end")
    assert "<script" not in html and "javascript:" not in html
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "<iframe" not in html and "<svg" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_lesson_content_loads_inert(text):
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    try:
        lesson = load(
            edited(
                mini_files(), "lesson.yaml", "aim: To check the lesson format.", f'aim: "{quoted}"'
            )
        ).lesson
    except LessonInvalid as invalid:  # control characters are refused by YAML itself
        assert all(problem.file == "lesson.yaml" for problem in invalid.problems)
        return
    assert "<script" not in lesson.aim_html and "javascript:" not in lesson.aim_html
    assert not re.search(r"\son[a-z]+\s*=", lesson.aim_html)


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_and_answers_are_stored_as_text_and_escaped(client, cop_lesson, text):
    delivery = delivery_create(lesson=cop_lesson, instructor=make_instructor(), title="T")
    delivery.go_to_slide(12)
    delivery.open_activity()
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": text[:40]})
    client.post(
        reverse("participants:answer", args=[delivery.join_code, "save"]),
        {"key": "point:abcdef12-hostile", "text": text},
        content_type="application/json",
    )
    page = client.get(reverse("participants:stage", args=[delivery.join_code])).content.decode()
    assert "<script>alert" not in page and 'onerror="alert' not in page
    assert "<svg onload" not in page and "<iframe src" not in page


def make_instructor():
    from django.contrib.auth import get_user_model

    from copsite.roles import INSTRUCTOR, grant_role

    user, _ = get_user_model().objects.get_or_create(username="hostile-instructor")
    grant_role(user, INSTRUCTOR)
    return user


@pytest.mark.django_db
def test_an_oversized_answer_body_is_refused(client, cop_lesson):
    delivery = delivery_create(lesson=cop_lesson, instructor=make_instructor(), title="T")
    delivery.go_to_slide(12)
    delivery.open_activity()
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": "A"})
    response = client.post(
        reverse("participants:answer", args=[delivery.join_code, "save"]),
        {"key": "point:abcdef12-big", "text": "x" * 50_000},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert "far too long" in response.json()["error"]


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_the_yaml_loader_never_crashes_on_arbitrary_bytes(data):
    try:
        parse({"lesson.yaml": data})
    except LessonInvalid as invalid:
        assert invalid.problems and all(str(p) for p in invalid.problems)


LINES = mini_files()["sections/02-practice.yaml"].decode().splitlines()


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(LINES) - 1), st.text(max_size=60))
def test_a_lesson_with_any_one_line_changed_is_parsed_or_clearly_refused(index, replacement):
    lines = list(LINES)
    lines[index] = replacement
    files = {**mini_files(), "sections/02-practice.yaml": "\n".join(lines).encode()}
    try:
        parsed = parse(files)
    except LessonInvalid as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.file in files and problem.message
    else:
        assert parsed.lesson["slug"] == "mini"
