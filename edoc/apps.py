from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdocConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "edoc"
    verbose_name = _("Official documents")
