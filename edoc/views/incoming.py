"""Incoming documents: registration with a PDF proposal, assignment and handling actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc import forms
from edoc.models import Assignment, Document, RegisterBook
from edoc.selectors.access import can_register_incoming, document_get_for_user
from edoc.selectors.documents import DuplicateHint, duplicate_hints, possible_duplicates
from edoc.services import handling
from edoc.services.documents import PossibleDuplicate, books_for_clerk, incoming_register
from edoc.services.files import ValidatedPdf, pdf_validate
from edoc.services.proposals import proposal_for_upload, proposed_fields
from edoc.views.common import (
    active_content_warning,
    form_add_service_errors,
    validated_upload,
    warn_active_content,
)
from edoc.views.documents import document_page


def _require_clerk(request: HttpRequest) -> list[RegisterBook]:
    if not can_register_incoming(request.user):
        raise PermissionDenied(_("Only clerks register incoming documents."))
    return books_for_clerk(request.user, kind=RegisterBook.Kind.INCOMING)


def register_from_form(
    request: HttpRequest, form: django_forms.Form, register_document: Callable[[], Document]
) -> tuple[Document | None, list[DuplicateHint] | None]:
    """Run a registration for a valid register form: the document (and the success message),
    or None with the service's errors on the form and, for an unconfirmed possible duplicate,
    the earlier entries to show."""
    try:
        document = register_document()
    except PossibleDuplicate as error:  # not confirmed: show what was found
        form_add_service_errors(form, error)
        return None, duplicate_hints(request.user, error.matches)
    except ValidationError as error:
        form_add_service_errors(form, error)
        return None, None
    messages.success(
        request,
        _("Incoming document registered. Incoming number: %(number)s.")
        % {"number": document.book_number},
    )
    return document, None


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register an incoming document: PDF (optional) and its fields, in one request."""
    books = _require_clerk(request)
    duplicates = None
    if request.method == "POST":
        form = forms.IncomingRegisterForm(request.POST, request.FILES, books=books)
        if form.is_valid():
            ok, pdf = validated_upload(form)
            if ok:
                # What the proposal step read (a scan's OCR is not read again here: after
                # the response, edoc.background).
                proposal = proposal_for_upload(pdf, read_scans=False) if pdf else None
                document, duplicates = register_from_form(
                    request,
                    form,
                    lambda: incoming_register(
                        user=request.user,
                        pdf=pdf,
                        extraction_proposal=proposal,
                        **form.service_kwargs(),
                    ),
                )
                if document is not None:
                    warn_active_content(request, pdf)
                    return redirect("edoc:document_detail", pk=document.pk)
        if request.FILES.get("file") and form.errors:
            form.add_error(
                None, _("Please choose the PDF file again before resubmitting the form.")
            )
    else:
        form = forms.IncomingRegisterForm(books=books)
    return render(
        request,
        "edoc/incoming_register.html",
        {"form": form, "proposed": set(), "duplicates": duplicates},
    )


@login_required
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    """Validate the chosen PDF and return the form fields pre-filled from its text.

    Nothing is stored. Fields the clerk already typed are kept.
    """
    books = _require_clerk(request)
    typed = {
        name: request.POST.get(name, "").strip()
        for name in forms.IncomingRegisterForm.base_fields
        if name not in ("file", "confirm_duplicate")  # a new file needs a new confirmation
    }
    upload = request.FILES.get("file")
    file_errors: list[str] = []
    proposal: dict[str, Any] = {}
    page_count = None
    pdf = None
    active_content = ""
    if upload is None:
        file_errors.append(_("Choose a PDF file."))
    else:
        try:
            pdf = pdf_validate(upload, upload.name)
        except ValidationError as error:
            file_errors.extend(error.messages)
        else:
            page_count = pdf.page_count
            active_content = active_content_warning(pdf)
            proposal = proposal_for_upload(pdf)
    given = {name: value for name, value in typed.items() if value}
    filled = proposed_fields(proposal, given)
    form = forms.IncomingRegisterForm(initial={**given, **filled}, books=books)
    duplicates = _proposal_duplicates(request, form, pdf) if pdf else None
    return render(
        request,
        "edoc/partials/register_fields.html",
        {
            "form": form,
            "proposed": set(filled),
            "file_errors": file_errors,
            "file_checked": upload is not None and not file_errors,
            "page_count": page_count,
            "active_content": active_content,
            "extraction_empty": upload is not None and not file_errors and not filled,
            # A scan: its first and last pages were read by OCR while the clerk waited.
            "read_by_ocr": bool(pdf and pdf.text.ocr),
            "duplicates": duplicates,
            "oob": True,
        },
    )


