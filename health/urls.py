from django.urls import path, re_path

from health import views

app_name = "health"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/summary/", views.person_summary, name="person_summary"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/history/<slug:kind>/new/", views.history_entry, name="history_new"),
    path(
        "people/<int:pk>/history/<slug:kind>/<int:entry_pk>/edit/",
        views.history_entry,
        name="history_edit",
    ),
    path(
        "people/<int:pk>/history/<slug:kind>/<int:entry_pk>/remove/",
        views.history_remove,
        name="history_remove",
    ),
    path("people/<int:pk>/vaccinations/new/", views.vaccination_new, name="vaccination_new"),
    path("people/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("icd10/", views.icd10_search, name="icd10_search"),
    path("reports/", views.report, name="reports"),
    path("reports/export/", views.report_export, name="report_export"),
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import_new"),
    re_path(
        r"^imports/template\.(?P<fmt>csv|xlsx)$", views.import_template, name="import_template"
    ),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:pk>/problems.csv", views.import_problems_csv, name="import_problems"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate_merge"),
    path("duplicates/<int:pk>/separate/", views.duplicate_separate, name="duplicate_separate"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("cleanup/", views.cleanup_report, name="cleanup"),
    path("cleanup/export/", views.cleanup_report_export, name="cleanup_export"),
]
