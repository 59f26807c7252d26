from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "health"
    verbose_name = _("Health records")

    def ready(self) -> None:
        from edoc.hooks import register_demo_command
        from health import receivers

        receivers.connect()

        register_demo_command("health_catalogues", "load", order=50)
        register_demo_command("seed_health", order=51)
