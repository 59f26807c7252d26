"""Writes to health records: in transactions, validated before anything is saved, audited.

Imports (health/formats/…) call `vaccination_add` and `visit_add` with their source and row
key: a row already imported from the same source is returned as it is, so a re-run of the same
file changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.services.audit import audit_record
from edoc.text import fold, nfc, nfc_inputs
from health import aggregates
from health.catalogues import CURRENT_EDITION, LEGACY_EDITION
from health.models import (
    AdminUnit,
    Allergy,
    ChronicCondition,
    Facility,
    FamilyHistory,
    HistoryEntry,
    Icd10Code,
    MedicalVisit,
    Person,
    RiskFactor,
    UnitSuccession,
    Vaccination,
    Vaccine,
)
from health.validation import check_date, check_dose_order, check_visit_dates

PERSON_FIELDS = (
    "citizen_id",
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "address",
    "commune",
    "phone",
    "insurance_card",
    "insurance_facility",
    "source",
    "row_key",
)


def _successors_2025(legacy_ids: set[int]) -> dict[int, int]:
    """2008 commune id → its default 2025 commune id (one query)."""
    rows = UnitSuccession.objects.filter(old_id__in=legacy_ids).order_by("-is_default", "new_id")
    successors: dict[int, int] = {}
    for old_id, new_id in rows.values_list("old_id", "new_id"):
        successors.setdefault(old_id, new_id)
    return successors


def _districts_2008(current_ids: set[int]) -> dict[int, int]:
    """2025 commune id → the 2008 district all its predecessors lay in, for the communes whose
    predecessors lay in exactly one district (one query)."""
    rows = (
        UnitSuccession.objects.filter(new_id__in=current_ids, old__parent__level="district")
        .values("new_id")
        .annotate(districts=Count("old__parent", distinct=True), district=Max("old__parent"))
    )
    return {row["new_id"]: row["district"] for row in rows if row["districts"] == 1}


def place_many(people: Iterable[Person]) -> None:
    """Derive, in memory, each person's district (2008 edition), commune of the 2025 edition
    and province from their commune, of either edition (see `Person`); at most three queries
    for any number of people (two when their communes are loaded), so bulk imports call it
    before `bulk_create`. The one place that derives these fields."""
    people = list(people)
    field = Person._meta.get_field("commune")
    communes = {p.commune_id: p.commune for p in people if p.commune_id and field.is_cached(p)}
    missing = {p.commune_id for p in people if p.commune_id} - set(communes)
    if missing:  # people given by commune id only: their communes in one query
        communes |= AdminUnit.objects.in_bulk(missing)
    legacy = {pk for pk, c in communes.items() if c.edition == LEGACY_EDITION}
    successors = _successors_2025(legacy) if legacy else {}
    districts = _districts_2008(set(communes) - legacy) if len(communes) > len(legacy) else {}
    for person in people:
        commune: AdminUnit | None = communes.get(person.commune_id)
        if commune is None:
            person.district, person.commune_2025_id, person.province_code = None, None, ""
            continue
        person.province_code = commune.province_code
        if commune.edition == LEGACY_EDITION:
            person.district_id = commune.parent_id  # a 2008 commune's parent is its district
            person.commune_2025_id = successors.get(commune.pk)
        else:
            person.district_id = districts.get(commune.pk)
            person.commune_2025_id = commune.pk


def _place(person: Person) -> None:
    """Derive the district (2008 edition), the 2025 commune and the province of one person."""
    place_many([person])


def place_refresh(*, person_model=Person, succession_model=UnitSuccession) -> int:
    """Place again, set-based (two UPDATE statements), the records whose derived fields wait
    for successions loaded after them: 2008 communes without a 2025 commune, 2025 communes
    without their district; returns how many rows were written. Only derived fields change.
    The models are parameters so the data migration can pass its historical ones."""
    successions = succession_model.objects.filter(old=OuterRef("commune"))
    default = successions.order_by("-is_default", "new_id").values("new")[:1]
    changed = (
        person_model.objects.filter(commune__edition=LEGACY_EDITION, commune_2025__isnull=True)
        .filter(Exists(successions))
        .update(commune_2025=Subquery(default))
    )
    single_district = (
        succession_model.objects.filter(new=OuterRef("commune"), old__parent__level="district")
        .values("new")
        .annotate(districts=Count("old__parent", distinct=True), district=Max("old__parent"))
        .filter(districts=1)
        .values("district")[:1]
    )
    changed += (
        person_model.objects.filter(commune__edition=CURRENT_EDITION)
        .filter(Q(commune_2025__isnull=True) | Q(district__isnull=True))
        .update(commune_2025=F("commune"), district=Subquery(single_district))
    )
    return changed


def _full_clean(person: Person) -> None:
    person.citizen_id = person.citizen_id or None
    person.full_name = " ".join((person.full_name or "").split())
    person.name_folded = fold(person.full_name)
    if person.commune_id and person.commune.level != AdminUnit.Level.COMMUNE:
        raise ValidationError({"commune": [_("Choose a commune.")]})
    if person.birth_date and person.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": [_("The birth date is in the future.")]})
    person.full_clean()
    _place(person)


@nfc_inputs
@transaction.atomic
def person_create(*, actor: Any, **fields: Any) -> Person:
    """Create a person's record (part I of QĐ 831); ValidationError saves nothing."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    person = Person(**fields)
    if person.source:
        person.imported_at = timezone.now()
    _full_clean(person)
    person.save()
    aggregates.refresh([person.pk])
    audit_record(
        actor=actor,
        action="health.person_created",
        target=person,
        details={"source": person.source} if person.source else None,
    )
    return person


