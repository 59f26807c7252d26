"""Public citizen portal (no login): procedures, online submission with drafts, tracking by
code + phone/ID or by the receipt's QR link, supplement uploads and the signed result.

Privacy rules: a look-up that fails answers exactly the same whatever was wrong; a tracking
link that is forged, expired or revoked gets one "link invalid or expired" page; a session
sees at most one dossier (see access.py); dossier pages are `no-store` and never send a
referrer to another site (web.py); look-ups, submissions and uploads are rate-limited per
client address (ratelimit.py).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edoc.services.audit import audit_record
from edoc.views.common import form_add_service_errors
from onestop.models import Dossier, DossierPaper, Procedure, SupplementRequest
from onestop.pdf import apology_pdf, receipt_pdf
from onestop.portal import ratelimit
from onestop.portal.access import access_grant, session_dossier
from onestop.portal.forms import ApplicantForm, LookupForm, SupplementForm, upload_limit_bytes
from onestop.portal.services import can_rate, portal_dossier_send, satisfaction_rate
from onestop.portal.verification import result_verification
from onestop.portal.web import page, portal_agency, portal_view
from onestop.selectors import (
    days_left,
    dossier_draft_get,
    dossier_from_token,
    dossier_lookup,
    dossier_result_file,
    paper_template_file,
    public_apologies,
    public_procedures,
    public_timeline,
    tracking_url,
)
from onestop.services import dossier_keep_papers, dossier_submit_supplement
from onestop.views import paper_template_response

APPLICANT_ERROR_FIELDS = {f"applicant_{name}": name for name in ApplicantForm.base_fields}


# --------------------------------------------------------------------------- shared answers


def rate_limited(request: HttpRequest, scope: str) -> HttpResponse:
    """429 in Vietnamese, with Retry-After."""
    window = ratelimit.rate_for(scope).window
    response = page(
        request, "portal/rate_limited.html", {"minutes": math.ceil(window / 60)}, status=429
    )
    response["Retry-After"] = str(window)
    return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def not_found(request: HttpRequest) -> HttpResponse:
    return page(request, "portal/not_found.html", status=404)


def no_referrer(response: HttpResponse) -> HttpResponse:
    """For responses whose address carries a secret or that have no form."""
    response["Referrer-Policy"] = "no-referrer"
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """The one answer for a forged, expired or revoked tracking link or draft link."""
    return no_referrer(page(request, "portal/invalid_link.html", status=404))


@portal_view()
def page_not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /portal/: the portal's 404 page, not the staff one."""
    return not_found(request)


def _procedures():
    agency = portal_agency()
    return public_procedures(agency.pk if agency else None)


# --------------------------------------------------------------------------- procedures


@portal_view()
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The procedures a citizen can do online, by field."""
    procedures = sorted(_procedures(), key=lambda p: (p.field.name if p.field else "~", p.name))
    return page(request, "portal/home.html", {"procedures": procedures})


def _procedure(code: str) -> Procedure | None:
    return _procedures().filter(code=code).order_by("pk").first()


@portal_view()
@require_http_methods(["GET"])
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    if procedure is None:
        return not_found(request)
    return page(
        request,
        "portal/procedure.html",
        {"procedure": procedure, "papers": list(procedure.papers.all())},
    )


@portal_view()
@require_http_methods(["GET"])
def paper_template(request: HttpRequest, code: str, paper_id: int) -> HttpResponse:
    """The blank form (tờ khai, mẫu đơn) of one of an online procedure's papers."""
    procedure = _procedure(code)
    found = paper_template_file(procedure, paper_id) if procedure is not None else None
    if found is None:
        return not_found(request)
    return paper_template_response(*found)


# --------------------------------------------------------------------------- submission


@portal_view(private=True)
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """A new dossier of the procedure: save as a draft or submit."""
    procedure = _procedure(code)
    if procedure is None:
        return not_found(request)
    return _dossier_form(request, procedure, None)


@portal_view(private=True)
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, key: str) -> HttpResponse:
    """The private link of a saved draft: continue, save again or submit."""
    dossier = dossier_draft_get(key)
    if dossier is None or not _procedures().filter(pk=dossier.procedure_id).exists():
        return invalid_link(request)
    return _dossier_form(request, dossier.procedure, dossier)


def _draft_initial(dossier: Dossier | None) -> dict[str, str]:
    if dossier is None:
        return {}
    return {name: getattr(dossier, f"applicant_{name}") for name in ApplicantForm.base_fields}


def _stored_papers(draft: Dossier | None) -> dict[int, DossierPaper]:
    """The draft's file of each paper (shown as uploaded; its upload becomes optional)."""
    if draft is None:
        return {}
    return {record.paper_id: record for record in draft.files.exclude(paper=None).order_by("pk")}


