from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdocConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "edoc"
    verbose_name = _("Official documents")

    def _remove_upload_copies_after_each_request(self) -> None:
        from django.core.signals import request_finished, request_started

        from edoc.services.files import request_files_close, request_files_start

        request_started.connect(request_files_start, dispatch_uid="edoc-upload-copies-start")
        request_finished.connect(request_files_close, dispatch_uid="edoc-upload-copies-close")

    def ready(self) -> None:
        from django.core import checks
        from django.utils.autoreload import autoreload_started

        from edoc.checks import check_static_manifest
        from edoc.devserver import make_reloader_import_safe

        autoreload_started.connect(make_reloader_import_safe, dispatch_uid="edoc-safe-reloader")
        self._remove_upload_copies_after_each_request()
        checks.register(check_static_manifest, checks.Tags.staticfiles, deploy=True)
