"""What completing a step does. The engine routes; an action performs the step's work.

Every action has a key used in definitions (`"action": "approve"`) and a label. The generic
actions only record the decision and comment; the registry's actions are wired in by edoc
integration (see `workflows.integration`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: str


ACTIONS: dict[str, ActionSpec] = {
    spec.key: spec
    for spec in (
        ActionSpec("generic", _("Handle and complete")),
        ActionSpec("approve", _("Review and approve")),
        ActionSpec("assign", _("Assign handling (lead, coordinators)")),
        ActionSpec("forward", _("Pass to a specialist")),
        ActionSpec("handle", _("Handle the document")),
        ActionSpec("coordinate", _("Give coordinating opinion")),
        ActionSpec("review", _("Review the draft")),
        ActionSpec("legal_review", _("Legal review")),
        ActionSpec("sign", _("Sign")),
        ActionSpec("issue", _("Number and issue")),
        ActionSpec("distribute", _("Distribute")),
    )
}
