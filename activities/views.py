"""The instructor's screens: deliveries, the presenter console and the projector view."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.actions import perform_action
from activities.forms import DeliveryForm, TakeawaySettingsForm
from activities.models import Delivery, DeliveryError, delivery_create
from activities.participation import (
    ensure_groups,
    join_path,
    participant_move,
    participant_remove,
)
from activities.permissions import own_delivery
from activities.projector import projector_context, render_in_class_language
from activities.screens import join_qr_svg, screen_context
from activities.takeaway import instructor_summary
from copsite.htmx import vary_on_htmx
from copsite.parsing import parse_int
from copsite.roles import instructor_required


@instructor_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    form = DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = delivery_create(instructor=request.user, **form.cleaned_data)
        except DeliveryError as error:
            form.add_error(None, str(error))
        else:
            return redirect("activities:console", delivery_id=delivery.pk)
    deliveries = Delivery.objects.for_instructor(request.user).select_related("lesson")
    return TemplateResponse(
        request, "activities/delivery_list.html", {"form": form, "deliveries": deliveries}
    )


def unchanged_since(request: HttpRequest, delivery_id: int) -> bool:
    """A poll that names the revision it has; one indexed read decides whether to answer."""
    revision = request.GET.get("rev", "")
    if not (request.htmx and revision):
        return False
    current = (
        Delivery.objects.filter(pk=delivery_id, instructor=request.user)
        .values_list("revision", "answers_revision")
        .first()
    )
    return current is not None and revision == f"{current[0]}.{current[1]}"


def join_url(request: HttpRequest, delivery: Delivery) -> str:
    return request.build_absolute_uri(join_path(delivery.join_code))


def render_screen(
    request: HttpRequest, delivery_id: int, *, template: str, for_projector: bool
) -> HttpResponse:
    """The console or the projector: a 204 for an unchanged poll, else the page or its stage."""
    if unchanged_since(request, delivery_id):
        return HttpResponse(status=204)
    delivery = own_delivery(request, delivery_id)
    url = join_url(request, delivery)
    context = screen_context(delivery, include_hidden=not for_projector) | {"join_url": url}
    if request.htmx:
        template += "#stage"
    if for_projector:
        context |= projector_context(delivery, context) | {"join_qr": join_qr_svg(url)}
        return render_in_class_language(request, delivery, template, context)
    return TemplateResponse(request, template, context)


@vary_on_htmx
@instructor_required
def console(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return render_screen(
        request, delivery_id, template="activities/console.html", for_projector=False
    )


@vary_on_htmx
@instructor_required
def projector(request: HttpRequest, delivery_id: int) -> HttpResponse:
    return render_screen(
        request, delivery_id, template="activities/projector.html", for_projector=True
    )


@vary_on_htmx
@require_POST
@instructor_required
def action(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = own_delivery(request, delivery_id)
    error = None
    try:
        perform_action(
            delivery, request.POST.get("action", ""), made_on=request.POST.get("revision", "")
        )
    except DeliveryError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("activities:console", delivery_id=delivery.pk)
    context = screen_context(delivery, include_hidden=True) | {
        "join_url": join_url(request, delivery),
        "error": error,
    }
    return TemplateResponse(request, "activities/console.html#stage", context)


@instructor_required
def people(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Who joined, by group; the instructor moves or removes people."""
    delivery = own_delivery(request, delivery_id)
    if request.method == "POST":
        participant = get_object_or_404(
            delivery.participants, pk=parse_int(request.POST.get("participant")) or 0, removed=False
        )
        target = request.POST.get("group", "")
        if target == "remove":
            participant_remove(participant=participant)
            messages.success(
                request,
                _("%(name)s was removed from the class.") % {"name": participant.display_name},
            )
        else:
            group = delivery.groups.filter(number=parse_int(target)).first()
            participant_move(participant=participant, group=group)
            where = group.name if group else _("no group")
            messages.success(
                request,
                _("%(name)s is now in %(group)s.")
                % {"name": participant.display_name, "group": where},
            )
        return redirect("activities:people", delivery_id=delivery.pk)
    ensure_groups(delivery)
    groups = delivery.groups.prefetch_related(
        Prefetch("members", queryset=delivery.participants.filter(removed=False))
    )
    return TemplateResponse(
        request,
        "activities/people.html",
        {
            "delivery": delivery,
            "groups": groups,
            "ungrouped": delivery.participants.filter(removed=False, group__isnull=True),
        },
    )


@instructor_required
def takeaway_settings(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Whether participants get a take-away and for how long; open also after the end."""
    delivery = own_delivery(request, delivery_id)
    form = TakeawaySettingsForm(
        request.POST or None,
        initial={
            "takeaway_enabled": delivery.takeaway_enabled,
            "takeaway_days": delivery.takeaway_days,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                delivery.change_takeaway(
                    enabled=form.cleaned_data["takeaway_enabled"],
                    days=form.cleaned_data["takeaway_days"],
                )
            except DeliveryError as refused:
                form.add_error("takeaway_days", str(refused))
            else:
                messages.success(request, _("The take-away settings are saved."))
                return redirect("activities:takeaway_settings", delivery_id=delivery.pk)
        status = 400
    return TemplateResponse(
        request,
        "activities/takeaway_settings.html",
        {
            "delivery": delivery,
            "form": form,
            "summary": instructor_summary(delivery, timezone.now()),
        },
        status=status,
    )
