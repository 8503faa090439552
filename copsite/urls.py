from django.contrib.auth import views as auth_views
from django.urls import include, path

from copsite import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", include("activities.participant_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lessons/", include("lessons.urls")),
    path("console/", include("activities.urls")),
    path("content/", include("lessons.content_urls")),
]
