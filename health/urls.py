from django.urls import path

from health import views

app_name = "health"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/summary/", views.person_summary, name="person_summary"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate_merge"),
    path("duplicates/<int:pk>/separate/", views.duplicate_separate, name="duplicate_separate"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("cleanup/", views.cleanup_report, name="cleanup"),
    path("cleanup/export/", views.cleanup_report_export, name="cleanup_export"),
]
