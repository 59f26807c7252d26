"""The working-day calendar. Every deadline in eDoc is computed here.

Default rule (Labour Code 45/2019/QH14):

- Saturdays and Sundays are weekly days off (Art. 111).
- Public holidays (Art. 112(1)): 1/1 Tết Dương lịch; Tết Nguyên đán, 5 days, by default the
  last day of the lunar year and mùng 1–4; Giỗ Tổ Hùng Vương (10/3 lunar); 30/4 Ngày Chiến
  thắng; 1/5 Quốc tế Lao động; 2/9 Quốc khánh and one adjacent day (1/9 or 3/9: the one that
  gives the longest block of days off, on a tie the one that is a weekday, then 1/9).
- A holiday on a weekly day off gives a compensatory day off (nghỉ bù) on the next working
  day (Art. 111(3)), applied to every default holiday, Tết included.

The lunar dates come from `lunar-vn` (Hồ Ngọc Đức's algorithm, UTC+7: the Vietnamese calendar,
which differs from the Chinese one in some years, e.g. Tết 1985 and 2030).

Administrators record each year's announced changes as data (`workflows.models`): a
`CalendarDay` makes a date a day off or a working day and always wins over the default rule;
a `HolidayYear` can drop the default Tết days or the default day next to Quốc khánh so that
the entered days are the only ones. The calendar of a year is loaded once per process and
cached; `workflows.services` invalidates the cache when an administrator changes the data
(in this process at once, in other processes within `EDOC_CALENDAR_RECHECK_SECONDS`, default 5,
through a version key in Django's cache; without a shared cache, within ten minutes).

Office hours come from the `EDOC_WORKING_HOURS` setting (default "07:30-11:30,13:30-17:30");
a working day is the sum of its periods (8 hours by default), so 0.5 day = 4 working hours.
Times are in Asia/Ho_Chi_Minh whatever the server's time zone.

Holiday names are the legal Vietnamese names: they are data (like a place name), the same in
every interface language, and operators' scripts read them from the `holidays` command.
"""

from __future__ import annotations

import datetime
import functools
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from lunar_vn import LunarDate, lunar_to_solar

logger = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The range of the lunar-calendar library.
MIN_YEAR = 1900
MAX_YEAR = 2100
DEFAULT_WORKING_HOURS = "07:30-11:30,13:30-17:30"

NEW_YEAR = "Tết Dương lịch"
TET = "Tết Nguyên đán"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
VICTORY_DAY = "Ngày Chiến thắng"
LABOUR_DAY = "Quốc tế Lao động"
NATIONAL_DAY = "Quốc khánh"
COMPENSATORY = "Nghỉ bù {}"

TET_DAYS = 5
_ONE_DAY = datetime.timedelta(days=1)

DateName = tuple[datetime.date, str]


# --- Lunar dates -----------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"The calendar covers the years {MIN_YEAR} to {MAX_YEAR}, not {year}.")


def lunar_new_year(year: int) -> datetime.date:
    """Mùng 1 Tết of the lunar year that starts in `year` (Vietnamese calendar, UTC+7)."""
    _check_year(year)
    return lunar_to_solar(LunarDate(1, 1, year))


def hung_kings_day(year: int) -> datetime.date:
    """Giỗ Tổ Hùng Vương, the 10th day of the 3rd lunar month, in `year`."""
    _check_year(year)
    return lunar_to_solar(LunarDate(10, 3, year))


# --- The default rule (pure, no database) ----------------------------------------------------


def _is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


def _with_compensation(fixed: list[tuple[datetime.date, str, bool]]) -> dict[datetime.date, str]:
    """The holidays plus a compensatory day for each flagged one that falls on a weekend."""
    days_off = {day: name for day, name, _ in fixed}
    for day, name, compensate in sorted(fixed):
        if not (compensate and _is_weekend(day)):
            continue
        candidate = day + _ONE_DAY
        while _is_weekend(candidate) or candidate in days_off:
            candidate += _ONE_DAY
        days_off[candidate] = COMPENSATORY.format(name)
    return dict(sorted(days_off.items()))


