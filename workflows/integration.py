"""The registry (edoc) inside processes.

- Registry actions become step actions (assign a document, forward it, handle it, submit a
  draft, approve, issue …): completing such a task performs the edoc service in the same
  transaction.
- A new document starts the definition marked "auto-start" for its kind.
- The same action done from the document page or the documents API completes the matching task,
  so both ways of working keep the process and the registry in step.
- A task returned to an earlier step tells the registry: the reason goes on the document's
  timeline, and a draft sent back to its drafting step is a draft again (editable, resubmitted).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.forms import AssignForm, ForwardForm
from edoc.models import Assignment, Document
from edoc.selectors.access import Actor, assignment_holders_q
from edoc.selectors.documents import outgoing_number_preview
from edoc.services import documents as document_services
from edoc.services import handling
from signing.forms import SignForm
from signing.steps import SIGN_ACTION
from workflows import access, calendar
from workflows.actions import ActionSpec, Notice, is_performing, performing, register
from workflows.models import ProcessDefinition, WorkItem
from workflows.selectors import work_item_assignment


def _document(work_item: WorkItem) -> Document:
    if work_item.document_id is None:
        raise ValidationError(_("This step needs a document."))
    return Document.objects.get(pk=work_item.document_id)


class _TaskForm(forms.Form):
    def __init__(self, *args: Any, user, work_item: WorkItem | None = None, **kwargs: Any):
        self.work_item = work_item
        super().__init__(*args, user=user, **kwargs)


class AssignActionForm(_TaskForm, AssignForm):
    """The leader's assignment, as a task form."""


class ForwardActionForm(_TaskForm, ForwardForm):
    """The lead unit head passes the document to a specialist."""

    def __init__(self, *args: Any, user, work_item: WorkItem | None = None, **kwargs: Any):
        super().__init__(*args, user=user, work_item=work_item, **kwargs)
        self.fields["to_unit"].widget = forms.HiddenInput()


def _user_pending_assignment(actor: Actor, work_item: WorkItem, roles) -> Assignment | None:
    """The actor's oldest pending assignment of these roles on the task's document (without
    reading the document row: the service that closes it locks and reads it)."""
    if work_item.document_id is None:
        raise ValidationError(_("This step needs a document."))
    condition = Q(pk__in=[])
    for principal in [actor.principal, actor.user]:
        condition |= assignment_holders_q(principal)
    return (
        Assignment.objects.filter(
            condition,
            document_id=work_item.document_id,
            status=Assignment.Status.PENDING,
            role__in=roles,
        )
        .order_by("created_at")
        .first()
    )


def _assignment_deadline(work_item: WorkItem) -> datetime.date | None:
    """The deadline of the handling assignment the task carries: one deadline per assignment."""
    assignment = work_item_assignment(work_item)
    return assignment.deadline if assignment is not None else None


def _perform_assign(actor: Actor, work_item: WorkItem, data: dict) -> None:
    fields = (
        "lead_unit",
        "lead_user",
        "coordinator_units",
        "coordinator_users",
        "information_units",
        "information_users",
        "deadline",
        "directive",
    )
    handling.document_assign(
        user=actor.user,
        document=_document(work_item),
        **{name: data[name] for name in fields if data.get(name) not in (None, "")},
    )


def _perform_forward(actor: Actor, work_item: WorkItem, data: dict) -> None:
    assignment = _user_pending_assignment(actor, work_item, [Assignment.Role.LEAD])
    if assignment is None:
        raise ValidationError(_("There is no lead assignment of yours to forward."))
    handling.assignment_forward(
        user=actor.user,
        assignment=assignment,
        to_user=data.get("to_user"),
        to_unit=data.get("to_unit"),
        deadline=data.get("deadline"),
        directive=data.get("directive", ""),
    )


def _perform_handle(actor: Actor, work_item: WorkItem, data: dict) -> None:
    """Close one's own assignment (coordinator, or lead awaiting the unit head's approval)."""
    assignment = _user_pending_assignment(
        actor, work_item, [Assignment.Role.LEAD, Assignment.Role.COORDINATOR]
    )
    if assignment is not None:
        handling.assignment_complete(
            user=actor.user, assignment=assignment, comment=data.get("comment", "")
        )
    elif data.get("comment"):
        handling.document_comment(
            user=actor.user, document=_document(work_item), comment=data["comment"]
        )


def _reopen_handle(actor: Actor, work_item: WorkItem, reason: str) -> None:
    """The reviewer returned the document to the handling step: the specialist's completed lead
    assignment is pending again, so the handling step goes back to them."""
    handling.assignment_reopen_lead(user=actor.user, document=_document(work_item), reason=reason)


def _perform_complete(actor: Actor, work_item: WorkItem, data: dict) -> None:
    handling.document_complete(
        user=actor.user, document=_document(work_item), comment=data.get("comment", "")
    )


def _perform_submit(actor: Actor, work_item: WorkItem, data: dict) -> None:
    document = _document(work_item)
    if document.status == Document.Status.DRAFT:
        document_services.outgoing_submit(
            user=actor.user, document=document, comment=data.get("comment", "")
        )


class SignActionForm(SignForm):
    """Ký số: the signer's key (PKCS#12 file and passphrase, or remote signing)."""