@nfc_inputs
@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Change a person's administrative fields; ValidationError leaves the record as it was."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "citizen_id" in fields:
        fields["citizen_id"] = fields["citizen_id"] or None  # an empty box is "no ID"
    fresh = Person.objects.select_for_update().get(pk=person.pk)
    changed = []
    for name, value in fields.items():
        if getattr(fresh, name) != value:
            setattr(fresh, name, value)
            changed.append(name)
    if not changed:
        return fresh
    _full_clean(fresh)
    fresh.save()
    aggregates.refresh([fresh.pk])
    audit_record(
        actor=actor,
        action="health.person_updated",
        target=fresh,
        details={"fields": sorted(changed)},
    )
    return fresh


@dataclass(frozen=True)
class Added:
    """What an idempotent add did: the row, and whether it was new."""

    row: Any
    created: bool


@nfc_inputs
def person_import(*, actor: Any, source: str, row_key: str, **fields: Any) -> Added:
    """Create the person of an imported row; the same (source, row key) again returns the
    record made the first time and changes nothing. Matching other records (same citizen ID,
    similar names) is the clean-up's work: a citizen ID already on file is a ValidationError.
    A row whose record was merged into another returns the survivor (the merged-away record
    stays as its alias), so a re-import does not bring a duplicate back."""
    _require_key(source, row_key)
    existing = person_by_key(source, row_key)
    if existing:
        return Added(existing, False)
    return Added(person_create(actor=actor, source=source, row_key=row_key, **fields), True)


def resolve(person: Person | None) -> Person | None:
    """The record `person` lives on: itself, or the survivor it was merged into (followed
    through successive merges)."""
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def person_by_key(source: str, row_key: str) -> Person | None:
    """The record an imported row (source, row key) created, or its survivor after a merge."""
    return resolve(Person.objects.filter(source=source, row_key=row_key).first())


def person_by_citizen_id(citizen_id: str) -> Person | None:
    """The record holding `citizen_id`, or its survivor after a merge."""
    if not citizen_id:
        return None
    return resolve(Person.objects.filter(citizen_id=citizen_id).first())


def _existing(model, source: str, row_key: str):
    return model.objects.filter(source=source, row_key=row_key).first()


def _save_once(row, *, actor: Any, action: str, then: Any = None) -> Added:
    """Save an imported row, audited on its person; a row of the same (source, row key)
    saved meanwhile by a concurrent import is returned instead."""
    row.imported_at = timezone.now()
    try:
        with transaction.atomic():
            row.save()
            if then:
                then()
            aggregates.refresh([row.person_id])
    except IntegrityError:
        return Added(type(row).objects.get(source=row.source, row_key=row.row_key), False)
    audit_record(
        actor=actor,
        action=action,
        target=row.person,
        details={"row": row.pk, "source": row.source, "row_key": row.row_key},
    )
    return Added(row, True)


