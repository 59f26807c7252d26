"""Health record pages: the people list and a person's record. Every page asks the access
selector (`health.access`) and every view, search and print is audited."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from edoc.services.audit import audit_record
from edoc.text import nfc
from edoc.views.common import form_add_service_errors, paginate
from health import access, imports, selectors, services
from health.formats import records
from health.forms import ExportReasonForm, ImportForm, PersonForm


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
