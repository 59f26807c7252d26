"""REST API of the one-stop app, mounted under /api/onestop/ (namespace "onestop-api")."""

from django.urls import path

from onestop.api import views

app_name = "onestop-api"

urlpatterns = [
    path("dossiers/", views.DossierListApi.as_view(), name="dossier-list"),
    path("dossiers/<int:dossier_id>/", views.DossierDetailApi.as_view(), name="dossier-detail"),
]
