"""Celery tasks of the dashboard (scheduled in CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dashboard.weekly_report")
def weekly_report_task() -> int:
    """E-mail last week's dashboard PDF to the board; the number of recipients."""
    from dashboard.reports import weekly_report_send

    report = weekly_report_send()
    return len(report.recipients) if report is not None else 0
