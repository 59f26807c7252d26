"""Models of the workflows app: the working-day calendar, process definitions and runs."""

from .calendar_days import CalendarDay, DayKind, HolidayYear
from .definitions import DefinitionVersion, ProcessDefinition, SubjectKind
from .runs import Notification, ProcessRun, RunEvent, WorkItem

__all__ = [
    "CalendarDay",
    "DayKind",
    "DefinitionVersion",
    "HolidayYear",
    "Notification",
    "ProcessDefinition",
    "ProcessRun",
    "RunEvent",
    "SubjectKind",
    "WorkItem",
]
