from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = _("Workflows and working calendar")

    def ready(self) -> None:
        from edoc.hooks import (
            register_days_left_text,
            register_demo_command,
            register_document_panel,
        )
        from edoc.signals import document_action, document_created
        from signing.steps import register_sign_steps
        from workflows import checks, flows, integration, metrics  # noqa: F401  (checks; flow)
        from workflows.deadlines import days_left_text
        from workflows.sign_steps import ProcessSignSteps

        integration.register_actions()
        metrics.register()  # /metrics: overdue tasks (observability)
        register_days_left_text(days_left_text)
        register_sign_steps(ProcessSignSteps())
        # The "Quy trình" panel of the document page: its runs and the user's tasks on it.
        register_document_panel("after_details", "workflows/partials/document_panel.html")
        register_demo_command("seed_processes", order=20)
        document_created.connect(integration.start_for_new_document, dispatch_uid="wf-start")
        document_action.connect(integration.complete_matching_task, dispatch_uid="wf-complete")
