"""Health record pages: the people list and a person's record. Every page asks the access
selector (`health.access`) and every view, search and print is audited."""

from __future__ import annotations

import csv
import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edoc.services.audit import audit_record
from edoc.text import nfc
from edoc.views.common import form_add_service_errors, paginate
from health import access, cleanup, exports, imports, reports, selectors, services
from health.cleanup_export import cleanup_report_xlsx
from health.formats import records
from health.forms import (
    HISTORY_FORMS,
    ExportReasonForm,
    ImportForm,
    PersonForm,
    ReportExportForm,
    ReportForm,
    VaccinationForm,
    VisitForm,
)

# The printable summary shows the latest visits and vaccinations, not a life's worth.
SUMMARY_LATEST = 20


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
    return render(request, "health/person_detail.html", _page(request, person))


def _page(request: HttpRequest, person, **extra) -> dict:
    """What the person's page shows: the record, the print form, the edit buttons."""
    return (
        _record(person)
        | {
            "may_print": access.can_export(request.user),
            "may_edit": access.can_edit(request.user, person),
            "may_edit_administrative": access.can_edit_administrative(request.user, person),
            "form": ExportReasonForm(),
        }
        | extra
    )


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
    context["timeline_total"] = len(context["timeline"])
    context["timeline"] = context["timeline"][:SUMMARY_LATEST]
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


def _editable_person(request: HttpRequest, pk: int):
    """The person `pk` if the officer may edit the record; 404 outside their scope."""
    _require_role(request)
    person = access.person_or_404(request.user, pk)
    if not access.can_edit(request.user, person):
        raise Http404
    return person


def _section(request: HttpRequest, person, section: str, editing: dict | None = None, **extra):
    """A section of the person's page after an edit: the section alone for htmx (it replaces
    itself), else the whole page. A form with errors answers 400 to a plain POST; htmx gets
    200, since it swaps only successful answers."""
    if editing is None and request.method == "POST" and not request.htmx:
        return redirect("health:person", person.pk)
    context = _page(request, person, editing=editing or {}, **extra)
    invalid = editing is not None and request.method == "POST"
    status = 400 if invalid and not request.htmx else 200
    template = f"health/_{section}.html" if request.htmx else "health/person_detail.html"
    return render(request, template, context, status=status)


def _save_form(request: HttpRequest, form, save) -> bool:
    """Validate `form` and call `save(cleaned_data)`; the service's errors go onto the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        form_add_service_errors(form, error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change part I (administrative information): area officers, in their communes."""
    person = _editable_person(request, pk)
    if not access.can_edit_administrative(request.user, person):
        raise PermissionDenied(
            _("Your health role does not allow changing the administrative information.")
        )
    initial = {name: getattr(person, name) for name in PersonForm.base_fields}
    form = PersonForm(
        request.POST or None, initial=initial, communes=access.communes_for(request.user)
    )

    def save(data: dict) -> None:
        services.person_update(actor=request.user, person=person, **data)

    if _save_form(request, form, save):
        person.refresh_from_db()
        return _section(request, person, "admin")
    action = reverse("health:person_edit", args=[person.pk])
    return _section(request, person, "admin", {"kind": "admin", "form": form, "action": action})


def _history_kind(kind: str) -> type:
    if kind not in HISTORY_FORMS:
        raise Http404
    return HISTORY_FORMS[kind]


@login_required
@require_http_methods(["GET", "POST"])
def history_entry(
    request: HttpRequest, pk: int, kind: str, entry_pk: int | None = None
) -> HttpResponse:
    """Add or change an entry of part II: a chronic condition, an allergy, a family history
    entry or a risk factor."""
    person = _editable_person(request, pk)
    form_class = _history_kind(kind)
    model, fields = services.HISTORY_SECTIONS[kind]
    entry = get_object_or_404(model, pk=entry_pk, person=person) if entry_pk else None
    initial = {}
    if entry is not None:
        initial = {name: getattr(entry, name) for name in fields}
        if getattr(entry, "icd10", None):
            initial["icd10"] = entry.icd10.code
    form = form_class(request.POST or None, initial=initial)

    def save(data: dict) -> None:
        services.history_entry_save(
            actor=request.user, person=person, section=kind, entry=entry, **data
        )

    if _save_form(request, form, save):
        return _section(request, person, "history")
    args = [person.pk, kind, entry.pk] if entry else [person.pk, kind]
    action = reverse("health:history_edit" if entry else "health:history_new", args=args)
    editing = {"kind": kind, "form": form, "action": action, "entry": entry}
    return _section(request, person, "history", editing)


