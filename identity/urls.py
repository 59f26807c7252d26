"""Sign-in pages: /identity/… (the OIDC provider's endpoints are under /o/)."""

from django.urls import path

from identity import account_views, external_views, views

app_name = "identity"

urlpatterns: list = [
    path("sessions/", account_views.sessions_list, name="sessions"),
    path("sessions/<int:pk>/end/", account_views.session_end_view, name="session_end"),
    path(
        "sessions/end-others/", account_views.sessions_end_others_view, name="sessions_end_others"
    ),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", views.twofactor_account, name="twofactor_account"),
    path("2fa/setup/", views.twofactor_setup, name="twofactor_setup"),
    path("2fa/verify/", views.twofactor_verify, name="twofactor_verify"),
    path(
        "2fa/recovery-codes/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("2fa/disable/", views.twofactor_disable, name="twofactor_disable"),
    path(
        "2fa/devices/<int:pk>/forget/",
        views.remembered_device_forget,
        name="remembered_device_forget",
    ),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("external/start/", external_views.external_start, name="external_start"),
    path("external/callback/", external_views.external_callback, name="external_callback"),
]