def _require_key(source: str, row_key: str) -> None:
    if not source or not row_key:
        raise ValidationError(_("An imported row needs its source and row key."))


@transaction.atomic
def vaccination_add(
    *,
    actor: Any,
    person: Person,
    vaccine: Vaccine,
    dose_number: int,
    given_on: date,
    source: str,
    row_key: str,
    facility: Facility | None = None,
    lot_number: str = "",
) -> Added:
    """Record one dose (part III); the same (source, row key) again returns the first one."""
    source, row_key = nfc(source), nfc(row_key)
    _require_key(source, row_key)
    existing = _existing(Vaccination, source, row_key)
    if existing:
        return Added(existing, False)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": [_("The date is in the future.")]})
    if given_on < person.birth_date:
        raise ValidationError({"given_on": [_("The date is before the person's birth.")]})
    if dose_number < 1:
        raise ValidationError({"dose_number": [_("Doses are numbered from 1.")]})
    row = Vaccination(
        person=person,
        vaccine=vaccine,
        dose_number=dose_number,
        given_on=given_on,
        facility=facility,
        lot_number=nfc(lot_number),
        source=source,
        row_key=row_key,
    )
    return _save_once(row, actor=actor, action="health.vaccination_added")


@transaction.atomic
def visit_add(
    *,
    actor: Any,
    person: Person,
    facility: Facility,
    admitted_at: datetime,
    main_diagnosis: Icd10Code,
    source: str,
    row_key: str,
    discharged_at: datetime | None = None,
    secondary_diagnoses: list[Icd10Code] | tuple[Icd10Code, ...] = (),
    outcome: str = "",
) -> Added:
    """Record one medical visit (part IV); the same (source, row key) returns the first one."""
    source, row_key = nfc(source), nfc(row_key)
    _require_key(source, row_key)
    existing = _existing(MedicalVisit, source, row_key)
    if existing:
        return Added(existing, False)
    if discharged_at and discharged_at < admitted_at:
        raise ValidationError({"discharged_at": [_("Discharge is before admission.")]})
    if admitted_at.date() < person.birth_date:
        raise ValidationError({"admitted_at": [_("The date is before the person's birth.")]})
    if outcome and outcome not in MedicalVisit.Outcome.values:
        raise ValidationError({"outcome": [_("Unknown treatment outcome.")]})
    row = MedicalVisit(
        person=person,
        facility=facility,
        admitted_at=admitted_at,
        discharged_at=discharged_at,
        main_diagnosis=main_diagnosis,
        outcome=outcome,
        source=source,
        row_key=row_key,
    )
    return _save_once(
        row,
        actor=actor,
        action="health.visit_added",
        then=lambda: row.secondary_diagnoses.set(secondary_diagnoses),
    )


# Part II of QĐ 831 ("Tiền sử và các yếu tố liên quan đến sức khỏe"), edited by hand on the
# person's page: each section's model with the fields an officer fills in.
HISTORY_SECTIONS: dict[str, tuple[type[HistoryEntry], tuple[str, ...]]] = {
    "condition": (ChronicCondition, ("icd10", "since", "note")),
    "allergy": (Allergy, ("kind", "agent", "note")),
    "family": (FamilyHistory, ("relation", "icd10", "disease", "note")),
    "risk": (RiskFactor, ("kind", "detail", "note")),
}

# The source of rows an officer adds on the person's page (imports name their file or system).
MANUAL_SOURCE = "manual"


def _history_model(section: str) -> tuple[type[HistoryEntry], tuple[str, ...]]:
    if section not in HISTORY_SECTIONS:
        raise TypeError(f"unknown section of part II: {section}")
    return HISTORY_SECTIONS[section]


