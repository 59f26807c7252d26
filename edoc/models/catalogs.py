"""Admin-editable catalogs: document types, urgency, confidentiality, fields, external bodies,
register books."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Agency, Unit, organisation_code_validator


class DocumentType(models.Model):
    """A type of administrative document (Decree 30/2020/NĐ-CP Art. 7)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=10,
        blank=True,
        help_text=_("Official abbreviation (QĐ, KH, …). Empty for Công văn."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_official_letter(self) -> bool:
        """Công văn carries no type abbreviation in its notation."""
        return not self.abbreviation


class RankedCatalog(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), default=0, help_text=_("0 is the lowest."))

    class Meta:
        abstract = True
        ordering = ["level"]

    def __str__(self) -> str:
        return self.name


class Urgency(RankedCatalog):
    """Thường, Khẩn, Thượng khẩn, Hỏa tốc."""

    class Meta(RankedCatalog.Meta):
        verbose_name = _("urgency")
        verbose_name_plural = _("urgency levels")


class Confidentiality(RankedCatalog):
    """Thường, Mật, Tối mật, Tuyệt mật. Any level above 0 is confidential."""

    class Meta(RankedCatalog.Meta):
        verbose_name = _("confidentiality")
        verbose_name_plural = _("confidentiality levels")

    @property
    def is_confidential(self) -> bool:
        return self.level > 0


class Field(models.Model):
    """Lĩnh vực: the subject area of a document."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExternalOrganization(models.Model):
    """Another agency we receive documents from or send documents to."""

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("abbreviation"), max_length=30, blank=True)
    code = models.CharField(
        _("organisation code"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[organisation_code_validator],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RegisterBook(models.Model):
    """A yearly register (sổ văn bản). It owns the number counter of its series.

    Incoming books number received documents (số đến) from 1; outgoing books number issued
    documents from 01. Confidential documents have their own books.
    """

    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Incoming")
        OUTGOING = "outgoing", _("Outgoing")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="register_books", verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="register_books",
        help_text=_("Empty for the agency's own books; set for an affiliated unit's book."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=150)
    is_confidential = models.BooleanField(_("confidential"), default=False)
    last_number = models.PositiveIntegerField(_("last number used"), default=0, editable=False)
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("register book")
        verbose_name_plural = _("register books")
        ordering = ["-year", "kind", "is_confidential", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "is_confidential"],
                condition=models.Q(unit__isnull=True),
                name="one_agency_register_book_per_series",
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "year", "is_confidential"],
                condition=models.Q(unit__isnull=False),
                name="one_unit_register_book_per_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"
