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
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from payments.models import PaymentOrder
from payments.pdf import receipt_pdf, vnd
from payments.providers.base import CallbackRejected, Redirect, provider


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
    context = {"transfers": selectors.transfers_to_review()[:200]}
    return render(request, "payments/statements.html", context)


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
