from django.urls import path

from lessons import content_views as views

app_name = "content"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:lesson_id>/", views.version, name="version"),
    path("<int:lesson_id>/new-draft/", views.new_draft, name="new_draft"),
    path("<int:lesson_id>/discard/", views.discard, name="discard"),
    path("<int:lesson_id>/retire/", views.retire, name="retire"),
    path("<int:lesson_id>/validate/", views.validate, name="validate"),
    path("<int:lesson_id>/publish/", views.publish, name="publish"),
    path("<int:lesson_id>/download/", views.download, name="download"),
    path("<int:lesson_id>/field/", views.field, name="field"),
    path("<int:lesson_id>/slides/<int:number>/", views.slide, name="slide"),
    path("<int:lesson_id>/slides/<int:number>/preview/", views.slide_preview, name="slide_preview"),
    path("<int:lesson_id>/activities/<str:code>/", views.activity, name="activity"),
    path(
        "<int:lesson_id>/activities/<str:code>/preview/",
        views.activity_preview,
        name="activity_preview",
    ),
    path("<slug:slug>/compare/", views.compare, name="compare"),
]
