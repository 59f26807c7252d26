"""Incrementally maintained aggregates of the health records (issue 15: the district table and
the clean-up report answer from them instead of scanning 3 million records).

Each active record has a tally (`PersonTally`): its place, the day it was entered, the first day
it had a dose and a visit, its clean-up state. `refresh(person_ids)` — called by every service
that writes records, their doses and visits, merges, undos, clean-up issues and duplicate pairs,
and by the imports once per batch, in the writer's transaction — reads those records' state now,
compares it with their tallies and moves the difference into:

- `DailyCount`: per place and day (and per place and month), the records that became managed,
  vaccinated and visited that day. A record entered on day C counts as managed from C, as
  vaccinated from max(C, its first dose) and as visited from max(C, its first visit's day), as
  `health.reports` defines the table at a date;
- `CleanupCount`: per place, the clean-up report's counters.

Increments commute, so concurrent writers only lock the rows they touch (tallies first, in id
order, then aggregate rows in key order). `rebuild()` recomputes everything from the records
(`manage.py health_aggregates rebuild`), for data written around the services (raw COPY, SQL).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from health.models import (
    CleanupCheck,
    CleanupCount,
    CleanupIssue,
    DailyCount,
    DuplicateCandidate,
    MedicalVisit,
    MergeRecord,
    Person,
    PersonTally,
    Vaccination,
)

Place = tuple[str, int, int, int]  # province code, district, commune, 2025 commune (0: none)
PLACE_FIELDS = ("province_code", "district_id", "commune_id", "commune_2025_id")
DAILY_COLUMNS = ("managed", "vaccinated", "visited")
CLEANUP_COLUMNS = ("listed", "checked", "fixed", "merged", "doubtful")
CHUNK = 5000
REBUILD_ROWS = 300_000  # aggregate rows a rebuild sums in memory before writing them
DOUBTFUL_STATUSES = (CleanupIssue.Status.OPEN, CleanupIssue.Status.DOUBTFUL)


@dataclass(frozen=True)
class State:
    """What one active record contributes (see the module's docstring)."""

    place: Place
    created_on: datetime.date
    vaccinated_on: datetime.date | None = None
    visited_on: datetime.date | None = None
    checked: bool = False
    fixed: bool = False
    merged: int = 0
    doubtful: bool = False
    listed: bool = True

    def days(self) -> Iterator[tuple[datetime.date, int]]:
        """(day, column index in DAILY_COLUMNS) of each count the record adds."""
        yield self.created_on, 0
        if self.vaccinated_on is not None:
            yield max(self.created_on, self.vaccinated_on), 1
        if self.visited_on is not None:
            yield max(self.created_on, self.visited_on), 2

    def cleanup(self) -> tuple[int, int, int, int, int]:
        """The record's part of each of CLEANUP_COLUMNS."""
        return (
            int(self.listed),
            int(self.checked),
            int(self.fixed),
            self.merged,
            int(self.doubtful),
        )

    @classmethod
    def of_tally(cls, tally: PersonTally) -> State:
        return cls(
            place=tuple(getattr(tally, name) for name in PLACE_FIELDS),
            created_on=tally.created_on,
            vaccinated_on=tally.vaccinated_on,
            visited_on=tally.visited_on,
            checked=tally.checked,
            fixed=tally.fixed,
            merged=tally.merged,
            doubtful=tally.doubtful,
            listed=tally.listed,
        )

    def tally(self, person_id: int) -> PersonTally:
        return PersonTally(
            person_id=person_id,
            **dict(zip(PLACE_FIELDS, self.place, strict=True)),
            created_on=self.created_on,
            vaccinated_on=self.vaccinated_on,
            visited_on=self.visited_on,
            checked=self.checked,
            fixed=self.fixed,
            merged=self.merged,
            doubtful=self.doubtful,
            listed=self.listed,
        )


def _local_day(moment: datetime.datetime) -> datetime.date:
    """The day of `moment` in the site's time zone (`reports.day_end` is its end)."""
    return timezone.localtime(moment).date()


def states(person_ids: list[int]) -> dict[int, State]:
    """The contributions of the active records among `person_ids` now (a few grouped queries
    for any number of ids; records merged away or deleted are absent)."""
    people = Person.objects.filter(pk__in=person_ids, merged_into__isnull=True).values_list(
        "pk", *PLACE_FIELDS, "created_at"
    )
    found = {
        pk: ((province or "", district or 0, commune or 0, commune_2025 or 0), _local_day(created))
        for pk, province, district, commune, commune_2025, created in people
    }
    if not found:
        return {}
    ids = list(found)
    vaccinated = dict(
        Vaccination.objects.filter(person_id__in=ids)
        .order_by()
        .values_list("person_id")
        .annotate(first=Min("given_on"))
    )
    visited = {
        pk: _local_day(first)
        for pk, first in MedicalVisit.objects.filter(person_id__in=ids)
        .order_by()
        .values_list("person_id")
        .annotate(first=Min("admitted_at"))
    }
    checked = set(
        CleanupCheck.objects.filter(person_id__in=ids).values_list("person_id", flat=True)
    )
    issues = CleanupIssue.objects.filter(person_id__in=ids)
    fixed = set(issues.filter(status=CleanupIssue.Status.FIXED).values_list("person_id", flat=True))
    merged = dict(
        MergeRecord.objects.filter(survivor_id__in=ids, undone_at__isnull=True)
        .order_by()
        .values_list("survivor_id")
        .annotate(n=Count("pk"))
    )
    undone_only = set(
        MergeRecord.objects.filter(survivor_id__in=ids).values_list("survivor_id", flat=True)
    ) - set(merged)
    doubtful = set(issues.filter(status__in=DOUBTFUL_STATUSES).values_list("person_id", flat=True))
    open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    doubtful |= set(
        open_pairs.filter(first_id__in=ids, second__merged_into__isnull=True).values_list(
            "first_id", flat=True
        )
    )
    doubtful |= set(
        open_pairs.filter(second_id__in=ids, first__merged_into__isnull=True).values_list(
            "second_id", flat=True
        )
    )
    return {
        pk: State(
            place=place,
            created_on=created_on,
            vaccinated_on=vaccinated.get(pk),
            visited_on=visited.get(pk),
            checked=pk in checked,
            fixed=pk in fixed,
            merged=merged.get(pk, 0),
            doubtful=pk in doubtful,
            listed=pk not in undone_only,
        )
        for pk, (place, created_on) in found.items()
    }


class Deltas:
    """The changes a refresh makes to the aggregate rows, summed per row."""

    def __init__(self) -> None:
        self.daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.cleanup: dict[Place, list[int]] = defaultdict(lambda: [0] * len(CLEANUP_COLUMNS))

    def add(self, state: State, sign: int) -> None:
        for day, column in state.days():
            self.daily[(DailyCount.Period.DAY.value, day, *state.place)][column] += sign
            month = day.replace(day=1)
            self.daily[(DailyCount.Period.MONTH.value, month, *state.place)][column] += sign
        for column, value in enumerate(state.cleanup()):
            self.cleanup[state.place][column] += sign * value

    def write(self) -> None:
        """Add the deltas to the aggregate rows (one upsert per table, rows in key order)."""
        day = connection.ops.adapt_datefield_value
        daily = [
            (period, day(on), *place, *values)
            for (period, on, *place), values in sorted(self.daily.items())
            if any(values)
        ]
        cleanup = [
            (*place, *values) for place, values in sorted(self.cleanup.items()) if any(values)
        ]
        _upsert(DailyCount, ("period", "day", *PLACE_FIELDS), DAILY_COLUMNS, daily)
        _upsert(CleanupCount, PLACE_FIELDS, CLEANUP_COLUMNS, cleanup)


def _upsert(model, keys: tuple[str, ...], counters: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE that adds `counters` to the existing row (PostgreSQL and
    SQLite alike)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counters]
    sets = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counters)
    names = ", ".join(quote(c) for c in columns)
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = ", ".join(quote(k) for k in keys)
    batch = 1000 if connection.vendor == "postgresql" else max(1, 900 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):  # multi-row VALUES: one statement per batch
            part = rows[start : start + batch]
            marks = ", ".join([row_marks] * len(part))
            # Only our models' table and column names are formatted in; values are parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES {marks} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"  # noqa: S608, E501
            cursor.execute(sql, [value for row in part for value in row])


