"""Fixtures shared by every test."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import override_settings

from activities.roles import COORDINATOR, INSTRUCTOR, grant_role

# The password of the users the fixtures below create, for tests that log in through the form.
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    """Name and serve static files from the source folders, as in development.

    The manifest storage of production needs `collectstatic` first; tests must not. Session-wide,
    so that it is already in force when the session's live server loads its middleware.
    """
    static_storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={**django_settings.STORAGES, "staticfiles": static_storage},
        # WhiteNoise looks files up through the finders on each request instead of reading a
        # STATIC_ROOT that tests never fill (which would only warn "No directory at: ...").
        WHITENOISE_AUTOREFRESH=True,
        WHITENOISE_USE_FINDERS=True,
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """A render one test cached must not answer another's: database ids are reused."""
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def cop_lesson(db):
    """The CoP lesson of content/cop, loaded as a published version."""
    from lessons.document import read_folder
    from lessons.loader import load

    return load(read_folder(django_settings.BASE_DIR / "content" / "cop")).lesson


def make_user(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    grant_role(user, role)
    return user


@pytest.fixture
def instructor(db, django_user_model):
    return make_user(django_user_model, "instructor", INSTRUCTOR)


@pytest.fixture
def coordinator(db, django_user_model):
    return make_user(django_user_model, "coordinator", COORDINATOR)


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def client_factory():
    """Each call is another phone: a separate client with its own cookies."""
    from django.test import Client

    return Client


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Compile the .po files as scripts/test does, for a plain `pytest` run too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (django_settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))
