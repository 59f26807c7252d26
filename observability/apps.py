from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservabilityConfig(AppConfig):
    """Health and readiness probes, Prometheus metrics, request ids in logs and tasks, the page
    of failed background jobs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "observability"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from observability import jobs
        from observability.health import register_core_checks
        from observability.registry import register_gauge
        from observability.requests import install_log_record_factory
        from observability.selectors import failed_jobs_waiting

        install_log_record_factory()
        jobs.connect()
        register_core_checks()
        register_gauge(
            "failed_jobs_waiting",
            "Failed background jobs not retried yet (the admin page of failed jobs).",
            failed_jobs_waiting,
        )
