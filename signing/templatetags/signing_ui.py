"""Template helpers of the verification pages and the "Chữ ký số" panel of the document page
(so the edoc views need not know about signatures: one include renders the panel)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from edoc.models import Document, DocumentFile
from signing.selectors import verification_reports_latest
from signing.validation.verdict import (
    ReportVerdict,
    SignatureVerdict,
    report_verdict,
    signature_verdict,
    trust_problem_text,
)

register = template.Library()


def render_document_signatures(
    request: HttpRequest | None, document: Document, files: Iterable[DocumentFile] | None = None
) -> str:
    """The panel: every file version with its latest stored verification report."""
    versions = list(files) if files is not None else list(document.files.order_by("-version"))
    reports = verification_reports_latest([f.pk for f in versions])
    return render_to_string(
        "signing/verify_document_panel.html",
        {
            "document": document,
            "rows": [{"file": f, "stored": reports.get(f.pk)} for f in versions],
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def document_signatures(
    context: template.Context, document: Document, files: Iterable[DocumentFile] | None = None
) -> SafeString:
    """{% document_signatures document files %}: the "Chữ ký số" panel."""
    return SafeString(render_document_signatures(context.get("request"), document, files))


@register.simple_tag
def report_judged(report: dict[str, Any]) -> ReportVerdict:
    """{% report_judged report as verdict %}: ok and summary of a (stored) report, recomputed
    from its facts in the active language (signing.validation.verdict.report_verdict)."""
    return report_verdict(report)


@register.simple_tag
def signature_judged(entry: dict[str, Any]) -> SignatureVerdict:
    """{% signature_judged entry as verdict %}: ok, problems, changes and summary of one
    signature of a report (signing.validation.verdict.signature_verdict)."""
    return signature_verdict(entry)


@register.filter
def trust_text(code: str | None) -> str:
    return trust_problem_text(code)


@register.filter
def iso_time(value: str | None) -> str:
    """An ISO 8601 time of the report as local "dd/mm/yyyy HH:MM:SS"."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M:%S")


@register.filter
def iso_date(value: str | None) -> str:
    return iso_time(value)[:10]


@register.simple_tag
def signature_badge(verdict: SignatureVerdict) -> SafeString:
    """The one-word state of a signature (its verdict) as a coloured badge."""
    problems = verdict.problems
    if verdict.ok:
        css, label = "badge-success", _("Valid")
    elif "not_intact" in problems or "invalid" in problems:
        css, label = "badge-danger", _("Not intact")
    elif "modified" in problems:
        css, label = "badge-danger", _("Modified after signing")
    elif "revoked" in problems:
        css, label = "badge-danger", _("Revoked")
    elif "untrusted" in problems:
        css, label = "badge-warning", _("Not trusted")
    else:
        css, label = "badge-warning", _("Problem")
    return format_html('<span class="badge {} sig-state">{}</span>', css, label)


@register.simple_tag
def report_badge(report: dict[str, Any] | None) -> SafeString:
    """The state of a whole file: all valid, problems, unsigned or unreadable."""
    if not report:
        return format_html('<span class="badge badge-muted">{}</span>', _("Not verified"))
    if report.get("error"):
        return format_html('<span class="badge badge-danger">{}</span>', _("Unreadable"))
    if not report.get("signatures"):
        return format_html('<span class="badge badge-muted">{}</span>', _("No signature"))
    verdict = report_verdict(report)
    if verdict.ok:
        return format_html('<span class="badge badge-success">{}</span>', _("Valid"))
    if any("modified" in signature.problems for signature in verdict.signatures):
        return format_html(
            '<span class="badge badge-danger">{}</span>', _("Modified after signing")
        )
    return format_html('<span class="badge badge-danger">{}</span>', _("Has problems"))
