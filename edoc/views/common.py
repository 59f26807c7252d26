"""Helpers shared by the UI views: service errors onto forms, pagination, uploads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from edoc.pdfcheck import active_content_labels
from edoc.services.files import ValidatedPdf, pdf_validate

PAGE_SIZE = 25


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has that field,
    otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def validated_upload(form: forms.Form, name: str = "file") -> tuple[bool, ValidatedPdf | None]:
    """Validate the form's uploaded PDF, if any. Returns (ok, pdf); errors go onto the field."""
    upload: UploadedFile | None = form.cleaned_data.get(name)
    if not upload:
        return True, None
    try:
        return True, pdf_validate(upload, upload.name)
    except ValidationError as error:
        form.add_error(name, error)
        return False, None


def active_content_warning(pdf: ValidatedPdf | None) -> str:
    """What the uploader is told about a PDF with active content ("" when it has none)."""
    if pdf is None or not pdf.active_content:
        return ""
    return _(
        "This PDF contains active content (%(kinds)s). It is kept unchanged, flagged and "
        "offered for download only, never opened in the browser."
    ) % {"kinds": active_content_labels(pdf.active_content)}


def warn_active_content(request: HttpRequest, pdf: ValidatedPdf | None) -> None:
    """After an upload is stored: the active-content warning as a page message."""
    warning = active_content_warning(pdf)
    if warning:
        messages.warning(request, warning)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """One page of `queryset`; a bad or too large page number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
