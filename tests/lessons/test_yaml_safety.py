"""Hostile lesson YAML: each attack is one clear problem with its file and line, nothing is
stored, and `checklesson` says so without a traceback."""

import io
import re
import subprocess
import sys
import time
import zipfile

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from lessons.errors import LessonInvalid
from lessons.loader import load
from lessons.models import Lesson
from lessons.safe_yaml import MAX_CHARACTERS, MAX_VALUES
from tests.lessons.helpers import edited, mini_files

AIM = "aim: To check the lesson format."


def laughs(levels: int, width: int = 10) -> str:
    """Nested aliases: `width ** levels` values from a few hundred bytes."""
    lines = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * width)}]")
    return "\n".join(lines)


ATTACKS = {
    "billion laughs": (AIM, f"{AIM}\n{laughs(9)}", r"lesson\.yaml:\d+: .*more than 20,000 values"),
    "self alias": (AIM, f"{AIM}\nloop: &loop [*loop]", r"lesson\.yaml:\d+: .*never ends"),
    "hexadecimal": (
        "total: 10",
        "total: 0x1",
        r"lesson\.yaml:\d+: minutes\.total: 0x1 is a number",
    ),
    "octal 0o": ("total: 10", "total: 0o17", r"lesson\.yaml:\d+: minutes\.total:"),
    "octal 0": ("total: 10", "total: 017", r"lesson\.yaml:\d+: minutes\.total: 017 is a number"),
    "5,000 digits": (
        "total: 10",
        f"total: {'9' * 5000}",
        r"lesson\.yaml:\d+: minutes\.total: is a number 5,000 digits long",
    ),
    "!!int abc": (
        "total: 10",
        "total: !!int abc",
        r"lesson\.yaml:\d+: minutes\.total: has the tag !!int",
    ),
    "!!python/object": (
        AIM,
        "aim: !!python/object/apply:os.system ['echo pwned']",
        r"lesson\.yaml:\d+: aim: has the tag !!python/object/apply:os\.system",
    ),
    "deep brackets": (
        AIM,
        f"aim: {'[' * 5000}{']' * 5000}",
        r"lesson\.yaml:\d+: aim.*nests more than 20",
    ),
}


def attacked(name: str) -> dict[str, bytes]:
    old, new, _ = ATTACKS[name]
    return edited(mini_files(), "lesson.yaml", old, new)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ATTACKS)
def test_each_attack_is_a_problem_with_file_and_line_and_nothing_is_stored(name):
    expected = ATTACKS[name][2]
    with pytest.raises(LessonInvalid) as refused:
        load(attacked(name))
    shown = [str(problem) for problem in refused.value.problems]
    assert any(re.search(expected, text) for text in shown), shown
    assert all(problem.line > 0 for problem in refused.value.problems if problem.file), shown
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("name", ATTACKS)
def test_checklesson_prints_the_problem_without_a_traceback(name, tmp_path, capsys):
    for path, data in attacked(name).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    with pytest.raises(CommandError, match="problem"):
        call_command("checklesson", str(tmp_path))
    printed = capsys.readouterr().err
    assert re.search(ATTACKS[name][2], printed), printed
    assert "Traceback" not in printed


def test_checklesson_run_as_a_command_has_no_traceback(tmp_path):
    for path, data in attacked("deep brackets").items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    result = subprocess.run(
        [sys.executable, "manage.py", "checklesson", str(tmp_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "nests more than 20 levels deep" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def worst_alias_lesson() -> dict[str, bytes]:
    """The mini lesson, its slides' text repeated by aliases up to the budgets' edge.

    A long Markdown text anchored once and aliased into every slide body, key message and
    expected response: what the schema walks and the renderer renders, as far as the limits let.
    """
    files = mini_files()
    text = "Some **bold** text and a [link](https://example.org) in a line.\n\n" * 60
    block = "|-\n" + "".join(f"      {line}\n" if line else "\n" for line in text.split("\n"))
    per_copy = len(text.rstrip("\n"))
    copies = (MAX_CHARACTERS - 20_000) // per_copy
    section = files["sections/01-introduction.yaml"].decode()
    original_body = re.search(r"    body: \|-\n(?:      .*\n|\n)*", section).group(0)
    section = section.replace(original_body, "    body: &long " + block, 1)
    responses = "\n".join(["          - *long"] * (copies - 1))
    section = section.replace(
        "          - Its planned minutes", "          - Its planned minutes\n" + responses, 1
    )
    return {**files, "sections/01-introduction.yaml": section.encode()}


def laughs_lesson() -> dict[str, bytes]:
    """Aliases that expand to just under the budget of values, then a schema problem."""
    levels = 4  # 10 ** 4 + ... values, under 20,000
    return edited(mini_files(), "lesson.yaml", AIM, f"{AIM}\n{laughs(levels)}")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"lesson/{path}", data)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("make", [worst_alias_lesson, laughs_lesson])
def test_the_worst_upload_the_limits_allow_costs_seconds_not_minutes(
    make, coordinator_client, capsys
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = zipped(make())
    upload = SimpleUploadedFile("lesson.zip", data)
    started = time.process_time()
    response = coordinator_client.post(reverse("content:upload"), {"files": upload})
    cpu = time.process_time() - started
    with capsys.disabled():
        print(f"\n{make.__name__}: {len(data):,} byte zip, {cpu:.2f} s CPU, {response.status_code}")
    assert response.status_code in (302, 400)
    assert cpu < 15, f"{cpu:.1f} s of CPU for one upload"
    assert MAX_VALUES == 20_000  # the budget the figure above was measured with
