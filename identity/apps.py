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
        from django.core import checks
        from oauth2_provider.signals import app_authorized

        from identity.checks import (
            check_oidc_issuer,
            check_oidc_signing_key,
            check_oidc_signing_key_deploy,
        )
        from identity.oidc import audit_token_granted

        app_authorized.connect(audit_token_granted, dispatch_uid="identity-audit-token")
        checks.register(check_oidc_signing_key, checks.Tags.security)
        checks.register(check_oidc_signing_key_deploy, checks.Tags.security, deploy=True)
        checks.register(check_oidc_issuer, checks.Tags.security, deploy=True)
        from edoc.hooks import register_api_token_issuer
        from identity import guard_signals  # noqa: F401  (audit of sign-in, failures, lockouts)
        from identity.services.tokens import api_token_issue

        # /api/auth/token/ (edoc) issues identity's expiring tokens.
        register_api_token_issuer(api_token_issue)


class AxesConfig(AxesAppConfig):
    """django-axes (failed-login lockouts), under a Vietnamese name in the admin."""

    default = False
    verbose_name = _("Failed sign-in lockouts")
