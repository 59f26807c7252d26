from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signing"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        from edoc.signals import document_action, document_created
        from signing import services, verification

        document_created.connect(
            verification.verify_on_registration, dispatch_uid="signing-verify-incoming"
        )
        document_action.connect(services.issue_receiver, dispatch_uid="signing-issue")
