"""The participants' pages: join by code, pick a name and group, and the stage that follows the
instructor. Phones have no account: a random token in a cookie identifies the participant."""

import json

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import GroupingMode, Participant, normalise_join_code
from activities.participation import (
    AnswerConflict,
    AnswerError,
    JoinError,
    answer_delete,
    answer_move,
    answer_save,
    delivery_for_code,
    ensure_groups,
    groups_with_sizes,
    participant_join,
)
from activities.phone import answer_messages, stage_context
from activities.ratelimit import over_limit
from activities.tokens import participant_for_token, poll_revision

COOKIE_AGE = 24 * 3600
ANSWERS_PER_MINUTE = 60
JOIN_FAILURES_PER_MINUTE = 30


def use_class_language(request: HttpRequest, delivery) -> None:
    """Until a participant picks a language, pages are in the one the instructor set."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(delivery.language)
        request.LANGUAGE_CODE = delivery.language


def cookie_name(code: str) -> str:
    return f"cop_{code}"


def current_participant(request: HttpRequest, code: str) -> Participant | None:
    """The phone's participant, with its delivery and group."""
    token = request.COOKIES.get(cookie_name(code))
    return participant_for_token(token, code) if token else None


def join_page(request: HttpRequest) -> HttpResponse:
    error = ""
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        # A whole class shares one address behind a hotspot: only wrong codes count.
        failures = f"join-failures:{request.META.get('REMOTE_ADDR', '')}"
        if over_limit(failures, limit=JOIN_FAILURES_PER_MINUTE, window_seconds=60, count=False):
            error = _("Too many wrong codes from this network. Wait a minute and try again.")
        else:
            try:
                delivery = delivery_for_code(code)
            except JoinError as refused:
                over_limit(failures, limit=JOIN_FAILURES_PER_MINUTE, window_seconds=60)
                error = str(refused)
            else:
                return redirect("participants:join", code=delivery.join_code)
    status = 400 if error else 200
    return TemplateResponse(
        request, "participants/join.html", {"error": error, "code": code}, status=status
    )


def join(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_join_code(code)
    if current_participant(request, code):
        return redirect("participants:stage", code=code)
    try:
        delivery = delivery_for_code(code)
    except JoinError as refused:
        return TemplateResponse(
            request, "participants/join.html", {"error": str(refused), "code": code}, status=404
        )
    use_class_language(request, delivery)
    error = ""
    name = request.POST.get("name", "")
    if request.method == "POST":
        group_number = request.POST.get("group", "")
        try:
            participant = participant_join(
                delivery=delivery,
                display_name=name,
                group_number=int(group_number) if group_number.isdigit() else None,
            )
        except JoinError as refused:
            error = str(refused)
        else:
            response = redirect("participants:stage", code=code)
            response.set_cookie(
                cookie_name(code),
                participant.token,
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    groups = []
    if delivery.grouping_mode == GroupingMode.PICK:
        ensure_groups(delivery)
        groups = groups_with_sizes(delivery)
    return TemplateResponse(
        request,
        "participants/name.html",
        {"delivery": delivery, "groups": groups, "error": error, "name": name},
        status=400 if error else 200,
    )


def unchanged_since(request: HttpRequest, code: str) -> bool:
    revision = request.GET.get("rev", "")
    token = request.COOKIES.get(cookie_name(code))
    if not (request.htmx and token and revision):
        return False
    return revision == poll_revision(token=token, code=code)


def stage(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_join_code(code)
    if unchanged_since(request, code):
        return HttpResponse(status=204)
    participant = current_participant(request, code)
    if participant is None:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("participants:join", args=[code])
            return response
        return redirect("participants:join", code=code)
    use_class_language(request, participant.delivery)
    context = stage_context(participant)
    if request.htmx:
        return TemplateResponse(request, "participants/stage.html#stage", context)
    context["answer_messages"] = answer_messages()
    return TemplateResponse(request, "participants/stage.html", context)


def answer_response(error: AnswerError) -> JsonResponse:
    body = {"error": str(error)}
    if isinstance(error, AnswerConflict):
        body |= {"current_text": error.current_text, "current_version": error.current_version}
    return JsonResponse(body, status=error.status)


@require_POST
def answer(request: HttpRequest, code: str, operation: str) -> JsonResponse:
    """One piece of the group's answer, sent by static/js/answers.js as JSON."""
    code = normalise_join_code(code)
    participant = current_participant(request, code)
    if participant is None:
        return JsonResponse({"error": _("You are not part of this class; join again.")}, status=403)
    if len(request.body) > settings.ANSWER_MAX_BODY_BYTES:
        return JsonResponse(
            {"error": _("This answer is far too long to send; shorten it.")}, status=413
        )
    use_class_language(request, participant.delivery)
    data = answer_data(request.body)
    # The count and the answer in one write transaction: on SQLite, one wait for the write lock
    # instead of two. A refused answer writes nothing; the count stays.
    with transaction.atomic():
        wait = over_limit(f"answer:{participant.pk}", limit=ANSWERS_PER_MINUTE, window_seconds=60)
        if wait:
            return too_many_sends(wait)
        if data is None:
            return JsonResponse(
                {"error": _("The answer could not be read; send it again.")}, status=400
            )
        try:
            done = answer_operation(participant, operation, data)
        except AnswerError as refused:
            return answer_response(refused)
    # The group's stage as this change left it, rendered once the write lock is let go: the
    # phone shows it at once instead of asking for it again.
    context = stage_context(participant)
    stage_html = render_to_string("participants/stage.html#stage", context, request)
    return JsonResponse(done | {"revision": context["revision"], "stage": stage_html})


def answer_data(body: bytes) -> dict | None:
    try:
        data = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def answer_operation(participant: Participant, operation: str, data: dict) -> dict:
    key = str(data.get("key", ""))
    base = str(data.get("base_version", ""))
    run = str(data.get("run", ""))
    if operation == "save":
        submission = answer_save(
            participant=participant,
            key=key,
            text=str(data.get("text", "")),
            base_version=int(base) if base.isdigit() else None,
            run_id=int(run) if run.isdigit() else None,
        )
        return {"key": submission.key, "version": submission.version}
    if operation == "delete":
        answer_delete(participant=participant, key=key)
    else:
        answer_move(participant=participant, key=key, step=1 if data.get("step") == 1 else -1)
    return {"key": key}


def too_many_sends(wait: int) -> JsonResponse:
    response = JsonResponse(
        {
            "error": _("Too many sends at once. Your text is kept; it is sent again in %(wait)s s.")
            % {"wait": wait}
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
