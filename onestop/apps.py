from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onestop"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from edoc.hooks import register_demo_command
        from onestop import workflow

        workflow.register()
        register_demo_command("seed_procedures", order=30, demo_dossiers=True)
