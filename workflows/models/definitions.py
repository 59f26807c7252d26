"""Process definitions: designed at runtime, edited as a draft, published as immutable versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")
    ANY = "any", _("Any document")
    DOSSIER = "dossier", _("One-stop dossier")


class ProcessDefinition(models.Model):
    """A named process (quy trình), e.g. the handling of incoming documents."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    subject_kind = models.CharField(
        _("runs on"), max_length=20, choices=SubjectKind.choices, default=SubjectKind.ANY
    )
    auto_start = models.BooleanField(
        _("start automatically"),
        default=False,
        help_text=_("Start for every new document of its kind (one definition per kind)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def published_version(self) -> DefinitionVersion | None:
        return (
            self.versions.filter(status=DefinitionVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )

    def draft_version(self) -> DefinitionVersion | None:
        return self.versions.filter(status=DefinitionVersion.Status.DRAFT).first()


class DefinitionVersion(models.Model):
    """One version of a definition's graph (see `workflows.graph`). Published ones never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    graph = models.JSONField(_("graph"), default=dict)
    note = models.CharField(_("change note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("definition version")
        verbose_name_plural = _("definition versions")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["definition"],
                condition=Q(status="draft"),
                name="one_draft_per_definition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
