"""URLs of the signing pages and of the user's signing certificates (verification pages live
in their own URL module)."""

from django.urls import path

from signing import sign_views

app_name = "signing_sign"

urlpatterns = [
    path("documents/<int:pk>/sign/", sign_views.document_sign, name="document_sign"),
    path("certificates/", sign_views.certificates, name="certificates"),
    path(
        "certificates/<int:pk>/withdraw/",
        sign_views.certificate_withdraw,
        name="certificate_withdraw",
    ),
]
