from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdocConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "edoc"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from django.core import checks
        from django.utils.autoreload import autoreload_started

        from edoc.checks import check_static_manifest
        from edoc.devserver import make_reloader_import_safe

        autoreload_started.connect(make_reloader_import_safe, dispatch_uid="edoc-safe-reloader")
        checks.register(check_static_manifest, checks.Tags.staticfiles, deploy=True)
