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
