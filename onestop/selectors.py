"""Reads on dossiers: the citizen's look-ups (code + secret, signed tracking tokens, drafts) and
the staff's permission-filtered lists. Citizens never see staff notes or staff names."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edoc.models import User
from edoc.text import nfc
from onestop import access
from onestop.models import Dossier, DossierEvent, PaperTemplate, Procedure
from onestop.services import normalise_phone
from workflows.deadlines import days_left_text as deadline_text
from workflows.deadlines import working_days_left

TRACKING_SALT = "onestop.tracking"
Status = Dossier.Status


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def dossier_lookup(*, code: str, secret: str) -> Dossier | None:
    """The dossier with this code whose applicant phone or ID number is `secret`; None for any
    mismatch (the same answer for a wrong code and a wrong secret)."""
    code = nfc(code or "").upper()
    secret = nfc(secret or "").replace(" ", "")
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code)
        .exclude(status=Status.DRAFT)
        .first()
    )
    phone = normalise_phone(secret)
    if dossier is None:
        # Spend the same comparisons as a real check, so timing tells nothing either.
        _same(phone, "0000000000")
        _same(secret, "000000000000")
        return None
    by_phone = _same(phone, dossier.applicant_phone)
    by_id = _same(secret, dossier.applicant_id_number)
    return dossier if (by_phone or by_id) else None


def tracking_token(dossier: Dossier) -> str:
    """A signed token for the dossier's QR link (revoked by rotating its tracking nonce)."""
    return signing.dumps([dossier.pk, dossier.tracking_nonce], salt=TRACKING_SALT, compress=True)


