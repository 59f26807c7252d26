"""Full-text search over documents: text extraction, OCR, index backends, search page and API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edoc.hooks import register_demo_command, register_document_panel
        from search import metrics, signals

        signals.connect()
        # /readyz asks its engine, /metrics reports its index queue (observability).
        metrics.register()
        # The text extraction and OCR state of each version, in the document page's files card.
        register_document_panel("files", "search/partials/document_panel.html")
        # seed_demo backdates its documents past the save signals: index them once at the end.
        register_demo_command("search_reindex", "--backend", "database", "--no-progress", order=10)
