from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Public citizen portal of the one-stop app: procedures, online submission, tracking
    and the e-mail/SMS notifications sent on every dossier status change."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "onestop.portal"
    label = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        from onestop.portal import notifications
        from onestop.signals import dossier_status_changed

        dossier_status_changed.connect(
            notifications.on_dossier_status_changed, dispatch_uid="portal-notify-status"
        )
