"""Fixtures shared by every test."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Model
from django.db.models.deletion import Collector
from django.test import override_settings
from django.utils import translation

from copsite.roles import COORDINATOR, INSTRUCTOR, grant_role

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


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """A fast hash: production's PBKDF2 is slow by design (a million rounds per password).

    Users are made and logged in all through the suite; nothing in it is about the hash itself.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """A render one test cached must not answer another's: database ids are reused."""
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A French request leaves French active in this thread (LocaleMiddleware activates, nothing
    deactivates): the next test's messages outside a request would come back in French."""
    yield
    translation.deactivate()


class _EveryRow(Collector):
    """Collects each dependent row as an object: none is left to a fast, row-less delete."""

    def can_fast_delete(self, *args, **kwargs) -> bool:
        return False


def _rows_of(lesson) -> list[list[Model]]:
    """Every row of `lesson` (itself, its sections, slides, activities...), table by table."""
    collector = _EveryRow(using=DEFAULT_DB_ALIAS, origin=lesson)
    collector.collect([lesson])
    # The collector reads only the columns a delete needs: read each row whole.
    return [
        list(model._base_manager.filter(pk__in=[row.pk for row in collected]))
        for model, collected in collector.data.items()
    ]


def _insert(tables: list[list[Model]]) -> None:
    # One transaction: foreign keys are checked at its end, so the order of the tables is free.
    with transaction.atomic():
        for table in tables:
            type(table[0])._base_manager.bulk_create(table)
        models = [type(table[0]) for table in tables]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def _cop_lesson_rows(django_db_setup, django_db_blocker) -> dict:
    """The CoP lesson and a draft of it, each as its pk and rows, made once per session.

    Loading the 36-slide lesson parses, checks and renders every file, which is most of the
    setup time of a test that needs it; copying its rows back is a few bulk inserts. Made in a
    transaction that is rolled back, so the session's database stays empty.
    """
    from django.contrib.auth import get_user_model

    from lessons.document import read_folder
    from lessons.editing import draft_create_from_version
    from lessons.loader import load

    with django_db_blocker.unblock(), transaction.atomic():
        lesson = load(read_folder(django_settings.BASE_DIR / "content" / "cop")).lesson
        maker = get_user_model().objects.create(username="draft-maker")
        draft = draft_create_from_version(lesson=lesson, user=maker)
        rows = {"lesson": (lesson.pk, _rows_of(lesson)), "draft": (draft.pk, _rows_of(draft))}
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def cop_lesson(db, _cop_lesson_rows):
    """The CoP lesson of content/cop, loaded as a published version.

    The same rows as `load(read_folder("content/cop")).lesson` would store, copied in from the
    session's one load; they go with the test's transaction (or flush) like any other row.
    """
    from lessons.models import Lesson

    pk, tables = _cop_lesson_rows["lesson"]
    _insert(tables)
    return Lesson.objects.get(pk=pk)


@pytest.fixture
def cop_draft(cop_lesson, coordinator, _cop_lesson_rows):
    """A draft of `cop_lesson` by `coordinator`: what `draft_create_from_version` stores."""
    from lessons.models import Lesson

    pk, tables = _cop_lesson_rows["draft"]
    (draft_row,) = tables[[type(table[0]) for table in tables].index(Lesson)]
    draft_row.created_by_id = coordinator.pk
    _insert(tables)
    return Lesson.objects.get(pk=pk)


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
