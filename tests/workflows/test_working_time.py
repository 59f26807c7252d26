"""Deadlines in working hours and fractions of a day (office hours 07:30–11:30, 13:30–17:30)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from workflows.calendar import (
    VN_TZ,
    add_working_time,
    deadline_for,
    parse_working_hours,
    working_day_length,
)

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN_TZ)


def test_default_office_hours_make_an_eight_hour_day():
    assert working_day_length() == datetime.timedelta(hours=8)


def test_half_a_day_from_15_30_ends_the_next_morning():
    # Tuesday 15:30: 2 hours today, 2 hours from 07:30 on Wednesday.
    assert deadline_for(at(2026, 3, 10, 15, 30), days=0.5) == at(2026, 3, 11, 9, 30)
    assert deadline_for(at(2026, 3, 10, 15, 30), hours=4) == at(2026, 3, 11, 9, 30)
    assert deadline_for(at(2026, 3, 10, 15, 30), days=Decimal("0.5")) == at(2026, 3, 11, 9, 30)


def test_received_after_hours_starts_at_the_next_opening():
    # Tuesday 18:00: the clock starts Wednesday 07:30; half a day ends at 11:30.
    assert deadline_for(at(2026, 3, 10, 18, 0), days=0.5) == at(2026, 3, 11, 11, 30)
    # During the lunch break the clock starts at 13:30.
    assert deadline_for(at(2026, 3, 10, 12, 0), hours=1) == at(2026, 3, 10, 14, 30)
    # Before opening.
    assert deadline_for(at(2026, 3, 10, 6, 0), hours=2) == at(2026, 3, 10, 9, 30)


def test_time_runs_across_the_lunch_break():
    assert deadline_for(at(2026, 3, 10, 10, 0), hours=4) == at(2026, 3, 10, 16, 0)


def test_a_duration_ending_at_closing_time_stays_on_that_day():
    assert deadline_for(at(2026, 3, 10, 7, 30), hours=4) == at(2026, 3, 10, 11, 30)
    assert deadline_for(at(2026, 3, 10, 7, 30), days=1) == at(2026, 3, 10, 17, 30)


def test_whole_days_keep_the_time_of_day():
    assert deadline_for(at(2026, 3, 10, 15, 30), days=1) == at(2026, 3, 11, 15, 30)
    assert deadline_for(at(2026, 3, 10, 15, 30), days=3) == at(2026, 3, 13, 15, 30)
    assert deadline_for(at(2026, 3, 10, 15, 30), days=1, hours=1) == at(2026, 3, 11, 16, 30)


def test_weekends_and_holidays_are_skipped():
    # Friday 24/4/2026 16:00 + 1 day: 1.5 h on Friday; Sat, Sun (Giỗ Tổ), Mon (nghỉ bù) are off;
    # the remaining 6.5 h end on Tuesday 28/4 at 16:00.
    assert deadline_for(at(2026, 4, 24, 16, 0), days=1) == at(2026, 4, 28, 16, 0)
    # Received on Saturday: the clock starts on Tuesday morning.
    assert deadline_for(at(2026, 4, 25, 9, 0), days=0.5) == at(2026, 4, 28, 11, 30)
    # Wednesday 29/4 15:30 + 4 h: 30/4–3/5 are off -> Monday 4/5 09:30.
    assert deadline_for(at(2026, 4, 29, 15, 30), hours=4) == at(2026, 5, 4, 9, 30)


def test_results_are_in_vietnam_time_whatever_the_input_zone():
    start = datetime.datetime(2026, 3, 10, 8, 30, tzinfo=datetime.UTC)  # 15:30 in Hà Nội
    result = add_working_time(start, days=0.5)
    assert result == at(2026, 3, 11, 9, 30)
    assert result.tzinfo == VN_TZ


def test_zero_duration_returns_the_start():
    start = at(2026, 3, 14, 20, 0)  # a Saturday evening
    assert add_working_time(start) == start
    assert deadline_for(start, hours=0) == start


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for(datetime.datetime(2026, 3, 10, 9, 0), days=1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="days or hours"):
        deadline_for(at(2026, 3, 10, 9, 0))
    with pytest.raises(ValueError, match="≥ 0"):
        deadline_for(at(2026, 3, 10, 9, 0), days=-1)
    with pytest.raises(ValueError, match="≥ 0"):
        deadline_for(at(2026, 3, 10, 9, 0), hours=float("nan"))
    with pytest.raises(ValueError, match="number"):
        deadline_for(at(2026, 3, 10, 9, 0), days="half")


@override_settings(EDOC_WORKING_HOURS="08:00-12:00, 13:00-16:00")
def test_office_hours_come_from_the_setting():
    assert working_day_length() == datetime.timedelta(hours=7)
    # Half a day is now 3.5 hours: 15:00–16:00, then 08:00–10:30.
    assert deadline_for(at(2026, 3, 10, 15, 0), days=0.5) == at(2026, 3, 11, 10, 30)


@pytest.mark.parametrize(
    "value",
    ["", "07:30", "07:30-11:30;13:30-17:30", "11:30-07:30", "07:30-12:00,11:00-17:00", "8-12"],
)
def test_bad_office_hours_are_a_configuration_error(value):
    with pytest.raises(ImproperlyConfigured):
        parse_working_hours(value)
    with override_settings(EDOC_WORKING_HOURS=value):
        errors = [message for message in run_checks() if message.id == "workflows.E001"]
    assert len(errors) == 1
