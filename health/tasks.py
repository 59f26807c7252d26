"""Celery entry points of the health app: load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="health.import_job", ignore_result=True)
def import_job_task(job_id: int) -> None:
    """Process an import job from its cursor (health.imports.import_run)."""
    from health.imports import import_run

    import_run(job_id)
