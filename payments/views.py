"""Pages and endpoints of the payments app.

Public (no login): a provider's callback (IPN, the only thing that changes an order online),
the payer's return from the provider (display only), the citizen's "Pay" from the portal's
tracking page, the receipt's public verification page and its PDF. Staff: the officer takes a
payment at the counter (cash or POS) from the dossier page, and their cash book per day.
"""

from __future__ import annotations

import datetime
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edoc.middleware import client_ip
from onestop import access as onestop_access
from onestop.portal import ratelimit
from onestop.portal.access import session_dossier
from onestop.portal.views import no_referrer, not_found, rate_limited
from onestop.portal.web import page, portal_view
from payments import access as payments_access
from payments import selectors, services
from payments.access import finance_agency_id, report_agency_id
from payments.forms import ReconciliationForm, ReportForm, ResolveTransferForm
from payments.models import PaymentOrder, RefundState
from payments.pdf import method_name, receipt_pdf, vnd
from payments.providers.base import CallbackRejected, Redirect, provider
from payments.providers.tables import TableError, check_size
from payments.xlsx import table_xlsx, xlsx_response
from workflows.calendar import VN_TZ


def public_url(name: str, *args: str) -> str:
    """An absolute address on the public site (EDOC_PUBLIC_BASE_URL)."""
    return settings.EDOC_PUBLIC_BASE_URL.rstrip("/") + reverse(name, args=args)


# --------------------------------------------------------------------------- providers


def _callback_params(request: HttpRequest) -> dict[str, str]:
    """A callback's parameters: the query (VNPAY), a posted form, or a JSON object (MoMo)."""
    params = {**request.GET.dict(), **request.POST.dict()}
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = {"_malformed": request.body[:2000].decode("utf-8", "replace")}
        if not isinstance(body, dict):
            body = {"_malformed": str(body)[:2000]}
        params.update({str(name): _text(value) for name, value in body.items()})
    return params


def _text(value: object) -> str:
    """A JSON value as the text a provider signed (numbers as digits, objects as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest, provider_key: str) -> HttpResponse:
    """A provider's payment notification, answered the way the provider expects: VNPAY's JSON
    (`{"RspCode": "00", "Message": "Confirm Success"}`); MoMo's HTTP 204 when it need not send
    it again (accepted, or already confirmed), 400 otherwise."""
    answer = services.callback_process(provider_key, _callback_params(request), client_ip(request))
    if provider_key == "momo":
        done = answer.outcome in (services.OK, services.ALREADY)
        return HttpResponse(status=204 if done else 400)
    return JsonResponse(answer.as_vnpay())


@portal_view(private=True)
@require_GET
def provider_return(request: HttpRequest, provider_key: str) -> HttpResponse:
    """The payer's browser back from the provider: shows the order's state as we know it
    (only the IPN changes it)."""
    try:
        result = provider(provider_key).verify_callback(request.GET.dict())
    except (KeyError, CallbackRejected):
        return no_referrer(page(request, "payments/portal_return.html", {"invalid": True}, 400))
    order = PaymentOrder.objects.select_related("receipt").filter(code=result.order_code).first()
    if order is None:
        return no_referrer(page(request, "payments/portal_return.html", {"invalid": True}, 404))
    context = {"order": order, "provider_success": result.success}
    return no_referrer(page(request, "payments/portal_return.html", context))


# --------------------------------------------------------------------------- citizen


@portal_view(private=True)
@require_POST
def portal_pay(request: HttpRequest) -> HttpResponse:
    """The citizen pays the fee of the session's dossier with the method chosen."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    if not selectors.dossier_payable(dossier):
        messages.error(request, _("This dossier has no fee to pay online."))
        return redirect("portal:dossier")
    key = request.POST.get("method", "")
    try:
        order = services.order_for_dossier(dossier)
        order, where = services.order_start(
            order=order,
            provider_key=key,
            client_ip=client_ip(request) or "127.0.0.1",
            return_url=public_url("payments:return", key),
            ipn_url=public_url("payments:ipn", key),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("portal:dossier")
    if isinstance(where, Redirect):
        # A page that moves on by itself, not a redirect: the tracking page's policy allows
        # forms to post only to this site (form-action 'self'), redirects included.
        context = {"order": order, "url": where.url, "provider": provider(key)}
        return no_referrer(page(request, "payments/portal_redirect.html", context))
    qr = segno.make(where.payload, error="m")
    context = {
        "dossier": dossier,
        "order": order,
        "qr": qr.svg_data_uri(scale=6),
        "bank": provider(key),
    }
    return page(request, "payments/portal_qr.html", context)


# --------------------------------------------------------------------------- receipts


def _receipt_or_404(request: HttpRequest, code: str):
    """The receipt of `code`, or the portal's uniform 404 (a failed code counts against the
    client's look-up rate)."""
    if ratelimit.rate_limit_exceeded(request, "lookup"):
        return None, rate_limited(request, "lookup")
    receipt = selectors.receipt_by_code(code)
    if receipt is None:
        ratelimit.rate_limit_hit(request, "lookup")
        return None, not_found(request)
    return receipt, None


@portal_view(private=True)
@require_GET
def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public page a receipt's QR code opens: the receipt's facts."""
    receipt, refusal = _receipt_or_404(request, code)
    if refusal is not None:
        return no_referrer(refusal)
    return no_referrer(page(request, "payments/receipt_verify.html", {"receipt": receipt}))


@portal_view(private=True)
@require_GET
def receipt_download(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt's PDF (whoever holds its code: the payer, the officer)."""
    receipt, refusal = _receipt_or_404(request, code)
    if refusal is not None:
        return no_referrer(refusal)
    content = receipt_pdf(receipt, verify_url=public_url("payments:receipt", receipt.code))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"bien-lai-{receipt.year}-{receipt.number:07d}.pdf"
    )
    return no_referrer(response)


