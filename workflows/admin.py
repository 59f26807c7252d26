"""Django admin for the working-day calendar; every save and delete goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from workflows import calendar, services
from workflows.models import CalendarDay, HolidayYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "created_by", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "note")
    fields = ("date", "kind", "name", "note", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        services.save_calendar_day(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.delete_calendar_day(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            services.delete_calendar_day(day, actor=request.user)


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ("year", "tet_from_entries", "national_day_from_entries", "announcement")
    fields = (
        "year",
        "tet_from_entries",
        "national_day_from_entries",
        "announcement",
        "note",
        "days_off",
        "make_up_days",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("days_off", "make_up_days", "created_by", "created_at", "updated_at")

    @admin.display(description=_("days off of the year (saved calendar)"))
    def days_off(self, obj: HolidayYear) -> str:
        if obj.pk is None:
            return "–"
        rows = calendar.holidays(obj.year)
        return format_html_join(
            mark_safe("<br>"),
            "{} ({}) – {}",
            ((day.strftime("%d/%m/%Y"), WEEKDAYS[day.weekday()], name) for day, name in rows),
        )

    @admin.display(description=_("weekend working days"))
    def make_up_days(self, obj: HolidayYear) -> str:
        if obj.pk is None:
            return "–"
        days = sorted(
            day for day in calendar.year_calendar(obj.year).working_days if day.weekday() >= 5
        )
        if not days:
            return "–"
        return format_html_join(
            mark_safe("<br>"),
            "{} ({})",
            ((day.strftime("%d/%m/%Y"), WEEKDAYS[day.weekday()]) for day in days),
        )

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: Any, change: bool) -> None:
        services.save_holiday_year(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: HolidayYear) -> None:
        services.delete_holiday_year(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        for settings_row in queryset:
            services.delete_holiday_year(settings_row, actor=request.user)


# --- The engine's third-party sections (viewflow's runtime state, Celery beat's schedule): their
# names come from our catalog (locale_thirdparty/); the columns they compute in code get
# translatable names here.


class ViewflowProcessAdmin(viewflow_admin.ProcessAdmin):
    """Read-only: the engine's state changes only through eDoc's services."""

    list_display = ["id", "created", "flow_class", "status", "participants", "brief_text"]
    list_display_links = ["id", "created", "flow_class"]
    fields = readonly_fields = ["flow_class", "status", "created", "finished"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("participants"))
    def participants(self, obj: Process) -> str:
        return super().participants(obj)

    @admin.display(description=_("summary"))
    def brief_text(self, obj: Process) -> str:
        return obj.brief or ""


class ViewflowTaskAdmin(viewflow_admin.TaskAdmin):
    list_display = [
        "id",
        "created",
        "process",
        "status",
        "owner",
        "owner_permission",
        "token",
        "started",
        "finished",
    ]
    list_display_links = ["id", "created", "process"]
    fields = readonly_fields = [
        "process",
        "flow_task",
        "status",
        "owner",
        "created",
        "assigned",
        "started",
        "finished",
        "token",
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _TaskNameFilter(admin.AllValuesFieldListFilter):
    """Celery beat names this field "Task Name" without marking it for translation."""

    title = _("task name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = type(self).title


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_filter = ["enabled", "one_off", ("task", _TaskNameFilter), "start_time", "last_run_at"]
    list_display = (
        "name",
        "enabled",
        "schedule",
        "interval",
        "start_time",
        "last_run_at",
        "one_off",
    )

    @admin.display(description=_("schedule"))
    def schedule(self, obj: PeriodicTask) -> str:
        return str(obj.scheduler)

    @admin.display(description=_("crontab in words"))
    def crontab_translation(self, obj: PeriodicTask) -> str:
        return obj.crontab.human_readable if obj.crontab else ""


class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    list_display = ("__str__", "in_words")
    fields = (
        "in_words",
        "minute",
        "hour",
        "day_of_month",
        "month_of_year",
        "day_of_week",
        "timezone",
    )
    readonly_fields = ("in_words",)

    @admin.display(description=_("in words"))
    def in_words(self, obj: CrontabSchedule) -> str:
        return obj.human_readable if obj.pk else ""


for _model, _model_admin in (
    (Process, ViewflowProcessAdmin),
    (Task, ViewflowTaskAdmin),
    (PeriodicTask, PeriodicTaskAdmin),
    (CrontabSchedule, CrontabScheduleAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)
