"""Dossiers inside processes: dossiers and apology letters as run subjects, and the step actions
of the shipped dossier definition (assign a specialist, attach the result, finish, return).

Completing a step performs the onestop service in the same transaction (see workflows.actions);
a process that reaches its end on a dossier still being processed finishes the dossier.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.forms import CHOOSE
from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.selectors.access import Actor, visible_documents
from onestop.forms import offer_result_documents
from workflows.actions import ActionSpec
from workflows.actions import register as register_action
from workflows.models import ProcessRun, WorkItem
from workflows.subjects import (
    SubjectAdapter,
    SubjectSummary,
    SubjectWorkspace,
    register_subject,
    subject_load,
)


def _dossier_fields(dossier) -> dict[str, Any]:
    procedure = dossier.procedure
    return {
        "procedure": procedure.code,
        "amount": dossier.fee_amount or procedure.fee,
        "channel": dossier.channel,
        "unit": procedure.handling_unit.short_name,
        "field": procedure.field.code if procedure.field_id else "",
        "direction": "dossier",
    }


def _apology_fields(letter) -> dict[str, Any]:
    return {**_dossier_fields(letter.dossier), "direction": "apology"}


def _dossier_finished(run: ProcessRun, dossier) -> None:
    """The process's last step is done: a dossier still in processing is finished."""
    from onestop.models import Dossier
    from onestop.services import dossier_finish

    dossier.refresh_from_db()
    if dossier.status in (Dossier.Status.ACCEPTED, Dossier.Status.PROCESSING):
        last = (
            run.work_items.filter(status=WorkItem.Status.DONE)
            .order_by("-completed_at", "-pk")
            .first()
        )
        dossier_finish(
            officer=last.completed_by if last else run.initiator, dossier=dossier, via_process=True
        )


def _apology_finished(run: ProcessRun, letter) -> None:
    """The apology letter's approval process ended: approved by whoever completed the last step."""
    from onestop.services import apology_approve

    last = (
        run.work_items.filter(status=WorkItem.Status.DONE).order_by("-completed_at", "-pk").first()
    )
    apology_approve(user=last.completed_by if last else run.initiator, letter=letter)


def _dossier_step_check(work_item: WorkItem, dossier) -> None:
    """Once the result is attached, no step moves the dossier on while its fee is unpaid, it
    waits for the citizen's supplement, or its result is not an issued, signed document."""
    from onestop.models import Dossier
    from onestop.services import fee_settled_check, result_document_check

    dossier.refresh_from_db()
    if dossier.result_id is None or dossier.status not in Dossier.OPEN:
        return
    if dossier.status == Dossier.Status.SUPPLEMENT:
        raise ValidationError(
            _("The dossier is waiting for the citizen's supplement; it moves on once answered."),
            code="waiting",
        )
    fee_settled_check(dossier)
    result_document_check(dossier, dossier.result)


def _subject(work_item: WorkItem):
    subject = subject_load(work_item.run.process.data.get("subject"))
    if subject is None:
        raise ValidationError(_("This step needs a dossier."))
    return subject


def _dossier(work_item: WorkItem):
    from onestop.models import ApologyLetter

    subject = _subject(work_item)
    return subject.dossier if isinstance(subject, ApologyLetter) else subject


class _TaskForm(forms.Form):
    def __init__(self, *args: Any, user: User, work_item: WorkItem | None = None, **kwargs: Any):
        self.user = user
        self.work_item = work_item
        super().__init__(*args, **kwargs)


class DossierAssignForm(_TaskForm):
    handler = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Specialist"))

    def __init__(self, *args: Any, user: User, work_item: WorkItem | None = None, **kwargs: Any):
        super().__init__(*args, user=user, work_item=work_item, **kwargs)
        unit_id = user.unit_id
        if work_item is not None:
            unit_id = _dossier(work_item).procedure.handling_unit_id
        self.fields["handler"].queryset = User.objects.filter(
            unit_id=unit_id, is_active=True, role__in=[Role.SPECIALIST, Role.UNIT_HEAD]
        ).order_by("last_name", "first_name")


class DossierResultForm(_TaskForm):
    result_document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        label=gettext_lazy("Result document"),
        empty_label=CHOOSE,
        help_text=gettext_lazy(
            "The outgoing document that is the dossier's result: signed and issued through the "
            "outgoing process (only such documents are offered)."
        ),
    )

    def __init__(self, *args: Any, user: User, work_item: WorkItem | None = None, **kwargs: Any):
        super().__init__(*args, user=user, work_item=work_item, **kwargs)
        if work_item is not None:
            offer_result_documents(self.fields["result_document"], user, _dossier(work_item))


class DossierReturnForm(_TaskForm):
    channel = forms.ChoiceField(label=gettext_lazy("Result returned"), choices=())

    def __init__(self, *args: Any, user: User, work_item: WorkItem | None = None, **kwargs: Any):
        from onestop.models import ReturnChannel

        super().__init__(*args, user=user, work_item=work_item, **kwargs)
        self.fields["channel"].choices = ReturnChannel.choices
        if work_item is not None:
            self.fields["channel"].initial = _dossier(work_item).usual_return_channel