# --------------------------------------------------------------------------- counter


@login_required
@require_POST
def counter_pay(request: HttpRequest, code: str) -> HttpResponse:
    """The officer takes an order's amount at the counter (cash, or POS with its approval
    code); back to the dossier's page with the receipt."""
    order = selectors.order_for_officer(request.user, code)
    if order is None:
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    try:
        receipt = services.order_pay_at_counter(
            officer=request.user,
            order=order,
            method=request.POST.get("method", ""),
            approval_code=request.POST.get("approval_code", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Payment recorded; receipt %(receipt)s issued.") % {"receipt": receipt.reference},
        )
    if order.dossier_id:
        return redirect("onestop:dossier_detail", order.dossier_id)
    return redirect("payments:cash_book")


@login_required
@require_GET
def cash_book(request: HttpRequest) -> HttpResponse:
    """The officer's cash book of a day (?day=YYYY-MM-DD, today by default)."""
    if not onestop_access.is_onestop_officer(request.user):
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = selectors.local_today()
    context = {"day": day, **selectors.cash_book(request.user, day)}
    return render(request, "payments/cash_book.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def statements(request: HttpRequest) -> HttpResponse:
    """Import the bank's statement (VietQR transfers matched to orders) and the review list of
    transfers that paid nothing (partial, excess, unmatched, refused)."""
    if not onestop_access.is_onestop_officer(request.user):
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose the statement file (.csv or .xlsx)."))
            try:
                check_size(upload.size)  # before reading it into memory
            except TableError as error:
                raise ValidationError(str(error)) from None
            summary = services.statement_import(
                officer=request.user, data=upload.read(), filename=upload.name
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "%(matched)s transfers matched, %(review)s to review, %(duplicates)s "
                    "imported before."
                )
                % {
                    "matched": summary.matched,
                    "review": summary.review,
                    "duplicates": summary.duplicates,
                },
            )
        return redirect("payments:statements")
    context = {
        "transfers": selectors.transfers_to_review()[:200],
        "resolved": selectors.transfers_resolved()[:50],
        "resolve_form": ResolveTransferForm(),
    }
    return render(request, "payments/statements.html", context)


# --------------------------------------------------------------------------- reconciliation


def _require_finance(request: HttpRequest) -> None:
    if finance_agency_id(request.user) is None:
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))


