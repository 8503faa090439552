"""Requests the app refuses before a view sees them, each with a clear message, never a 500.

A database that is locked, full, read-only or gone answers 503 with a clear message and
Retry-After, never a 500. Only those outages: a value the database refuses (DataError) or a
broken rule (IntegrityError) is a bug or a bad input, and saying "busy, try again" would hide
it behind a retry that can never succeed. A body larger than any page sends is refused (413)
before anything reads it; an htmx request from a session that has ended gets 401, which the
page shows as a banner instead of swapping the sign-in page into the live view."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = _(
    "The server cannot store anything right now: its database is busy or unavailable. "
    "Nothing you typed is lost; it is sent again in a few seconds."
)
# PostgreSQL's "cannot execute ... in a read-only transaction" (a standby, or
# default_transaction_read_only) is an InternalError, but an outage like SQLite's read-only file.
READ_ONLY_SQLSTATE = "25006"


def is_outage(exception: BaseException) -> bool:
    """Whether `exception` says the database cannot serve now (and may again soon)."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    if isinstance(exception, InternalError):
        return getattr(exception.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE
    return False


def wants_json(request: HttpRequest) -> bool:
    """A request that sent JSON, or asks for it before HTML, gets its error as JSON."""
    if request.content_type == "application/json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_outage(exception):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        if wants_json(request):
            response = JsonResponse({"error": MESSAGE}, status=503)
        else:
            response = TemplateResponse(
                request, "503.html", {"message": MESSAGE}, status=503
            ).render()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class SignInRequiredForHtmxMiddleware:
    """An htmx request whose session has ended gets 401, not the sign-in page.

    htmx follows a redirect and would swap the sign-in page into the live console or onto the
    projector; a 401 is never swapped, and static/js/session.js shows the page's banner instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or not is_sign_in_redirect(response):
            return response
        refused = HttpResponse(SESSION_ENDED_MESSAGE, status=401, content_type="text/plain")
        refused["HX-Trigger"] = "session-ended"
        return refused


SESSION_ENDED_MESSAGE = _("You are signed out. Sign in again to go on.")


def is_sign_in_redirect(response: HttpResponse) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)


BODY_TOO_LARGE = _(
    "What was sent is %(size)s bytes; this server takes at most %(limit)s bytes in one request."
)


def body_limit() -> int:
    """The largest body any page sends: a lesson upload with its form fields."""
    return settings.FILE_UPLOAD_MAX_MEMORY_SIZE + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeLimitMiddleware:
    """Refuses a body larger than any page sends (413) before anything reads it: before the CSRF
    check, the sessions or a view parse it, so an anonymous client cannot make the server read,
    hold or store it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = parse_content_length(request.META.get("CONTENT_LENGTH"))
        if size > body_limit():
            return too_large_response(request, size)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, None)
        return None


def parse_content_length(value: str | None) -> int:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else 0


def too_large_response(request: HttpRequest, size: int | None) -> HttpResponse:
    # Before LocaleMiddleware has run: the language is read from the request here.
    with translation.override(translation.get_language_from_request(request)):
        if size is None:
            message = str(_("What was sent is larger than this server takes in one request."))
        else:
            message = BODY_TOO_LARGE % {"size": f"{size:,}", "limit": f"{body_limit():,}"}
    if wants_json(request):
        return JsonResponse({"error": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
