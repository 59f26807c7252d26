from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connectors"
    verbose_name = _("Connectors")

    def ready(self) -> None:
        from connectors import metrics
        from connectors.exchange.outbox import document_issued, handling_progressed
        from connectors.portal import receivers, tasks  # noqa: F401 (tasks: registered)
        from edoc.hooks import register_document_panel
        from edoc.signals import document_action
        from onestop import hooks
        from onestop.signals import dossier_status_recorded

        # Document exchange. After signing's own issue receiver (INSTALLED_APPS order): the
        # issued file is final.
        document_action.connect(document_issued, dispatch_uid="connectors-outbox-issue")
        document_action.connect(handling_progressed, dispatch_uid="connectors-handling-status")
        register_document_panel("after_files", "connectors/document_exchange_panel.html", order=50)
        # The public-service portal and Egov.
        dossier_status_recorded.connect(
            receivers.on_dossier_status_recorded, dispatch_uid="connectors-portal-status"
        )
        hooks.register_dossier_panel("connectors/portal/dossier_panel.html", order=50)
        # /metrics reports the outboxes' lengths (observability).
        metrics.register()
