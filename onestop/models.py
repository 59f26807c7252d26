"""One-stop (một cửa) administrative procedures, their dossiers and everything that happens to them.

Statuses follow the national public-service portal's codes (1–10); 0 is a citizen's unsent draft.
Write through `onestop.services`, read through `onestop.selectors`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ONESTOP_GROUP = "Bộ phận một cửa"
# File types whose content the services can check (see onestop.services.papers.MAGIC).
SUPPORTED_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def new_secret() -> str:
    """A random URL-safe secret (tracking nonce, draft key)."""
    return secrets.token_urlsafe(24)


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Full online")
    PARTIAL = "partial", _("Partial online")
    COUNTER = "counter", _("At the counter only")


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) the agency resolves."""

    agency = models.ForeignKey(
        "edoc.Agency", on_delete=models.PROTECT, related_name="procedures", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(
        "edoc.Field",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("field"),
    )
    online_level = models.CharField(
        _("online level"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.FULL
    )
    processing_days = models.DecimalField(
        _("processing time (working days)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    fee = models.PositiveBigIntegerField(_("fee (VND)"), default=0)
    result_type = models.CharField(_("result"), max_length=255, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    handling_unit = models.ForeignKey(
        "edoc.Unit",
        on_delete=models.PROTECT,
        related_name="procedures_handled",
        verbose_name=_("handling unit"),
    )
    definition = models.ForeignKey(
        "workflows.ProcessDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("internal process"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unique_procedure_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def accepts_online(self) -> bool:
        return self.online_level != OnlineLevel.COUNTER

    @property
    def legal_basis_lines(self) -> list[str]:
        """The legal basis, one cited document per line (empty lines dropped)."""
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]


class ProcedurePaper(models.Model):
    """One paper (thành phần hồ sơ) a dossier of the procedure contains."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="papers", verbose_name=_("procedure")
    )
    name = models.CharField(_("name"), max_length=500)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    max_size_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=10)
    extensions = models.CharField(
        _("allowed file types"),
        max_length=100,
        default="pdf,jpg,jpeg,png",
        help_text=_("Comma-separated extensions, e.g. pdf,jpg,png"),
    )

    class Meta:
        verbose_name = _("required paper")
        verbose_name_plural = _("required papers")
        ordering = ["procedure", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        unsupported = sorted(set(self.extension_list) - set(SUPPORTED_EXTENSIONS))
        if unsupported or not self.extension_list:
            raise ValidationError(
                {
                    "extensions": _("Supported file types: %(types)s.")
                    % {"types": ", ".join(SUPPORTED_EXTENSIONS)}
                }
            )

    @property
    def extension_list(self) -> list[str]:
        return [
            ext.strip().lower().lstrip(".") for ext in self.extensions.split(",") if ext.strip()
        ]


# Blank forms a citizen downloads: PDF or Word (DOCX), checked by their first bytes.
TEMPLATE_TYPES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
}


class PaperTemplate(models.Model):
    """The blank form (tờ khai, mẫu đơn) of a paper, for the citizen to download and fill in.
    Written by `onestop.services.paper_template_set` (checked, stored by content, audited)."""

    paper = models.OneToOneField(
        ProcedurePaper,
        on_delete=models.CASCADE,
        related_name="form_template",
        verbose_name=_("paper"),
    )
    title = models.CharField(
        _("form name"),
        max_length=300,
        help_text=_("The form's name as the legal document gives it, e.g. “Đơn đề nghị …”."),
    )
    file = models.FileField(max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.original_name.rsplit(".", 1)[-1].upper() if "." in self.original_name else ""


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")


class ReturnChannel(models.TextChoices):
    """How the result reached the citizen."""

    ONLINE = "online", _("Online (the citizen downloads the signed result)")
    POST = "post", _("By post")
    COUNTER = "counter", _("At the counter")


class FeeStatus(models.TextChoices):
    NONE = "none", _("No fee")
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    EXEMPT = "exempt", _("Exempt")


class Dossier(models.Model):
    """A dossier (hồ sơ) of one procedure, from the citizen's draft to the returned result."""

    class Status(models.IntegerChoices):
        DRAFT = 0, _("Draft")
        NEW = 1, _("Newly registered")
        ACCEPTED = 2, _("Accepted")
        REJECTED = 3, _("Not accepted")
        PROCESSING = 4, _("Processing")
        SUPPLEMENT = 5, _("Supplement requested")
        FINANCIAL = 6, _("Financial obligation requested")
        WITHDRAWN = 7, _("Withdrawn by the citizen")
        STOPPED = 8, _("Processing stopped")
        DONE = 9, _("Processed")
        RETURNED = 10, _("Result returned")

    CLOSED = (Status.REJECTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)
    OPEN = (Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)

    code = models.CharField(_("dossier code"), max_length=40, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("procedure")
    )
    agency = models.ForeignKey(
        "edoc.Agency", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("agency")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.IntegerField(_("status"), choices=Status.choices, default=Status.DRAFT)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_phone = models.CharField(_("phone"), max_length=20)
    applicant_id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_working_days = models.DecimalField(
        _("paused working days"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_channel = models.CharField(
        _("result returned"), max_length=10, choices=ReturnChannel.choices, blank=True
    )
    fee_amount = models.PositiveBigIntegerField(_("fee (VND)"), default=0)
    fee_status = models.CharField(
        _("fee"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.NONE
    )
    tracking_nonce = models.CharField(
        _("tracking link secret"), max_length=64, default=new_secret, editable=False
    )
    draft_key = models.CharField(
        _("draft key"),
        max_length=64,
        default=new_secret,
        unique=True,
        editable=False,
        db_index=True,
    )
    result = models.ForeignKey(
        "edoc.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_results",
        verbose_name=_("result document"),
    )
    run = models.ForeignKey(
        "workflows.ProcessRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("process"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("specialist"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["procedure", "received_at"]),
            # Reports and the operations dashboard count a period's submissions and results.
            models.Index(fields=["agency", "submitted_at"], name="onestop_dossier_submitted_idx"),
            models.Index(fields=["agency", "finished_at"], name="onestop_dossier_finished_idx"),
            # ... and the dossiers open now (onestop.reports.OPEN_STATUSES: NEW and OPEN), a
            # small part of them, which the reports' bounded query adds to the period's.
            models.Index(
                fields=["agency", "submitted_at"],
                condition=Q(status__in=[1, 2, 4, 5, 6]),
                name="onestop_dossier_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=0) | Q(code__isnull=False), name="dossier_code_once_submitted"
            ),
        ]

    def __str__(self) -> str:
        return self.code or _("Draft dossier #%(pk)s") % {"pk": self.pk}

    @property
    def owner_unit(self):
        """The handling unit: workflow rules that ask for the subject's unit get it."""
        return self.procedure.handling_unit

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def usual_return_channel(self) -> str:
        """How the result is returned unless chosen otherwise: online for a dossier submitted
        online to a fully online procedure, at the counter otherwise."""
        if self.channel == Channel.ONLINE and self.procedure.online_level == OnlineLevel.FULL:
            return ReturnChannel.ONLINE
        return ReturnChannel.COUNTER

    @property
    def in_process(self) -> bool:
        """Whether the dossier's internal process is still running."""
        return self.run_id is not None and self.run.finished_at is None


def paper_blob_name(sha256: str, extension: str) -> str:
    """Papers are stored by content hash, like edoc's documents."""
    return f"onestop/{sha256[:2]}/{sha256}.{extension}"


def _paper_upload_to(instance: DossierPaper, filename: str) -> str:
    return paper_blob_name(instance.sha256, filename.rsplit(".", 1)[-1].lower())


class DossierPaper(models.Model):
    """A file of a dossier: a required paper, or an extra one (paper is null)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    paper = models.ForeignKey(
        ProcedurePaper, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=0, help_text=_("0 = intake, 1… = supplement rounds")
    )
    file = models.FileField(upload_to=_paper_upload_to, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    checked = models.BooleanField(_("original checked"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")
        ordering = ["round", "paper__order", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """One line of a dossier's history. `public_message` is shown to the citizen,
    `internal_note` only to staff."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.IntegerField(choices=Dossier.Status.choices, null=True, blank=True)
    to_status = models.IntegerField(choices=Dossier.Status.choices, null=True, blank=True)
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    public_message = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}→{self.to_status}"


class SupplementRequest(models.Model):
    """An officer's request for more papers (the dossier's clock pauses until it is answered)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    round = models.PositiveSmallIntegerField(default=1)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("what is needed"))
    papers = models.ManyToManyField(ProcedurePaper, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_message = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.round}"


class DayCounter(models.Model):
    """The last dossier sequence number of an agency on a day (locked when a code is taken)."""

    agency = models.ForeignKey("edoc.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="unique_dossier_day_counter")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ApologyLetter(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: drafted, approved through a process, sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved and sent")
        REFUSED = "refused", _("Refused")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    new_due_date = models.DateField(_("new appointment date"))
    reason = models.TextField(_("reason for the delay"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    old_due_at = models.DateTimeField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(auto_now_add=True)
    run = models.ForeignKey(
        "workflows.ProcessRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="apologies",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_date:%d/%m/%Y}"

    @property
    def owner_unit(self):
        """The dossier's handling unit (workflow rules on the letter's unit)."""
        return self.dossier.procedure.handling_unit

    @property
    def agency_id(self) -> int:
        return self.dossier.agency_id