def _block_length(days_off: dict[datetime.date, str], day: datetime.date) -> int:
    """The number of consecutive days off (weekends included) around `day`."""

    def off(d: datetime.date) -> bool:
        return d in days_off or _is_weekend(d)

    start = end = day
    while off(start - _ONE_DAY):
        start -= _ONE_DAY
    while off(end + _ONE_DAY):
        end += _ONE_DAY
    return (end - start).days + 1


@functools.lru_cache(maxsize=256)
def _default_days_off(
    year: int, *, tet: bool = True, national_day: bool = True
) -> dict[datetime.date, str]:
    _check_year(year)
    fixed: list[tuple[datetime.date, str, bool]] = [(datetime.date(year, 1, 1), NEW_YEAR, True)]
    if tet:
        first = lunar_new_year(year)
        fixed += [(first + (i - 1) * _ONE_DAY, TET, True) for i in range(TET_DAYS)]
    fixed += [
        (hung_kings_day(year), HUNG_KINGS, True),
        (datetime.date(year, 4, 30), VICTORY_DAY, True),
        (datetime.date(year, 5, 1), LABOUR_DAY, True),
    ]
    national = datetime.date(year, 9, 2)
    if not national_day:
        # The entered days replace the adjacent day and any compensation.
        return _with_compensation([*fixed, (national, NATIONAL_DAY, False)])
    best: tuple[tuple[int, bool, bool], dict[datetime.date, str]] | None = None
    for adjacent in (national - _ONE_DAY, national + _ONE_DAY):
        candidate = _with_compensation(
            [*fixed, (national, NATIONAL_DAY, True), (adjacent, NATIONAL_DAY, True)]
        )
        score = (
            _block_length(candidate, national),
            not _is_weekend(adjacent),
            adjacent < national,
        )
        if best is None or score > best[0]:
            best = (score, candidate)
    assert best is not None
    return best[1]


def default_holidays(year: int) -> list[DateName]:
    """The Labour Code's days off of `year` with compensatory days, before any admin change."""
    return list(_default_days_off(year).items())


# --- Administrators' changes, cached per year ------------------------------------------------


@dataclass(frozen=True)
class YearCalendar:
    """One year's days off (other than ordinary weekends) and explicit working days."""

    year: int
    days_off: dict[datetime.date, str]
    working_days: frozenset[datetime.date]

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return not _is_weekend(day)


def load_year(year: int) -> YearCalendar:
    """Build a year's calendar from the default rule and the administrators' entries."""
    from workflows.models import CalendarDay, DayKind, HolidayYear

    _check_year(year)
    settings_row = HolidayYear.objects.filter(year=year).first()
    days_off = dict(
        _default_days_off(
            year,
            tet=not (settings_row and settings_row.tet_from_entries),
            national_day=not (settings_row and settings_row.national_day_from_entries),
        )
    )
    working: set[datetime.date] = set()
    entries = CalendarDay.objects.filter(
        date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
    ).values_list("date", "kind", "name")
    for day, kind, name in entries:
        if kind == DayKind.WORKING_DAY:
            days_off.pop(day, None)
            working.add(day)
        else:
            days_off[day] = name
    return YearCalendar(year, dict(sorted(days_off.items())), frozenset(working))


VERSION_KEY = "workflows:calendar:version"
_MAX_AGE_SECONDS = 600.0


