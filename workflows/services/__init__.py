"""Writes of the workflows app: calendar data, process definitions and running processes."""

from .calendar_days import (
    add_calendar_day,
    delete_calendar_day,
    delete_holiday_year,
    save_calendar_day,
    save_holiday_year,
)

__all__ = [
    "add_calendar_day",
    "delete_calendar_day",
    "delete_holiday_year",
    "save_calendar_day",
    "save_holiday_year",
]
