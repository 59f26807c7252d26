"""How edoc's pages word a deadline's working days left ("còn 3 ngày làm việc").

The working-day calendar belongs to `workflows` (a higher layer), which registers its counter
here when it starts (`workflows.apps`); without it, pages show the date alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

DaysLeftText = Callable[[datetime.date], str]

_days_left_text: DaysLeftText | None = None


def register_days_left_text(function: DaysLeftText) -> None:
    """Called once at start-up by the app that owns the working-day calendar."""
    global _days_left_text
    _days_left_text = function


def days_left_text(deadline: datetime.date | None) -> str:
    """ "còn 3 ngày làm việc" for a date deadline ("" without one or without a calendar)."""
    if deadline is None or _days_left_text is None:
        return ""
    return _days_left_text(deadline)
