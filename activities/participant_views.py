"""The participants' pages: join by code, pick a name and group, and the stage that follows the
instructor. Phones have no account: a random token in a cookie identifies the participant."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.fast_path.tokens import participant_for_token, poll_revision
from activities.models import (
    Delivery,
    GroupingMode,
    KeyPointMatch,
    Participant,
    normalise_join_code,
)
from activities.participation import (
    AnswerConflict,
    AnswerError,
    JoinError,
    answer_delete,
    answer_move,
    answer_save,
    answer_scores,
    delivery_for_code,
    ensure_groups,
    groups_with_sizes,
    join_path,
    participant_join,
)
from activities.phone import answer_messages, stage_context
from activities.ratelimit import over_limits
from activities.takeaway import (
    participant_link_kept_until,
    refusal,
    takeaway_for,
    takeaway_markdown,
)
from copsite.htmx import redirect_or_client_redirect, vary_on_htmx
from copsite.middleware import is_outage
from copsite.parsing import BadBody, parse_int, read_json_object

COOKIE_AGE = 24 * 3600
# Per minute. A class is about 60 phones, all behind one address on a hotspot or a NAT.
ANSWERS_PER_MINUTE = 60  # per participant
ANSWERS_PER_GROUP_PER_MINUTE = 150  # a group of five, each at half the above
ANSWERS_PER_ADDRESS_PER_MINUTE = 1200  # per class and address: new tokens do not add more
CODE_LOOKUPS_PER_MINUTE = 600  # per address, right or wrong
WRONG_CODES_PER_MINUTE = 60  # per address
JOINS_PER_ADDRESS_PER_MINUTE = 150
# A lecture hall (or the benchmark's 300-phone class) may need more: copsite/settings.py.
JOINS_PER_DELIVERY_PER_MINUTE = settings.COP_JOINS_PER_CLASS_PER_MINUTE


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
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            delivery = delivery_for_guess(request, code)
        except JoinError as refused:
            error, status = str(refused), 400
        except Throttled as throttled:
            return throttled.response(request, "participants/join.html", {"code": code})
        else:
            return redirect("participants:join", code=delivery.join_code)
    return TemplateResponse(
        request, "participants/join.html", {"error": error, "code": code}, status=status
    )


def join(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_join_code(code)
    if current_participant(request, code):
        return redirect("participants:stage", code=code)
    try:
        delivery = delivery_for_guess(request, code)
    except JoinError as refused:
        return TemplateResponse(
            request, "participants/join.html", {"error": str(refused), "code": code}, status=404
        )
    except Throttled as throttled:
        return throttled.response(request, "participants/join.html", {"code": code})
    use_class_language(request, delivery)
    error = ""
    name = request.POST.get("name", "")
    groups = []
    if delivery.grouping_mode == GroupingMode.PICK:
        ensure_groups(delivery)
        groups = groups_with_sizes(delivery)
    context = {"delivery": delivery, "groups": groups, "name": name}
    if request.method == "POST":
        wait = over_limits(
            {
                f"joins:{client_address(request)}": JOINS_PER_ADDRESS_PER_MINUTE,
                f"joins-delivery:{delivery.pk}": JOINS_PER_DELIVERY_PER_MINUTE,
            }
        )
        if wait:
            refused = Throttled(
                wait, _("Too many people joined from this network. Wait %(wait)s s and try again.")
            )
            return refused.response(request, "participants/name.html", context)
        try:
            participant = participant_join(
                delivery=delivery,
                display_name=name,
                group_number=parse_int(request.POST.get("group", "")),
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
    return TemplateResponse(
        request, "participants/name.html", context | {"error": error}, status=400 if error else 200
    )


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class Throttled(Exception):
    """Too many requests of one kind from one address or for one class this minute."""

    def __init__(self, wait: int, message: str) -> None:
        super().__init__(message % {"wait": wait})
        self.wait = wait

    def response(self, request: HttpRequest, template: str, context: dict) -> HttpResponse:
        error = str(self)
        response = TemplateResponse(request, template, context | {"error": error}, status=429)
        response["Retry-After"] = str(self.wait)
        return response


def delivery_for_guess(request: HttpRequest, code: str):
    """The class a typed or linked code names, each look-up counted against the address.

    A whole class shares one address behind a hotspot or a school's NAT: the limit on all
    look-ups is far above what a class needs, and only wrong codes have a low one. A guesser
    who used up the wrong codes' limit then gets 429 for every wrong code, while the class
    behind the same address still joins with the right one.
    """
    address = client_address(request)
    wait = counted_lookup(request, {f"code-lookups:{address}": CODE_LOOKUPS_PER_MINUTE})
    if wait:
        raise Throttled(
            wait, _("Too many codes tried from this network. Wait %(wait)s s and try again.")
        )
    try:
        return delivery_for_code(code)
    except JoinError:
        wait = counted_lookup(request, {f"join-failures:{address}": WRONG_CODES_PER_MINUTE})
        if wait:
            raise Throttled(
                wait, _("Too many wrong codes from this network. Wait %(wait)s s and try again.")
            ) from None
        raise


def counted_lookup(request: HttpRequest, limits: dict[str, int]) -> int:
    """`over_limits` for a code look-up; a page that only reads still shows while the database
    cannot be written (read-only, locked or full): the count is skipped, not the page."""
    try:
        return over_limits(limits)
    except DatabaseError as error:
        if request.method != "GET" or not is_outage(error):
            raise
        return 0


def unchanged_since(request: HttpRequest, code: str) -> bool:
    revision = request.GET.get("rev", "")
    token = request.COOKIES.get(cookie_name(code))
    if not (request.htmx and token and revision):
        return False
    return revision == poll_revision(token=token, code=code)


@vary_on_htmx
def stage(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_join_code(code)
    if unchanged_since(request, code):
        return HttpResponse(status=204)
    participant = current_participant(request, code)
    if participant is None:
        return redirect_or_client_redirect(request, join_path(code))
    use_class_language(request, participant.delivery)
    context = stage_context(participant)
    if request.htmx:
        response = TemplateResponse(request, "participants/stage.html#stage", context)
    else:
        context["answer_messages"] = answer_messages()
        response = TemplateResponse(request, "participants/stage.html", context)
    keep_participant_link(request, response, participant)
    return response


def keep_participant_link(
    request: HttpRequest, response: HttpResponse, participant: Participant
) -> None:
    """Once the lesson has ended, the phone's cookie outlives its first 24 hours: the take-away
    link must work as long as the take-away lasts."""
    until = participant_link_kept_until(participant.delivery)
    if until is None:
        return
    seconds = int((until - timezone.now()).total_seconds())
    if seconds > COOKIE_AGE:
        response.set_cookie(
            cookie_name(participant.delivery.join_code),
            participant.token,
            max_age=seconds,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )


def takeaway_open(view: Callable[[HttpRequest, Participant], HttpResponse]) -> Callable:
    """`view(request, participant)` for the phone's participant when it may see its take-away;
    any other request gets the page that says why."""

    @wraps(view)
    def open_or_refused(request: HttpRequest, code: str) -> HttpResponse:
        code = normalise_join_code(code)
        participant = current_participant(request, code)
        # Without a participant, the delivery only gives the language of the page that says no.
        delivery = participant.delivery if participant else Delivery.objects.with_code(code).first()
        if delivery is not None:
            use_class_language(request, delivery)
        refused = refusal(delivery if participant else None, timezone.now())
        if refused is None:
            return view(request, participant)
        response = TemplateResponse(
            request,
            "participants/takeaway_unavailable.html",
            {"message": refused.message, "delivery": delivery if participant else None},
            status=refused.status,
        )
        if participant:
            keep_participant_link(request, response, participant)
        return response

    return open_or_refused


@takeaway_open
def takeaway(request: HttpRequest, participant: Participant) -> HttpResponse:
    """The participant's take-away: printable, with a Markdown download."""
    response = TemplateResponse(
        request,
        "participants/takeaway.html",
        {"takeaway": takeaway_for(participant), "participant": participant},
    )
    keep_participant_link(request, response, participant)
    return response


