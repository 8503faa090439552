"""After-action reports: one delivery's, its exports, and the trend across a lesson's deliveries."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from activities.exports import answers_csv, objectives_csv, report_json, report_markdown
from activities.models import Delivery
from activities.permissions import readable_delivery
from activities.report import across_deliveries, build_report
from copsite.roles import coordinator_reports_required, report_reader_required


@report_reader_required
def report(request: HttpRequest, delivery_id: int) -> TemplateResponse:
    delivery = readable_delivery(request, delivery_id)
    return TemplateResponse(request, "activities/report.html", {"report": build_report(delivery)})


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", answers_csv),
    "objectives.csv": ("text/csv; charset=utf-8", objectives_csv),
    "md": ("text/markdown; charset=utf-8", report_markdown),
    "json": ("application/json", lambda report: json.dumps(report_json(report), indent=2)),
}


@report_reader_required
def report_export(request: HttpRequest, delivery_id: int, extension: str) -> HttpResponse:
    if extension not in EXPORTS:
        raise Http404("No such export.")
    delivery = readable_delivery(request, delivery_id)
    content_type, render = EXPORTS[extension]
    name = {"csv": "answers.csv", "objectives.csv": "objectives.csv"}.get(
        extension, f"report.{extension}"
    )
    response = HttpResponse(render(build_report(delivery)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="delivery-{delivery.pk}-{name}"'

    return response


@coordinator_reports_required
def lesson_reports(request: HttpRequest, slug: str) -> TemplateResponse:
    deliveries = list(
        Delivery.objects.filter(
            lesson__slug=slug, is_rehearsal=False, status=Delivery.Status.ENDED
        ).select_related("lesson", "instructor")
    )
    trends, missed, objectives = across_deliveries(deliveries)
    return TemplateResponse(
        request,
        "activities/lesson_reports.html",
        {
            "slug": slug,
            "deliveries": deliveries,
            "trends": trends,
            "missed": missed,
            "objectives": objectives,
        },
    )
