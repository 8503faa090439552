from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.delivery_list, name="deliveries"),
    path("<int:delivery_id>/", views.console, name="console"),
    path("<int:delivery_id>/projector/", views.projector, name="projector"),
    path("<int:delivery_id>/action/", views.action, name="action"),
    path("<int:delivery_id>/people/", views.people, name="people"),
]
