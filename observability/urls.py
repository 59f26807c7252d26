"""The operations endpoints, at the site's root (probes and scrapers expect these paths)."""

from django.urls import path

from observability import views

app_name = "observability"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
