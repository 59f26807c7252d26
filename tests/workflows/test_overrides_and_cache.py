"""Working days with the administrators' changes, the services' audit and the cache."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings

from edoc.models import AuditEntry
from workflows import calendar, services
from workflows.calendar import (
    add_working_days,
    holidays,
    is_working_day,
    working_days_between,
)
from workflows.models import CalendarDay, DayKind, HolidayYear

D = datetime.date
pytestmark = pytest.mark.django_db


def test_weekends_and_holidays_are_not_working_days():
    assert is_working_day(D(2026, 4, 24))  # Friday
    assert not is_working_day(D(2026, 4, 25))  # Saturday
    assert not is_working_day(D(2026, 4, 26))  # Sunday, Giỗ Tổ
    assert not is_working_day(D(2026, 4, 27))  # Monday, nghỉ bù Giỗ Tổ
    assert is_working_day(D(2026, 4, 28))
    assert not is_working_day(D(2026, 9, 2))


def test_add_working_days_over_giỗ_tổ_and_30_4():
    # Fri 24/4/2026; 25–26 weekend (Giỗ Tổ on Sunday), Mon 27 nghỉ bù; Tue 28 = 1, Wed 29 = 2;
    # 30/4 and 1/5 holidays, 2–3/5 weekend; Mon 4/5 = 3.
    assert add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 4)
    assert add_working_days(D(2026, 4, 24), 1) == D(2026, 4, 28)
    assert add_working_days(D(2026, 4, 24), 0) == D(2026, 4, 24)
    assert add_working_days(D(2026, 4, 25), 0) == D(2026, 4, 25)


def test_add_working_days_backwards_and_between():
    assert add_working_days(D(2026, 5, 4), -3) == D(2026, 4, 24)
    assert add_working_days(D(2026, 4, 28), -1) == D(2026, 4, 24)
    assert working_days_between(D(2026, 4, 24), D(2026, 5, 4)) == 3
    assert working_days_between(D(2026, 5, 4), D(2026, 4, 24)) == -3
    assert working_days_between(D(2026, 4, 24), D(2026, 4, 24)) == 0
    # Across the year end: 31/12/2026 Thursday, 1/1/2027 holiday, weekend, Monday 4/1.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2


def test_make_up_saturday_counts_as_a_working_day(calendar_admin, committed):
    saturday = D(2025, 4, 26)
    assert not is_working_day(saturday)
    with committed():
        services.add_calendar_day(
            actor=calendar_admin,
            date=saturday,
            kind=DayKind.WORKING_DAY,
            name="Làm bù cho thứ Sáu 02/5/2025",
        )
    assert is_working_day(saturday)
    # Friday 25/4 + 1 working day is now that Saturday.
    assert add_working_days(D(2025, 4, 25), 1) == saturday
    assert saturday not in dict(holidays(2025))


def test_an_added_day_off_shifts_deadlines(calendar_admin, committed):
    assert add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 4)
    with committed():
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 4, 28), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
        )
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 4, 29), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
        )
    assert add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 6)
    assert dict(holidays(2026))[D(2026, 4, 28)] == "Nghỉ thêm"


def test_a_working_day_entry_cancels_a_default_holiday(calendar_admin, committed):
    with committed():
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 9, 1), kind=DayKind.WORKING_DAY, name="Làm việc"
        )
    assert is_working_day(D(2026, 9, 1))
    assert D(2026, 9, 1) not in dict(holidays(2026))


def test_the_announced_2025_calendar(calendar_admin, committed):
    """2025 as announced: Tết 25/1–2/2 (the five weekdays 27–31/1), 30/4–4/5 with Friday 2/5
    swapped for Saturday 26/4, and Quốc khánh 30/8–2/9."""
    with committed():
        services.save_holiday_year(
            HolidayYear(year=2025, tet_from_entries=True, announcement="Tết Ất Tỵ 2025"),
            actor=calendar_admin,
        )
        for day in range(27, 32):
            services.add_calendar_day(
                actor=calendar_admin,
                date=D(2025, 1, day),
                kind=DayKind.DAY_OFF,
                name="Tết Nguyên đán",
            )
        services.add_calendar_day(
            actor=calendar_admin,
            date=D(2025, 5, 2),
            kind=DayKind.DAY_OFF,
            name="Nghỉ hoán đổi (làm bù thứ Bảy 26/4)",
        )
        services.add_calendar_day(
            actor=calendar_admin,
            date=D(2025, 4, 26),
            kind=DayKind.WORKING_DAY,
            name="Làm bù cho thứ Sáu 02/5",
        )

    assert holidays(2025) == [
        (D(2025, 1, 1), "Tết Dương lịch"),
        (D(2025, 1, 27), "Tết Nguyên đán"),
        (D(2025, 1, 28), "Tết Nguyên đán"),
        (D(2025, 1, 29), "Tết Nguyên đán"),
        (D(2025, 1, 30), "Tết Nguyên đán"),
        (D(2025, 1, 31), "Tết Nguyên đán"),
        (D(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
        (D(2025, 4, 30), "Ngày Chiến thắng"),
        (D(2025, 5, 1), "Quốc tế Lao động"),
        (D(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/4)"),
        (D(2025, 9, 1), "Quốc khánh"),
        (D(2025, 9, 2), "Quốc khánh"),
    ]
    # The Tết block: Friday 24/1 is the last working day before it, Monday 3/2 the first after.
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert is_working_day(D(2025, 2, 3))
    # 30/4–4/5: Friday 25/4, then the make-up Saturday 26/4, Mon 28, Tue 29, then Mon 5/5.
    assert add_working_days(D(2025, 4, 25), 4) == D(2025, 5, 5)


def test_national_day_from_entries_keeps_2_september(calendar_admin, committed):
    with committed():
        services.save_holiday_year(
            HolidayYear(year=2026, national_day_from_entries=True), actor=calendar_admin
        )
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 9, 3), kind=DayKind.DAY_OFF, name="Quốc khánh"
        )
    days = {day: name for day, name in holidays(2026) if day.month == 9}
    assert days == {D(2026, 9, 2): "Quốc khánh", D(2026, 9, 3): "Quốc khánh"}


def test_services_audit_every_change(calendar_admin):
    day = services.add_calendar_day(
        actor=calendar_admin, date=D(2026, 1, 2), kind=DayKind.DAY_OFF, name="Nghỉ bù  "
    )
    assert day.created_by == calendar_admin
    created = AuditEntry.objects.get(action="calendar.day.create")
    assert created.actor == calendar_admin
    assert created.object_type == "calendarday"
    assert created.details == {
        "date": "2026-01-02",
        "kind": "day_off",
        "name": "Nghỉ bù",
        "note": "",
    }

    day.name = "Nghỉ bù Tết Dương lịch"
    services.save_calendar_day(day, actor=calendar_admin)
    changed = AuditEntry.objects.get(action="calendar.day.change")
    assert changed.details == {"name": {"from": "Nghỉ bù", "to": "Nghỉ bù Tết Dương lịch"}}

    services.delete_calendar_day(day, actor=calendar_admin)
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.get(action="calendar.day.delete").details["date"] == "2026-01-02"

    year = services.save_holiday_year(HolidayYear(year=2027), actor=calendar_admin)
    year.tet_from_entries = True
    services.save_holiday_year(year, actor=calendar_admin)
    assert AuditEntry.objects.get(action="calendar.year.change").details == {
        "tet_from_entries": {"from": False, "to": True}
    }
    services.delete_holiday_year(year, actor=calendar_admin)
    assert AuditEntry.objects.filter(action__startswith="calendar.year.").count() == 3


def test_services_validate(calendar_admin):
    services.add_calendar_day(
        actor=calendar_admin, date=D(2026, 1, 2), kind=DayKind.DAY_OFF, name="Nghỉ bù"
    )
    with pytest.raises(ValidationError):  # one entry per date
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 1, 2), kind=DayKind.WORKING_DAY, name="Làm bù"
        )
    with pytest.raises(ValidationError):
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 1, 3), kind=DayKind.DAY_OFF, name="   "
        )
    with pytest.raises(ValidationError):
        services.add_calendar_day(
            actor=calendar_admin, date=D(2101, 1, 3), kind=DayKind.DAY_OFF, name="Xa quá"
        )
    with pytest.raises(ValidationError):
        services.save_holiday_year(HolidayYear(year=1899), actor=calendar_admin)
    assert CalendarDay.objects.count() == 1


def test_a_committed_change_through_the_service_invalidates_the_cache(
    calendar_admin, django_capture_on_commit_callbacks
):
    monday = D(2026, 5, 4)
    assert is_working_day(monday)  # year 2026 is now cached
    # A write that bypasses the services is not seen while the year is cached...
    CalendarDay.objects.create(date=monday, kind=DayKind.DAY_OFF, name="Ghi thẳng")
    assert is_working_day(monday)
    # ...a change through the service refreshes the cache when its transaction commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 5, 5), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
        )
        assert is_working_day(D(2026, 5, 5))  # not yet committed: the cache still holds
    assert callbacks
    assert not is_working_day(monday)
    assert not is_working_day(D(2026, 5, 5))


def test_other_processes_see_the_change_through_the_shared_version(calendar_admin):
    with override_settings(EDOC_CALENDAR_RECHECK_SECONDS=0):
        assert is_working_day(D(2026, 5, 4))
        CalendarDay.objects.create(date=D(2026, 5, 4), kind=DayKind.DAY_OFF, name="Nghỉ thêm")
        assert is_working_day(D(2026, 5, 4))  # same version: still cached
        # Another process's service call publishes a new version in the shared cache.
        cache.set(calendar.VERSION_KEY, "changed-elsewhere", timeout=None)
        assert not is_working_day(D(2026, 5, 4))


def test_the_calendar_is_loaded_once_per_year(django_assert_num_queries):
    with django_assert_num_queries(2):  # the year's settings and its calendar days
        assert add_working_days(D(2026, 1, 5), 100) == D(2026, 6, 4)
    with django_assert_num_queries(0):
        for _ in range(100):
            add_working_days(D(2026, 1, 5), 100)


def test_names_are_stored_nfc(calendar_admin):
    decomposed = unicodedata.normalize("NFD", "Nghỉ bù Quốc khánh")
    day = services.save_calendar_day(
        CalendarDay(date=D(2026, 9, 4), kind=DayKind.DAY_OFF, name=decomposed),
        actor=calendar_admin,
    )
    day.refresh_from_db()
    assert day.name == unicodedata.normalize("NFC", decomposed)