class _YearCache:
    """Per-process cache of loaded years, dropped when the shared version key changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.years: dict[int, YearCalendar] = {}
        self.version: object = None
        self.checked_at = float("-inf")
        self.loaded_at = float("-inf")

    def clear(self) -> None:
        with self.lock:
            self.years = {}
            self.checked_at = float("-inf")

    def get(self, year: int) -> YearCalendar:
        now = time.monotonic()
        recheck = getattr(settings, "EDOC_CALENDAR_RECHECK_SECONDS", 5.0)
        if now - self.checked_at >= recheck:
            try:
                version = cache.get(VERSION_KEY)
            except Exception:  # a cache outage must not stop deadlines; the max age still holds
                logger.warning("Calendar cache version unavailable", exc_info=True)
                version = self.version
            with self.lock:
                if version != self.version or now - self.loaded_at >= _MAX_AGE_SECONDS:
                    self.years = {}
                    self.version = version
                    self.loaded_at = now
                self.checked_at = now
        calendar = self.years.get(year)
        if calendar is None:
            calendar = load_year(year)
            self.years[year] = calendar
        return calendar


_cache = _YearCache()


def invalidate_cache() -> None:
    """Forget the loaded years here and tell other processes (called by the services)."""
    _cache.clear()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("Could not publish the calendar version", exc_info=True)


def year_calendar(year: int) -> YearCalendar:
    """The (cached) calendar of `year`, with the administrators' changes applied."""
    return _cache.get(year)


# --- Working days ----------------------------------------------------------------------------


def is_working_day(day: datetime.date) -> bool:
    """True on a working day: not a weekend or holiday, or made a working day by an admin."""
    return year_calendar(day.year).is_working_day(day)


def day_off_name(day: datetime.date) -> str:
    """The name of a holiday or an administrator's day off ("Quốc khánh"), "" otherwise."""
    return year_calendar(day.year).days_off.get(day, "")


def holidays(year: int) -> list[DateName]:
    """The days off of `year` other than ordinary weekends, with their names, by date."""
    return list(year_calendar(year).days_off.items())


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date `n` working days after `start` (before it when `n` < 0); `start` when n == 0.

    `start` itself is never counted: from Friday, 1 working day is the next Monday
    (if that is a working day).
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days after `a` up to and including `b`; negative when `b` is before `a`.

    For a working day `b`: `add_working_days(a, working_days_between(a, b)) == b`.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a + _ONE_DAY
    while day <= b:
        count += is_working_day(day)
        day += _ONE_DAY
    return count


# --- Office hours ----------------------------------------------------------------------------

Period = tuple[datetime.time, datetime.time]


@functools.lru_cache(maxsize=8)
def parse_working_hours(value: str) -> tuple[Period, ...]:
    """Parse "07:30-11:30,13:30-17:30" into ordered, non-overlapping (open, close) periods."""
    periods: list[Period] = []
    try:
        for part in value.split(","):
            opening, closing = (
                datetime.time.fromisoformat(bound.strip()) for bound in part.split("-")
            )
            periods.append((opening, closing))
    except ValueError:
        raise ImproperlyConfigured(
            f"EDOC_WORKING_HOURS must look like {DEFAULT_WORKING_HOURS!r}, not {value!r}."
        )
    previous_close = datetime.time.min
    for index, (opening, closing) in enumerate(periods):
        if not opening < closing or (index and opening < previous_close):
            raise ImproperlyConfigured(
                f"EDOC_WORKING_HOURS periods must be increasing and must not overlap: {value!r}."
            )
        previous_close = closing
    return tuple(periods)


def working_periods() -> tuple[Period, ...]:
    """The configured office-hour periods of a working day."""
    return parse_working_hours(getattr(settings, "EDOC_WORKING_HOURS", DEFAULT_WORKING_HOURS))


def working_day_length() -> datetime.timedelta:
    """The working time of one working day (8 hours by default)."""
    today = datetime.date(2000, 1, 1)
    return sum(
        (
            datetime.datetime.combine(today, closing) - datetime.datetime.combine(today, opening)
            for opening, closing in working_periods()
        ),
        datetime.timedelta(),
    )