def _refresh_chunk(ids: list[int], *, known: bool = True, deltas: Deltas | None = None) -> None:
    """Refresh `ids`; `known` False when they have no tallies yet (a rebuild, which passes the
    `deltas` it sums over many chunks and writes itself)."""
    tallies: dict[int, PersonTally] = {}
    if known:  # the records, then their tallies, locked in id order: one refresh at a time
        list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        locked = PersonTally.objects.select_for_update().filter(person_id__in=ids)
        tallies = {t.person_id: t for t in locked.order_by("person_id")}
    now = states(ids)
    pending = deltas is not None
    deltas = deltas if deltas is not None else Deltas()
    changed: list[PersonTally] = []
    gone: list[int] = []
    for pk in ids:
        before = State.of_tally(tallies[pk]) if pk in tallies else None
        after = now.get(pk)
        if before == after:
            continue
        if before is not None:
            deltas.add(before, -1)
        if after is not None:
            deltas.add(after, +1)
            changed.append(after.tally(pk))
        else:
            gone.append(pk)
    if gone:
        PersonTally.objects.filter(person_id__in=gone).delete()
    if changed:
        if known:
            PersonTally.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["person_id"],
                update_fields=[
                    f.name for f in PersonTally._meta.concrete_fields if not f.primary_key
                ],
            )
        else:
            PersonTally.objects.bulk_create(changed)
    if not pending:
        deltas.write()