def _perform_sign(actor: Actor, work_item: WorkItem, data: dict) -> None:
    """Sign the document's file as this step's assignee; the last signing step of the process
    also makes the document ready for issuance."""
    from signing.forms import key_backend
    from signing.services.permissions import signature_plan
    from signing.services.signing import sign_document

    if not data.get("method"):
        raise ValidationError(_("Choose how to sign: with your key file or by remote signing."))
    document = _document(work_item)
    sign_document(
        user=actor.user,
        document=document,
        key=key_backend(data, user=actor.user),
        work_item=work_item,
        signature_image=data.get("signature_image"),
        reason=data.get("comment", ""),
    )
    plan, slot = signature_plan(work_item)
    document.refresh_from_db()
    if slot == plan.slots[-1] and document.status == Document.Status.IN_REVIEW:
        document_services.outgoing_approve(
            user=actor.user, document=document, comment=data.get("comment", "")
        )


def _perform_issue(actor: Actor, work_item: WorkItem, data: dict) -> None:
    document = _document(work_item)
    if document.status != Document.Status.ISSUED:
        document_services.outgoing_issue(user=actor.user, document=document)


# The drafting step of an outgoing process is the one whose action submits the draft.
DRAFTING_ACTION = "submit"


def registry_task_returned(actor: Actor, work_item: WorkItem, to_step: str, reason: str) -> None:
    """`work_item` was returned to step `to_step` of its run: tell the registry (nothing to
    tell when the run has no document, e.g. a one-stop dossier)."""
    from workflows.engine import graph_of

    if work_item.document_id is None:
        return
    target = graph_of(work_item.run.process).by_id.get(to_step)
    document_services.document_returned_in_process(
        user=actor.user,
        on_behalf_of=actor.on_behalf_of,
        document=_document(work_item),
        reason=reason,
        to_step=(target.name if target else "") or to_step,
        to_drafter=target is not None and target.action == DRAFTING_ACTION,
    )


def _issue_preview(work_item: WorkItem) -> list[Notice]:
    """What completing the clerk's issue task does: the number it will take, and a warning
    when today is not a working day (the document is dated the day it is issued)."""
    document = _document(work_item)
    if document.status == Document.Status.ISSUED:
        return [
            Notice(
                "info",
                _("The document is already issued: No. %(symbol)s.") % {"symbol": document.symbol},
            )
        ]
    notices = [
        Notice(
            "info",
            _("Completing this step numbers and issues the document: No. %(symbol)s (expected).")
            % {"symbol": outgoing_number_preview(document)},
        )
    ]
    today = timezone.localdate()
    if not calendar.is_working_day(today):
        reason = calendar.day_off_name(today) or date_format(today, "l")
        notices.append(
            Notice(
                "warning",
                _(
                    "Today, %(date)s, is not a working day (%(reason)s): the document will be "
                    "numbered and dated today."
                )
                % {"date": today.strftime("%d/%m/%Y"), "reason": reason},
            )
        )
    return notices


INCOMING, OUTGOING = "incoming", "outgoing"
REGISTRY_ACTIONS = [
    ActionSpec(
        "assign",
        gettext_lazy("Assign handling (lead, coordinators)"),
        AssignActionForm,
        _perform_assign,
        INCOMING,
        return_target=False,
    ),
    ActionSpec(
        "forward",
        gettext_lazy("Pass to a specialist"),
        ForwardActionForm,
        _perform_forward,
        INCOMING,
        deadline=_assignment_deadline,
        return_target=False,
    ),
    ActionSpec(
        "handle",
        gettext_lazy("Handle the document"),
        None,
        _perform_handle,
        INCOMING,
        deadline=_assignment_deadline,
        reopen=_reopen_handle,
    ),
    ActionSpec(
        "complete",
        gettext_lazy("Approve the handling and complete"),
        None,
        _perform_complete,
        INCOMING,
    ),
    ActionSpec(
        DRAFTING_ACTION,
        gettext_lazy("Finish the draft and submit it"),
        None,
        _perform_submit,
        OUTGOING,
    ),
    ActionSpec(
        SIGN_ACTION, gettext_lazy("Digitally sign"), SignActionForm, _perform_sign, OUTGOING
    ),
    ActionSpec(
        "issue",
        gettext_lazy("Number and issue"),
        None,
        _perform_issue,
        OUTGOING,
        preview=_issue_preview,
    ),
    ActionSpec("distribute", gettext_lazy("Distribute to recipients"), None, None, OUTGOING),
]


def register_actions() -> None:
    for spec in REGISTRY_ACTIONS:
        register(spec)


def start_for_new_document(
    sender, document: Document, user, start_process: bool = True, **kwargs
) -> None:
    """document_created receiver: start the auto-start definition of the document's kind
    (unless the registry says no process should start, as for an imported archive)."""
    from workflows.services.processes import process_start

    if not start_process:
        return

    definition = (
        ProcessDefinition.objects.filter(auto_start=True, subject_kind=document.direction)
        .order_by("pk")
        .first()
    )
    if definition is None or definition.published_version() is None:
        return
    process_start(user=user, definition=definition, document=document)


def complete_matching_task(sender, document: Document, user, action: str, **kwargs) -> None:
    """document_action receiver: the registry action done outside the task completes the task."""
    from workflows.services.processes import work_item_complete

    if is_performing():
        return
    open_items = WorkItem.objects.filter(
        document=document, status=WorkItem.Status.OPEN, action=action
    )
    for work_item, _actor in access.acting_on(user, open_items):
        try:
            with performing(work_item.pk):
                work_item_complete(user=user, work_item=work_item, action_done=True)
        except PermissionDenied:
            continue
        return
