from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from copsite.roles import COORDINATOR, INSTRUCTOR, has_role


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Instructors land on their deliveries; a coordinator who is not one, on the content."""
    if has_role(request.user, INSTRUCTOR) or not has_role(request.user, COORDINATOR):
        return redirect("activities:deliveries")
    return redirect("content:index")
