from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connectors"
    verbose_name = _("Connectors")

    def ready(self) -> None:
        from connectors.portal import receivers, tasks  # noqa: F401 (tasks: registered)
        from onestop import hooks
        from onestop.signals import dossier_status_recorded

        dossier_status_recorded.connect(
            receivers.on_dossier_status_recorded, dispatch_uid="connectors-portal-status"
        )
        hooks.register_dossier_panel("connectors/portal/dossier_panel.html", order=50)
