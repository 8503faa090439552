"""Numbers and JSON read from requests, strictly: what a phone or a form may send is anything.

`str.isdigit()` says yes to "²", "١" and full-width digits, which `int()` then refuses or reads
as another number, and a number longer than a database integer overflows the query: each was a
500. JSON nested thousands deep exhausts the parser's recursion. Every reader here answers a bad
input with None or a `BadBody` that carries the message and the HTTP status to show.
"""

import itertools
import json
import re

from django.http import HttpRequest
from django.utils.translation import gettext as _

# 18 digits always fit the 64-bit signed integers both databases store.
ASCII_NUMBER = re.compile(r"[0-9]{1,18}")
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
JSON_BRACKETS = re.compile(rb"[\[\]{}]")
JSON_MAX_DEPTH = 8


class BadBody(ValueError):
    """Why a request's body was refused; `status` is the HTTP status that says so."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_int(value: object) -> int | None:
    """The whole number `value` spells in ASCII digits (or a JSON integer in that range), or
    None for anything else: signs, spaces, other scripts' digits, more than 18 digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and ASCII_NUMBER.fullmatch(value):
        return int(value)
    return None


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, brackets inside strings aside."""
    outside_strings = JSON_STRING.sub(b"", body)
    steps = (1 if bracket in b"[{" else -1 for bracket in JSON_BRACKETS.findall(outside_strings))
    return max(itertools.accumulate(steps, initial=0))


def read_json_object(request: HttpRequest, *, max_bytes: int) -> dict:
    """The JSON object the request's body holds; `BadBody` when it is not one, is not sent as
    JSON (a form or a multipart body), is longer than `max_bytes` or nests too deep."""
    if request.content_type != "application/json":
        raise BadBody(
            _("This must be sent as JSON; reload the page and send it again."), status=415
        )
    declared = parse_int(request.META.get("CONTENT_LENGTH") or "0")
    if declared is None or declared > max_bytes or len(request.body) > max_bytes:
        raise BadBody(_("This answer is far too long to send; shorten it."), status=413)
    body = request.body or b"{}"
    if json_depth(body) > JSON_MAX_DEPTH:
        raise BadBody(_("The answer could not be read: it is nested too deeply."))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise BadBody(_("The answer could not be read; send it again."))
    return data
