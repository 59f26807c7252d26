"""Health record pages: the people list and a person's record. Every page asks the access
selector (`health.access`) and every view, search and print is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from edoc.services.audit import audit_record
from edoc.text import nfc
from edoc.views.common import form_add_service_errors, paginate
from health import access, exports, reports, selectors, services
from health.forms import ExportReasonForm, PersonForm, ReportExportForm, ReportForm


def _require_role(request: HttpRequest) -> None:
    """Users without a health role see nothing: the pages do not exist for them."""
    if not access.has_health_role(request.user):
        raise Http404


def _record(person) -> dict:
    """The parts of a record its pages show."""
    return {
        "person": person,
        "timeline": selectors.person_timeline(person),
        **selectors.person_history(person),
    }


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    """The people the officer may see, searched by name (diacritics optional) or citizen ID."""
    _require_role(request)
    query = nfc(request.GET.get("q", ""))[:100]
    page = paginate(request, selectors.search_people(request.user, query), per_page=50)
    audit_record(
        actor=request.user,
        action="health.people_searched" if query else "health.people_listed",
        details={"query": query, "page": page.number, "shown": len(page.object_list)},
    )
    return render(request, "health/people_list.html", {"page": page, "q": query})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record: administrative part, history, timeline of visits and vaccinations."""
    _require_role(request)
    person = access.person_or_404(request.user, pk)
    audit_record(actor=request.user, action="health.person_viewed", target=person)
    context = _record(person) | {
        "may_print": access.can_export(request.user),
        "form": ExportReasonForm(),
    }
    return render(request, "health/person_detail.html", context)


@login_required
@require_http_methods(["POST"])
def person_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable summary of a record: an export, so it needs the right and a reason."""
    _require_role(request)
    person = access.person_or_404(request.user, pk)
    if not access.can_export(request.user):
        raise PermissionDenied(_("Your health role does not allow printing or exporting records."))
    form = ExportReasonForm(request.POST)
    if not form.is_valid():
        context = _record(person) | {"may_print": True, "form": form}
        return render(request, "health/person_detail.html", context, status=400)
    reason = form.cleaned_data["reason"]
    audit_record(
        actor=request.user,
        action="health.person_exported",
        target=person,
        details={"format": "print", "reason": reason},
    )
    context = _record(person) | {"reason": reason}
    return render(request, "health/person_summary.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """A new record (part I), in a commune of the officer's area."""
    _require_role(request)
    communes = access.communes_for(request.user)
    form = PersonForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("health:person", person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "health/person_form.html", {"form": form}, status=status)


def _chart(table: reports.Table) -> dict:
    """What the bar chart draws (passed with json_script, drawn by health/reports.js)."""
    return {
        "labels": [row.label for row in table.rows],
        "datasets": [
            {"label": str(title), "data": [getattr(row, column) for row in table.rows]}
            for column, title in reports.COLUMNS
        ],
    }


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The plan's first table for a chosen date and grouping, with its bar chart."""
    _require_role(request)
    data = request.GET if "on" in request.GET else None
    form = ReportForm(data, initial={"on": timezone.localdate(), "grouping": "district"})
    table = None
    if form.is_valid():
        table = reports.table(request.user, form.cleaned_data["grouping"], form.cleaned_data["on"])
        audit_record(
            actor=request.user,
            action="health.report_viewed",
            details={"grouping": table.grouping, "on": table.on, "total": table.total.values()},
        )
    context = {
        "form": form,
        "table": table,
        "chart": _chart(table) if table else None,
        "columns": [title for _column, title in reports.COLUMNS],
        "may_export": access.can_export(request.user),
        "export_form": ReportExportForm(initial=form.cleaned_data if table else None),
    }
    return render(request, "health/report.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def report_export(request: HttpRequest) -> HttpResponse:
    """The table as XLSX or PDF: an export, so it needs the right and a reason, and is
    audited with both."""
    _require_role(request)
    if not access.can_export(request.user):
        raise PermissionDenied(_("Your health role does not allow printing or exporting records."))
    form = ReportExportForm(request.POST)
    if not form.is_valid():
        context = {
            "form": ReportForm(request.POST),
            "table": None,
            "chart": None,
            "may_export": True,
            "export_form": form,
        }
        return render(request, "health/report.html", context, status=400)
    data = form.cleaned_data
    table = reports.table(request.user, data["grouping"], data["on"])
    audit_record(
        actor=request.user,
        action="health.report_exported",
        details={
            "format": data["format"],
            "reason": data["reason"],
            "grouping": table.grouping,
            "on": table.on,
            "total": table.total.values(),
        },
    )
    name = f"ho-so-suc-khoe-{table.grouping}-{table.on:%Y-%m-%d}"
    if data["format"] == "pdf":
        unit = getattr(request.user, "unit", None)
        agency = unit.agency.name if unit and unit.agency_id else ""
        content = exports.report_pdf(table, agency=agency)
        response = HttpResponse(content, content_type="application/pdf")
    else:
        content = exports.report_xlsx(table)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{data["format"]}"'
    return response
