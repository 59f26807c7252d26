"""The clean-up listens to imports and edits: records an import touched are matched against
their neighbours and validated (a Celery task, after the import's data is committed); an edited
record or row is validated again when it has an unfixed issue, so an issue is marked fixed as
soon as an edit or a later import makes the check pass.

Deletions (a record, a dose, a visit, an issue, a duplicate pair: by the admin, or a record's
cascade) are taken out of the aggregates (`health.aggregates`) in the deleting transaction; the
services refresh them for every other write."""

from __future__ import annotations

import functools

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from edoc.background import run_later
from health import aggregates
from health.models import (
    CleanupCheck,
    CleanupIssue,
    DuplicateCandidate,
    MedicalVisit,
    MergeRecord,
    Person,
    Vaccination,
)
from health.signals import records_imported


def _records_imported(sender, person_ids=(), **kwargs) -> None:
    from health.tasks import cleanup_people_task

    ids = sorted({int(pk) for pk in person_ids})
    if ids:
        transaction.on_commit(functools.partial(run_later, cleanup_people_task, ids))


def _row_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    person_id = instance.pk if sender is Person else instance.person_id
    if sender is Person and instance.merged_into_id:
        return
    from health.cleanup import recheck_if_open

    transaction.on_commit(functools.partial(recheck_if_open, person_id))


def _row_deleted(sender, instance, **kwargs) -> None:
    if sender is Person:
        ids = [instance.pk]
    elif sender is DuplicateCandidate:
        ids = [instance.first_id, instance.second_id]
    elif sender is MergeRecord:
        ids = [instance.survivor_id]
    else:
        ids = [instance.person_id]
    aggregates.refresh(ids)


DELETED = (
    Person,
    Vaccination,
    MedicalVisit,
    CleanupIssue,
    CleanupCheck,
    DuplicateCandidate,
    MergeRecord,
)


def connect() -> None:
    """Called once from HealthConfig.ready."""
    records_imported.connect(_records_imported, dispatch_uid="health-cleanup-imported")
    for model in (Person, Vaccination, MedicalVisit):
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"health-cleanup-{model.__name__}")
    for model in DELETED:
        post_delete.connect(
            _row_deleted, sender=model, dispatch_uid=f"health-aggregates-{model.__name__}"
        )
