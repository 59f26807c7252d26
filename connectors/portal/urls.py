"""Staff URLs of the portal sync (mounted at /connectors/portal/)."""

from django.urls import path

from connectors.portal import views

app_name = "connectors_portal"

urlpatterns = [
    path("dossiers/<int:pk>/sync/", views.dossier_sync_now, name="dossier_sync_now"),
]
