"""Signing pages: sign a document as the assignee of its "sign" step; a user's own signing
certificates ("Chứng thư số": the registered ones, and sending one for approval).

The signing form also appears on the workflow task page of a "sign" step; both complete the
task, and signing happens then. Anyone else gets 403 (and the attempt is audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from edoc.models import Document
from identity.stepup import signing_reauth_check
from signing.audit import refusal_record
from signing.forms import CertificateRequestForm, SignForm
from signing.selectors import signer_certificates_of
from signing.services.permissions import sign_step_for
from signing.signer_certificates import signer_certificate_request, signer_certificate_withdraw
from signing.steps import sign_steps

FORM_PREFIX = "action"
SECRET_FIELDS = (f"{FORM_PREFIX}-passphrase", f"{FORM_PREFIX}-pin")


@sensitive_post_parameters(*SECRET_FIELDS)
@login_required
def document_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Ký số: GET shows the signing form, POST signs and completes the signing task."""
    document = get_object_or_404(Document, pk=pk)
    item, actor = sign_step_for(request.user, document)
    if item is None:
        if request.method == "POST":
            refusal_record(
                actor=request.user, target=document, code="not_your_step", details={"via": "page"}
            )
        raise PermissionDenied(
            _("Only the person whose signing step it is may sign this document.")
        )
    bound = request.method == "POST"
    if not bound:  # a stale second factor: the verify page first, then back here
        signing_reauth_check(request.user, record=False)
    form = SignForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        user=request.user,
        work_item=item,
        prefix=FORM_PREFIX,
    )
    steps = sign_steps()
    complete_form = steps.comment_form(request.POST if bound else None)
    status = 200
    if bound:
        if form.is_valid() & complete_form.is_valid():
            try:
                steps.complete(
                    user=request.user,
                    task=item,
                    comment=complete_form.cleaned_data["comment"],
                    data=dict(form.cleaned_data),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The document has been signed."))
                return redirect("edoc:document_detail", pk=document.pk)
        status = 400
    return render(
        request,
        "signing/sign.html",
        {
            "document": document,
            "item": item,
            "task_url": steps.task_url(item),
            "actor": actor,
            "form": form,
            "complete_form": complete_form,
            "latest": document.latest_file(),
            "signatures": document.signature_records.select_related("signer").order_by("signed_at"),
        },
        status=status,
    )


def _add_errors(form: SignForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@sensitive_post_parameters("passphrase")
@login_required
@require_http_methods(["GET", "POST"])
def certificates(request: HttpRequest) -> HttpResponse:
    """Chứng thư số: the user's registered certificates; POST sends one for approval."""
    form = CertificateRequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = signer_certificate_request(
                    user=request.user,
                    certificate=form.cleaned_data["certificate"],
                    source=form.cleaned_data["source"],
                )
            except ValidationError as error:
                form.add_error("certificate_file", error)
            else:
                messages.success(
                    request,
                    _(
                        "Your certificate (%(holder)s) was sent; an administrator will approve "
                        "it before you can sign with it."
                    )
                    % {"holder": record.common_name},
                )
                return redirect("signing_sign:certificates")
        status = 400
    return render(
        request,
        "signing/certificates.html",
        {"form": form, "registrations": signer_certificates_of(request.user)},
        status=status,
    )


@login_required
@require_POST
def certificate_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder withdraws one of their registrations (a lost key, a replaced certificate)."""
    record = get_object_or_404(signer_certificates_of(request.user), pk=pk)
    try:
        signer_certificate_withdraw(actor=request.user, record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The registration was withdrawn; it can no longer sign."))
    return redirect("signing_sign:certificates")
