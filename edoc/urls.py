"""Staff UI URLs."""

from django.urls import path

from edoc.views import inbox

app_name = "edoc"

urlpatterns = [
    path("", inbox.pending, name="pending"),
]
