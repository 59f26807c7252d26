"""REST API of the workflows app."""

urlpatterns: list = []