def _proposal_duplicates(
    request: HttpRequest, form: forms.IncomingRegisterForm, pdf: ValidatedPdf
) -> list[DuplicateHint] | None:
    """Earlier entries that may be the same document as the proposal (same file, or the same
    issuer, number, notation and date as the fields now hold), as the clerk may see them."""

    def value(name: str) -> Any:
        try:
            return form.fields[name].clean(form.initial.get(name))
        except ValidationError:
            return None

    organization = value("issuer_organization")
    return possible_duplicates(
        request.user,
        sha256=pdf.sha256,
        issuer=value("issuer") or (organization.name if organization else ""),
        number=value("number") or "",
        notation=value("notation") or "",
        issue_date=value("issue_date"),
    )


def _post_action(
    request: HttpRequest,
    document: Document,
    form: django_forms.Form,
    bound_key: Any,
    action: Callable[[dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Run a service with a valid form; show errors on the document page, redirect on success."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("edoc:document_detail", pk=document.pk)
    return document_page(request, document, bound={bound_key: form})


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader assigns the lead handler, coordinators and for-information recipients."""
    document = document_get_for_user(request.user, pk)
    form = forms.AssignForm(request.POST, user=request.user)
    return _post_action(
        request,
        document,
        form,
        "assign",
        lambda data: handling.document_assign(user=request.user, document=document, **data),
        _("The document was assigned."),
    )


def _assignment(request: HttpRequest, pk: int, assignment_pk: int) -> tuple[Document, Assignment]:
    document = document_get_for_user(request.user, pk)
    return document, get_object_or_404(document.assignments, pk=assignment_pk)


@login_required
@require_POST
def assignment_forward(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    document, assignment = _assignment(request, pk, assignment_pk)
    form = forms.ForwardForm(request.POST, user=request.user, prefix=f"fw{assignment.pk}")
    return _post_action(
        request,
        document,
        form,
        (assignment.pk, "forward_form"),
        lambda data: handling.assignment_forward(user=request.user, assignment=assignment, **data),
        _("The task was forwarded."),
    )


@login_required
@require_POST
def assignment_complete(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    document, assignment = _assignment(request, pk, assignment_pk)
    form = forms.CompleteForm(request.POST, prefix=f"cp{assignment.pk}")
    return _post_action(
        request,
        document,
        form,
        (assignment.pk, "complete_form"),
        lambda data: handling.assignment_complete(
            user=request.user, assignment=assignment, comment=data["comment"]
        ),
        _("The task was marked as completed."),
    )


@login_required
@require_POST
def assignment_return(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    document, assignment = _assignment(request, pk, assignment_pk)
    form = forms.ReturnForm(request.POST, prefix=f"rt{assignment.pk}")
    return _post_action(
        request,
        document,
        form,
        (assignment.pk, "return_form"),
        lambda data: handling.assignment_return(
            user=request.user, assignment=assignment, reason=data["reason"]
        ),
        _("The document was returned to the clerk."),
    )


@login_required
@require_POST
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk sends a returned document back to the leaders."""
    document = document_get_for_user(request.user, pk)
    form = forms.ResubmitForm(request.POST)
    return _post_action(
        request,
        document,
        form,
        "resubmit",
        lambda data: handling.incoming_resubmit(
            user=request.user, document=document, comment=data["comment"]
        ),
        _("The document was sent back for assignment."),
    )
