"""Junk sent to every page the app serves is a 4xx (or a plain page), never a 500, and a request
that is refused changes nothing stored.

The pages are read from the URL conf, so a new URL is sent junk without a change here: a URL
whose arguments this file cannot fill with a real value fails `test_every_url_is_sent_junk`
until it is taught the value or excluded with a reason. Each page is asked with GET and POST
by an anonymous phone, a participant who joined through the join page, an instructor and a
coordinator, with junk in the path, the query string and the body (a form, multipart, JSON
nested deep, huge numbers, lists for objects, a body that is not what the page reads).

`COP_JUNK_EXAMPLES=500 pytest tests/security/test_junk.py` goes deeper than the suite's run.
"""

import json
import os
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.actions import ActionName, TimerCommand
from activities.models import Delivery, Group, Participant, Submission, delivery_create
from activities.participation import answer_save, participant_join
from lessons.fields import activity_target, lesson_target, section_target, slide_target
from lessons.models import Lesson

settings.register_profile(
    "junk",
    max_examples=int(os.environ.get("COP_JUNK_EXAMPLES", "4")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=not os.environ.get("COP_JUNK_EXAMPLES"),
)

# URL names (with namespace) that are never sent junk, each with the reason. None today: every
# URL takes junk, sign-out included (sent last, see ENDPOINTS).
EXCLUDED: dict[str, str] = {}

# Tables whose rows a refused request may still write: counting the refusal is its purpose.
BOOKKEEPING = {
    "activities.ratecounter",
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
# Pages for signed-in staff: a phone or an anonymous client changes nothing through them.
STAFF_NAMESPACES = {"activities", "content", "lessons"}

ODD = [
    "",
    "0",
    "1",
    "²",
    "٣",
    "１",
    "१२",
    "0x1",
    "-1",
    " 1",
    "1e3",
    "1.5",
    "NaN",
    "9" * 19,
    "9" * 400,
    "\x00",
    "a\x00b",
    "\u202etxet",
    "\u200b",
    "\ufeff1",
    "../..",
    "%00",
    "%",
    "null",
    "[]",
    "{}",
    "true",
    "x" * 3000,
    "é" * 200,
    "<script>",
    "' OR 1=1 --",
]
FIELDS = [
    "action",
    "revision",
    "participant",
    "group",
    "name",
    "code",
    "field",
    "version",
    "text",
    "next",
    "compact",
    "language",
    "username",
    "password",
    "title",
    "lesson",
    "expected_class_size",
    "grouping_mode",
    "key",
    "step",
    "run",
    "base_version",
    "files",
    "old",
    "new",
    "rev",
]
QUERY_KEYS = ["rev", "version", "old", "new", "field", "next", "compact", "page"]

# The listed oddities most often: a few examples must meet them; random text and numbers too.
odd_text = st.one_of(
    st.sampled_from(ODD),
    st.sampled_from(ODD),
    st.sampled_from(ODD),
    st.text(max_size=30),
    st.integers().map(str),
)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False)
    | odd_text,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
form_value = odd_text | st.lists(odd_text, min_size=2, max_size=3)
form_body = st.dictionaries(st.sampled_from(FIELDS), form_value, max_size=6)


@st.composite
def raw_body(draw) -> tuple[str, bytes]:
    """(content type, body): JSON of any shape, a form, or bytes that are neither."""
    kind = draw(st.sampled_from(["json", "deep", "form", "bytes", "wrong-json"]))
    if kind == "json":
        value = draw(st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=5) | json_value)
        return "application/json", json.dumps(value).encode()
    if kind == "deep":
        depth = draw(st.sampled_from([50, 1000, 20_000]))
        opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return "application/json", (opening * depth + "1" + closing * depth).encode()
    if kind == "form":
        return "application/x-www-form-urlencoded", urlencode(draw(form_body), doseq=True).encode()
    if kind == "bytes":
        content_type = draw(st.sampled_from(["application/json", "text/plain", "application/xml"]))
        return content_type, draw(st.binary(max_size=200))
    return "application/x-www-form-urlencoded", b'{"key": "text", "text": "x"}'


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespace:name
    template: str  # "/console/{delivery_id}/action/"
    arguments: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.split(":")[0] if ":" in self.name else ""


ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def as_template(pattern) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = REGEX_GROUP.sub(r"{\1}", text.removeprefix("^").removesuffix("$"))
        assert not re.search(r"[\\^$()|?*+\[\]]", text), f"cannot fill the regex URL {text!r}"
        return text
    return ROUTE_ARGUMENT.sub(r"{\1}", text)


