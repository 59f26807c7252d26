"""Staff URLs of the workflows app (inbox, task and process pages, designer)."""

from django.urls import path

from workflows import views

app_name = "workflows"

urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
]
