"""Writes of the workflows app: each in a transaction, each audited.

Calendar changes refresh the working-day cache once the transaction commits, so other
processes never cache a change that was rolled back.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from edoc.services.audit import audit_record
from edoc.text import nfc, nfc_inputs
from workflows import calendar
from workflows.models import CalendarDay, DayKind, HolidayYear

CALENDAR_DAY_FIELDS = ("date", "kind", "name", "note")
HOLIDAY_YEAR_FIELDS = (
    "year",
    "tet_from_entries",
    "national_day_from_entries",
    "announcement",
    "note",
)


def _snapshot(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """The audited values: all of them for a creation, old and new for a change."""
    if before is None:
        return after
    return {
        name: {"from": before[name], "to": value}
        for name, value in after.items()
        if before[name] != value
    }


def _stored(model: type, pk: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).values(*fields).first()
    return row


def _refresh_calendar_on_commit() -> None:
    transaction.on_commit(calendar.invalidate_cache)


@transaction.atomic
def save_calendar_day(day: CalendarDay, *, actor: Any) -> CalendarDay:
    """Create or update an administrator's calendar day (validated), audited."""
    day.name, day.note = nfc(day.name), nfc(day.note)
    day.full_clean()
    before = _stored(CalendarDay, day.pk, CALENDAR_DAY_FIELDS)
    if before is None and getattr(actor, "pk", None):
        day.created_by = actor
    day.save()
    audit_record(
        actor=actor,
        action="calendar.day.create" if before is None else "calendar.day.change",
        target=day,
        details=_changes(before, _snapshot(day, CALENDAR_DAY_FIELDS)),
    )
    _refresh_calendar_on_commit()
    return day


@nfc_inputs
def add_calendar_day(
    *,
    actor: Any,
    date: datetime.date,
    kind: str,
    name: str,
    note: str = "",
) -> CalendarDay:
    """Record an extra day off (nghỉ bù, bridge day) or a make-up working day (làm bù)."""
    return save_calendar_day(
        CalendarDay(date=date, kind=DayKind(kind), name=name, note=note), actor=actor
    )


@transaction.atomic
def delete_calendar_day(day: CalendarDay, *, actor: Any) -> None:
    """Remove an administrator's calendar day: the default rule applies again, audited."""
    audit_record(
        actor=actor,
        action="calendar.day.delete",
        target=day,
        details=_snapshot(day, CALENDAR_DAY_FIELDS),
    )
    day.delete()
    _refresh_calendar_on_commit()


@transaction.atomic
def save_holiday_year(settings_row: HolidayYear, *, actor: Any) -> HolidayYear:
    """Create or update a year's holiday settings (validated), audited."""
    settings_row.announcement = nfc(settings_row.announcement)
    settings_row.note = nfc(settings_row.note)
    settings_row.full_clean()
    before = _stored(HolidayYear, settings_row.pk, HOLIDAY_YEAR_FIELDS)
    if before is None and getattr(actor, "pk", None):
        settings_row.created_by = actor
    settings_row.save()
    audit_record(
        actor=actor,
        action="calendar.year.create" if before is None else "calendar.year.change",
        target=settings_row,
        details=_changes(before, _snapshot(settings_row, HOLIDAY_YEAR_FIELDS)),
    )
    _refresh_calendar_on_commit()
    return settings_row


@transaction.atomic
def delete_holiday_year(settings_row: HolidayYear, *, actor: Any) -> None:
    """Remove a year's holiday settings: the default Tết and Quốc khánh days apply again."""
    audit_record(
        actor=actor,
        action="calendar.year.delete",
        target=settings_row,
        details=_snapshot(settings_row, HOLIDAY_YEAR_FIELDS),
    )
    settings_row.delete()
    _refresh_calendar_on_commit()
