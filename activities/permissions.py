"""Which deliveries a signed-in person may reach; who may open a page at all: copsite/roles.py."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from activities.models import Delivery
from copsite.roles import COORDINATOR, INSTRUCTOR, has_role


def own_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    """The delivery if it belongs to the signed-in instructor; 404 otherwise, so that another
    instructor's deliveries cannot even be seen to exist."""
    return get_object_or_404(
        Delivery.objects.select_related("lesson", "open_run__activity"),
        pk=delivery_id,
        instructor=request.user,
    )


def readable_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    """Coordinators read every delivery's record; an instructor reads their own."""
    deliveries = Delivery.objects.select_related("lesson", "instructor")
    if has_role(request.user, COORDINATOR):
        return get_object_or_404(deliveries, pk=delivery_id)
    if has_role(request.user, INSTRUCTOR):
        return get_object_or_404(deliveries, pk=delivery_id, instructor=request.user)
    raise PermissionDenied
