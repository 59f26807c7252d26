from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Sign-in: the OpenID Connect provider and client, second factors, lockouts, sessions."""

    default = True  # this module also holds AxesConfig
    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"
    verbose_name = _("Identity and sign-in")

    def ready(self) -> None:
        from identity import guard_signals  # noqa: F401  (audit of sign-in, failures, lockouts)


class AxesConfig(AxesAppConfig):
    """django-axes (failed-login lockouts), under a Vietnamese name in the admin."""

    default = False
    verbose_name = _("Failed sign-in lockouts")
