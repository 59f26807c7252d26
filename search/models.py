"""Search data: the database index and the external-index queue. (The text of file versions
is edoc's FileText, read once for the registry and for search.)"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One document in the database backend's index (filters, facets and the text to match).

    `head_*` hold the words of the type, subject, symbol and issuer (as the document is named,
    search.ranking), `body_*` those of the files' text; `*_exact` in lower case, `*_folded`
    without diacritics too (edoc.text.fold). On SQLite an FTS5 table `search_fts` (rowid =
    document id) and on PostgreSQL two generated tsvector columns with GIN indexes (both created
    in migration 0002) index them.
    """

    document = models.OneToOneField(
        "edoc.Document", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    agency_id = models.IntegerField(db_index=True)
    direction = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    type_code = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    date = models.DateField(null=True)
    issuer = models.CharField(max_length=255, blank=True)
    unit_id = models.IntegerField()
    urgency = models.CharField(max_length=50, blank=True)
    symbol = models.CharField(max_length=100, blank=True)
    symbol_key = models.CharField(max_length=100, blank=True, db_index=True)
    # Folded words of the type's name ("ke hoach"): a query naming the type ranks that type first.
    type_words = models.CharField(max_length=100, blank=True)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    head_exact = models.TextField(blank=True)
    head_folded = models.TextField(blank=True)
    body_exact = models.TextField(blank=True)
    body_folded = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.symbol}"


class IndexQueueEntry(models.Model):
    """A pending update of the external index, kept until the engine accepts it."""

    class Op(models.TextChoices):
        INDEX = "index", _("Index")
        DELETE = "delete", _("Delete")

    document_id = models.BigIntegerField(_("document id"), db_index=True)
    op = models.CharField(_("operation"), max_length=10, choices=Op.choices, default=Op.INDEX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("index queue entry")
        verbose_name_plural = _("index queue entries")

    def __str__(self) -> str:
        return f"{self.op} {self.document_id}"
