"""A database that is locked, full or read-only answers 503 with a clear message, never a 500."""

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = _(
    "The server cannot store anything right now: its database is busy or unavailable. "
    "Nothing you typed is lost; it is sent again in a few seconds."
)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        if request.content_type == "application/json" or "/answer/" in request.path:
            response = JsonResponse({"error": MESSAGE}, status=503)
        else:
            response = TemplateResponse(
                request, "503.html", {"message": MESSAGE}, status=503
            ).render()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
