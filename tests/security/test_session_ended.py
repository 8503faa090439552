"""A console, projector or editor whose session has ended: its htmx requests get 401 with
`HX-Trigger: session-ended` (never the sign-in page to swap in), and the page carries the banner
that static/js/session.js shows, with a sign-in link back to the page."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from activities.models import delivery_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(lesson=cop_lesson, instructor=instructor, title="Session")


@pytest.mark.parametrize("screen", ["activities:console", "activities:projector"])
def test_a_poll_after_the_session_ended_is_a_401_with_the_trigger(
    instructor_client, delivery, screen
):
    url = reverse(screen, args=[delivery.pk])
    assert instructor_client.get(url, {"rev": "0.0"}, **HTMX).status_code == 200
    Session.objects.all().delete()
    poll = instructor_client.get(url, {"rev": "0.0"}, **HTMX)
    assert poll.status_code == 401
    assert poll["HX-Trigger"] == "session-ended"
    assert poll.content.decode() == "You are signed out. Sign in again to go on."
    assert "password" not in poll.content.decode()


def test_an_action_and_an_editor_save_after_the_session_ended_get_the_401(
    instructor_client, coordinator, delivery, cop_draft
):
    revision = delivery.revision
    Session.objects.all().delete()
    action = instructor_client.post(
        reverse("activities:action", args=[delivery.pk]), {"action": "next"}, **HTMX
    )
    assert (action.status_code, action["HX-Trigger"]) == (401, "session-ended")
    delivery.refresh_from_db()
    assert delivery.revision == revision
    save = instructor_client.post(
        reverse("content:field", args=[cop_draft.pk]), {"field": "title"}, **HTMX
    )
    assert (save.status_code, save["HX-Trigger"]) == (401, "session-ended")


def test_a_plain_request_still_goes_to_the_sign_in_page(client, delivery):
    url = reverse("activities:console", args=[delivery.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert "HX-Trigger" not in response


def test_a_signed_in_refusal_is_not_taken_for_an_ended_session(client, coordinator, delivery):
    """A coordinator who is no instructor is refused the console: not told to sign in again."""
    client.force_login(coordinator)
    response = client.get(reverse("activities:console", args=[delivery.pk]), **HTMX)
    assert response.status_code != 401 and "HX-Trigger" not in response


@pytest.mark.parametrize("screen", ["activities:console", "activities:projector"])
def test_the_screens_carry_the_hidden_banner_with_a_sign_in_link_back(
    instructor_client, delivery, screen
):
    url = reverse(screen, args=[delivery.pk])
    html = instructor_client.get(url).content.decode()
    assert '<div id="session-ended" class="session-ended" role="alert" hidden>' in html
    assert "Your session has ended — sign in again" in html
    assert f'href="{reverse("login")}?next={url}"' in html
    assert "js/session.js" in html


def test_the_editor_carries_the_banner(coordinator_client, cop_draft):
    html = coordinator_client.get(reverse("content:version", args=[cop_draft.pk])).content
    assert b'id="session-ended"' in html and b"js/session.js" in html
