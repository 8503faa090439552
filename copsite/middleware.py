"""A database that is locked, full, read-only or gone answers 503 with a clear message and
Retry-After, never a 500. Only those outages: a value the database refuses (DataError) or a
broken rule (IntegrityError) is a bug or a bad input, and saying "busy, try again" would hide
it behind a retry that can never succeed."""

import logging

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
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
