"""Staff pages of the workflows app: the task inbox, a task, a running process, notifications.

Reads go through `workflows.selectors`, who may act on a task is `workflows.access`, writes go
through `workflows.services.processes`; a service's PermissionDenied becomes the 403 page, a
task someone already handled a message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from edoc.services.handling import document_mark_read
from edoc.views.common import form_add_service_errors, paginate
from workflows import access, selectors
from workflows.actions import Notice, get_action
from workflows.models import ProcessRun, WorkItem
from workflows.services.processes import (
    returnable_steps,
    work_item_claim,
    work_item_complete,
    work_item_reassign,
    work_item_return,
)
from workflows.subjects import (
    SubjectSummary,
    subject_link,
    subject_workspace,
    work_item_summaries,
)
from workflows.task_forms import (
    CompleteTaskForm,
    ReassignTaskForm,
    ReturnTaskForm,
    action_form_for,
)

logger = logging.getLogger(__name__)

INBOX_PAGE_SIZE = 50
CONFLICT = 409  # the task changed under the user: handled, cancelled or claimed by someone else


# --- The inbox.


@dataclass(frozen=True)
class InboxRow:
    """One task of the inbox with what the row shows about it."""

    item: WorkItem
    document_visible: bool
    delegated: bool  # a leader's task, shown to their delegate
    claimable: bool  # a group task nobody has claimed yet
    subject: SubjectSummary | None = None  # a registered subject (e.g. a dossier)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My tasks: own, delegated to me and group tasks to claim; filtered by deadline or process."""
    user = request.user
    view = request.GET.get("filter", selectors.INBOX_ALL)
    if view not in selectors.INBOX_VIEWS:
        view = selectors.INBOX_ALL
    definition_id = _int_or_none(request.GET.get("process"))
    now = timezone.now()
    soon = selectors.due_soon_until(now)
    # The ids once for the list, the counts, the process filter and the menu's counts.
    mine = selectors.open_task_ids(user)
    page = paginate(
        request,
        selectors.inbox_tasks(
            user, view=view, definition_id=definition_id, now=now, soon=soon, mine_ids=mine
        ),
        per_page=INBOX_PAGE_SIZE,
    )
    items = list(page)
    visible = selectors.visible_document_ids(user, [item.document_id for item in items])
    subjects = work_item_summaries(item for item in items if item.document_id is None)
    rows = [
        InboxRow(
            item=item,
            document_visible=item.document_id in visible,
            delegated=item.assignee_id is not None and item.assignee_id != user.pk,
            claimable=item.assignee_id is None,
            subject=subjects.get(item.pk),
        )
        for item in items
    ]
    counts = selectors.task_counts(
        user, now=now, soon=soon, definition_id=definition_id, mine_ids=mine
    )
    context = {}
    if definition_id is None:  # the menu's counts are these (no second count of the same ids)
        context["nav_tasks"] = selectors.TaskCounts(counts.open, counts.overdue)
    return render(
        request,
        "workflows/inbox.html",
        {
            **context,
            "rows": rows,
            "page": page,
            "view": view,
            "counts": counts,
            "processes": selectors.inbox_processes(user, mine_ids=mine),
            "definition_id": definition_id,
            "deadline_now": now,
            "due_soon_until": soon,
        },
    )


# --- One task.


def _conflict_message(error: ValidationError) -> str | None:
    """The page's message for a task that changed under the user, else None."""
    code = getattr(error, "code", None)
    if code == "already_done":
        return _("This task has already been handled.")
    if code == "already_claimed":
        return _("Someone else has already claimed this task.")
    return None


