"""Sign-in pages: /identity/… (the OIDC provider's endpoints are under /o/)."""

from django.urls import path

from identity import account_views

app_name = "identity"

urlpatterns: list = [
    path("sessions/", account_views.sessions_list, name="sessions"),
    path("sessions/<int:pk>/end/", account_views.session_end_view, name="session_end"),
    path(
        "sessions/end-others/", account_views.sessions_end_others_view, name="sessions_end_others"
    ),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
]
