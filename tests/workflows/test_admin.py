"""The calendar's admin pages write through the audited services and refresh the cache."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from workflows import services
from workflows.calendar import is_working_day
from workflows.models import CalendarDay, DayKind, HolidayYear

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def admin_site(client, calendar_admin):
    client.force_login(calendar_admin)
    return client


def test_adding_a_day_off_in_the_admin(admin_site, calendar_admin, committed):
    assert is_working_day(D(2026, 4, 28))  # 2026 is cached
    with committed():
        response = admin_site.post(
            reverse("admin:workflows_calendarday_add"),
            {"date": "2026-04-28", "kind": DayKind.DAY_OFF, "name": "Nghỉ thêm", "note": ""},
        )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.date, day.kind, day.name, day.created_by) == (
        D(2026, 4, 28),
        DayKind.DAY_OFF,
        "Nghỉ thêm",
        calendar_admin,
    )
    entry = AuditEntry.objects.get(action="calendar.day.create")
    assert entry.actor == calendar_admin and entry.object_id == str(day.pk)
    assert not is_working_day(D(2026, 4, 28))


def test_admin_refuses_a_second_entry_for_the_same_date(admin_site, calendar_admin):
    services.add_calendar_day(
        actor=calendar_admin, date=D(2026, 4, 28), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
    )
    response = admin_site.post(
        reverse("admin:workflows_calendarday_add"),
        {"date": "2026-04-28", "kind": DayKind.WORKING_DAY, "name": "Làm bù", "note": ""},
    )
    assert response.status_code == 200  # the form again, with the error
    assert CalendarDay.objects.count() == 1


def test_deleting_in_the_admin_is_audited(admin_site, calendar_admin, committed):
    first = services.add_calendar_day(
        actor=calendar_admin, date=D(2026, 4, 28), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
    )
    second = services.add_calendar_day(
        actor=calendar_admin, date=D(2026, 4, 29), kind=DayKind.DAY_OFF, name="Nghỉ thêm"
    )
    assert not is_working_day(D(2026, 4, 28))
    with committed():
        response = admin_site.post(
            reverse("admin:workflows_calendarday_delete", args=[first.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert is_working_day(D(2026, 4, 28))
    with committed():
        response = admin_site.post(
            reverse("admin:workflows_calendarday_changelist"),
            {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.day.delete").count() == 2
    assert is_working_day(D(2026, 4, 29))


def test_holiday_year_page_shows_the_resulting_calendar(admin_site, calendar_admin, committed):
    with committed():
        response = admin_site.post(
            reverse("admin:workflows_holidayyear_add"),
            {"year": "2026", "announcement": "Thông báo nghỉ lễ năm 2026", "note": ""},
        )
    assert response.status_code == 302
    year = HolidayYear.objects.get()
    assert AuditEntry.objects.get(action="calendar.year.create").actor == calendar_admin
    with committed():
        services.add_calendar_day(
            actor=calendar_admin, date=D(2026, 1, 3), kind=DayKind.WORKING_DAY, name="Làm bù"
        )
    page = admin_site.get(reverse("admin:workflows_holidayyear_change", args=[year.pk]))
    text = page.content.decode()
    assert "26/04/2026" in text and "Giỗ Tổ Hùng Vương" in text
    assert "Nghỉ bù Giỗ Tổ Hùng Vương" in text
    assert "03/01/2026" in text  # the make-up Saturday
    assert admin_site.get(reverse("admin:workflows_calendarday_changelist")).status_code == 200
