from django.contrib.auth import views as auth_views
from django.urls import include, path

from copsite import bench_views, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/home/", views.after_login, name="after_login"),
    path("bench/bare", bench_views.bare, name="bench_bare"),  # 404 unless DEBUG or COP_BENCH=1
    path("", include("activities.participant_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lessons/", include("lessons.urls")),
    path("console/", include("activities.urls")),
    path("content/", include("lessons.content_urls")),
]