# --------------------------------------------------------------------------- refunds


@login_required
@require_GET
def refunds(request: HttpRequest) -> HttpResponse:
    """The paid orders the head of the counter's unit (or an administrator) may refund, found
    by order code, receipt number, payer or provider reference (?q=)."""
    if not request.user.unit_id or not payments_access.can_refund(
        request.user, request.user.unit.agency_id
    ):
        raise PermissionDenied(
            _("Only the head of the one-stop counter's unit or an administrator may refund.")
        )
    query = request.GET.get("q", "")[:100]
    context = {"orders": selectors.refundable_orders(request.user, query)[:100], "q": query}
    return render(request, "payments/refunds.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliations(request: HttpRequest) -> HttpResponse:
    """Reconcile a provider's settlement file for a day (POST: to the run's page) and the
    agency's past reconciliations."""
    _require_finance(request)
    status = 200
    if request.method == "POST":
        form = ReconciliationForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_size(upload.size)
                run = services.reconciliation_run(
                    user=request.user,
                    provider_key=form.cleaned_data["provider"],
                    day=form.cleaned_data["day"],
                    data=upload.read(),
                    filename=upload.name,
                )
            except TableError as error:
                form.add_error("file", str(error))
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("payments:reconciliation", run.pk)
        status = 400
    else:
        form = ReconciliationForm(initial={"day": selectors.local_today()})
    context = {"form": form, "runs": selectors.reconciliation_runs(request.user)[:50]}
    return render(request, "payments/reconciliations.html", context, status=status)


def _run_or_404(request: HttpRequest, pk: int):
    _require_finance(request)
    run = selectors.reconciliation_get(request.user, pk)
    if run is None:
        raise Http404("No such reconciliation.")
    return run


@login_required
@require_GET
def reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    """A reconciliation's transactions by category, discrepancies first."""
    run = _run_or_404(request, pk)
    context = {"run": run, "sections": selectors.reconciliation_sections(run)}
    return render(request, "payments/reconciliation.html", context)


@login_required
@require_GET
def reconciliation_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A reconciliation as an Excel workbook."""
    run = _run_or_404(request, pk)
    rows = [
        [
            str(section["label"]),
            line.order_code,
            line.their_amount,
            line.our_amount,
            line.their_reference,
            timezone.localtime(line.their_time, VN_TZ) if line.their_time else None,
            line.note,
        ]
        for section in selectors.reconciliation_sections(run)
        for line in section["lines"]
    ]
    content = table_xlsx(
        sheet_title="Doi soat",
        title=_("Reconciliation of %(provider)s on %(day)s")
        % {"provider": method_name(run.provider), "day": f"{run.day:%d/%m/%Y}"},
        lines=[
            _("File: %(file)s (SHA-256 %(sha)s)") % {"file": run.filename, "sha": run.file_sha256},
            _(
                "Matched: %(matched)s; missing on our side: %(ours)s; missing on the "
                "provider's side: %(theirs)s; amount mismatch: %(mismatch)s"
            )
            % {
                "matched": run.matched,
                "ours": run.missing_ours,
                "theirs": run.missing_theirs,
                "mismatch": run.amount_mismatch,
            },
        ],
        header=[
            _("Category"),
            _("Order code"),
            _("Provider's amount"),
            _("Our amount"),
            _("Provider reference"),
            _("Provider's time"),
            _("Note"),
        ],
        rows=rows,
    )
    return xlsx_response(content, f"doi-soat-{run.provider}-{run.day:%Y%m%d}.xlsx")


@login_required
@require_POST
def transfer_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a transfer of the review list (refund arranged, matched by hand, other) with
    a note; back to the list."""
    _require_finance(request)
    transfer = selectors.transfers_to_review().filter(pk=pk).first()
    if transfer is None:
        messages.error(request, _("This transfer has been resolved already."))
        return redirect("payments:statements")
    form = ResolveTransferForm(request.POST)
    errors: dict[str, list[str]] = {}
    if not form.is_valid():
        errors = {field: list(items) for field, items in form.errors.items()}
    else:
        try:
            services.transfer_resolve(
                user=request.user,
                transfer=transfer,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                order_code=form.cleaned_data["order_code"],
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    if errors:
        text = "; ".join(
            f"{form.fields[field].label}: {' '.join(items)}"
            if field in form.fields
            else " ".join(items)
            for field, items in errors.items()
        )
        messages.error(request, _("The transfer was not resolved: %(errors)s") % {"errors": text})
    else:
        messages.success(
            request, _("Transfer %(reference)s resolved.") % {"reference": transfer.reference}
        )
    return redirect("payments:statements")


# --------------------------------------------------------------------------- reports


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Orders paid in a period per method and per procedure, the cashless share, the
    providers' fees, the refunds of the period and the net; `?format=xlsx` exports it."""
    if report_agency_id(request.user) is None:
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    form = ReportForm(request.GET or None)
    date_from, date_to = form.period(selectors.local_today())
    if not form.is_bound:
        form = ReportForm(initial={"date_from": date_from, "date_to": date_to})
    result = selectors.payment_report(request.user, date_from=date_from, date_to=date_to)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            _report_xlsx(result), f"thanh-toan-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        )
    query = request.GET.copy()
    query.pop("format", None)
    context = {"form": form, "report": result, "query": query.urlencode()}
    return render(request, "payments/report.html", context)


def _report_xlsx(result: selectors.PaymentReport) -> bytes:
    def rows(items: list[selectors.ReportRow]) -> list[list]:
        return [
            [
                row.label,
                row.count,
                row.amount,
                row.fee,
                row.cashless_amount,
                float(row.cashless_share) if row.cashless_share is not None else None,
                row.refund_count,
                row.refunded,
                row.net,
            ]
            for row in items
        ]

    header = [
        _("Number paid"),
        _("Amount paid"),
        _("Provider fees"),
        _("Cashless amount"),
        _("Cashless share (%)"),
        _("Number refunded"),
        _("Amount refunded"),
        _("Net (after refunds)"),
    ]
    total = rows([result.total])[0]
    total[0] = _("Total")
    return table_xlsx(
        sheet_title="Thanh toan",
        title=_("Payments from %(start)s to %(end)s")
        % {"start": f"{result.date_from:%d/%m/%Y}", "end": f"{result.date_to:%d/%m/%Y}"},
        lines=[_("Fees: EDOC_PAYMENT_FEES, the percentage rounded half up per transaction.")],
        header=[_("Method"), *header],
        rows=[
            *rows(result.providers),
            total,
            [],
            [_("Procedure"), *header],
            *rows(result.procedures),
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_refund(request: HttpRequest, code: str) -> HttpResponse:
    """One paid order, its refunds and the form to refund it fully or partly with a reason
    (through VNPAY/MoMo's refund API, or recorded as paid back by hand with its reference)."""
    order = selectors.order_for_refunder(request.user, code)
    if order is None:
        raise PermissionDenied(
            _("Only the head of the one-stop counter's unit or an administrator may refund.")
        )
    if request.method == "POST":
        try:
            refund = services.order_refund(
                officer=request.user,
                order=order,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
                reference=request.POST.get("reference", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if refund.state == RefundState.PENDING:
                messages.warning(
                    request,
                    _(
                        "%(amount)s on order %(code)s: the provider has not answered yet; the "
                        "refund is waiting for confirmation and will be checked with it."
                    )
                    % {"amount": vnd(refund.amount), "code": order.code},
                )
            else:
                messages.success(
                    request,
                    _("%(amount)s refunded on order %(code)s.")
                    % {"amount": vnd(refund.amount), "code": order.code},
                )
        return redirect("payments:order_refund", order.code)
    context = {
        "order": order,
        "refunded": services.order_refunded_sum(order),
        "left": order.amount - services.order_refunded_sum(order),
        "by_api": order.provider in services.API_REFUNDS,
    }
    return render(request, "payments/order_refund.html", context)
