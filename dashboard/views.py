"""The operations dashboard: the page, each panel as an htmx fragment, its XLSX export, the
whole dashboard as PDF and the public page of the service indicators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from dashboard import access, registry
from dashboard.exports import panel_xlsx
from dashboard.filters import DashboardFilterForm, Filters
from edoc.services.audit import audit_record
from payments.xlsx import xlsx_response


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, Filters]:
    form = DashboardFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


@login_required
def page(request: HttpRequest) -> HttpResponse:
    """The dashboard: filters, then each panel loading on its own."""
    access.require_dashboard(request.user)
    form, filters = _filters(request)
    if not form.is_bound or not form.is_valid():
        errors = (
            [error for errors in form.errors.values() for error in errors] if form.is_bound else []
        )
        form = DashboardFilterForm(
            initial={"date_from": filters.range.date_from, "date_to": filters.range.date_to},
            user=request.user,
        )
        form.shown_errors = errors
    return render(
        request,
        "dashboard/page.html",
        {
            "form": form,
            "filters": filters,
            "query": urlencode(filters.query()),
            "panels": registry.panels(),
        },
    )


def _panel(request: HttpRequest, key: str):
    access.require_dashboard(request.user)
    panel = registry.panel_get(key)
    if panel is None:
        raise Http404
    _form, filters = _filters(request)
    return panel, filters, panel.context(request.user, filters)


@login_required
def panel(request: HttpRequest, key: str) -> HttpResponse:
    """One panel's fragment (htmx), computed for the user and the filters."""
    panel, filters, data = _panel(request, key)
    return render(
        request,
        panel.template_name,
        {
            "panel": panel,
            "data": data,
            "filters": filters,
            "query": urlencode(filters.query()),
        },
    )


@login_required
def panel_export(request: HttpRequest, key: str) -> HttpResponse:
    """One panel's tables as an XLSX workbook (audited)."""
    panel, filters, data = _panel(request, key)
    if data is None:
        raise Http404
    content = panel_xlsx(str(panel.title), filters, panel.xlsx(data))
    audit_record(
        actor=request.user,
        action="dashboard.export",
        details={"panel": key, "format": "xlsx", **filters.query()},
    )
    return xlsx_response(
        content,
        f"bang-dieu-khien-{key}-{filters.range.date_from:%Y%m%d}-{filters.range.date_to:%Y%m%d}.xlsx",
    )


def public(request: HttpRequest) -> HttpResponse:
    """The public-service indicators of the agency, for anyone (numbers only, no login)."""
    from django.contrib.auth.models import AnonymousUser

    from dashboard import selectors
    from onestop.portal.web import portal_agency

    form = DashboardFilterForm(request.GET or None, user=AnonymousUser())
    filters = form.filters()
    agency = portal_agency()
    data = selectors.public_panel(agency.pk, filters.range) if agency is not None else None
    if not form.is_bound or not form.is_valid():
        form = DashboardFilterForm(
            initial={"date_from": filters.range.date_from, "date_to": filters.range.date_to},
            user=AnonymousUser(),
        )
    return render(
        request,
        "dashboard/public.html",
        {"form": form, "filters": filters, "agency": agency, "data": data},
    )


@login_required
def pdf(request: HttpRequest) -> HttpResponse:
    """The whole dashboard, for the user and the filters, as a PDF (audited)."""
    from django.utils.http import content_disposition_header

    from dashboard.exports import dashboard_pdf

    access.require_dashboard(request.user)
    _form, filters = _filters(request)
    content = dashboard_pdf(request.user, filters)
    audit_record(
        actor=request.user,
        action="dashboard.export",
        details={"panel": "all", "format": "pdf", **filters.query()},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"bang-dieu-khien-{filters.range.date_from:%Y%m%d}-{filters.range.date_to:%Y%m%d}.pdf"
    )
    return response