@takeaway_open
def takeaway_download(request: HttpRequest, participant: Participant) -> HttpResponse:
    response = HttpResponse(
        takeaway_markdown(takeaway_for(participant)), content_type="text/markdown; charset=utf-8"
    )
    delivery = participant.delivery
    response["Content-Disposition"] = (
        f'attachment; filename="takeaway-{delivery.join_code}-{delivery.date:%Y-%m-%d}.md"'
    )
    return response


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
    use_class_language(request, participant.delivery)
    try:
        data = read_json_object(request, max_bytes=settings.ANSWER_MAX_BODY_BYTES)
    except BadBody as refused:
        return JsonResponse({"error": str(refused)}, status=refused.status)
    limits = {
        f"answer:{participant.pk}": ANSWERS_PER_MINUTE,
        f"answer-address:{participant.delivery_id}:{client_address(request)}": (
            ANSWERS_PER_ADDRESS_PER_MINUTE
        ),
    }
    if participant.group_id is not None:
        limits[f"answer-group:{participant.group_id}"] = ANSWERS_PER_GROUP_PER_MINUTE
    # Scored before the write lock is taken: matching is the slow part of an answer.
    save = operation == "save"
    scores = answer_scores(participant, str(data.get("text", ""))) if save else None
    # The count and the answer in one write transaction: on SQLite, one wait for the write lock
    # instead of two. A refused answer writes nothing; the count stays.
    with transaction.atomic():
        wait = over_limits(limits)
        if wait:
            return too_many_sends(wait)
        try:
            done = answer_operation(participant, operation, data, scores)
        except AnswerError as refused:
            return answer_response(refused)
    # The group's stage as this change left it, rendered once the write lock is let go: the
    # phone shows it at once instead of asking for it again.
    context = stage_context(participant)
    stage_html = render_to_string("participants/stage.html#stage", context, request)
    return JsonResponse(done | {"revision": context["revision"], "stage": stage_html})


def answer_operation(
    participant: Participant,
    operation: str,
    data: dict,
    scores: list[KeyPointMatch] | None = None,
) -> dict:
    key = str(data.get("key", ""))
    if operation == "save":
        submission = answer_save(
            participant=participant,
            key=key,
            text=str(data.get("text", "")),
            base_version=parse_int(data.get("base_version")),
            run_id=parse_int(data.get("run")),
            scores=scores,
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
