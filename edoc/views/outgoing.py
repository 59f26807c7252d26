"""Outgoing documents: draft, edit, new file version, submit, issue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc import forms
from edoc.models import Document
from edoc.selectors.access import document_get_for_user, edit_draft_actor, require
from edoc.services.documents import (
    document_file_add,
    document_update,
    outgoing_create,
    outgoing_issue,
    outgoing_set_recipients,
    outgoing_submit,
)
from edoc.views.common import form_add_service_errors, validated_upload, warn_active_content
from edoc.views.documents import document_page


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Start an outgoing draft (soạn văn bản đi)."""
    if not request.user.unit_id:
        raise PermissionDenied(_("You are not placed in a unit."))
    if request.method == "POST":
        form = forms.OutgoingForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            ok, pdf = validated_upload(form)
            if ok:
                data = dict(form.cleaned_data)
                data.pop("file")
                try:
                    document = outgoing_create(user=request.user, pdf=pdf, **data)
                except ValidationError as error:
                    form_add_service_errors(form, error)
                else:
                    messages.success(request, _("The draft was created."))
                    warn_active_content(request, pdf)
                    return redirect("edoc:document_detail", pk=document.pk)
        if request.FILES.get("file") and form.errors:
            form.add_error(
                None, _("Please choose the PDF file again before resubmitting the form.")
            )
    else:
        form = forms.OutgoingForm(user=request.user)
    return render(request, "edoc/outgoing_form.html", {"form": form, "document": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft's metadata and recipients (drafter or head of the drafting unit)."""
    document = document_get_for_user(request.user, pk)
    require(edit_draft_actor(request.user, document))
    if request.method == "POST":
        form = forms.OutgoingForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            units = data.pop("recipient_units")
            organizations = data.pop("recipient_organizations")
            signer = data["signer"]
            if signer is None:
                data.update(signer_name="", signer_position="")
            elif signer.pk != document.signer_id:
                data.update(signer_name=signer.get_full_name(), signer_position=signer.position)
            try:
                with transaction.atomic():
                    document_update(user=request.user, document=document, **data)
                    outgoing_set_recipients(
                        user=request.user,
                        document=document,
                        units=units,
                        organizations=organizations,
                    )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("edoc:document_detail", pk=document.pk)
    else:
        recipients = document.recipients.all()
        form = forms.OutgoingForm(
            user=request.user,
            editing=True,
            initial={
                "document_type": document.document_type_id,
                "subject": document.subject,
                "urgency": document.urgency_id,
                "field": document.field_id,
                "signer": document.signer_id,
                "note": document.note,
                "recipient_units": [r.unit_id for r in recipients if r.unit_id],
                "recipient_organizations": [
                    r.organization_id for r in recipients if r.organization_id
                ],
            },
        )
    return render(request, "edoc/outgoing_form.html", {"form": form, "document": document})


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a new version of the draft's PDF."""
    document = document_get_for_user(request.user, pk)
    form = forms.FileVersionForm(request.POST, request.FILES)
    if form.is_valid():
        ok, pdf = validated_upload(form)
        if ok:
            try:
                version = document_file_add(
                    user=request.user,
                    document=document,
                    pdf=pdf,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Version %(version)s was uploaded.") % {"version": version.version}
                )
                warn_active_content(request, pdf)
                return redirect("edoc:document_detail", pk=document.pk)
    return document_page(request, document, bound={"file": form})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the draft for issuance."""
    document = document_get_for_user(request.user, pk)
    form = forms.SubmitForm(request.POST)
    if form.is_valid():
        try:
            outgoing_submit(
                user=request.user, document=document, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The draft was submitted for issuance."))
            return redirect("edoc:document_detail", pk=document.pk)
    return document_page(request, document, bound={"submit": form})


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk numbers and issues the document."""
    document = document_get_for_user(request.user, pk)
    form = forms.IssueForm(request.POST)
    if form.is_valid():
        try:
            issued: Document = outgoing_issue(
                user=request.user, document=document, issue_date=form.cleaned_data["issue_date"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("The document was issued. No.: %(symbol)s") % {"symbol": issued.symbol}
            )
            return redirect("edoc:document_detail", pk=document.pk)
    return document_page(request, document, bound={"issue": form})