def _task_page(
    request: HttpRequest,
    item: WorkItem,
    *,
    bound: dict[str, forms.Form | None] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the task page — the workspace: the document (its PDF, details, files), the
    earlier opinions and what is under review beside the actions; `bound` holds submitted
    forms (to show their errors)."""
    user = request.user
    bound = bound or {}
    if notice:  # the task changed: show it as it is now, without stale forms
        item.refresh_from_db()
        bound = {}
    is_open = item.status == WorkItem.Status.OPEN
    candidate = access.can_claim(user, item)
    actor = access.work_item_actor(user, item) if is_open and not candidate else None
    steps = returnable_steps(item) if actor is not None else []
    reassignable = is_open and access.can_reassign(user, item)
    document = item.document
    document_visible = bool(
        item.document_id and selectors.visible_document_ids(user, [item.document_id])
    )
    workspace = subject_workspace(item.run, user)
    shown = document if document_visible else (workspace.document if workspace else None)
    context: dict[str, Any] = {
        "item": item,
        "run": item.run,
        "document": document,
        "document_visible": document_visible,
        "subject_link": subject_link(item.run),
        "subject_workspace": workspace,
        "viewer": selectors.document_viewer_file(shown) if shown is not None else None,
        "files": (
            document.files.select_related("uploaded_by").order_by("-version")
            if document_visible
            else []
        ),
        "assignments": (
            selectors.document_assignments(document.pk)
            if document_visible and document.is_incoming
            else []
        ),
        "my_assignment": selectors.work_item_assignment(item) if is_open else None,
        "history": selectors.task_history(item, with_document=document_visible),
        "handed_over": selectors.work_item_handed_over(item),
        "step_names": _step_names(item.run),
        "assigned_by": selectors.work_item_assigned_by(item),
        "actor": actor,
        "can_claim": candidate,
        "notice": notice,
    }
    if actor is not None:
        context["action_form"] = (
            bound["action"] if "action" in bound else action_form_for(request, item)
        )
        context["complete_form"] = bound.get("complete") or CompleteTaskForm()
        context["previews"] = _previews(item)
        if steps:
            context["return_form"] = bound.get("return") or ReturnTaskForm(steps=steps)
    if reassignable:
        context["reassign_form"] = bound.get("reassign") or ReassignTaskForm(
            user=user, work_item=item
        )
    if not is_open:
        context["closed"] = item
    return render(request, "workflows/task.html", context, status=status)


def _step_names(run: ProcessRun) -> dict[str, str]:
    from workflows.engine import graph_of

    return {step.id: step.name or step.id for step in graph_of(run.process).steps}


def _previews(item: WorkItem) -> list[Notice]:
    """What completing the task will do, from its action (e.g. the number an issue takes)."""
    preview = get_action(item.action).preview
    if preview is None:
        return []
    try:
        return preview(item)
    except ValidationError:  # the step's subject is missing: the Complete button says so
        return []


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The task page: what to do, on which document, by when; and the buttons to do it."""
    item = selectors.work_item_get_for_user(request.user, pk)
    if item.document_id and selectors.visible_document_ids(request.user, [item.document_id]):
        document_mark_read(
            user=request.user,
            document=item.document,
            details={"task": item.pk, "step": item.step_id},
        )
    return _task_page(request, item)


def _add_complete_errors(
    error: ValidationError, form: forms.Form, action_form: forms.Form | None
) -> None:
    """A service error goes onto the action form's field when it has one, else the main form."""
    if action_form is not None and hasattr(error, "error_dict"):
        own = {
            name: errors for name, errors in error.error_dict.items() if name in action_form.fields
        }
        for name, errors in own.items():
            action_form.add_error(name, errors)
        rest = {name: errors for name, errors in error.error_dict.items() if name not in own}
        if rest:
            form_add_service_errors(form, ValidationError(rest))
        return
    form_add_service_errors(form, error)


@sensitive_post_parameters("action-passphrase", "action-pin")  # the sign step's secrets
@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Hoàn thành: perform the step's action with its form's data, and move the process on."""
    item = selectors.work_item_get_for_user(request.user, pk)
    form = CompleteTaskForm(request.POST)
    action_form = action_form_for(request, item, bound=True)
    valid = form.is_valid() & (action_form is None or action_form.is_valid())
    if valid:
        try:
            work_item_complete(
                user=request.user,
                work_item=item,
                comment=form.cleaned_data["comment"],
                data=dict(action_form.cleaned_data) if action_form is not None else {},
            )
        except ValidationError as error:
            notice = _conflict_message(error)
            if notice:
                return _task_page(request, item, notice=notice, status=CONFLICT)
            _add_complete_errors(error, form, action_form)
        else:
            messages.success(request, _("Task “%(step)s” completed.") % {"step": item.step_name})
            return redirect("workflows:inbox")
    return _task_page(request, item, bound={"complete": form, "action": action_form}, status=400)


@login_required
@require_POST
def task_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Trả lại: send the process back to an earlier step, with a reason."""
    item = selectors.work_item_get_for_user(request.user, pk)
    steps = returnable_steps(item) if item.status == WorkItem.Status.OPEN else []
    form = ReturnTaskForm(request.POST, steps=steps)
    if form.is_valid():
        try:
            work_item_return(
                user=request.user,
                work_item=item,
                to_step=form.cleaned_data["to_step"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            notice = _conflict_message(error)
            if notice:
                return _task_page(request, item, notice=notice, status=CONFLICT)
            form_add_service_errors(form, error)
        else:
            step = dict(steps).get(form.cleaned_data["to_step"], form.cleaned_data["to_step"])
            messages.success(
                request,
                _("Task “%(task)s” returned to the step “%(step)s”.")
                % {"task": item.step_name, "step": step},
            )
            return redirect("workflows:inbox")
    elif item.status != WorkItem.Status.OPEN:
        return _task_page(
            request, item, notice=_("This task has already been handled."), status=CONFLICT
        )
    return _task_page(request, item, bound={"return": form}, status=400)


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Nhận xử lý: a member of the group takes the group task."""
    item = selectors.work_item_get_for_user(request.user, pk)
    try:
        work_item_claim(user=request.user, work_item=item)
    except ValidationError as error:
        notice = _conflict_message(error) or " ".join(error.messages)
        return _task_page(request, item, notice=notice, status=CONFLICT)
    messages.success(request, _("You have claimed the task. It is now yours to handle."))
    return redirect("workflows:task", pk=item.pk)


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Chuyển người khác: give the task to another member of the agency."""
    item = selectors.work_item_get_for_user(request.user, pk)
    form = ReassignTaskForm(request.POST, user=request.user, work_item=item)
    if form.is_valid():
        try:
            work_item_reassign(
                user=request.user,
                work_item=item,
                to_user=form.cleaned_data["to_user"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            notice = _conflict_message(error)
            if notice:
                return _task_page(request, item, notice=notice, status=CONFLICT)
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Task “%(step)s” given to %(name)s.")
                % {"step": item.step_name, "name": form.cleaned_data["to_user"]},
            )
            return redirect("workflows:inbox")
    elif item.status != WorkItem.Status.OPEN:
        return _task_page(
            request, item, notice=_("This task has already been handled."), status=CONFLICT
        )
    return _task_page(request, item, bound={"reassign": form}, status=400)


# --- A running process.


@dataclass(frozen=True)
class StepState:
    """A step of the definition as the plain list shows it (when there is no diagram)."""

    id: str
    name: str
    type: str
    state: str  # "current", "done" or "pending"


def _diagram(graph: Any, current: set[str], done: set[str]) -> SafeString | None:
    """The definition's SVG (escaped by its writer) with the run's state, or None when the
    diagram module is missing or fails (the page then lists the steps)."""
    try:
        from workflows.diagram import render_svg
    except ImportError:
        return None
    try:
        return render_svg(graph, highlight=current, done=done)
    except Exception:  # noqa: BLE001 - a drawing bug must not hide the process page
        logger.exception("Could not draw the diagram of a process")
        return None


@login_required
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A running (or finished) process: definition, document, history, open tasks, diagram."""
    from workflows.engine import graph_of

    run: ProcessRun = selectors.process_run_get_for_user(request.user, pk)
    graph = graph_of(run.process)
    open_items = selectors.run_open_work_items(run)
    current = {item.step_id for item in open_items}
    done = selectors.run_done_step_ids(run) - current
    if run.is_finished and run.current_step:
        done.add(run.current_step)
    elif not current and run.current_step:
        current.add(run.current_step)
    svg = _diagram(graph, current, done)
    steps = [
        StepState(
            id=step.id,
            name=step.name or step.id,
            type=step.type,
            state="current" if step.id in current else "done" if step.id in done else "pending",
        )
        for step in graph.steps
    ]
    return render(
        request,
        "workflows/process.html",
        {
            "run": run,
            "definition": run.version.definition,
            "document": run.document,
            "subject_link": subject_link(run),
            "document_visible": bool(
                run.document_id and selectors.visible_document_ids(request.user, [run.document_id])
            ),
            "events": selectors.run_events(run),
            "step_names": {step.id: step.name or step.id for step in graph.steps},
            "open_items": open_items,
            "steps": steps,
            "diagram": svg,
        },
    )


# --- Notifications.


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications; those shown are marked read (still highlighted this once)."""
    from workflows.services.notifications import notifications_mark_read

    page = paginate(request, selectors.notification_list(request.user))
    notices = list(page)
    subjects = work_item_summaries(
        notice.work_item
        for notice in notices
        if notice.work_item_id and notice.work_item.document_id is None
    )
    for notice in notices:
        notice.subject = subjects.get(notice.work_item_id)
    unread = {notice.pk for notice in notices if notice.read_at is None}
    notifications_mark_read(user=request.user, notification_ids=unread)
    documents = [notice.work_item.document_id for notice in notices if notice.work_item_id]
    return render(
        request,
        "workflows/notifications.html",
        {
            "page": page,
            "notices": notices,
            "unread": unread,
            "visible_documents": selectors.visible_document_ids(request.user, documents),
        },
    )


@login_required
@require_POST
def process_start_view(request: HttpRequest) -> HttpResponse:
    """Start a published definition on a document (from the document page's process panel)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from edoc.selectors.access import document_get_for_user
    from workflows.models import ProcessDefinition
    from workflows.services.processes import process_start_on_document

    document = document_get_for_user(request.user, _int_or_none(request.POST.get("document")))
    definition = ProcessDefinition.objects.filter(
        pk=_int_or_none(request.POST.get("definition"))
    ).first()
    if definition is None:
        messages.error(request, _("Choose a process."))
        return redirect("edoc:document_detail", document.pk)
    run = process_start_on_document(user=request.user, definition=definition, document=document)
    messages.success(request, _("Process “%(name)s” started.") % {"name": definition.name})
    return redirect("workflows:process", run.pk)
