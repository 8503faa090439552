import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_after_signing_in_each_role_lands_on_its_own_page(client, instructor, coordinator):
    from django.urls import reverse

    client.force_login(coordinator)
    assert client.get(reverse("after_login")).url == reverse("content:index")
    page = client.get(reverse("content:index")).content.decode()
    assert "Lesson content" in page and reverse("activities:deliveries") not in page
    client.force_login(instructor)
    assert client.get(reverse("after_login")).url == reverse("activities:deliveries")
