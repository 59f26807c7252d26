"""Dashboard URLs, mounted at /dashboard/ (namespace "dashboard")."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.page, name="page"),
    path("public/", views.public, name="public"),
    path("pdf/", views.pdf, name="pdf"),
    path("panels/<slug:key>/", views.panel, name="panel"),
    path("panels/<slug:key>/xlsx/", views.panel_export, name="panel_xlsx"),
]
