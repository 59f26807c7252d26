"""Register books (sổ văn bản): list, entries, PDF and Excel exports."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from edoc.models import RegisterBook
from edoc.selectors.documents import register_book_entries, register_book_list
from edoc.services.audit import audit_record
from edoc.text import fold
from edoc.views.common import paginate

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book_for_user(request: HttpRequest, pk: int) -> RegisterBook:
    book = register_book_list(request.user).filter(pk=pk).first()
    if book is None:
        raise Http404("No such register book.")
    return book


@login_required
def book_list(request: HttpRequest) -> HttpResponse:
    """Register books holding documents the user may see."""
    books = register_book_list(request.user).order_by("-year", "kind", "is_confidential", "name")
    return render(request, "edoc/register_books.html", {"books": books})


@login_required
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries of one book the user may see, in register order."""
    book = _book_for_user(request, pk)
    page = paginate(request, register_book_entries(request.user, book), per_page=50)
    return render(request, "edoc/register_book_detail.html", {"book": book, "page": page})


def _export(
    request: HttpRequest,
    pk: int,
    build: Callable[..., bytes],
    extension: str,
    content_type: str,
) -> HttpResponse:
    book = _book_for_user(request, pk)
    entries = register_book_entries(request.user, book)
    content = build(book, entries)
    audit_record(
        actor=request.user,
        action="register_book.export",
        target=book,
        details={"format": extension, "entries": entries.count()},
    )
    filename = f"{slugify(fold(book.name)) or 'so-van-ban'}-{book.year}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def book_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The book printed as a PDF (Decree 30 register layout)."""
    from edoc.exports import register_book_pdf

    return _export(request, pk, register_book_pdf, "pdf", "application/pdf")


@login_required
def book_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The book as an Excel workbook."""
    from edoc.exports import register_book_xlsx

    return _export(request, pk, register_book_xlsx, "xlsx", XLSX_TYPE)