def _dossier_form(request: HttpRequest, procedure: Procedure, draft: Dossier | None):
    papers = list(procedure.papers.all())
    stored = _stored_papers(draft)
    kept = False
    if request.method == "POST":
        if ratelimit.rate_limit_hit(request, "submit"):
            return rate_limited(request, "submit")
        if _declared_length(request) > upload_limit_bytes(papers):
            # Refused before the body is read: nothing is parsed or written to disk.
            form = ApplicantForm(initial=_draft_initial(draft), papers=papers, stored=stored)
            context = {"procedure": procedure, "form": form, "draft": draft}
            context["too_large_message"] = _too_large()
            return page(request, "portal/submit.html", context, status=413)
        submitting = request.POST.get("action") != "draft"
        form = ApplicantForm(
            request.POST, request.FILES, papers=papers, stored=stored, submitting=submitting
        )
        if form.is_valid():
            try:
                dossier = portal_dossier_send(
                    procedure=procedure,
                    applicant=form.applicant(),
                    files=form.files_by_paper(),
                    draft=draft,
                    submit=submitting,
                )
            except ValidationError as error:
                form_add_service_errors(form, _service_error_on_form(error))
            else:
                if submitting:
                    access_grant(request, dossier, via="submission")
                    return redirect("portal:submitted")
                return redirect(reverse("portal:draft", args=[dossier.draft_key]) + "?saved=1")
        # Refused: the papers that passed are kept in the draft, to be chosen again no more.
        uploads = form.passed_uploads()
        if uploads:
            draft = dossier_keep_papers(
                procedure=procedure, applicant=form.applicant(), files=uploads, draft=draft
            )
            form.stored = stored = _stored_papers(draft)
            kept = any(pk in stored for pk in uploads)
        status = 400
    else:
        form = ApplicantForm(initial=_draft_initial(draft), papers=papers, stored=stored)
        status = 200
    context: dict[str, Any] = {"procedure": procedure, "form": form, "draft": draft, "kept": kept}
    if draft is not None and (kept or request.GET.get("saved")):
        context["draft_url"] = settings.EDOC_PUBLIC_BASE_URL.rstrip("/") + reverse(
            "portal:draft", args=[draft.draft_key]
        )
    return page(request, "portal/submit.html", context, status=status)


def _too_large() -> str:
    return _(
        "The files together are too large: each paper has its own size limit, shown next to it."
    )


def _service_error_on_form(error: ValidationError) -> ValidationError:
    """The services name applicant fields `applicant_<name>`; the form calls them `<name>`."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {APPLICANT_ERROR_FIELDS.get(key, key): value for key, value in error.error_dict.items()}
    )


@portal_view(private=True)
@require_http_methods(["GET"])
def submitted(request: HttpRequest) -> HttpResponse:
    """After submitting: the dossier code, the tracking link and the receipt."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    return page(
        request,
        "portal/submitted.html",
        {"dossier": dossier, "tracking_url": tracking_url(dossier)},
    )


# --------------------------------------------------------------------------- tracking


@portal_view(private=True)
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Code + phone or ID number. Every failure (unknown code, wrong phone, malformed input)
    gets the same page: a blank form and one message."""
    if request.method == "POST":
        if ratelimit.rate_limit_hit(request, "lookup"):
            return rate_limited(request, "lookup")
        form = LookupForm(request.POST)
        dossier = None
        if form.is_valid():
            dossier = dossier_lookup(
                code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
            )
        if dossier is not None:
            access_grant(request, dossier, via="lookup")
            return redirect("portal:dossier")
        return page(request, "portal/lookup.html", {"form": LookupForm(), "not_found": True})
    return page(request, "portal/lookup.html", {"form": LookupForm()})


@portal_view(private=True)
@require_http_methods(["GET"])
def track_token(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt's QR link: a valid token opens the dossier in this session and redirects
    to the tracking page (the token leaves the address bar); anything else is "invalid"."""
    if ratelimit.rate_limit_exceeded(request, "lookup"):
        return rate_limited(request, "lookup")
    dossier = dossier_from_token(token)
    if dossier is None:
        ratelimit.rate_limit_hit(request, "lookup")
        return invalid_link(request)
    access_grant(request, dossier, via="tracking_link")
    return no_referrer(redirect("portal:dossier"))


def _supplement_request(dossier: Dossier) -> SupplementRequest | None:
    """The open supplement request of a dossier waiting for papers."""
    if dossier.status != Dossier.Status.SUPPLEMENT:
        return None
    return dossier.supplements.filter(answered_at__isnull=True).order_by("-round").first()