def dossier_from_token(token: str) -> Dossier | None:
    """The dossier of a valid tracking token; None when forged, expired or revoked."""
    max_age = datetime.timedelta(days=settings.EDOC_TRACKING_TOKEN_MAX_AGE_DAYS)
    try:
        pk, nonce = signing.loads(token or "", salt=TRACKING_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    dossier = Dossier.objects.select_related("procedure", "agency").filter(pk=pk).first()
    if dossier is None or dossier.status == Status.DRAFT:
        return None
    if not isinstance(nonce, str) or not _same(nonce, dossier.tracking_nonce):
        return None
    return dossier


def tracking_url(dossier: Dossier) -> str:
    """The absolute public tracking URL (the receipt's QR code)."""
    from django.urls import reverse

    base = settings.EDOC_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("portal:track_token", args=[tracking_token(dossier)])


def dossier_draft_get(key: str) -> Dossier | None:
    """A citizen's unsent draft by its secret key."""
    if not key:
        return None
    return (
        Dossier.objects.select_related("procedure", "agency")
        .filter(draft_key=key, status=Status.DRAFT)
        .first()
    )


@dataclass(frozen=True)
class PublicEvent:
    at: datetime.datetime
    status: int | None
    status_label: str
    message: str


def public_timeline(dossier: Dossier) -> list[PublicEvent]:
    """What the citizen sees: status changes and public messages, no staff notes or names."""
    events = dossier.events.filter(~Q(public_message="") | Q(to_status__isnull=False)).only(
        "at", "to_status", "public_message"
    )
    return [
        PublicEvent(
            at=event.at,
            status=event.to_status,
            status_label=Status(event.to_status).label if event.to_status is not None else "",
            message=event.public_message,
        )
        for event in events
    ]


def days_left(dossier: Dossier, *, now: datetime.datetime | None = None) -> int | None:
    """Whole working days until the appointment (negative: working days overdue), counted from
    the pause when the clock is paused, like every deadline (`workflows.deadlines`); None
    without an appointment or once processed."""
    if dossier.due_at is None or dossier.status in (*Dossier.CLOSED, Status.DONE):
        return None
    return working_days_left(dossier.due_at, dossier.paused_at or now or timezone.now())


def days_left_text(dossier: Dossier, *, now: datetime.datetime | None = None) -> str:
    """ "còn 3 ngày làm việc" until the appointment ("" when `days_left` is None)."""
    if days_left(dossier, now=now) is None:
        return ""
    return deadline_text(dossier.due_at, dossier.paused_at or now or timezone.now())


def public_apologies(dossier: Dossier) -> QuerySet:
    """The dossier's approved apology letters (sent to the citizen; `onestop.pdf.apology_pdf`)."""
    from onestop.models import ApologyLetter

    return dossier.apologies.filter(status=ApologyLetter.Status.APPROVED).order_by("decided_at")


def is_overdue(dossier: Dossier, *, now: datetime.datetime | None = None) -> bool:
    if dossier.due_at is None or dossier.status not in Dossier.OPEN:
        return False
    return (dossier.paused_at or now or timezone.now()) > dossier.due_at


def dossier_result_file(dossier: Dossier) -> tuple[bytes, str] | None:
    """The signed result PDF of a processed dossier (its document's latest file), verified
    against its SHA-256; None before the result is ready."""
    from edoc.services.files import file_read_verified

    if dossier.result_id is None or dossier.status not in (Status.DONE, Status.RETURNED):
        return None
    document_file = dossier.result.files.order_by("-version").first()
    if document_file is None:
        return None
    return file_read_verified(document_file), f"{dossier.code}-ket-qua.pdf"


# --- Staff -----------------------------------------------------------------------------------


def dossier_list(
    user: User,
    *,
    status: int | None = None,
    procedure_id: int | None = None,
    overdue: bool = False,
    query: str = "",
    outcome: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    unit_id: int | None = None,
    field_id: int | None = None,
    online_level: str = "",
    apology: bool = False,
) -> QuerySet[Dossier]:
    """Dossiers the user may see, with the list page's filters. `outcome` is a column of the
    one-stop report (onestop.reports.COLUMNS) counted over `date_from`–`date_to` (default:
    from the beginning to today), as the report and the operations dashboard count it."""
    from onestop import reports
    from onestop.models import ApologyLetter

    queryset = access.visible_dossiers(user).select_related("procedure", "handler")
    if status is not None:
        queryset = queryset.filter(status=status)
    if procedure_id:
        queryset = queryset.filter(procedure_id=procedure_id)
    if unit_id:
        queryset = queryset.filter(procedure__handling_unit_id=unit_id)
    if field_id:
        queryset = queryset.filter(procedure__field_id=field_id)
    if online_level:
        queryset = queryset.filter(procedure__online_level=online_level)
    if overdue:
        now = timezone.now()
        queryset = queryset.filter(status__in=Dossier.OPEN).filter(
            Q(paused_at__isnull=True, due_at__lt=now) | Q(paused_at__gt=F("due_at"))
        )
    period = reports.Period.of(
        date_from or datetime.date(2000, 1, 1), date_to or timezone.localdate()
    )
    if outcome in reports.OUTCOMES:
        queryset = queryset.filter(reports.outcome_conditions(period, timezone.now())[outcome])
    if apology:
        letters = ApologyLetter.objects.filter(
            dossier=OuterRef("pk"), drafted_at__gte=period.start, drafted_at__lt=period.end
        )
        queryset = queryset.filter(Exists(letters))
    query = nfc(query or "")
    if query:
        queryset = queryset.filter(
            Q(code__icontains=query)
            | Q(applicant_name__icontains=query)
            | Q(applicant_phone__icontains=normalise_phone(query) or query)
        )
    return queryset.order_by("-received_at", "-submitted_at", "-pk")


def dossier_get_for_user(user: User, pk: int) -> Dossier:
    """A dossier the user may see; 404 otherwise (no hint that it exists)."""
    dossier = (
        access.visible_dossiers(user)
        .select_related("procedure__handling_unit", "agency", "handler", "result", "run")
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def paper_template_file(procedure: Procedure, paper_id: int) -> tuple[bytes, PaperTemplate] | None:
    """The blank form of one of the procedure's papers, checked against its SHA-256; None when
    there is none or its stored file is missing or altered."""
    from edoc.services.files import FileIntegrityError, file_read_verified

    template = PaperTemplate.objects.filter(paper__procedure=procedure, paper_id=paper_id).first()
    if template is None:
        return None
    try:
        return file_read_verified(template), template
    except (OSError, FileIntegrityError):
        return None


def result_documents(user: User, dossier: Dossier, *, eligible: bool = True) -> QuerySet:
    """Outgoing documents of the dossier's agency the user may see; `eligible`: only those that
    may be its result (issued and digitally signed), newest first."""
    from edoc.models import Document
    from edoc.selectors.access import visible_documents

    queryset = visible_documents(user).filter(
        agency_id=dossier.agency_id, direction=Document.Direction.OUTGOING
    )
    if eligible:
        queryset = queryset.filter(
            status=Document.Status.ISSUED, signature_records__isnull=False
        ).distinct()
    return queryset.order_by("-issued_at", "-created_at", "-pk")


def staff_timeline(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("at", "pk")


def procedures_for(user: User) -> QuerySet[Procedure]:
    if not user.unit_id:
        return Procedure.objects.none()
    return (
        Procedure.objects.filter(agency_id=user.unit.agency_id)
        .select_related("field", "handling_unit", "definition")
        .prefetch_related("papers__form_template")
        .order_by("code")
    )


def public_procedures(agency_id: int | None = None) -> QuerySet[Procedure]:
    """Active procedures citizens may submit online."""
    queryset = Procedure.objects.filter(active=True).exclude(online_level="counter")
    if agency_id:
        queryset = queryset.filter(agency_id=agency_id)
    return (
        queryset.select_related("field").prefetch_related("papers__form_template").order_by("name")
    )
