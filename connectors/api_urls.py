"""Machine endpoints of the connectors (`/api/connectors/…`)."""

from django.urls import path

from connectors import api

app_name = "connectors_api"

urlpatterns = [path("edxml/", api.edxml_inbound, name="edxml_inbound")]
