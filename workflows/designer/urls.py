"""Process designer URLs."""

app_name = "designer"

urlpatterns: list = []
