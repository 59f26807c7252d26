from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Sign-in: the OpenID Connect provider and client, second factors, lockouts, sessions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"
    verbose_name = _("Identity and sign-in")

    def ready(self) -> None:
        from edoc.hooks import register_api_token_issuer
        from identity.services.tokens import api_token_issue

        # /api/auth/token/ (edoc) issues identity's expiring tokens.
        register_api_token_issuer(api_token_issue)