@login_required
@require_http_methods(["POST"])
def history_remove(request: HttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    """Remove an entry of part II (the audit log keeps what it said)."""
    person = _editable_person(request, pk)
    _history_kind(kind)
    model, _fields = services.HISTORY_SECTIONS[kind]
    entry = get_object_or_404(model, pk=entry_pk, person=person)
    services.history_entry_remove(actor=request.user, person=person, section=kind, entry=entry)
    return _section(request, person, "history")


@login_required
@require_http_methods(["GET", "POST"])
def vaccination_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a vaccination dose by hand (part III)."""
    person = _editable_person(request, pk)
    form = VaccinationForm(request.POST or None)

    def save(data: dict) -> None:
        services.vaccination_add_by_hand(actor=request.user, person=person, **data)

    if _save_form(request, form, save):
        return _section(request, person, "timeline")
    action = reverse("health:vaccination_new", args=[person.pk])
    editing = {"kind": "vaccination", "form": form, "action": action}
    return _section(request, person, "timeline", editing)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a medical visit by hand (part IV)."""
    person = _editable_person(request, pk)
    form = VisitForm(request.POST or None)

    def save(data: dict) -> None:
        services.visit_add_by_hand(actor=request.user, person=person, **data)

    if _save_form(request, form, save):
        return _section(request, person, "timeline")
    action = reverse("health:visit_new", args=[person.pk])
    return _section(request, person, "timeline", {"kind": "visit", "form": form, "action": action})


ICD10_RESULTS = 20


def _chart(table: reports.Table) -> dict:
    """What the bar chart draws (passed with json_script, drawn by health/reports.js)."""
    return {
        "labels": [row.label for row in table.rows],
        "datasets": [
            {"label": str(title), "data": [getattr(row, column) for row in table.rows]}
            for column, title in reports.COLUMNS
        ],
    }


# ------------------------------------------------------------------------------------ imports


def _job_context(request: HttpRequest, job) -> dict:
    return {
        "job": job,
        "may_resume": imports.may_resume(job) and job.kind in access.import_kinds(request.user),
    }


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    """The import jobs the officer may follow (a province officer's: all of them)."""
    _require_role(request)
    jobs = access.visible_jobs(request.user).select_related("uploaded_by")
    page = paginate(request, jobs, per_page=30)
    return render(
        request,
        "health/import_list.html",
        {"page": page, "may_import": bool(access.import_kinds(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a file to import; the file is read before the job is created."""
    _require_role(request)
    kinds = access.import_kinds(request.user)
    if not kinds:
        raise PermissionDenied(_("Your health role does not allow importing files."))
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = imports.import_start(actor=request.user, validated=form.validated)
        return redirect("health:import", job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "health/import_form.html", {"form": form}, status=status)


@login_required
@require_GET
def icd10_search(request: HttpRequest) -> HttpResponse:
    """The ICD-10 catalogue's codes matching the words typed in a code box (htmx): by code
    prefix ("e11") or by words of the Vietnamese name, with or without diacritics. For a box of
    several codes, the words after the last ";"."""
    _require_role(request)
    name = request.htmx.trigger_name if request.htmx else None
    typed = nfc(request.GET.get(name or "q", ""))[:100]
    query = re.split(r"[;,]", typed)[-1].strip()
    codes = selectors.icd10_search(query, ICD10_RESULTS)
    box_id = (request.htmx.trigger if request.htmx else None) or request.GET.get("box", "")
    context = {"codes": codes, "query": query, "box_id": box_id}
    return render(request, "health/_icd10_results.html", context)


@login_required
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The empty record template with one example row, as CSV or XLSX."""
    _require_role(request)
    if fmt == "csv":
        content, mime = records.template_csv(), "text/csv; charset=utf-8"
    else:
        content = records.template_xlsx()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="mau-ho-so-suc-khoe.{fmt}"'
    return response


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
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job: its progress (polled while it runs) and, at the end, its report."""
    _require_role(request)
    job = access.job_or_404(request.user, pk)
    context = _job_context(request, job) | {"problems": job.problems.all()[:PROBLEMS_SHOWN]}
    return render(request, "health/import_detail.html", context)


PROBLEMS_SHOWN = 500


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block of a job (htmx polls it every two seconds while the job runs; when it
    ends the whole page is reloaded to show the report)."""
    _require_role(request)
    job = access.job_or_404(request.user, pk)
    response = render(request, "health/_import_progress.html", _job_context(request, job))
    if not job.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


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


@login_required
@require_http_methods(["POST"])
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a stopped job from its cursor ("Tiếp tục")."""
    _require_role(request)
    job = access.job_or_404(request.user, pk)
    try:
        imports.import_resume(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("health:import", job.pk)


@login_required
@require_GET
def import_problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's problems as CSV (line, masked row key, reason), audited."""
    _require_role(request)
    job = access.job_or_404(request.user, pk)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Line"), _("Row key"), _("Reason")])
    count = 0
    for count, problem in enumerate(job.problems.all().iterator(), 1):  # noqa: B007
        writer.writerow([problem.line, access.mask(problem.row_key), problem.reason])
    audit_record(
        actor=request.user,
        action="health.import_problems_downloaded",
        target=job,
        details={"rows": count},
    )
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.csv"'
    return response


# --- clean-up: the duplicates' review queue, merges and their undo, the clean-up report -----


def _require_merge_right(request: HttpRequest) -> None:
    _require_role(request)
    if not access.can_merge(request.user):
        raise PermissionDenied(_("Your health role does not allow merging records."))


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """The doubtful pairs of the officer's area, side by side, and the merge history."""
    _require_merge_right(request)
    pairs = (
        access.reviewable_pairs(request.user)
        .filter(status="open", first__merged_into__isnull=True, second__merged_into__isnull=True)
        .select_related("first__commune", "first__district", "second__commune", "second__district")
    )
    page = paginate(request, pairs, per_page=20)
    merges = access.reviewable_merges(request.user).select_related(
        "survivor", "merged_by", "undone_by"
    )[:50]
    audit_record(
        actor=request.user,
        action="health.duplicates_listed",
        details={"page": page.number, "shown": len(page.object_list)},
    )
    return render(request, "health/duplicates.html", {"page": page, "merges": merges})


def _pair(request: HttpRequest, pk: int):
    return get_object_or_404(access.reviewable_pairs(request.user), pk=pk)


@login_required
@require_POST
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a pair into the record the officer chose to keep."""
    _require_merge_right(request)
    candidate = _pair(request, pk)
    try:
        survivor_id = int(request.POST.get("survivor", ""))
    except ValueError:
        survivor_id = None
    if survivor_id not in (candidate.first_id, candidate.second_id):
        messages.error(request, _("Choose the record to keep."))
        return redirect("health:duplicates")
    survivor = candidate.first if survivor_id == candidate.first_id else candidate.second
    try:
        cleanup.merge(candidate=candidate, survivor=survivor, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The records were merged into %(name)s.") % {"name": survivor.full_name}
        )
    return redirect("health:duplicates")


@login_required
@require_POST
def duplicate_separate(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the pair is two persons: it is not proposed again."""
    _require_merge_right(request)
    candidate = _pair(request, pk)
    try:
        cleanup.separate(candidate=candidate, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The two records are kept apart."))
    return redirect("health:duplicates")


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: the merged record comes back with its own rows."""
    _require_merge_right(request)
    record = get_object_or_404(access.reviewable_merges(request.user), pk=pk)
    try:
        restored = cleanup.undo_merge(record=record, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The merge was undone: %(name)s is back.") % {"name": restored.full_name}
        )
    return redirect("health:duplicates")


def _level(request: HttpRequest) -> str:
    level = request.GET.get("by") or request.POST.get("by") or "district"
    return level if level in selectors.CLEANUP_LEVELS else "district"


@login_required
@require_GET
def cleanup_report(request: HttpRequest) -> HttpResponse:
    """The clean-up report (the plan's second table) over the officer's area."""
    _require_role(request)
    level = _level(request)
    rows, total = selectors.cleanup_report(request.user, level)
    audit_record(actor=request.user, action="health.cleanup_report_viewed", details={"by": level})
    context = {
        "rows": rows,
        "total": total,
        "level": level,
        "may_export": access.can_export(request.user),
        "form": ExportReasonForm(),
    }
    return render(request, "health/cleanup_report.html", context)


@login_required
@require_POST
def cleanup_report_export(request: HttpRequest) -> HttpResponse:
    """The clean-up report as XLSX: an export, so it needs the right and a reason."""
    _require_role(request)
    if not access.can_export(request.user):
        raise PermissionDenied(_("Your health role does not allow printing or exporting records."))
    level = _level(request)
    rows, total = selectors.cleanup_report(request.user, level)
    form = ExportReasonForm(request.POST)
    if not form.is_valid():
        context = {"rows": rows, "total": total, "level": level, "may_export": True, "form": form}
        return render(request, "health/cleanup_report.html", context, status=400)
    audit_record(
        actor=request.user,
        action="health.cleanup_report_exported",
        details={"format": "xlsx", "by": level, "reason": form.cleaned_data["reason"]},
    )
    response = HttpResponse(
        cleanup_report_xlsx(rows, total, level),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="lam-sach-du-lieu-{level}.xlsx"'
    return response
