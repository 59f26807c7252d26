from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onestop"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from onestop import workflow

        workflow.register()
