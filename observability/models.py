"""Background jobs (Celery tasks) that failed, kept for the administrators' retry page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailedJob(models.Model):
    """One failed run of a task: what it was called with (secrets left out) and why it failed."""

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=255, blank=True)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # False when an argument could not be kept (a secret, or not JSON): the job cannot be re-sent.
    retryable = models.BooleanField(_("can be retried"), default=True)
    exception = models.TextField(_("error"))
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retried by"),
    )
    retry_task_id = models.CharField(_("retry's task id"), max_length=255, blank=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("failed background job")
        verbose_name_plural = _("failed background jobs")

    def __str__(self) -> str:
        return f"{self.task_name} ({self.failed_at:%Y-%m-%d %H:%M})"