def endpoints(patterns=None, prefix: str = "/", namespace: str = "") -> list[Endpoint]:
    """Every URL the site serves, from the URL conf."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        template = prefix + as_template(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace or ""
            found += endpoints(entry.url_patterns, template, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            found.append(Endpoint(name, template, tuple(re.findall(r"{(\w+)}", template))))
    return found


# Signing out last: the pages after it would see only an anonymous client.
ENDPOINTS = sorted(
    (endpoint for endpoint in endpoints() if endpoint.name not in EXCLUDED),
    key=lambda endpoint: endpoint.name == "logout",
)


@dataclass
class World:
    """The rows real requests would name: a live delivery in an activity, its lesson and a
    draft of it, and what to fill each URL argument with."""

    delivery: Delivery
    lesson: Lesson
    draft: Lesson
    activity_code: str
    numbers: list[str]  # ids of a submission, a key point, a group: what actions name
    field_inputs: dict[str, list[str]]  # a draft's field key -> the names its form posts

    def real_values(self, endpoint: Endpoint, argument: str) -> list[str]:
        values = {
            "delivery_id": [str(self.delivery.pk)],
            "lesson_id": [str(self.lesson.pk), str(self.draft.pk)],
            "number": ["12", "1"],
            "slug": ["cop"],
            "extension": ["csv", "objectives.csv", "md", "json"],
            "operation": ["save", "delete", "move"],
            "code": (
                [self.activity_code]
                if endpoint.namespace == "content"
                else [self.delivery.join_code]
            ),
        }
        return values.get(argument, [])


@pytest.fixture
def world(cop_lesson, cop_draft, instructor) -> World:
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Junk")
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.refresh_from_db()
    activity = cop_lesson.slides.get(number=12).activity
    someone = participant_join(delivery=delivery, display_name="Bola")
    submission = answer_save(
        participant=someone, key="point:abcdef12-junk", text="Trust", run_id=delivery.slide_run().pk
    )
    numbers = [str(submission.pk), str(activity.key_points.first().pk), str(someone.group.number)]
    draft_activity = cop_draft.activities.get(code=activity.code)
    targets = [
        lesson_target(cop_draft),
        section_target(cop_draft.sections.first()),
        slide_target(cop_draft.slides.get(number=13)),
        activity_target(draft_activity),
    ]
    field_inputs = {
        f"{target.key}:{spec.name}": [f"{target.key}:{spec.name}"]
        + [f"{target.key}:{spec.name}.{column.name}" for column in spec.columns]
        for target in targets
        for spec in target.fields
    }
    return World(delivery, cop_lesson, cop_draft, activity.code, numbers, field_inputs)


def test_every_url_is_sent_junk(world):
    """A URL this file cannot fill is not sent junk: teach it the value, or exclude it."""
    assert len(ENDPOINTS) > 20
    unfilled = [
        f"{endpoint.name} ({argument})"
        for endpoint in ENDPOINTS
        for argument in endpoint.arguments
        if not world.real_values(endpoint, argument)
    ]
    assert unfilled == [], "give these arguments a real value, or add the URL to EXCLUDED"
    every_name = {endpoint.name for endpoint in endpoints()}
    assert set(EXCLUDED) <= every_name, "an excluded URL no longer exists"


def fingerprint() -> dict:
    """What a refused request must leave as it was: every table's row count (in one query) and
    the columns every change of a delivery, a draft, a group or an answer moves."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.label_lower not in BOOKKEEPING
    )
    quote_name = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote_name(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True)) | {
        "deliveries": list(
            Delivery.objects.values_list("pk", "revision", "answers_revision", "status")
        ),
        "lessons": list(Lesson.objects.values_list("pk", "status", "edit_versions", "title")),
        "groups": list(Group.objects.values_list("pk", "revision")),
        "participants": list(
            Participant.objects.values_list("pk", "display_name", "group_id", "removed")
        ),
        "submissions": list(Submission.objects.values_list("pk", "version", "text")),
    }


def sign_in(client: Client, role: str, world: World, users: dict) -> None:
    if role == "participant":
        joined = client.post(f"/j/{world.delivery.join_code}/", {"name": "Amina"})
        assert joined.status_code == 302, joined.content.decode()[:500]
    elif role in users:
        client.force_login(users[role])


