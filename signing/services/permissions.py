"""Who may sign a document: the process's "sign" steps, through `signing.steps`."""

from __future__ import annotations

from typing import Any

from edoc.models import Document, User
from edoc.selectors.access import Actor
from signing import fields as pdf_fields
from signing.steps import sign_steps


def sign_step_for(
    user: User, document: Document, work_item: Any = None
) -> tuple[Any, Actor] | tuple[None, None]:
    """The open "sign" task `user` may complete for `document` (only `work_item`, when given)
    and the actor (the user, maybe on behalf of the assignee), or (None, None)."""
    return sign_steps().step_for(user, document, work_item)


def signature_plan(work_item: Any) -> tuple[pdf_fields.FieldPlan, str]:
    """The document's signature fields, one per "sign" step of its process in the order the
    process reaches them (the last one is the main signer), and the slot of `work_item`'s step."""
    slots, slot = sign_steps().signature_slots(work_item)
    return pdf_fields.FieldPlan(slots=slots), slot
