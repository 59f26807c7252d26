"""REST API of the workflows app, mounted under /api/ (namespace "workflows-api").
These paths are a public contract."""

from django.urls import path

from workflows.api import processes, tasks

app_name = "workflows-api"

urlpatterns = [
    path("tasks/", tasks.TaskListApi.as_view(), name="task-list"),
    path("tasks/<int:task_id>/", tasks.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/complete/", tasks.TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<int:task_id>/return/", tasks.TaskReturnApi.as_view(), name="task-return"),
    path("tasks/<int:task_id>/claim/", tasks.TaskClaimApi.as_view(), name="task-claim"),
    path("tasks/<int:task_id>/reassign/", tasks.TaskReassignApi.as_view(), name="task-reassign"),
    path(
        "processes/<int:process_id>/",
        processes.ProcessDetailApi.as_view(),
        name="process-detail",
    ),
]
