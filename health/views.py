"""Health record pages: the people list and a person's record. Every page asks the access
selector (`health.access`) and every view, search and print is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edoc.services.audit import audit_record
from edoc.text import nfc
from edoc.views.common import form_add_service_errors, paginate
from health import access, cleanup, selectors, services
from health.cleanup_export import cleanup_report_xlsx
from health.forms import ExportReasonForm, PersonForm


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