def _supplement_papers(dossier: Dossier, supplement: SupplementRequest | None) -> list:
    """The papers the officer asked for, or every paper of the procedure if none was named."""
    papers = list(supplement.papers.all()) if supplement is not None else []
    return papers or list(dossier.procedure.papers.all())


def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supplement_form: SupplementForm | None = None,
    supplement_error: str = "",
    rating_error: str = "",
    status: int = 200,
) -> HttpResponse:
    open_request = _supplement_request(dossier)
    if open_request is not None and supplement_form is None:
        supplement_form = SupplementForm(papers=_supplement_papers(dossier, open_request))
    result = dossier_result_file(dossier)
    left = days_left(dossier)
    context = {
        "dossier": dossier,
        "timeline": list(reversed(public_timeline(dossier))),
        "days_left": left,
        "days_late": -left if left is not None and left < 0 else None,
        "open_request": open_request,
        "answered_requests": dossier.supplements.filter(answered_at__isnull=False).order_by(
            "-round"
        ),
        "supplement_form": supplement_form if open_request is not None else None,
        "supplement_error": supplement_error,
        "verification": result_verification(result[0]) if result else None,
        "apologies": list(public_apologies(dossier)),
        "can_rate": can_rate(dossier),
        "rating": getattr(dossier, "satisfaction", None),
        "rating_error": rating_error,
        "scores": range(1, 6),
    }
    return page(request, "portal/dossier.html", context, status=status)


@portal_view(private=True)
@require_http_methods(["GET"])
def dossier_detail(request: HttpRequest) -> HttpResponse:
    """The tracking page of the session's dossier."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    return _dossier_page(request, dossier)


@portal_view(private=True)
@require_POST
def supplement_upload(request: HttpRequest) -> HttpResponse:
    """The citizen's answer to a supplement request; refused with a message once the dossier
    no longer waits for papers (closed, already answered)."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    if ratelimit.rate_limit_hit(request, "upload"):
        return rate_limited(request, "upload")
    if dossier.status != Dossier.Status.SUPPLEMENT:
        return _dossier_page(
            request,
            dossier,
            supplement_error=_(
                "This dossier is not waiting for papers (it is “%(status)s”); nothing was sent."
            )
            % {"status": dossier.get_status_display()},
            status=409,
        )
    papers = _supplement_papers(dossier, _supplement_request(dossier))
    if _declared_length(request) > upload_limit_bytes(papers, extra=True):
        return _dossier_page(request, dossier, supplement_error=_too_large(), status=413)
    form = SupplementForm(request.POST, request.FILES, papers=papers)
    if form.is_valid():
        try:
            dossier_submit_supplement(
                dossier=dossier,
                files=form.files_by_paper(),
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the papers were sent to the officer."))
            return redirect("portal:dossier")
    return _dossier_page(request, dossier, supplement_form=form, status=400)


@portal_view(private=True)
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """The citizen's satisfaction rating (1–5) of the session's returned dossier, once."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    if ratelimit.rate_limit_hit(request, "rating"):
        return rate_limited(request, "rating")
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        satisfaction_rate(dossier=dossier, score=score)
    except ValidationError as error:
        message = " ".join(error.messages)
        return _dossier_page(request, dossier, rating_error=message, status=400)
    messages.success(request, _("Thank you for your rating."))
    return redirect("portal:dossier")


@portal_view(private=True)
@require_http_methods(["GET"])
def result_download(request: HttpRequest) -> HttpResponse:
    """The signed result PDF, once the dossier is processed."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    result = dossier_result_file(dossier)
    if result is None:
        return not_found(request)
    content, name = result
    with transaction.atomic():  # the audit chain locks its head row
        audit_record(actor=None, action="dossier.result_download", target=dossier)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return no_referrer(response)


@portal_view(private=True)
@require_http_methods(["GET"])
def receipt_download(request: HttpRequest) -> HttpResponse:
    """The receipt (and appointment slip) of the session's dossier, with its QR link."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    content = receipt_pdf(dossier, tracking_url=tracking_url(dossier))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{dossier.code}-phieu-tiep-nhan.pdf"
    )
    return no_referrer(response)


@portal_view(private=True)
@require_http_methods(["GET"])
def apology_download(request: HttpRequest, letter_id: int) -> HttpResponse:
    """An approved apology letter of the session's dossier (drafts/cancelled/others: 404)."""
    dossier = session_dossier(request)
    if dossier is None:
        return redirect("portal:lookup")
    letter = public_apologies(dossier).filter(pk=letter_id).first()
    if letter is None:
        return not_found(request)
    content = apology_pdf(letter)
    with transaction.atomic():  # the audit chain locks its head row
        audit_record(actor=None, action="dossier.apology_download", target=letter)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{dossier.code}-phieu-xin-loi-{letter.pk}.pdf"
    )
    return no_referrer(response)
