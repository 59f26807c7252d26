"""The plan's first table from live records ("Bảng thống kê số liệu hồ sơ sức khỏe điện tử" of
the Đồng Nai health sector's 2023 digital transformation plan): per row, the records managed,
those updated with vaccinations and those updated with medical visits (KCB), for a chosen date,
with a total row. Reads only, always through the access selector (`health.access`), so an
officer's table counts exactly the records they may see and its total equals its rows.

For a date D:
- records managed: records entered on or before D (`Person.created_at` before the end of D);
- updated with vaccinations: those of them with a dose given on or before D;
- updated with KCB: those of them with a visit admitted on or before D.

Groupings:
- "district": the 2008 districts (the plan's layout), records of a 2025 commune whose district
  is ambiguous under "district not determined";
- "commune": the communes of the 2025 map (`Person.commune_2025`);
- "facility": records managed counted at the facility they are registered at for health
  insurance (nơi đăng ký KCB ban đầu); vaccinations and visits at the facility that gave the
  dose or saw the visit. A record updated at two facilities counts once in each facility's row
  and once in the total, so the update columns of the rows may add up to more than the total.

Each count is a grouped aggregate in the database, no Python loop over records. The district and
commune tables of area officers (province, district, commune) read the daily aggregates that
`health.aggregates` keeps per place (one statement over a few thousand rows, whatever the number
of records); the facility table and facility officers' tables count the records (three
statements with semi-joins over the records). `scan=True` counts the records in every case: the
tests compare both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from health import access
from health.models import (
    AdminUnit,
    DailyCount,
    Facility,
    MedicalVisit,
    Person,
    PopulationFigure,
    Vaccination,
)

GROUPINGS = {
    "district": _("District (before 1 July 2025)"),
    "commune": _("Commune (from 1 July 2025)"),
    "facility": _("Health facility"),
}
COLUMNS = (
    ("managed", _("Records managed")),
    ("vaccinated", _("Records updated with vaccinations")),
    ("visited", _("Records updated with medical visits (KCB)")),
)
UNPLACED = {
    "district": _("District not determined (units after 1 July 2025)"),
    "commune": _("Commune not determined"),
    "facility": _("No facility recorded"),
}


@dataclass
class Row:
    """One line of the table: a unit (or facility) and its three counts."""

    key: int | None
    label: str
    managed: int = 0
    vaccinated: int = 0
    visited: int = 0

    def values(self) -> list[int]:
        return [self.managed, self.vaccinated, self.visited]


@dataclass
class Table:
    """The table of one grouping and date, as `user` may see it."""

    grouping: str
    on: datetime.date
    rows: list[Row]
    total: Row = field(default_factory=lambda: Row(None, ""))

    @property
    def grouping_label(self) -> str:
        return str(GROUPINGS[self.grouping])


def day_end(on: datetime.date) -> datetime.datetime:
    """The first instant after `on`, in the site's time zone."""
    midnight = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight)


def _existing(user, on: datetime.date) -> QuerySet[Person]:
    return access.visible_people(user).filter(created_at__lt=day_end(on))


def _vaccinations(on: datetime.date) -> QuerySet[Vaccination]:
    return Vaccination.objects.filter(given_on__lte=on)


def _visits(on: datetime.date) -> QuerySet[MedicalVisit]:
    return MedicalVisit.objects.filter(admitted_at__lt=day_end(on))


def _grouped(people: QuerySet[Person], key: str) -> dict[int | None, int]:
    """{group: number of people}, one GROUP BY."""
    return dict(people.order_by().values_list(key).annotate(n=Count("pk")))


def _person_counts(people: QuerySet[Person], key: str, on: datetime.date) -> dict[str, dict]:
    """The three columns grouped by the person's `key`: the update columns are semi-joins
    (EXISTS in WHERE), which PostgreSQL runs as hash joins over the dated rows."""
    vaccinated = _vaccinations(on).filter(person=OuterRef("pk"))
    visited = _visits(on).filter(person=OuterRef("pk"))
    return {
        "managed": _grouped(people, key),
        "vaccinated": _grouped(people.filter(Exists(vaccinated)), key),
        "visited": _grouped(people.filter(Exists(visited)), key),
    }


