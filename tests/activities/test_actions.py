"""Console actions: named, typed, applied in order on the revision they were made on."""

import pytest
from django.urls import reverse

from activities.actions import Action, ActionName, TimerCommand, parse_action
from activities.models import Delivery, DeliveryError

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def act(client, delivery, action, revision=None):
    data = {"action": action}
    if revision is not None:
        data["revision"] = revision
    return client.post(reverse("activities:action", args=[delivery.pk]), data, **HTMX)


def test_buttons_values_become_named_actions_with_typed_arguments():
    assert parse_action("next") == Action(ActionName.NEXT)
    assert parse_action("goto:13") == Action(ActionName.GOTO, number=13)
    assert parse_action("hide:7") == Action(ActionName.HIDE, number=7)
    assert parse_action("timer:toggle") == Action(ActionName.TIMER, timer=TimerCommand.TOGGLE)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("goto:²", "'²' is not a slide number."),
        ("goto:", "'' is not a slide number."),
        ("hide:-1", "'-1' is not a number."),
        ("timer:explode", "Unknown timer action 'explode'."),
        ("next:3", "Unknown action 'next:3'."),
        ("dance", "Unknown action 'dance'."),
    ],
)
def test_a_malformed_action_is_refused_with_its_reason(value, message):
    with pytest.raises(DeliveryError, match=message.replace("(", r"\(")):
        parse_action(value)


def test_a_malformed_action_posted_is_a_message_not_a_500(instructor_client, delivery):
    response = act(instructor_client, delivery, "goto:²")
    assert response.status_code == 200
    assert "is not a slide number." in response.content.decode()
    assert Delivery.objects.get(pk=delivery.pk).revision == delivery.revision


def test_next_after_next_is_next_from_there(instructor_client, delivery):
    first = delivery.revision
    act(instructor_client, delivery, "next", revision=first)
    delivery.refresh_from_db()
    assert delivery.current_slide == 6
    act(instructor_client, delivery, "next", revision=delivery.revision)
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 7


def test_an_action_made_on_an_older_revision_is_refused_not_repeated(instructor_client, delivery):
    made_on = delivery.revision
    act(instructor_client, delivery, "next", revision=made_on)
    # The same press sent again (a retry), or one made on a screen another console changed.
    response = act(instructor_client, delivery, "next", revision=made_on)
    assert "The lesson changed on another screen" in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.current_slide, delivery.revision) == (6, made_on + 1)


def test_a_revision_that_is_not_a_number_is_refused(instructor_client, delivery):
    response = act(instructor_client, delivery, "next", revision="x1")
    assert "is not a revision." in response.content.decode()
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 5
