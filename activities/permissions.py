from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from activities.models import Delivery
from activities.roles import INSTRUCTOR, has_role


def instructor_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not has_role(request.user, INSTRUCTOR):
            raise PermissionDenied(_("Only instructors can use the console."))
        return view(request, *args, **kwargs)

    return wrapper


def own_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    """The delivery if it belongs to the signed-in instructor; 404 otherwise, so that another
    instructor's deliveries cannot even be seen to exist."""
    return get_object_or_404(
        Delivery.objects.select_related("lesson", "open_run__activity"),
        pk=delivery_id,
        instructor=request.user,
    )
