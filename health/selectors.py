"""Reads of health records, always through the access selector (`health.access`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet, Sum

from edoc.text import fold
from health.access import area_condition, visible_people
from health.models import (
    AdminUnit,
    CleanupCount,
    CleanupIssue,
    DuplicateCandidate,
    Icd10Code,
    MedicalVisit,
    Person,
    Vaccination,
)

DIGITS = re.compile(r"^\d{3,12}$")


def search_people(user, query: str) -> QuerySet[Person]:
    """The people `user` may see whose citizen ID starts with `query` (digits) or whose name
    contains it, with or without diacritics ("nguyen van an" finds "Nguyễn Văn An")."""
    people = visible_people(user).select_related("commune", "district")
    query = " ".join(query.split())
    if not query:
        return people
    if DIGITS.match(query):
        return people.filter(citizen_id__startswith=query)
    return people.filter(name_folded__contains=fold(query))


@dataclass(frozen=True)
class TimelineItem:
    """One dated event of a person's record: a visit or a vaccination."""

    on: date
    kind: str
    row: MedicalVisit | Vaccination


def person_timeline(person: Person) -> list[TimelineItem]:
    """Visits and vaccinations of `person`, newest first."""
    visits = person.visits.select_related("facility", "main_diagnosis").prefetch_related(
        "secondary_diagnoses"
    )
    vaccinations = person.vaccinations.select_related("vaccine", "facility")
    items = [TimelineItem(v.admitted_at.date(), "visit", v) for v in visits]
    items += [TimelineItem(v.given_on, "vaccination", v) for v in vaccinations]
    return sorted(items, key=lambda item: item.on, reverse=True)


def person_history(person: Person) -> dict[str, list]:
    """Part II of the record: chronic conditions, allergies, family history, risk factors."""
    return {
        "conditions": list(person.conditions.select_related("icd10")),
        "allergies": list(person.allergies.all()),
        "family": list(person.family_history.select_related("icd10")),
        "risks": list(person.risk_factors.all()),
    }


# The ICD-10 catalogue's names folded once per process (and again when the catalogue changes):
# folding 12,000 names takes about 0.3 s, a search through the folded ones a few milliseconds.
_folded_icd10: dict[tuple, list[tuple[int, str]]] = {}


def _icd10_folded() -> list[tuple[int, str]]:
    state = Icd10Code.objects.aggregate(count=Count("pk"), last=Max("pk"), edition=Max("edition"))
    key = (state["count"], state["last"], state["edition"])
    if key not in _folded_icd10:
        _folded_icd10.clear()
        _folded_icd10[key] = [
            (pk, fold(f"{name_vi} {name_en}"))
            for pk, name_vi, name_en in Icd10Code.objects.values_list("pk", "name_vi", "name_en")
        ]
    return _folded_icd10[key]


def icd10_search(query: str, limit: int = 20) -> list[Icd10Code]:
    """Codes of the ICD-10 catalogue starting with `query` ("e11"), then those whose Vietnamese
    name (or English name) holds every word of it, with or without diacritics ("tang huyet")."""
    query = " ".join(query.split())
    if not query:
        return []
    codes = list(Icd10Code.objects.filter(code__istartswith=query.replace(" ", ""))[:limit])
    if len(codes) < limit:
        words = fold(query).split()
        found = {code.pk for code in codes}
        matching = [
            pk
            for pk, name in _icd10_folded()
            if pk not in found and all(word in name for word in words)
        ][: limit - len(codes)]
        codes += list(Icd10Code.objects.filter(pk__in=matching))
    return codes


@dataclass
class CleanupRow:
    """One row of the clean-up report (the plan's second table): a district or commune."""

    place: str
    checked: int = 0
    fixed: int = 0
    merged: int = 0
    doubtful: int = 0


CLEANUP_LEVELS = ("district", "commune")


def _counts(people: QuerySet[Person], key: str, counted: str = "pk") -> dict:
    rows = people.values(key).annotate(n=Count(counted, distinct=True)).order_by()
    return {row[key]: row["n"] for row in rows}


def _aggregate_cleanup(condition: Q, key: str) -> dict[str, dict]:
    """The report's columns grouped by the place field `key`, from the counters
    `health.aggregates` keeps per place. As in the count of the records, a place is listed
    when a record lists it (its "merged" count, 0 or more, says so)."""
    columns = ("checked", "fixed", "merged", "doubtful")
    rows = (
        CleanupCount.objects.filter(condition)
        .order_by()
        .values_list(key)
        .annotate(Sum("listed"), *(Sum(column) for column in columns))
    )
    counts: dict[str, dict] = {column: {} for column in columns}
    for place, listed, *values in rows:
        for column, value in zip(columns, values, strict=True):
            if value or (column == "merged" and listed):
                counts[column][place or None] = value
    return counts


def cleanup_report(
    user, level: str = "district", *, scan: bool = False
) -> tuple[list[CleanupRow], CleanupRow]:
    """The clean-up report over the records `user` may see, by 2008 district or by commune:
    records checked by the validation sweep, records with an issue fixed since, merges into
    records of the place (not undone), records still doubtful (an unfixed issue or an open
    duplicate pair); and the total row. Area officers' reports read the counters kept per
    place (`health.aggregates`); facility officers' (and `scan`) count the records."""
    if level not in CLEANUP_LEVELS:
        raise ValueError(level)
    key = f"{level}_id"
    area = None if scan else area_condition(user)
    columns = _aggregate_cleanup(area, key) if area is not None else _scanned_cleanup(user, key)
    return _cleanup_rows(level, columns)


def _scanned_cleanup(user, key: str) -> dict[str, dict]:
    """The report's columns counted over the records `user` may see."""
    people = visible_people(user)
    open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    return {
        "checked": _counts(people.filter(cleanup_check__isnull=False), key),
        "fixed": _counts(people.filter(cleanup_issues__status=CleanupIssue.Status.FIXED), key),
        "merged": _counts(people.filter(merges_kept__undone_at__isnull=True), key, "merges_kept"),
        "doubtful": _counts(
            people.filter(
                Q(cleanup_issues__status__in=[CleanupIssue.Status.OPEN, "doubtful"])
                | Q(pk__in=open_pairs.filter(second__merged_into__isnull=True).values("first"))
                | Q(pk__in=open_pairs.filter(first__merged_into__isnull=True).values("second"))
            ),
            key,
        ),
    }


def _cleanup_rows(level: str, columns: dict[str, dict]) -> tuple[list[CleanupRow], CleanupRow]:
    place_ids = {pk for counts in columns.values() for pk in counts}
    names = AdminUnit.objects.select_related("parent").in_bulk(
        [pk for pk in place_ids if pk is not None]
    )
    rows = []
    for pk in place_ids:
        unit = names.get(pk)
        place = unit.name if unit else ""
        if unit and level == "commune" and unit.parent:
            place = f"{unit.name} ({unit.parent.name})"
        row = CleanupRow(place=place)
        for column, counts in columns.items():
            setattr(row, column, counts.get(pk, 0))
        rows.append(row)
    rows.sort(key=lambda row: (not row.place, fold(row.place)))
    total = CleanupRow(place="")
    for column in columns:
        setattr(total, column, sum(getattr(row, column) for row in rows))
    return rows, total
