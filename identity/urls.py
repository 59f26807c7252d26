"""Sign-in pages: /identity/… (the OIDC provider's endpoints are under /o/)."""

from django.urls import path  # noqa: F401

app_name = "identity"

urlpatterns: list = []
