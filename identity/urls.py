"""Sign-in pages: /identity/… (the OIDC provider's endpoints are under /o/)."""

from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("external/start/", views.external_start, name="external_start"),
    path("external/callback/", views.external_callback, name="external_callback"),
]
