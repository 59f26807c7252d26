"""Celery entry points of the health app (imports, clean-up): load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="health.import_job", ignore_result=True)
def import_job_task(job_id: int) -> None:
    """Process an import job from its cursor (health.imports.import_run)."""
    from health.imports import import_run

    import_run(job_id)


@shared_task
def cleanup_people_task(person_ids: list[int]) -> dict[str, int]:
    """Look for duplicates of the records `person_ids` among their neighbours and check them
    (those merged meanwhile: their survivors)."""
    from health import cleanup
    from health.models import Person

    detection = cleanup.find_duplicates(person_ids)
    survivors = Person.objects.filter(pk__in=person_ids, merged_into__isnull=False)
    checked = cleanup.check_people(
        set(person_ids) | set(survivors.values_list("merged_into_id", flat=True))
    )
    return {
        "compared": detection.compared,
        "proposed": detection.proposed,
        "merged": detection.merged,
        "checked": checked.checked,
        "issues_opened": checked.opened,
        "issues_fixed": checked.fixed,
    }
