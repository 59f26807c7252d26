"""What completing a step does. The engine routes; an action performs the step's work.

Each action has a key used in definitions (`"action": "approve"`), a label, optionally a form
with the extra input it needs (beyond the comment every task has) and a `perform` callable that
runs inside the completing transaction, before the process moves on:

    perform(actor: Actor, work_item: WorkItem, data: dict) -> None

Two optional hooks let an action say more about its tasks: `deadline(work_item)` gives the
deadline of the thing the task carries (the handling assignment a leader set a date on), which
then replaces the step's default; `preview(work_item)` lists what completing the task will do
and what to watch for (shown on the task page beside the Complete button);
`reopen(actor, work_item, reason)` runs when a later task (`work_item`) returns the process to a
step of this action: it gives the step's work back (a handler's completed assignment pending
again), in the returning transaction, before the step's new tasks are created.

The generic actions only record the decision and the comment. The registry's actions (assign a
document, forward it, issue it …) are registered by `workflows.integration`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.graph import PARALLEL, USER


@dataclass(frozen=True)
class Notice:
    """A line the task page shows before completing: what will happen ("info") or a
    warning ("warning")."""

    level: str
    text: str


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: str
    form_class: type[forms.Form] | None = None
    perform: Callable[..., None] | None = None
    # Steps with this action only make sense on such subjects ("incoming", "outgoing", None).
    subject: str | None = None
    # deadline(work_item) -> date | datetime | None: the task's own deadline, if it has one.
    deadline: Callable[[Any], datetime.date | datetime.datetime | None] | None = None
    # preview(work_item) -> list[Notice]: what completing the task will do.
    preview: Callable[[Any], list[Notice]] | None = None
    # reopen(actor, returning_work_item, reason): a later step returned the process to this one.
    reopen: Callable[..., None] | None = None
    # False: a later step may not return the process to a step of this action (what it did
    # cannot be done a second time, e.g. the first assignment of a document).
    return_target: bool = True


ACTIONS: dict[str, ActionSpec] = {}

# The work item whose action is being performed: the registry signals its edoc service sends
# must not complete that work item a second time.
_performing: ContextVar[int | None] = ContextVar("workflows_performing", default=None)


@contextmanager
def performing(work_item_id: int) -> Iterator[None]:
    token = _performing.set(work_item_id)
    try:
        yield
    finally:
        _performing.reset(token)


def is_performing() -> bool:
    return _performing.get() is not None


def register(spec: ActionSpec) -> ActionSpec:
    ACTIONS[spec.key] = spec
    return spec


def get_action(key: str) -> ActionSpec:
    return ACTIONS.get(key) or ACTIONS["generic"]


def can_return_to(step: Any) -> bool:
    """Whether a process may be sent back to this earlier step: a user or parallel step whose
    action can be done again (`ActionSpec.return_target`)."""
    return (
        step is not None and step.type in (USER, PARALLEL) and get_action(step.action).return_target
    )


def action_choices() -> list[tuple[str, Any]]:
    return [(spec.key, spec.label) for spec in ACTIONS.values()]


register(ActionSpec("generic", _("Handle and complete")))
register(ActionSpec("approve", _("Review and approve")))
