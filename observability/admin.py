"""The page of failed background jobs (admin → Vận hành → Tác vụ nền lỗi), with "Thử lại"."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from observability.models import FailedJob
from observability.services import failed_job_retry

logger = logging.getLogger(__name__)


@admin.register(FailedJob)
class FailedJobAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "task_name", "short_exception", "retryable", "retried_at"]
    list_filter = ["task_name", "retryable", ("retried_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "task_id", "request_id", "exception"]
    date_hierarchy = "failed_at"
    actions = ["retry_selected"]
    readonly_fields = [
        "task_name",
        "task_id",
        "args",
        "kwargs",
        "retryable",
        "exception",
        "request_id",
        "failed_at",
        "retried_at",
        "retried_by",
        "retry_task_id",
    ]

    @admin.display(description=_("error"))
    def short_exception(self, obj: FailedJob) -> str:
        return obj.exception if len(obj.exception) <= 120 else obj.exception[:119] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FailedJob | None = None) -> bool:
        return False  # nothing is edited; retrying is the action below

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm("observability.change_failedjob")
        )

    @admin.action(description=_("Retry the selected jobs"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[FailedJob]) -> None:
        sent = 0
        for job in queryset:
            try:
                failed_job_retry(actor=request.user, job=job)
            except ValidationError as error:
                self.message_user(request, f"{job}: {' '.join(error.messages)}", messages.ERROR)
            except Exception as error:  # an in-process run that failed again
                logger.warning("retry of failed job %s failed again", job.pk, exc_info=True)
                self.message_user(
                    request,
                    _("%(job)s failed again: %(error)s")
                    % {"job": job, "error": type(error).__name__},
                    messages.ERROR,
                )
            else:
                sent += 1
        if sent:
            self.message_user(
                request, _("%(count)d job(s) sent again.") % {"count": sent}, messages.SUCCESS
            )
