"""Celery entry points of the workflows app."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def fire_timers_task() -> int:
    """Fire due reminders and escalations (scheduled every minute by Celery beat)."""
    from workflows.services.processes import fire_timers

    return fire_timers()


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def email_notification_task(notification_id: int) -> None:
    """E-mail one notification to its user (retried while the mail server is unreachable)."""
    from django.core.mail import send_mail

    from workflows.models import Notification

    notice = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notice is None or not notice.user.email:
        return
    send_mail(notice.text, f"{notice.text}\n{notice.url}", None, [notice.user.email])
