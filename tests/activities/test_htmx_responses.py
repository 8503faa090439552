"""One URL answers the full page, its partial or a 204 depending on HX-Request, so each of those
answers says so in Vary (a cache must not give a phone's partial to a full-page load); a phone
that lost its place is sent to the join page the way each kind of request understands."""

import pytest
from django.test import Client
from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def varies_on_htmx(response) -> bool:
    return "HX-Request" in [part.strip() for part in response.get("Vary", "").split(",")]


@pytest.mark.parametrize("screen", ["activities:console", "activities:projector"])
def test_the_console_and_projector_vary_on_hx_request(instructor_client, delivery, screen):
    url = reverse(screen, args=[delivery.pk])
    page = instructor_client.get(url)
    stage = instructor_client.get(url, **HTMX)
    delivery.refresh_from_db()
    unchanged = instructor_client.get(
        f"{url}?rev={delivery.revision}.{delivery.answers_revision}", **HTMX
    )
    assert (page.status_code, stage.status_code, unchanged.status_code) == (200, 200, 204)
    assert b"<html" in page.content and b"<html" not in stage.content
    assert all(varies_on_htmx(response) for response in (page, stage, unchanged))


def test_a_phone_without_its_cookie_is_sent_to_the_join_page(delivery):
    phone = Client()
    stage_url = reverse("participants:stage", args=[delivery.join_code])
    join_url = f"/j/{delivery.join_code}/"
    plain = phone.get(stage_url)
    polled = phone.get(stage_url, **HTMX)
    assert plain.status_code == 302 and plain["Location"] == join_url
    # htmx follows HX-Redirect with a full page load rather than swapping the join form in.
    assert polled.status_code == 200 and polled["HX-Redirect"] == join_url
    assert varies_on_htmx(plain) and varies_on_htmx(polled)


def test_the_projector_shows_the_join_address_of_the_join_page(instructor_client, delivery):
    delivery.start()
    page = instructor_client.get(reverse("activities:projector", args=[delivery.pk]))
    assert f"http://testserver/j/{delivery.join_code}/" in page.content.decode()


def test_the_editor_field_and_validation_vary_on_hx_request(coordinator_client, cop_draft):
    field = reverse("content:field", args=[cop_draft.pk]) + "?field=slide:13:title"
    validate = reverse("content:validate", args=[cop_draft.pk])
    for url in (field, validate):
        for headers in ({}, HTMX):
            response = coordinator_client.get(url, **headers)
            assert response.status_code == 200 and varies_on_htmx(response), (url, headers)
