"""Data retention: the report of records due for archive transfer or destruction (page and
Excel), and destruction requests (request → director's approval → execution)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc.selectors.access import can_approve_destruction, can_manage_retention
from edoc.selectors.retention import (
    DESTROY,
    TRANSFER,
    DueRecord,
    destruction_requests,
    retention_due,
)
from edoc.services.audit import audit_record
from edoc.services.retention import (
    destruction_request_create,
    destruction_request_decide,
    destruction_request_execute,
)
from edoc.views.books import XLSX_TYPE


def _agency_for_retention(request: HttpRequest):
    user = request.user
    if not user.unit_id:
        raise PermissionDenied
    agency = user.unit.agency
    if not (can_manage_retention(user) or can_approve_destruction(user, agency.pk)):
        raise PermissionDenied(_("Only records clerks and the director see the retention report."))
    return agency


def _service_error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(
            message for messages_ in error.message_dict.values() for message in messages_
        )
    return " ".join(error.messages)


@login_required
def retention_report(request: HttpRequest) -> HttpResponse:
    """Records due today for destruction (`?kind=destroy`, default) or for transfer to the
    historical archive (`?kind=transfer`); `?format=xlsx` downloads the list."""
    agency = _agency_for_retention(request)
    kind = TRANSFER if request.GET.get("kind") == TRANSFER else DESTROY
    today = timezone.localdate()
    due = retention_due(agency, kind, today=today)
    if request.GET.get("format") == "xlsx":
        audit_record(
            actor=request.user, action="retention.export", details={"kind": kind, "rows": len(due)}
        )
        response = HttpResponse(_retention_xlsx(due, kind, today), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"thoi-han-bao-quan-{kind}-{today:%Y%m%d}.xlsx"
        )
        return response
    return render(
        request,
        "edoc/retention_report.html",
        {
            "kind": kind,
            "due": due,
            "today": today,
            "can_request": kind == DESTROY and can_manage_retention(request.user),
            "requests": destruction_requests(agency)[:50],
        },
    )


def _retention_xlsx(due: list[DueRecord], kind: str, today) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = today.strftime("%Y-%m-%d")
    title = (
        _("Records due for destruction")
        if kind == DESTROY
        else _("Records due for transfer to the historical archive")
    )
    sheet.append([f"{title} — {today:%d/%m/%Y}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    headers = [
        _("Number and notation"),
        _("Date"),
        _("Document type"),
        _("Subject"),
        _("Retention period"),
        _("Due since"),
        _("Legal basis"),
    ]
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for record in due:
        document = record.document
        sheet.append(
            [
                document.symbol,
                document.record_date,
                str(document.document_type),
                document.subject,
                record.rule.period_display,
                record.due_on,
                record.rule.basis,
            ]
        )
    for letter, width in zip("ABCDEFG", (18, 12, 16, 60, 14, 12, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_POST
def destruction_create(request: HttpRequest) -> HttpResponse:
    """Propose the ticked documents of the report for destruction."""
    ids = [int(value) for value in request.POST.getlist("documents") if value.isdigit()]
    try:
        created = destruction_request_create(
            user=request.user, document_ids=ids, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, _service_error_text(error))
        return redirect("edoc:retention_report")
    messages.success(request, _("The destruction request was sent for the director's approval."))
    return redirect("edoc:destruction_detail", pk=created.pk)


def _request_for_user(request: HttpRequest, pk: int):
    agency = _agency_for_retention(request)
    return get_object_or_404(destruction_requests(agency), pk=pk)


@login_required
def destruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    destruction = _request_for_user(request, pk)
    user = request.user
    return render(
        request,
        "edoc/destruction_detail.html",
        {
            "destruction": destruction,
            "documents": destruction.documents.select_related("document_type").order_by("pk"),
            "can_decide": destruction.status == destruction.Status.REQUESTED
            and can_approve_destruction(user, destruction.agency_id)
            and destruction.requested_by_id != user.pk,
            "can_execute": destruction.status == destruction.Status.APPROVED
            and can_manage_retention(user),
        },
    )


@login_required
@require_POST
def destruction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    destruction = _request_for_user(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        destruction_request_decide(
            user=request.user,
            request=destruction,
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, _service_error_text(error))
    else:
        messages.success(
            request,
            _("The destruction was approved.") if approve else _("The request was rejected."),
        )
    return redirect("edoc:destruction_detail", pk=pk)


@login_required
@require_POST
def destruction_execute(request: HttpRequest, pk: int) -> HttpResponse:
    destruction = _request_for_user(request, pk)
    try:
        count = destruction_request_execute(user=request.user, request=destruction)
    except ValidationError as error:
        messages.error(request, _service_error_text(error))
    else:
        messages.success(
            request,
            _("%(count)s documents were destroyed; their register entries remain.")
            % {"count": count},
        )
    return redirect("edoc:destruction_detail", pk=pk)