def _perform_assign(actor: Actor, work_item: WorkItem, data: dict) -> None:
    from onestop.services import dossier_assign_handler

    dossier_assign_handler(user=actor.user, dossier=_dossier(work_item), handler=data["handler"])


def _perform_result(actor: Actor, work_item: WorkItem, data: dict) -> None:
    from onestop.services import dossier_set_result

    dossier_set_result(
        user=actor.user, dossier=_dossier(work_item), result_document=data["result_document"]
    )


def _perform_finish(actor: Actor, work_item: WorkItem, data: dict) -> None:
    from onestop.services import dossier_finish

    dossier_finish(officer=actor.user, dossier=_dossier(work_item), via_process=True)


def _perform_return(actor: Actor, work_item: WorkItem, data: dict) -> None:
    from onestop.models import Dossier
    from onestop.services import dossier_return_result

    dossier = _dossier(work_item)
    if dossier.status == Dossier.Status.DONE:
        dossier_return_result(officer=actor.user, dossier=dossier, channel=data["channel"])


DOSSIER = "dossier"
DOSSIER_ACTIONS = [
    ActionSpec(
        "dossier_assign",
        gettext_lazy("Give the dossier to a specialist"),
        DossierAssignForm,
        _perform_assign,
        DOSSIER,
    ),
    ActionSpec(
        "dossier_result",
        gettext_lazy("Appraise and attach the result document"),
        DossierResultForm,
        _perform_result,
        DOSSIER,
    ),
    ActionSpec(
        "dossier_finish",
        gettext_lazy("Approve the result (dossier processed)"),
        None,
        _perform_finish,
    ),
    ActionSpec(
        "dossier_return",
        gettext_lazy("Return the result to the citizen"),
        DossierReturnForm,
        _perform_return,
    ),
]


def dossier_url(dossier) -> str:
    return reverse("onestop:dossier_detail", args=[dossier.pk])


def dossier_workspace(dossier, user: User, letter=None) -> SubjectWorkspace | None:
    """What a task page shows of the dossier: code, applicant, procedure, appointment, papers and
    supplement requests, and its result document in the viewer once attached (the specialist's
    result the leaders review). None when the user may not see the dossier."""
    from onestop import access, selectors

    if not access.can_view(user, dossier):
        return None
    result = None
    if dossier.result_id and visible_documents(user).filter(pk=dossier.result_id).exists():
        result = dossier.result
    return SubjectWorkspace(
        template="onestop/partials/task_workspace.html",
        context={
            "dossier": dossier,
            "letter": letter,
            "files": dossier.files.select_related("paper").order_by("round", "pk"),
            "supplements": dossier.supplements.order_by("round"),
            "days_left": selectors.days_left_text(dossier),
            "overdue": selectors.is_overdue(dossier),
            "result": result,
        },
        document=result,
    )


def apology_workspace(letter, user: User) -> SubjectWorkspace | None:
    """An apology letter's task shows the letter (reason, new date) with its dossier."""
    return dossier_workspace(letter.dossier, user, letter=letter)


def dossier_summary(dossier) -> SubjectSummary:
    """How task lists, the tasks API and notifications name a dossier."""
    procedure = dossier.procedure
    return SubjectSummary(
        kind="dossier",
        id=dossier.pk,
        code=dossier.code or "",
        title=procedure.name,
        applicant=dossier.applicant_name,
        procedure=str(procedure),
        url=dossier_url(dossier),
        kind_label=_("Dossier"),
    )


def apology_summary(letter) -> SubjectSummary:
    """An apology letter is named by its dossier."""
    return replace(
        dossier_summary(letter.dossier),
        kind="apology",
        id=letter.pk,
        title=_("Apology letter, new date %(date)s: %(procedure)s")
        % {"date": f"{letter.new_due_date:%d/%m/%Y}", "procedure": letter.dossier.procedure.name},
        kind_label=_("Apology letter of dossier"),
    )


def register() -> None:
    """Called from the app's ready(): subjects and step actions."""
    register_subject(
        SubjectAdapter(
            label="onestop.dossier",
            fields=_dossier_fields,
            on_finished=_dossier_finished,
            url=dossier_url,
            workspace=dossier_workspace,
            before_complete=_dossier_step_check,
            summary=dossier_summary,
            related=("procedure",),
        )
    )
    register_subject(
        SubjectAdapter(
            label="onestop.apologyletter",
            fields=_apology_fields,
            on_finished=_apology_finished,
            url=lambda letter: dossier_url(letter.dossier),
            workspace=apology_workspace,
            summary=apology_summary,
            related=("dossier__procedure",),
        )
    )
    for spec in DOSSIER_ACTIONS:
        register_action(spec)
