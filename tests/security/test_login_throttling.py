"""Guessing a password: after a handful of wrong ones the user name is paused on that address,
with the reason on the sign-in page, and nobody else is locked out."""

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOCKED = "Too many wrong passwords for this user name from this device"


def sign_in(client, username: str, password: str, address: str = "10.1.1.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_forty_wrong_passwords_then_the_right_one_is_refused_with_the_reason(client, instructor):
    for _ in range(40):
        response = sign_in(client, "instructor", "wrong-guess")
        assert response.status_code in (200, 429)
    response = sign_in(client, "instructor", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "15 minutes" in page
    assert 'value="instructor"' in page  # the sign-in form is still there, with the name kept
    assert int(response["Retry-After"]) == 15 * 60
    assert SESSION_KEY not in client.session


def test_the_lockout_comes_after_five_wrong_passwords_not_before(client, instructor):
    for _ in range(4):
        assert sign_in(client, "instructor", "wrong-guess").status_code == 200
    response = sign_in(client, "instructor", "wrong-guess")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_other_users_and_other_addresses_are_not_locked_out(
    client_factory, instructor, coordinator
):
    guesser = client_factory()
    for _ in range(40):
        sign_in(guesser, "instructor", "wrong-guess", address="10.1.1.1")
    # A colleague behind the same address (the class's NAT) signs in.
    colleague = client_factory()
    response = sign_in(colleague, "coordinator", PASSWORD, address="10.1.1.1")
    assert response.status_code == 302 and SESSION_KEY in colleague.session
    # The instructor, on their own laptop, signs in too.
    laptop = client_factory()
    response = sign_in(laptop, "instructor", PASSWORD, address="10.9.9.9")
    assert response.status_code == 302 and SESSION_KEY in laptop.session


def test_the_lockout_ends_after_the_cool_off(client, instructor):
    for _ in range(6):
        sign_in(client, "instructor", "wrong-guess")
    assert sign_in(client, "instructor", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        response = sign_in(client, "instructor", PASSWORD)
    assert response.status_code == 302 and SESSION_KEY in client.session


def test_the_lockout_message_is_in_french(client, instructor):
    for _ in range(6):
        sign_in(client, "instructor", "wrong-guess")
    response = client.post(
        reverse("login"),
        {"username": "instructor", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert "Trop de mots de passe erronés" in response.content.decode()
