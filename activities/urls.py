from django.urls import path

from activities import report_views, views

app_name = "activities"
urlpatterns = [
    path("", views.delivery_list, name="deliveries"),
    path("<int:delivery_id>/", views.console, name="console"),
    path("<int:delivery_id>/projector/", views.projector, name="projector"),
    path("<int:delivery_id>/action/", views.action, name="action"),
    path("<int:delivery_id>/people/", views.people, name="people"),
    path("<int:delivery_id>/takeaway/", views.takeaway_settings, name="takeaway_settings"),
    path("<int:delivery_id>/report/", report_views.report, name="report"),
    path(
        "<int:delivery_id>/report.<str:extension>",
        report_views.report_export,
        name="report_export",
    ),
    path("lessons/<slug:slug>/reports/", report_views.lesson_reports, name="lesson_reports"),
]
