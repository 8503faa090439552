from django.urls import path, re_path

from activities import participant_views as views

app_name = "participants"
urlpatterns = [
    path("", views.join_page, name="join_page"),
    path("j/<str:code>/", views.join, name="join"),
    path("p/<str:code>/", views.stage, name="stage"),
    path("p/<str:code>/takeaway/", views.takeaway, name="takeaway"),
    path("p/<str:code>/takeaway.md", views.takeaway_download, name="takeaway_download"),
    re_path(
        r"^p/(?P<code>[A-Za-z0-9]+)/answer/(?P<operation>save|delete|move)/$",
        views.answer,
        name="answer",
    ),
]