@st.composite
def shaped_form(draw, world: World) -> dict:
    """A form as a page would post it, with junk where the values go: a console action and
    its argument, a draft's field and its inputs, a person moved to a group."""
    argument = st.sampled_from(world.numbers + [str(c) for c in TimerCommand]) | odd_text
    real_or_odd = st.sampled_from(world.numbers) | odd_text
    form = {
        "action": draw(st.sampled_from([str(name) for name in ActionName]))
        + draw(st.sampled_from(["", ":"]))
        + draw(argument),
        "revision": draw(st.just(str(world.delivery.revision)) | odd_text),
        "participant": draw(real_or_odd),
        "group": draw(st.sampled_from(["remove", *world.numbers]) | odd_text),
        "version": draw(st.sampled_from(["0", "1"]) | odd_text),
    }
    key = draw(st.sampled_from(sorted(world.field_inputs)))
    form["field"] = draw(
        st.just(key) | st.builds(lambda junk: key.rsplit(":", 1)[0] + ":" + junk, odd_text)
    )
    for name in world.field_inputs[key]:
        form[name] = draw(form_value)
    return form


@st.composite
def shaped_answer(draw) -> dict:
    """An answer as static/js/answers.js sends it, with junk in its fields."""
    keys = ["text", "point:abcdef12-x", "point:c0-abcdef12", "point:c٣-abcdef12", "field:x"]
    return {
        "key": draw(st.sampled_from(keys) | odd_text | json_value),
        "text": draw(odd_text | json_value),
        "base_version": draw(json_value),
        "run": draw(json_value),
        "step": draw(st.sampled_from([1, -1]) | json_value),
    }


@st.composite
def junk_request(draw, endpoint: Endpoint, world: World) -> dict:
    """What to send one URL: a GET with a junk query and a POST of the form a page would send
    with junk values, both to the real address so that the junk reaches the view; and a POST of
    anything else (random fields, an answer, JSON of any depth, raw bytes) to an address with
    junk in its arguments."""
    path = odd_path = endpoint.template
    for argument in endpoint.arguments:
        real = draw(st.sampled_from(world.real_values(endpoint, argument)))
        odd = draw(st.just(real) | odd_text)
        path = path.replace("{" + argument + "}", quote(real, safe=""))
        odd_path = odd_path.replace("{" + argument + "}", quote(odd, safe=""))
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), odd_text, max_size=3))
    if query:
        path += "?" + urlencode(query)
    headers = {"HTTP_HX_REQUEST": "true"} if draw(st.booleans()) else {}
    if draw(st.booleans()):
        headers["HTTP_ACCEPT"] = "application/json"
    form = draw(shaped_form(world))
    if draw(st.booleans()):
        shaped = {"data": form}  # multipart
    else:
        shaped = {
            "data": urlencode(form, doseq=True),
            "content_type": "application/x-www-form-urlencoded",
        }
    other = draw(st.sampled_from(["multipart", "answer", "raw"]))
    if other == "multipart":
        anything = {"data": draw(form_body)}
    elif other == "answer":
        anything = {"data": draw(shaped_answer()), "content_type": "application/json"}
    else:
        content_type, data = draw(raw_body())
        anything = {"data": data, "content_type": content_type}
    return {"path": path, "odd_path": odd_path, "headers": headers, "bodies": [shaped, anything]}


def send_junk(client: Client, endpoint: Endpoint, request: dict, *, must_refuse: bool) -> None:
    shaped, anything = request["bodies"]
    sends = [
        ("GET", request["path"], None),
        ("POST", request["path"], shaped),
        ("POST", request["odd_path"], anything),
    ]
    for method, path, body in sends:
        before = fingerprint()
        if body is None:
            response = client.get(path, **request["headers"])
        else:
            response = client.post(path, **body, **request["headers"])
        where = f"{method} {path[:300]} ({endpoint.name})"
        assert response.status_code < 500, f"{where}: {response.content[:2000]!r}"
        if must_refuse or response.status_code >= 400:
            assert fingerprint() == before, f"{where} answered {response.status_code}: changed"


@pytest.mark.parametrize("role", ["anonymous", "participant", "instructor", "coordinator"])
@settings(settings.get_profile("junk"))
@given(data=st.data())
def test_junk_to_every_url_is_never_a_500(role, data, world, instructor, coordinator):
    users = {"instructor": instructor, "coordinator": coordinator}
    # Each example starts from the same rows: what it changed, and its rate counts and failed
    # sign-ins, roll back. One example sends about a hundred requests, far below every limit
    # (activities/ratelimit.py, django-axes), so the views, not a 429, answer the junk.
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        sign_in(client, role, world, users)
        for endpoint in ENDPOINTS:
            request = data.draw(junk_request(endpoint, world), label=endpoint.name)
            must_refuse = role in ("anonymous", "participant") and (
                endpoint.namespace in STAFF_NAMESPACES
            )
            send_junk(client, endpoint, request, must_refuse=must_refuse)
        transaction.set_rollback(True)
