"""Writes to health records: in transactions, validated before anything is saved, audited.

Imports (health/formats/…) call `vaccination_add` and `visit_add` with their source and row
key: a row already imported from the same source is returned as it is, so a re-run of the same
file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.services.audit import audit_record
from edoc.text import fold, nfc, nfc_inputs
from health.models import (
    AdminUnit,
    Facility,
    Icd10Code,
    MedicalVisit,
    Person,
    Vaccination,
    Vaccine,
)

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


def _place(person: Person) -> None:
    """Derive the district (2008 edition) and the province from the commune."""
    commune: AdminUnit | None = person.commune
    person.district = commune.district if commune else None
    person.province_code = commune.province_code if commune else ""


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
