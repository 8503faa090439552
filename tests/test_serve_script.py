"""scripts/serve run again keeps the demo users signed in: the live console and the projector
must not fall back to the sign-in page because the instructor set the server up a second time.
Only `scripts/serve --reset-passwords` (or COP_RESET_PASSWORDS=1) sets the password again.

Runs the real script (COP_SKIP_SERVE=1) in a copy of the repository, with this .venv, so that
its database, var/ and static files are the copy's own.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_TIMEOUT = 300

ARGS = "import json, os; ARGS = json.loads(os.environ['SHELL_ARGS'])\n"
SIGN_IN = (
    ARGS
    + """
from django.conf import settings
from django.test import Client
client = Client()
signed_in = client.post("/accounts/login/", {"username": ARGS[0], "password": ARGS[1]})
assert signed_in.status_code == 302, "the password does not work"
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""
)
# Whether the session opens the console (200) or sends its browser to the sign-in page (302).
CONSOLE_STATUS = (
    ARGS
    + """
from django.conf import settings
from django.test import Client
client = Client()
client.cookies[settings.SESSION_COOKIE_NAME] = ARGS[0]
print(client.get("/console/").status_code)
"""
)


@pytest.fixture
def copy(tmp_path) -> Path:
    """The repository's tracked files in `tmp_path`, with a .venv that runs this one's Python
    and counts as installed for this pyproject.toml (scripts/serve then installs nothing)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    bin_folder = tmp_path / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    for tool in ("python", "pybabel"):
        real = Path(sys.executable).parent / tool
        (bin_folder / tool).write_text(f'#!/bin/sh\nexec "{real}" "$@"\n')
        (bin_folder / tool).chmod(0o755)
    digest = hashlib.sha256((tmp_path / "pyproject.toml").read_bytes()).hexdigest()
    (tmp_path / ".venv" / ".cop-runtime").write_text(digest + "\n")
    return tmp_path


def serve_env(**extra: str) -> dict[str, str]:
    unset = {"DATABASE_URL", "COP_SQLITE_PATH", "DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("COP_")}
    return env | {"COP_SKIP_SERVE": "1", "DJANGO_DEBUG": "0"} | extra


def set_up(copy: Path, *args: str, **extra: str) -> str:
    done = subprocess.run(
        ["bash", "scripts/serve", *args],
        cwd=copy,
        env=serve_env(**extra),
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def shell(copy: Path, script: str, *args: str) -> str:
    """The last line `manage.py shell -c script` prints in the copy, with the secret key that
    scripts/serve keeps in var/; `args` are the script's ARGS."""
    key = (copy / "var" / "secret-key").read_text().strip()
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=copy,
        env=serve_env(DJANGO_SECRET_KEY=key, SHELL_ARGS=json.dumps(args)),
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_a_second_run_keeps_the_demo_users_signed_in_only_a_reset_signs_them_out(copy):
    set_up(copy)
    password = (copy / "var" / "demo-password").read_text().strip()
    session = shell(copy, SIGN_IN, "demo-instructor", password)
    assert shell(copy, CONSOLE_STATUS, session) == "200"

    printed = set_up(copy)

    assert "Kept demo-instructor" in printed
    assert f"password: {password}" in printed  # the banner shows the password that works
    assert shell(copy, CONSOLE_STATUS, session) == "200"  # still signed in
    assert shell(copy, SIGN_IN, "demo-coordinator", password)

    set_up(copy, COP_RESET_PASSWORDS="1")

    assert shell(copy, CONSOLE_STATUS, session) == "302"  # signed out: to the sign-in page
    session = shell(copy, SIGN_IN, "demo-instructor", password)  # the same password again

    # Without its file a new password is made, and set with --reset-passwords or without: the
    # banner must show the password that works.
    (copy / "var" / "demo-password").unlink()
    printed = set_up(copy, "--reset-passwords")
    new_password = (copy / "var" / "demo-password").read_text().strip()
    assert new_password != password
    assert f"password: {new_password}" in printed
    assert shell(copy, CONSOLE_STATUS, session) == "302"
    assert shell(copy, SIGN_IN, "demo-instructor", new_password)


def test_an_unknown_option_is_refused_with_the_one_there_is(copy):
    done = subprocess.run(
        ["bash", "scripts/serve", "--reset-password"],
        cwd=copy,
        env=serve_env(),
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    assert done.returncode == 2
    assert "unknown option --reset-password (the only one is --reset-passwords)" in done.stderr
