"""How our views answer htmx: the same URL gives the full page or a partial, so caches must key on
HX-Request; after a change a plain request is redirected and an htmx one told where to go."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

# For every view that answers a full page or a partial (or a 204) at one URL.
vary_on_htmx = vary_on_headers("HX-Request")


def redirect_or_client_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A 302 for a plain request; for htmx, HX-Redirect so the whole page goes, not a swap."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