def _to_decimal(value: Decimal | float | int | str, label: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{label} must be a number, not {value!r}.")
    if not number.is_finite() or number < 0:
        raise ValueError(f"{label} must be a finite number ≥ 0, not {value!r}.")
    return number


def add_working_time(
    start: datetime.datetime,
    *,
    days: Decimal | float | int = 0,
    hours: Decimal | float | int = 0,
) -> datetime.datetime:
    """`start` plus `days` working days and `hours` working hours, in Asia/Ho_Chi_Minh.

    Only office hours of working days count: starting outside them starts at the next
    opening; a duration that ends exactly at a closing time returns that closing time.
    A zero duration returns `start` itself.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime.")
    day_length = working_day_length()
    microseconds = _to_decimal(days, "days") * (day_length // datetime.timedelta(microseconds=1))
    microseconds += _to_decimal(hours, "hours") * 3_600_000_000
    remaining = datetime.timedelta(microseconds=int(microseconds.to_integral_value()))
    return add_working_duration(start, remaining)


def add_working_duration(
    start: datetime.datetime, duration: datetime.timedelta
) -> datetime.datetime:
    """`start` plus `duration` of office time (see `add_working_time`)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime.")
    if duration < datetime.timedelta():
        raise ValueError("duration must not be negative.")
    remaining = duration
    moment = start.astimezone(VN_TZ)
    if not remaining:
        return moment
    periods = working_periods()
    day = moment.date()
    while True:
        if is_working_day(day):
            for opening, closing in periods:
                period_end = datetime.datetime.combine(day, closing, VN_TZ)
                if moment >= period_end:
                    continue
                begin = max(moment, datetime.datetime.combine(day, opening, VN_TZ))
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                moment = period_end
        day += _ONE_DAY
        moment = datetime.datetime.combine(day, datetime.time.min, VN_TZ)


def working_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """The office time between two moments (zero when `end` is not after `start`):
    `add_working_duration(start, working_time_between(start, end))` is `end` when `end` is
    within office hours."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware datetimes.")
    total = datetime.timedelta()
    moment, end = start.astimezone(VN_TZ), end.astimezone(VN_TZ)
    if end <= moment:
        return total
    day = moment.date()
    while day <= end.date():
        if is_working_day(day):
            for opening, closing in working_periods():
                begin = max(moment, datetime.datetime.combine(day, opening, VN_TZ))
                finish = min(end, datetime.datetime.combine(day, closing, VN_TZ))
                if finish > begin:
                    total += finish - begin
        day += _ONE_DAY
    return total


def deadline_for(
    start: datetime.datetime,
    *,
    days: Decimal | float | int | None = None,
    hours: Decimal | float | int | None = None,
) -> datetime.datetime:
    """The deadline `days` working days and/or `hours` working hours after `start`.

    The one entry point for deadlines: 0.5 day is half a working day (4 hours by default),
    1 day from 15:30 is 15:30 of the next working day. At least one of days/hours is needed.
    """
    if days is None and hours is None:
        raise ValueError("deadline_for needs days or hours.")
    return add_working_time(start, days=days or 0, hours=hours or 0)


# --- Deadlines as people read them -----------------------------------------------------------


def end_of_working_day(day: datetime.date) -> datetime.datetime:
    """The closing time of `day`'s last office-hour period (17:30 by default): the moment a
    deadline given as a date ("hạn 14/12") falls due."""
    closing = working_periods()[-1][1]
    return datetime.datetime.combine(day, closing, VN_TZ)


def working_days_left(deadline: datetime.datetime, now: datetime.datetime) -> int:
    """Whole working days between today and the deadline's day, as people count them.

    Positive: working days after today up to the deadline's day (due tomorrow = 1, whatever
    the hour); 0: due today (or before the next working day); negative once the deadline has
    passed: minus the working days since the deadline's day (0 when it passed today)."""
    today = now.astimezone(VN_TZ).date()
    due_day = deadline.astimezone(VN_TZ).date()
    if deadline >= now:
        return max(working_days_between(today, due_day), 0)
    return -max(working_days_between(due_day, today), 0)
