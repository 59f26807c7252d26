"""URLs of the signing pages (verification pages live in their own URL module)."""

from django.urls import path

from signing import sign_views

app_name = "signing_sign"

urlpatterns = [
    path("documents/<int:pk>/sign/", sign_views.document_sign, name="document_sign"),
]
