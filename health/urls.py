from django.urls import path

from health import views

app_name = "health"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/summary/", views.person_summary, name="person_summary"),
    path("reports/", views.report, name="reports"),
    path("reports/export/", views.report_export, name="report_export"),
]
