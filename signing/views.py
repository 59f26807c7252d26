"""Verification pages: the public "verify a signed document" page and the staff actions of
the "Chữ ký số" panel on the document page (re-verify, JSON and ETSI XML downloads).

The public page needs no login. Uploads are read into memory only (never written to disk or
storage), limited to EDOC_MAX_UPLOAD_MB, and verification attempts are rate-limited per
client IP through Django's cache (EDOC_VERIFY_RATE_LIMIT attempts per
EDOC_VERIFY_RATE_WINDOW seconds; defaults 20 per 3600). Every refusal has the same shape:
the page with one message (or, with format=json, {"error": {"code", "message"}}) and status
400, 413 or 429. POST format=json or format=xml returns the JSON or ETSI report as a
download instead of the page.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from edoc.middleware import client_ip
from edoc.selectors.access import document_get_for_user
from signing.models import VerificationReport
from signing.selectors import trust_root_certificates, verification_report_latest
from signing.validation.reading import PdfUnreadable
from signing.validation.verify import Verification, pdf_verify
from signing.verification import document_file_verify, verification_report_export

logger = logging.getLogger(__name__)

FORMATS = ("html", "json", "xml")
FORM_OVERHEAD = 64 * 1024  # multipart headers and the other fields around the file


def _too_large_message() -> str:
    return _("The file is larger than the %(limit)s MB limit.") % {
        "limit": settings.EDOC_MAX_UPLOAD_MB
    }


# --------------------------------------------------------------------------- public page


def max_upload_bytes() -> int:
    return settings.EDOC_MAX_UPLOAD_MB * 1024 * 1024


class _MemoryLimitedUpload(FileUploadHandler):
    """Keeps the uploaded file in memory (nothing touches the disk) and stops reading once
    it exceeds the size limit."""

    def __init__(self, request: HttpRequest | None = None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self._chunks: list[bytes] = []
        self._size = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self._chunks, self._size = [], 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        if self._size > self.limit:
            self.too_large = True
            self._chunks = []
            raise StopUpload(connection_reset=False)
        self._chunks.append(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        content = b"".join(self._chunks)
        self._chunks = []
        return InMemoryUploadedFile(
            io.BytesIO(content),
            self.field_name,
            self.file_name,
            self.content_type,
            len(content),
            self.charset,
            self.content_type_extra,
        )


def rate_limit_exceeded(request: HttpRequest) -> bool:
    """Count one verification attempt of the client; True once over the limit."""
    limit = getattr(settings, "EDOC_VERIFY_RATE_LIMIT", 20)
    window = getattr(settings, "EDOC_VERIFY_RATE_WINDOW", 3600)
    key = f"signing:verify-rate:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    return count > limit


def _refusal(request: HttpRequest, fmt: str, code: str, message: str, status: int):
    if fmt in ("json", "xml"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return _render_page(request, error=message, status=status)


def _render_page(
    request: HttpRequest,
    *,
    verification: Verification | None = None,
    file_name: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "max_upload_mb": settings.EDOC_MAX_UPLOAD_MB,
        "trust_roots": [r.subject.native.get("common_name", "") for r in trust_root_certificates()],
        "error": error,
        "file_name": file_name,
    }
    if verification is not None:
        report = verification.report
        context.update(
            {
                "report": report,
                "json_data_url": _data_url(
                    json.dumps(report, ensure_ascii=False, indent=2).encode(), "application/json"
                ),
                "xml_data_url": (
                    _data_url(verification.etsi_xml.encode(), "application/xml")
                    if verification.etsi_xml
                    else ""
                ),
                "download_stem": _stem(file_name),
            }
        )
    response = render(request, "signing/verify.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _data_url(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _stem(file_name: str) -> str:
    stem = (file_name.rsplit(".", 1)[0] if "." in file_name else file_name) or "document"
    return f"{stem[:80]}-verification"


def _download(content: str | bytes, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Xác thực văn bản điện tử: upload a PDF, see the report. CSRF is checked in
    _verify_upload, after the memory-only upload handler is installed."""
    if request.method == "POST":
        # Counted before the body is read, so a flood costs no parsing.
        if rate_limit_exceeded(request):
            return _refusal(
                request,
                _format(request.GET.get("format")),
                "rate_limited",
                _("Too many verifications from your address; please try again later."),
                429,
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > max_upload_bytes() + FORM_OVERHEAD:
            return _refusal(
                request,
                _format(request.GET.get("format")),
                "too_large",
                _too_large_message(),
                413,
            )
        handler = _MemoryLimitedUpload(request, limit=max_upload_bytes())
        request.upload_handlers = [handler]
        return _verify_upload(request, handler)
    return _render_page(request)


def _format(value: str | None) -> str:
    return value if value in FORMATS else "html"


@csrf_protect
def _verify_upload(request: HttpRequest, handler: _MemoryLimitedUpload) -> HttpResponse:
    fmt = _format(request.POST.get("format") or request.GET.get("format"))
    upload = request.FILES.get("file")
    if handler.too_large or (upload is not None and upload.size > max_upload_bytes()):
        return _refusal(request, fmt, "too_large", _too_large_message(), 413)
    if upload is None:
        return _refusal(request, fmt, "no_file", _("Choose a PDF file to verify."), 400)
    content = upload.read()
    name = (upload.name or "document.pdf")[-200:]
    try:
        verification = pdf_verify(content)
    except PdfUnreadable as error:
        return _refusal(request, fmt, error.code, error.message, 400)
    logger.info(
        "public verification: %s signature(s), ok=%s", verification.signature_count, verification.ok
    )
    if fmt == "json":
        return _download(
            json.dumps(verification.report, ensure_ascii=False, indent=2),
            f"{_stem(name)}.json",
            "application/json; charset=utf-8",
        )
    if fmt == "xml":
        if not verification.etsi_xml:
            return _refusal(request, fmt, "unsigned", _("The PDF has no digital signature."), 400)
        return _download(
            verification.etsi_xml, f"{_stem(name)}.xml", "application/xml; charset=utf-8"
        )
    return _render_page(request, verification=verification, file_name=name)


# --------------------------------------------------------------------------- staff actions


def _document_file(request: HttpRequest, pk: int, file_pk: int):
    document = document_get_for_user(request.user, pk)
    return document, get_object_or_404(document.files, pk=file_pk)


@login_required
@require_POST
def reverify(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Xác thực lại: verify the stored file version again and keep the new report."""
    document, document_file = _document_file(request, pk, file_pk)
    document_file_verify(
        document_file=document_file, trigger=VerificationReport.Trigger.MANUAL, user=request.user
    )
    if request.htmx:
        from signing.templatetags.signing_ui import render_document_signatures

        return HttpResponse(render_document_signatures(request, document))
    return redirect(reverse("edoc:document_detail", args=[document.pk]) + "#signatures")


@login_required
@require_http_methods(["GET"])
def report_download(request: HttpRequest, pk: int, file_pk: int, fmt: str) -> HttpResponse:
    """The stored report of a file version as JSON or ETSI XML (404 when there is none)."""
    _document, document_file = _document_file(request, pk, file_pk)
    report = verification_report_latest(document_file.pk)
    if report is None or (fmt == "xml" and not report.etsi_report):
        return HttpResponse(_("No verification report."), status=404, content_type="text/plain")
    content = verification_report_export(user=request.user, report=report, fmt=fmt)
    stem = _stem(document_file.original_name or "document.pdf") + f"-v{document_file.version}"
    if fmt == "json":
        return _download(content, f"{stem}.json", "application/json; charset=utf-8")
    return _download(content, f"{stem}.xml", "application/xml; charset=utf-8")
