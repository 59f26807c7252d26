from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = _("Workflows and working calendar")

    def ready(self) -> None:
        from edoc.deadlines import register_days_left_text
        from edoc.signals import document_action, document_created
        from workflows import checks, flows, integration  # noqa: F401  (checks; interpreter flow)
        from workflows.deadlines import days_left_text

        integration.register_actions()
        register_days_left_text(days_left_text)
        document_created.connect(integration.start_for_new_document, dispatch_uid="wf-start")
        document_action.connect(integration.complete_matching_task, dispatch_uid="wf-complete")
