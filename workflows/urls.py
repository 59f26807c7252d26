"""Staff URLs of the workflows app (inbox, task and process pages, notifications)."""

from django.urls import path

from workflows import views

app_name = "workflows"

urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
    path("processes/<int:pk>/", views.process_detail, name="process"),
    path("processes/start/", views.process_start_view, name="process_start"),
    path("notifications/", views.notification_list, name="notifications"),
]
