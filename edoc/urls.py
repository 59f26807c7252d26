"""Staff UI URLs."""

from django.urls import path

from edoc import views

app_name = "edoc"

urlpatterns = [
    path("", views.pending, name="pending"),
]
