"""A view that does nothing, for bench/load.py to compare the participants' poll against.

It answers only on a development machine (DEBUG) or a server started with COP_BENCH=1 by the
benchmark; anywhere else it is a 404, so a served console exposes nothing new.
"""

import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

ENABLED = settings.DEBUG or os.environ.get("COP_BENCH") == "1"


def bare(request: HttpRequest) -> HttpResponse:
    if not ENABLED:
        raise Http404
    return HttpResponse("ok", content_type="text/plain")
