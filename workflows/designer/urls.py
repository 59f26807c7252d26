"""Process designer URLs (mounted at /workflows/designer/)."""

from django.urls import path

from workflows.designer import views

app_name = "designer"

urlpatterns = [
    path("", views.definition_list, name="list"),
    path("condition-check/", views.condition_check, name="condition_check"),
    path("<int:pk>/", views.definition_edit, name="edit"),
    path("<int:pk>/delete/", views.definition_remove, name="delete"),
    path("<int:pk>/steps/save/", views.step_save, name="step_save"),
    path("<int:pk>/steps/<str:step_id>/delete/", views.step_delete, name="step_delete"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/json/", views.json_edit, name="json"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/bpmn/", views.bpmn_export, name="export_bpmn"),
    path("<int:pk>/bpmn/import/", views.bpmn_import, name="import_bpmn"),
    path("<int:pk>/test/", views.test_run, name="test_run"),
]