GROUP_FIELDS = {"district": "district", "commune": "commune_2025"}


def _aggregate_counts(condition: Q, key: str, on: datetime.date) -> dict[str, dict]:
    """The three columns grouped by the place field `key`, summed from the daily aggregates:
    the months before `on`'s month and the days of its month up to `on`."""
    month = on.replace(day=1)
    rows = (
        DailyCount.objects.filter(condition)
        .filter(
            Q(period=DailyCount.Period.MONTH, day__lt=month)
            | Q(period=DailyCount.Period.DAY, day__gte=month, day__lte=on)
        )
        .order_by()
        .values_list(f"{key}_id")
        .annotate(*(Sum(column) for column, _title in COLUMNS))
    )
    counts: dict[str, dict] = {column: {} for column, _title in COLUMNS}
    for place, *values in rows:
        for (column, _title), value in zip(COLUMNS, values, strict=True):
            if value:
                counts[column][place or None] = value
    return counts


def _facility_counts(people: QuerySet[Person], on: datetime.date) -> dict[str, dict]:
    """Records managed by registered facility; updates by the facility that made them."""
    ids = people.values("pk")

    def by_facility(rows) -> dict[int | None, int]:
        rows = rows.filter(person__in=ids).order_by().values_list("facility")
        return dict(rows.annotate(n=Count("person", distinct=True)))

    return {
        "managed": _grouped(people, "insurance_facility"),
        "vaccinated": by_facility(_vaccinations(on)),
        "visited": by_facility(_visits(on)),
    }


def _labels(grouping: str, keys: set[int]) -> dict[int, str]:
    if grouping == "facility":
        return dict(Facility.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(AdminUnit.objects.filter(pk__in=keys).values_list("pk", "name"))


def _zero_rows(user, grouping: str) -> set[int]:
    """The units of the officer's areas, listed even when no record lies in them yet."""
    if grouping == "facility":
        return set()
    level = "district" if grouping == "district" else "commune_2025"
    return set(access.report_units(user, level).values_list("pk", flat=True))


def table(user, grouping: str, on: datetime.date, *, scan: bool = False) -> Table:
    """The plan's first table for `grouping` ("district", "commune" or "facility") and date
    `on`, over the records `user` may see; rows by records managed (most first), the row of
    the undetermined unit last, and the total. `scan` counts the records even where the
    aggregates could answer (the tests' reference)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping: {grouping}")
    area = None if scan or grouping == "facility" else access.area_condition(user)
    total_row = None
    if area is not None:
        counts = _aggregate_counts(area, GROUP_FIELDS[grouping], on)
    elif grouping == "facility":
        people = _existing(user, on)
        counts = _facility_counts(people, on)
        total = _person_counts(people, "province_code", on)
        total_row = Row(None, "", *(sum(total[c].values()) for c, _t in COLUMNS))
    else:
        counts = _person_counts(_existing(user, on), GROUP_FIELDS[grouping], on)
    keys = set().union(*counts.values()) | _zero_rows(user, grouping)
    labels = _labels(grouping, {k for k in keys if k is not None})
    rows = [Row(key, labels.get(key, "") if key else str(UNPLACED[grouping])) for key in keys]
    for row in rows:
        for column, _title in COLUMNS:
            setattr(row, column, counts[column].get(row.key, 0))
    rows.sort(key=lambda r: (r.key is None, -r.managed, r.label))
    if total_row is None:
        total_row = Row(None, "", *(sum(getattr(r, c) for r in rows) for c, _t in COLUMNS))
    total_row.label = pgettext("health records table", "Total")
    return Table(grouping, on, rows, total_row)


def district_table(user, on: datetime.date, *, scan: bool = False) -> Table:
    """The plan's first table by 2008 district (the plan's layout)."""
    return table(user, "district", on, scan=scan)


def populations(unit_ids: set[int], year: int) -> dict[int, int]:
    """Each unit's population: its figure of `year`, or of the latest year before it."""
    figures = (
        PopulationFigure.objects.filter(unit_id__in=unit_ids, year__lte=year)
        .order_by("unit_id", "-year")
        .values_list("unit_id", "population")
    )
    found: dict[int, int] = {}
    for unit_id, population in figures:
        found.setdefault(unit_id, population)
    return found
