"""Staff pages of the one-stop counter: procedures, intake, dossiers, actions, slips, reports."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc.pdfcheck import pdf_active_content
from edoc.services.files import FileIntegrityError, file_read_verified
from edoc.views.common import form_add_service_errors, paginate
from onestop import access, pdf, reports, selectors, services
from onestop.forms import (
    ApologyCancelForm,
    ApologyForm,
    DossierFilterForm,
    IntakeForm,
    NoteForm,
    PaymentRecordForm,
    PaymentRequestForm,
    ReasonForm,
    ReportFilterForm,
    ResultForm,
    ReturnForm,
    SupplementForm,
)
from onestop.models import Dossier, FeeStatus, PaperTemplate

Status = Dossier.Status


def _require_staff(request: HttpRequest) -> None:
    if not access.is_onestop_staff(request.user):
        raise PermissionDenied(_("The one-stop pages are for its officers and handling units."))


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "onestop/procedure_list.html",
        {
            "procedures": selectors.procedures_for(request.user),
            "is_officer": access.is_onestop_officer(request.user),
        },
    )


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = DossierFilterForm(request.GET or None, procedures=selectors.procedures_for(request.user))
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "status": form.cleaned_data.get("status"),
            "procedure_id": getattr(form.cleaned_data.get("procedure"), "pk", None),
            "overdue": form.cleaned_data.get("overdue", False),
            "query": form.cleaned_data.get("q", ""),
            "outcome": form.cleaned_data.get("outcome") or "",
            "date_from": form.cleaned_data.get("date_from"),
            "date_to": form.cleaned_data.get("date_to"),
            "unit_id": getattr(form.cleaned_data.get("unit"), "pk", None),
            "field_id": getattr(form.cleaned_data.get("field"), "pk", None),
            "online_level": form.cleaned_data.get("level") or "",
            "apology": form.cleaned_data.get("apology", False),
        }
    page = paginate(request, selectors.dossier_list(request.user, **filters))
    rows = [
        {
            "dossier": dossier,
            "days_left": selectors.days_left(dossier),
            "overdue": selectors.is_overdue(dossier),
        }
        for dossier in page.object_list
    ]
    return render(
        request,
        "onestop/dossier_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "is_officer": access.is_onestop_officer(request.user),
        },
    )


@login_required
def intake(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    """Counter intake of a procedure's dossier: applicant, papers (uploads / originals checked)."""
    procedure = get_object_or_404(selectors.procedures_for(request.user), pk=procedure_pk)
    access.require_officer(request.user, procedure.agency_id)
    form = IntakeForm(request.POST or None, request.FILES or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_receive_at_counter(
                officer=request.user,
                procedure=procedure,
                applicant=form.applicant(),
                files=form.files_by_paper(),
                papers_checked=form.checked(),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Dossier %(code)s received. Print the receipt.") % {"code": dossier.code}
            )
            return redirect("onestop:dossier_detail", dossier.pk)
    return render(
        request,
        "onestop/intake.html",
        {"procedure": procedure, "form": form},
        status=400 if form.errors else 200,
    )


def available_actions(user, dossier: Dossier) -> set[str]:
    """The action buttons this user gets on this dossier (the services check again)."""
    officer = access.is_onestop_officer(user, dossier.agency_id)
    handler = officer or access.can_handle(user, dossier)
    decider = access.can_decide(user, dossier)
    in_process = dossier.in_process
    status = dossier.status
    actions: set[str] = set()
    if officer and status == Status.NEW:
        actions |= {"accept", "reject"}
    if handler and status in (Status.NEW, Status.ACCEPTED, Status.PROCESSING):
        actions.add("supplement")
    if handler and status == Status.ACCEPTED and not dossier.run_id:
        actions.add("start")
    if handler and status in (Status.ACCEPTED, Status.PROCESSING):
        actions |= {"payment_request", "result"}
    if decider and status in (Status.ACCEPTED, Status.PROCESSING) and not in_process:
        actions.add("finish")
    if officer and dossier.fee_status == FeeStatus.UNPAID and not dossier.is_closed:
        actions.add("payment_record")
    if handler and status in Dossier.OPEN:
        actions.add("apology")
    if decider and status in Dossier.OPEN:
        actions.add("stop")
    if officer and status in (Status.NEW, *Dossier.OPEN):
        actions.add("withdraw")
    if officer and status == Status.DONE:
        actions.add("return")
    if officer and status != Status.DRAFT:
        actions.add("revoke")
    if handler and dossier.apologies.filter(status="pending").exists():
        actions.add("apology_cancel")
    return actions


def _forms(user, dossier: Dossier, bound: dict[str, forms.Form] | None = None) -> dict:
    bound = bound or {}
    factories: dict[str, Callable[[], forms.Form]] = {
        "accept": NoteForm,
        "reject": ReasonForm,
        "supplement": lambda: SupplementForm(dossier=dossier),
        "start": NoteForm,
        "payment_request": lambda: PaymentRequestForm(
            initial={"amount": dossier.fee_amount or dossier.procedure.fee or None}
        ),
        "payment_record": PaymentRecordForm,
        "result": lambda: ResultForm(user=user, dossier=dossier),
        "finish": NoteForm,
        "stop": ReasonForm,
        "withdraw": ReasonForm,
        "return": lambda: ReturnForm(initial={"channel": dossier.usual_return_channel}),
        "apology": ApologyForm,
        "revoke": NoteForm,
        "apology_cancel": lambda: ApologyCancelForm(dossier=dossier),
    }
    return {
        name: bound.get(name) or factory()
        for name, factory in factories.items()
        if name in available_actions(user, dossier)
    }


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.dossier_get_for_user(request.user, pk)
    return _detail(request, dossier)


def _detail(
    request: HttpRequest, dossier: Dossier, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    from workflows.models import WorkItem

    open_tasks = (
        WorkItem.objects.filter(run_id=dossier.run_id, status=WorkItem.Status.OPEN)
        .select_related("assignee")
        .order_by("created_at")
        if dossier.run_id
        else []
    )
    context = {
        "dossier": dossier,
        "events": selectors.staff_timeline(dossier),
        "files": dossier.files.select_related("paper").order_by("round", "pk"),
        "supplements": dossier.supplements.prefetch_related("papers"),
        "apologies": dossier.apologies.select_related("drafted_by", "decided_by"),
        "days_left": selectors.days_left(dossier),
        "overdue": selectors.is_overdue(dossier),
        "missing": services.missing_mandatory(dossier) if dossier.status == Status.NEW else [],
        "forms": _forms(request.user, dossier, bound),
        "open_tasks": open_tasks,
        "has_receipt": dossier.received_at is not None,
    }
    return render(request, "onestop/dossier_detail.html", context, status=status)


ACTION_FORMS: dict[str, Callable[..., forms.Form]] = {
    "accept": lambda data, dossier, user: NoteForm(data),
    "reject": lambda data, dossier, user: ReasonForm(data),
    "supplement": lambda data, dossier, user: SupplementForm(data, dossier=dossier),
    "start": lambda data, dossier, user: NoteForm(data),
    "payment_request": lambda data, dossier, user: PaymentRequestForm(data),
    "payment_record": lambda data, dossier, user: PaymentRecordForm(data),
    "result": lambda data, dossier, user: ResultForm(data, user=user, dossier=dossier),
    "finish": lambda data, dossier, user: NoteForm(data),
    "stop": lambda data, dossier, user: ReasonForm(data),
    "withdraw": lambda data, dossier, user: ReasonForm(data),
    "return": lambda data, dossier, user: ReturnForm(data),
    "apology": lambda data, dossier, user: ApologyForm(data),
    "revoke": lambda data, dossier, user: NoteForm(data),
    "apology_cancel": lambda data, dossier, user: ApologyCancelForm(data, dossier=dossier),
}


def _perform(action: str, user, dossier: Dossier, data: dict) -> str:
    """Call the action's service; returns the success message."""
    if action == "accept":
        services.dossier_accept(officer=user, dossier=dossier, note=data.get("note", ""))
        return _("Dossier accepted; the appointment is set.")
    if action == "reject":
        services.dossier_reject(officer=user, dossier=dossier, reason=data["reason"])
        return _("Dossier not accepted.")
    if action == "supplement":
        services.dossier_request_supplement(
            officer=user, dossier=dossier, message=data["message"], papers=data["papers"]
        )
        return _("Supplement requested; the clock is paused.")
    if action == "start":
        services.dossier_start_processing(user=user, dossier=dossier, note=data.get("note", ""))
        return _("Processing started.")
    if action == "payment_request":
        services.dossier_request_payment(
            officer=user, dossier=dossier, amount=data["amount"], message=data.get("message", "")
        )
        return _("Payment requested.")
    if action == "payment_record":
        services.dossier_record_payment(
            officer=user, dossier=dossier, exempt=data["exempt"], reference=data["reference"]
        )
        return _("Payment recorded.")
    if action == "result":
        services.dossier_set_result(
            user=user, dossier=dossier, result_document=data["result_document"]
        )
        return _("Result document attached.")
    if action == "finish":
        services.dossier_finish(officer=user, dossier=dossier)
        return _("Dossier processed.")
    if action == "stop":
        services.dossier_stop(officer=user, dossier=dossier, reason=data["reason"])
        return _("Processing stopped.")
    if action == "withdraw":
        services.dossier_withdraw(officer=user, dossier=dossier, reason=data["reason"])
        return _("Dossier withdrawn.")
    if action == "return":
        services.dossier_return_result(officer=user, dossier=dossier, channel=data["channel"])
        return _("Result returned.")
    if action == "apology":
        services.apology_draft(
            officer=user,
            dossier=dossier,
            new_due_date=data["new_due_date"],
            reason=data["reason"],
        )
        return _("Apology letter drafted and sent for approval.")
    if action == "apology_cancel":
        services.apology_cancel(user=user, letter=data["letter"], reason=data["reason"])
        return _("Apology letter withdrawn.")
    if action == "revoke":
        services.dossier_tracking_revoke(officer=user, dossier=dossier)
        return _("Tracking links revoked; print a new receipt.")
    raise Http404


@login_required
@require_POST
def dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action from the detail page; a refusal leaves the dossier unchanged."""
    dossier = selectors.dossier_get_for_user(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, dossier, request.user)
    if form.is_valid():
        try:
            message = _perform(action, request.user, dossier, form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("onestop:dossier_detail", dossier.pk)
    dossier.refresh_from_db()
    if action in available_actions(request.user, dossier):
        messages.error(request, _("Nothing was changed: see the form below."))
    else:  # no form to show the errors on (e.g. the status changed meanwhile)
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(request, " ".join([_("Nothing was changed."), *problems]))
    return _detail(request, dossier, bound={action: form}, status=400)


@login_required
def paper_download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A dossier's file, for staff who may see the dossier (checked against its SHA-256)."""
    dossier = selectors.dossier_get_for_user(request.user, pk)
    record = get_object_or_404(dossier.files, pk=file_pk)
    try:
        content = file_read_verified(record)
    except OSError:
        raise Http404(_("The stored file is missing."))
    except FileIntegrityError:
        raise Http404(_("The stored file fails its integrity check."))
    inline = request.GET.get("inline") == "1"
    if inline and record.content_type == "application/pdf" and pdf_active_content(content):
        inline = False  # JavaScript, embedded files …: download only
    return FileResponse(
        BytesIO(content),
        as_attachment=not inline,
        filename=record.original_name,
        content_type=record.content_type,
    )


def paper_template_response(content: bytes, template: PaperTemplate) -> HttpResponse:
    """A blank form as a download under its own file name."""
    response = HttpResponse(content, content_type=template.content_type)
    response["Content-Disposition"] = content_disposition_header(True, template.original_name)
    return response


@login_required
def paper_template(request: HttpRequest, procedure_pk: int, paper_pk: int) -> HttpResponse:
    """The blank form of a procedure's paper, for staff (e.g. to print one at the counter)."""
    _require_staff(request)
    procedure = get_object_or_404(selectors.procedures_for(request.user), pk=procedure_pk)
    found = selectors.paper_template_file(procedure, paper_pk)
    if found is None:
        raise Http404(_("This paper has no form template."))
    return paper_template_response(*found)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.dossier_get_for_user(request.user, pk)
    if dossier.received_at is None:
        raise Http404(_("The dossier has not been received yet."))
    content = pdf.receipt_pdf(dossier, tracking_url=selectors.tracking_url(dossier))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-tiep-nhan-{dossier.code}.pdf"'
    return response


@login_required
def apology_letter(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    dossier = selectors.dossier_get_for_user(request.user, pk)
    letter = get_object_or_404(dossier.apologies, pk=letter_pk)
    response = HttpResponse(pdf.apology_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-xin-loi-{dossier.code}.pdf"'
    return response


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Counts per procedure or unit for a period; `?format=xlsx` exports them."""
    _require_staff(request)
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None)
    date_from, date_to, group_by = today.replace(month=1, day=1), today, "procedure"
    if form.is_bound and form.is_valid():
        date_from = form.cleaned_data.get("date_from") or date_from
        date_to = form.cleaned_data.get("date_to") or date_to
        group_by = form.cleaned_data.get("group_by") or group_by
    if date_to < date_from:
        form.add_error("date_to", _("The end of the period is before its start."))
        date_from, date_to = date_to, date_from
    rows = reports.dossier_report(
        request.user, date_from=date_from, date_to=date_to, group_by=group_by
    )
    if request.GET.get("format") == "xlsx":
        content = reports.report_xlsx(rows, date_from=date_from, date_to=date_to, group_by=group_by)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"bao-cao-mot-cua-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "onestop/report.html",
        {
            "form": form,
            "rows": rows,
            "totals": reports.report_totals(rows),
            "levels": reports.procedure_levels(request.user),
            "columns": reports.COLUMNS,
            "date_from": date_from,
            "date_to": date_to,
            "group_by": group_by,
            "query": request.GET.urlencode(),
        },
    )
