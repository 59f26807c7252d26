"""Deadlines as people read them: "còn 3 ngày làm việc", whole working days from the calendar.

One wording for every page that shows a deadline (tasks, the task list, the document page's
assignments, one-stop dossiers) and for reminders; the API gives the same number as
`working_days_left`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows import calendar


def as_deadline(value: datetime.date | datetime.datetime) -> datetime.datetime:
    """A deadline moment: a date ("hạn 14/12") falls due at the end of that working day."""
    if isinstance(value, datetime.datetime):
        return value
    return calendar.end_of_working_day(value)


def working_days_left(
    deadline: datetime.date | datetime.datetime | None, now: datetime.datetime | None = None
) -> int | None:
    """Whole working days left (negative: overdue by that many), None without a deadline."""
    if deadline is None:
        return None
    return calendar.working_days_left(as_deadline(deadline), now or timezone.now())


def days_left_text(
    deadline: datetime.date | datetime.datetime | None, now: datetime.datetime | None = None
) -> str:
    """ "còn 3 ngày làm việc", "hạn hôm nay", "quá hạn 2 ngày làm việc" ("" without a deadline)."""
    if deadline is None:
        return ""
    now = now or timezone.now()
    moment = as_deadline(deadline)
    days = calendar.working_days_left(moment, now)
    if moment >= now:
        if days == 0:
            return _("due today")
        return ngettext("%(days)s working day left", "%(days)s working days left", days) % {
            "days": days
        }
    if days == 0:
        return _("overdue since today")
    return ngettext(
        "overdue by %(days)s working day", "overdue by %(days)s working days", -days
    ) % {"days": -days}