def _check_history(section: str, person: Person, entry: HistoryEntry) -> None:
    since = getattr(entry, "since", None)
    if since:
        reasons = check_date(since, _("The diagnosis date"), today=timezone.localdate())
        if not reasons and since < person.birth_date:
            reasons = [_("The date is before the person's birth.")]
        if reasons:
            raise ValidationError({"since": reasons})
    if section == "condition" and (
        ChronicCondition.objects.filter(person=person, icd10_id=entry.icd10_id)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ValidationError({"icd10": [_("This condition is already on the record.")]})
    if section == "family" and not entry.icd10_id and not entry.disease:
        raise ValidationError({"disease": [_("Give the disease or its ICD-10 code.")]})


@nfc_inputs
@transaction.atomic
def history_entry_save(
    *, actor: Any, person: Person, section: str, entry: HistoryEntry | None = None, **fields: Any
) -> HistoryEntry:
    """Add an entry of part II (`entry` None) or change one of `person`'s entries: a chronic
    condition (section "condition"), an allergy ("allergy"), a family history entry ("family")
    or a risk factor ("risk"). Validated before anything is saved; audited with the fields
    that changed."""
    model, allowed = _history_model(section)
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if entry is None:
        entry = model(person=person)
        changed = sorted(name for name, value in fields.items() if value not in (None, ""))
    else:
        entry = model.objects.select_for_update().get(pk=entry.pk, person=person)
        changed = sorted(name for name, value in fields.items() if getattr(entry, name) != value)
        if not changed:
            return entry
    for name, value in fields.items():
        setattr(entry, name, value)
    _check_history(section, person, entry)
    entry.full_clean(exclude=["person"])
    created = entry.pk is None
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # the same condition saved meanwhile by someone else
        raise ValidationError({"icd10": [_("This condition is already on the record.")]}) from None
    audit_record(
        actor=actor,
        action="health.history_added" if created else "health.history_changed",
        target=person,
        details={"section": section, "entry": entry.pk, "fields": changed},
    )
    return entry


@transaction.atomic
def history_entry_remove(*, actor: Any, person: Person, section: str, entry: HistoryEntry) -> None:
    """Remove an entry of `person`'s part II; the audit entry keeps what it said."""
    model, _fields = _history_model(section)
    entry = model.objects.select_for_update().get(pk=entry.pk, person=person)
    audit_record(
        actor=actor,
        action="health.history_removed",
        target=person,
        details={"section": section, "entry": entry.pk, "was": str(entry), "note": entry.note},
    )
    entry.delete()


def vaccination_add_by_hand(
    *,
    actor: Any,
    person: Person,
    vaccine: Vaccine,
    dose_number: int,
    given_on: date,
    facility: Facility | None = None,
    lot_number: str = "",
) -> Vaccination:
    """A dose an officer records on the person's page (part III). Refused when it would put the
    person's doses of that vaccine out of order (a later dose before an earlier one, a dose
    number given twice); the reason names the doses."""
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        doses = [
            (row.vaccine.name, row.dose_number, row.given_on)
            for row in person.vaccinations.filter(vaccine=vaccine).select_related("vaccine")
        ]
        reasons = check_dose_order([*doses, (vaccine.name, dose_number, given_on)])
        if reasons:
            raise ValidationError({"dose_number": reasons})
        return vaccination_add(
            actor=actor,
            person=person,
            vaccine=vaccine,
            dose_number=dose_number,
            given_on=given_on,
            facility=facility,
            lot_number=lot_number,
            source=MANUAL_SOURCE,
            row_key=uuid.uuid4().hex,
        ).row


def visit_add_by_hand(
    *,
    actor: Any,
    person: Person,
    facility: Facility,
    admitted_at: datetime,
    main_diagnosis: Icd10Code,
    discharged_at: datetime | None = None,
    secondary_diagnoses: list[Icd10Code] | tuple[Icd10Code, ...] = (),
    outcome: str = "",
) -> MedicalVisit:
    """A medical visit an officer records on the person's page (part IV); impossible dates
    (in the future, before 1900 or the birth, a discharge before the admission) are refused."""
    reasons = check_visit_dates(
        timezone.localtime(admitted_at),
        timezone.localtime(discharged_at) if discharged_at else None,
        person.birth_date,
        today=timezone.localdate(),
    )
    if reasons:
        raise ValidationError(reasons)
    return visit_add(
        actor=actor,
        person=person,
        facility=facility,
        admitted_at=admitted_at,
        main_diagnosis=main_diagnosis,
        discharged_at=discharged_at,
        secondary_diagnoses=secondary_diagnoses,
        outcome=outcome,
        source=MANUAL_SOURCE,
        row_key=uuid.uuid4().hex,
    ).row