def refresh(person_ids: Iterable[int]) -> None:
    """Bring the aggregates up to date with the records `person_ids` (created, changed, merged,
    undone, deleted…), in the caller's transaction (one of its own when there is none)."""
    ids = sorted({int(pk) for pk in person_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(ids[start : start + CHUNK])


def with_pair_partners(person_ids: Iterable[int]) -> set[int]:
    """`person_ids` and the records they form an open duplicate pair with (whose "still
    doubtful" depends on whether these records are merged away)."""
    ids = {pk for pk in person_ids if pk is not None}
    pairs = DuplicateCandidate.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids), status=DuplicateCandidate.Status.OPEN
    ).values_list("first_id", "second_id")
    return ids | {pk for pair in pairs for pk in pair}


@transaction.atomic
def rebuild() -> int:
    """Recompute the tallies and aggregates of every record from scratch (one transaction: the
    reports show the old numbers until it commits); returns the number of active records."""
    for model in (PersonTally, DailyCount, CleanupCount):
        model.objects.all().delete()
    ids = _active_ids()
    deltas = Deltas()
    for start in range(0, len(ids), CHUNK):
        _refresh_chunk(ids[start : start + CHUNK], known=False, deltas=deltas)
        if len(deltas.daily) > REBUILD_ROWS:  # memory bounded; rows written once per flush
            deltas.write()
            deltas = Deltas()
    deltas.write()
    return len(ids)


def _active_ids() -> list[int]:
    return list(
        Person.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True)
    )


def differences() -> list[str]:
    """The aggregate rows that differ from a count of the records now (empty when they agree):
    `manage.py health_aggregates check`."""
    expected = Deltas()
    ids = _active_ids()
    for start in range(0, len(ids), CHUNK):
        for state in states(ids[start : start + CHUNK]).values():
            expected.add(state, +1)
    found: list[str] = []
    for model, wanted, keys, columns in (
        (DailyCount, expected.daily, ("period", "day", *PLACE_FIELDS), DAILY_COLUMNS),
        (CleanupCount, expected.cleanup, PLACE_FIELDS, CLEANUP_COLUMNS),
    ):
        stored = {
            tuple(row[: len(keys)]): list(row[len(keys) :])
            for row in model.objects.values_list(*keys, *columns)
        }
        for key in sorted(set(stored) | set(wanted), key=str):
            have = stored.get(key, [0] * len(columns))
            want = list(wanted.get(key, [0] * len(columns)))
            if have != want:
                found.append(f"{model.__name__} {key}: {have} instead of {want}")
    return found
