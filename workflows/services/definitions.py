"""Writes on process definitions: create, edit the draft, publish, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.audit import audit_record
from edoc.text import nfc
from workflows import graph as graph_module
from workflows.models import DefinitionVersion, ProcessDefinition, ProcessRun


def can_design(user: User) -> bool:
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def _require_designer(user: User) -> None:
    if not can_design(user):
        raise PermissionDenied(_("Only administrators design processes."))


def _normalised(graph: Any) -> dict[str, Any]:
    """Parse (refusing malformed JSON structures) and NFC-normalise every text."""
    try:
        parsed = graph_module.parse(graph)
    except graph_module.GraphError as exc:
        raise ValidationError({"graph": str(exc)})
    data = parsed.to_dict()
    for step in data["steps"]:
        step["name"] = nfc(step.get("name", ""))
        for branch in step.get("branches", []) or []:
            branch["condition"] = nfc(branch.get("condition", ""))
    return data


@transaction.atomic
def definition_create(
    *,
    user: User,
    key: str,
    name: str,
    subject_kind: str = "any",
    description: str = "",
    graph: dict[str, Any] | None = None,
) -> ProcessDefinition:
    """A new definition with an editable draft (version 1)."""
    _require_designer(user)
    definition = ProcessDefinition(
        key=nfc(key),
        name=nfc(name),
        subject_kind=subject_kind,
        description=nfc(description),
        created_by=user,
    )
    definition.full_clean()
    definition.save()
    DefinitionVersion.objects.create(
        definition=definition,
        number=1,
        status=DefinitionVersion.Status.DRAFT,
        graph=_normalised(graph or {"start": None, "steps": []}),
        created_by=user,
    )
    audit_record(actor=user, action="definition.create", target=definition)
    return definition


@transaction.atomic
def draft_save(
    *, user: User, definition: ProcessDefinition, graph: dict[str, Any], note: str = ""
) -> DefinitionVersion:
    """Save the draft's graph; opens a new draft from the latest version when there is none."""
    _require_designer(user)
    definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
    draft = definition.draft_version()
    if draft is None:
        latest = definition.versions.order_by("-number").first()
        draft = DefinitionVersion(
            definition=definition,
            number=(latest.number if latest else 0) + 1,
            status=DefinitionVersion.Status.DRAFT,
            created_by=user,
        )
    draft.graph = _normalised(graph)
    draft.note = nfc(note)
    draft.save()
    audit_record(
        actor=user,
        action="definition.draft_save",
        target=definition,
        details={"version": draft.number},
    )
    return draft


def draft_problems(definition: ProcessDefinition) -> list[str]:
    """What prevents publishing the draft (empty when it can be published)."""
    from workflows.actions import ACTIONS

    draft = definition.draft_version()
    if draft is None:
        return [_("There is no draft to publish.")]
    return graph_module.validate(graph_module.parse(draft.graph), known_actions=set(ACTIONS))


@transaction.atomic
def version_publish(*, user: User, definition: ProcessDefinition) -> DefinitionVersion:
    """Freeze the draft as the new published version; running processes keep their version."""
    _require_designer(user)
    definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
    problems = draft_problems(definition)
    if problems:
        raise ValidationError(problems, code="invalid_definition")
    draft = definition.draft_version()
    draft.status = DefinitionVersion.Status.PUBLISHED
    draft.published_by = user
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        actor=user,
        action="definition.publish",
        target=definition,
        details={"version": draft.number},
    )
    return draft


@transaction.atomic
def definition_delete(*, user: User, definition: ProcessDefinition) -> None:
    """Delete a definition that no process has ever run on."""
    _require_designer(user)
    runs = ProcessRun.objects.filter(version__definition=definition).count()
    if runs:
        raise ValidationError(
            _("“%(name)s” is used by %(count)s process(es) and cannot be deleted.")
            % {"name": definition, "count": runs},
            code="in_use",
        )
    audit_record(actor=user, action="definition.delete", target=definition)
    definition.delete()
