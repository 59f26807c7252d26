"""Process designer URLs (mounted at /workflows/designer/)."""

from django.urls import path

from workflows.designer.views import bpmn, definitions, steps, trial, versions

app_name = "designer"

urlpatterns = [
    path("", definitions.definition_list, name="list"),
    path("condition-check/", steps.condition_check, name="condition_check"),
    path("<int:pk>/", definitions.definition_edit, name="edit"),
    path("<int:pk>/delete/", definitions.definition_remove, name="delete"),
    path("<int:pk>/steps/save/", steps.step_save, name="step_save"),
    path("<int:pk>/steps/<str:step_id>/delete/", steps.step_delete, name="step_delete"),
    path("<int:pk>/publish/", versions.publish, name="publish"),
    path("<int:pk>/json/", definitions.json_edit, name="json"),
    path("<int:pk>/versions/<int:number>/", versions.version_detail, name="version"),
    path("<int:pk>/bpmn/", bpmn.bpmn_export, name="export_bpmn"),
    path("<int:pk>/bpmn/import/", bpmn.bpmn_import, name="import_bpmn"),
    path("<int:pk>/test/", trial.test_run, name="test_run"),
]
