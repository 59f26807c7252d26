"""The clean-up of health records (làm sạch dữ liệu): duplicate detection over stored records,
merges (automatic for confident pairs, by a health officer for doubtful ones) that can be
undone exactly, and the validation sweep. Writes in transactions, audited.

Detection compares a record only with its blocking-key neighbours (`health.matching`): the keys
all carry the commune and the birth year, so the neighbours are the active records of the same
commune born the same year, read with one indexed query per (commune, year).

A merge keeps the survivor, moves the other record's vaccinations, visits and part II entries
to it, fills the survivor's empty fields from it and keeps the other record as an inactive
alias (`merged_into`): lookups by (source, row key) or citizen ID follow the alias
(`resolve`), so re-importing the merged record's row does not bring the duplicate back.
`MergeRecord` keeps both records' snapshots, the moved row ids and the filled fields.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.services.audit import audit_record
from health import aggregates, matching, validation
from health.models import (
    Allergy,
    ChronicCondition,
    CleanupCheck,
    CleanupIssue,
    DuplicateCandidate,
    FamilyHistory,
    MedicalVisit,
    MergeRecord,
    Person,
    RiskFactor,
    Sex,
    Vaccination,
)
from health.services import _place

# The rows of a record that follow it into the survivor (related name → model).
CHILDREN = {
    "vaccinations": Vaccination,
    "visits": MedicalVisit,
    "conditions": ChronicCondition,
    "allergies": Allergy,
    "family_history": FamilyHistory,
    "risk_factors": RiskFactor,
}
# Fields of the survivor filled from the merged record when empty.
FILLABLE = (
    "citizen_id",
    "ethnicity",
    "address",
    "commune",
    "phone",
    "insurance_card",
    "insurance_facility",
)
SEX_CODES = {Sex.MALE: validation.MALE, Sex.FEMALE: validation.FEMALE}


def identity_of(person: Person) -> matching.Identity:
    """What `person` says about who they are, as `health.matching` compares it."""
    return matching.Identity(
        full_name=person.full_name,
        birth_date=person.birth_date,
        citizen_id=person.citizen_id or "",
        sex=SEX_CODES.get(person.sex),
        commune_code=person.commune.code if person.commune_id else "",
        phone=person.phone,
        insurance_card=person.insurance_card,
    )


# --- detection ---------------------------------------------------------------------------


@dataclass
class Detection:
    """What a detection run did."""

    compared: int = 0
    proposed: int = 0
    merged: int = 0


def _active() -> Any:
    return Person.objects.filter(merged_into__isnull=True).select_related("commune")


def _examine(people: list[Person], detection: Detection, targets: set[int] | None) -> None:
    """Score the blocking-key pairs of `people` (those touching `targets` when given), store the
    new candidates and merge the confident ones."""
    by_id = {p.pk: p for p in people}
    pairs = [
        tuple(sorted(pair))
        for pair in matching.candidate_pairs((p.pk, identity_of(p)) for p in people)
        if targets is None or pair[0] in targets or pair[1] in targets
    ]
    if not pairs:
        return
    known = set(
        DuplicateCandidate.objects.filter(first_id__in=by_id).values_list("first_id", "second_id")
    )
    gone: set[int] = set()
    for first, second in pairs:
        if (first, second) in known or first in gone or second in gone:
            continue
        detection.compared += 1
        match = matching.score(identity_of(by_id[first]), identity_of(by_id[second]))
        if match.verdict == "different":
            continue
        candidate = DuplicateCandidate.objects.create(
            first_id=first,
            second_id=second,
            score=match.score,
            verdict=match.verdict,
            reasons=match.reasons,
        )
        aggregates.refresh([first, second])
        known.add((first, second))
        detection.proposed += 1
        if match.verdict == "confident":
            survivor = choose_survivor(by_id[first], by_id[second])
            merge(candidate=candidate, survivor=survivor, actor=None)
            gone.add(second if survivor.pk == first else first)
            detection.merged += 1


def find_duplicates(person_ids: Iterable[int]) -> Detection:
    """Compare the records `person_ids` with their blocking-key neighbours among the stored
    records; doubtful pairs go to the review queue, confident ones are merged."""
    detection = Detection()
    targets = list(_active().filter(pk__in=list(person_ids)))
    target_ids = {p.pk for p in targets}
    years_by_commune: dict[int | None, set[int]] = defaultdict(set)
    for person in targets:
        years_by_commune[person.commune_id].add(person.birth_date.year)
    for commune_id, years in sorted(years_by_commune.items(), key=lambda item: item[0] or 0):
        neighbours = (
            _active()
            .filter(commune_id=commune_id, birth_date__year__in=sorted(years))
            .order_by("birth_date", "pk")
        )
        for _year, group in groupby(neighbours, key=lambda p: p.birth_date.year):
            with transaction.atomic():
                _examine(list(group), detection, target_ids)
    return detection


def _groups() -> Iterator[list[Person]]:
    people = _active().order_by("commune_id", "birth_date", "pk").iterator(chunk_size=5000)
    for _key, group in groupby(people, key=lambda p: (p.commune_id, p.birth_date.year)):
        yield list(group)


def sweep() -> Detection:
    """Compare every active record with its blocking-key neighbours (`health_cleanup --all`)."""
    detection = Detection()
    for group in _groups():
        if len(group) > 1:
            with transaction.atomic():
                _examine(group, detection, None)
    return detection


def choose_survivor(a: Person, b: Person) -> Person:
    """The record an automatic merge keeps: the one with a CCCD, then the fuller one, then the
    older one."""

    def weight(person: Person) -> tuple:
        filled = sum(1 for name in FILLABLE if getattr(person, _attname(name)))
        return (bool(person.citizen_id), filled, -person.pk)

    return max((a, b), key=weight)


# --- merge, undo, separate ---------------------------------------------------------------


def _attname(name: str) -> str:
    return Person._meta.get_field(name).attname


SNAPSHOT_SKIP = {"id", "created_at", "updated_at"}


def snapshot(person: Person) -> dict[str, Any]:
    """The record's own fields as JSON (what an undo restores)."""
    values = {
        field.attname: getattr(person, field.attname)
        for field in Person._meta.concrete_fields
        if field.attname not in SNAPSHOT_SKIP
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _restore(person: Person, values: dict[str, Any], names: Iterable[str] | None = None) -> None:
    fields = {f.attname: f for f in Person._meta.concrete_fields}
    for attname in names if names is not None else values:
        setattr(person, attname, fields[attname].to_python(values[attname]))


def _lock(*pks: int) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


@transaction.atomic
def merge(*, candidate: DuplicateCandidate, survivor: Person, actor: Any) -> MergeRecord:
    """Merge the pair of `candidate` into `survivor` (one of the two); `actor` None is the
    automatic merge of a confident pair. ValidationError when the pair was decided meanwhile."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if survivor.pk not in (candidate.first_id, candidate.second_id):
        raise ValidationError(_("The record kept must be one of the pair."))
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("This pair has already been decided."))
    locked = _lock(candidate.first_id, candidate.second_id)
    kept = locked[survivor.pk]
    other = locked[candidate.second_id if kept.pk == candidate.first_id else candidate.first_id]
    if kept.merged_into_id or other.merged_into_id:
        raise ValidationError(_("One of the records was merged into another one meanwhile."))
    kept_before, other_before = snapshot(kept), snapshot(other)

    moved: dict[str, list[int]] = {}
    for related, model in CHILDREN.items():
        rows = model.objects.filter(person=other)
        if model is ChronicCondition:  # a condition the survivor has already stays where it is
            rows = rows.exclude(icd10_id__in=kept.conditions.values("icd10_id"))
        ids = sorted(rows.values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(person=kept)
            moved[related] = ids

    filled = []
    for name in FILLABLE:
        attname = _attname(name)
        if not getattr(kept, attname) and getattr(other, attname):
            filled.append(attname)
    if "citizen_id" in filled:  # unique: it leaves the alias before the survivor takes it
        kept.citizen_id = other.citizen_id
        other.citizen_id = None
        other.save(update_fields=["citizen_id"])
    for attname in filled:
        if attname != "citizen_id":
            setattr(kept, attname, getattr(other, attname))
    if "commune_id" in filled:
        _place(kept)
    kept.save()
    other.merged_into = kept
    other.save(update_fields=["merged_into", "updated_at"])

    now = timezone.now()
    candidate.status = DuplicateCandidate.Status.MERGED
    candidate.decided_by = actor
    candidate.decided_at = now
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    record = MergeRecord.objects.create(
        candidate=candidate,
        survivor=kept,
        merged=other,
        score=candidate.score,
        survivor_snapshot=kept_before,
        merged_snapshot=other_before,
        moved=moved,
        filled=filled,
        automatic=actor is None,
        merged_by=actor,
    )
    aggregates.refresh(aggregates.with_pair_partners({kept.pk, other.pk}))
    audit_record(
        actor=actor,
        action="health.persons_merged",
        target=kept,
        details={
            "merged": other.pk,
            "merge": record.pk,
            "automatic": actor is None,
            "score": candidate.score,
            "moved": {key: len(ids) for key, ids in moved.items()},
            "filled": filled,
        },
    )
    return record


@transaction.atomic
def undo_merge(*, record: MergeRecord, actor: Any) -> Person:
    """Undo a merge: the merged record comes back as it was with its own rows, the survivor's
    filled fields are emptied again, and the pair returns to the review queue."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise ValidationError(_("This merge has already been undone."))
    locked = _lock(record.survivor_id, record.merged_id)
    kept, other = locked[record.survivor_id], locked[record.merged_id]
    if kept.merged_into_id:
        raise ValidationError(
            _("The record kept was itself merged into another one since: undo that merge first.")
        )
    if other.merged_into_id != kept.pk:
        raise ValidationError(_("The merged record is no longer an alias of the record kept."))
    for related, ids in record.moved.items():
        CHILDREN[related].objects.filter(pk__in=ids, person=kept).update(person=other)
    _restore(kept, record.survivor_snapshot, record.filled)
    if "commune_id" in record.filled:
        _place(kept)
    kept.save()
    _restore(other, record.merged_snapshot)
    other.save()

    record.undone_at = timezone.now()
    record.undone_by = actor
    record.save(update_fields=["undone_at", "undone_by"])
    if record.candidate_id:
        DuplicateCandidate.objects.filter(pk=record.candidate_id).update(
            status=DuplicateCandidate.Status.OPEN, decided_by=None, decided_at=None
        )
    aggregates.refresh(aggregates.with_pair_partners({kept.pk, other.pk}))
    audit_record(
        actor=actor,
        action="health.merge_undone",
        target=kept,
        details={"merged": other.pk, "merge": record.pk},
    )
    return other


@transaction.atomic
def separate(*, candidate: DuplicateCandidate, actor: Any) -> DuplicateCandidate:
    """Decide that the pair is two persons: it leaves the queue and is never proposed again."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("This pair has already been decided."))
    candidate.status = DuplicateCandidate.Status.SEPARATED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    aggregates.refresh([candidate.first_id, candidate.second_id])
    audit_record(
        actor=actor,
        action="health.duplicates_separated",
        target=candidate.first,
        details={"other": candidate.second_id, "candidate": candidate.pk},
    )
    return candidate


# --- validation sweep --------------------------------------------------------------------


def person_problems(person: Person) -> dict[str, list[str]]:
    """The reasons (Vietnamese) why `person`'s record fails each check, by issue kind."""
    sex = SEX_CODES.get(person.sex)
    problems: dict[str, list[str]] = {}
    if person.citizen_id:
        problems[CleanupIssue.Kind.CCCD] = validation.check_cccd(
            person.citizen_id, person.birth_date, sex
        )
    if person.insurance_card:
        problems[CleanupIssue.Kind.INSURANCE] = validation.check_insurance_card(
            person.insurance_card
        )
    dates = validation.check_date(person.birth_date, "Ngày sinh")
    vaccinations = list(person.vaccinations.all())
    for visit in person.visits.all():
        dates += validation.check_visit_dates(
            visit.admitted_at, visit.discharged_at, person.birth_date
        )
    for dose in vaccinations:
        dates += validation.check_date(dose.given_on, f"Ngày tiêm {dose.vaccine.name}")
        if dose.given_on < person.birth_date:
            dates.append(
                f"Ngày tiêm {dose.vaccine.name} ({dose.given_on:%d/%m/%Y}) trước ngày sinh."
            )
    problems[CleanupIssue.Kind.DATES] = dates
    problems[CleanupIssue.Kind.DOSES] = validation.check_dose_order(
        (dose.vaccine.name, dose.dose_number, dose.given_on) for dose in vaccinations
    )
    return problems


@dataclass
class Checked:
    """What a validation run did."""

    checked: int = 0
    opened: int = 0
    fixed: int = 0


def _check_one(person: Person, checked: Checked, now) -> None:
    problems = person_problems(person)
    issues = {issue.kind: issue for issue in person.cleanup_issues.all()}
    for kind in CleanupIssue.Kind.values:
        reasons = problems.get(kind, [])
        issue = issues.get(kind)
        if reasons:
            detail = " ".join(reasons)
            if issue is None:
                CleanupIssue.objects.create(person=person, kind=kind, detail=detail)
                checked.opened += 1
            elif issue.status == CleanupIssue.Status.FIXED or issue.detail != detail:
                if issue.status == CleanupIssue.Status.FIXED:
                    issue.status, issue.fixed_at = CleanupIssue.Status.OPEN, None
                    checked.opened += 1
                issue.detail = detail
                issue.save(update_fields=["status", "fixed_at", "detail"])
        elif issue is not None and issue.status != CleanupIssue.Status.FIXED:
            issue.status, issue.fixed_at = CleanupIssue.Status.FIXED, now
            issue.save(update_fields=["status", "fixed_at"])
            checked.fixed += 1
    checked.checked += 1


CHECK_CHUNK = 500


def check_people(person_ids: Iterable[int] | None = None) -> Checked:
    """Run the validation checks over the records `person_ids` (all active ones when None):
    a failing check opens (or reopens) an issue, a passing one marks its issue fixed. Records
    are read by chunks with their rows and issues (a few queries per chunk, not per record)."""
    checked = Checked()
    now = timezone.now()
    people = Person.objects.filter(merged_into__isnull=True)
    if person_ids is not None:
        people = people.filter(pk__in=list(person_ids))
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHECK_CHUNK):
        chunk = ids[start : start + CHECK_CHUNK]
        with transaction.atomic():
            batch = Person.objects.filter(pk__in=chunk).prefetch_related(
                "vaccinations__vaccine", "visits", "cleanup_issues"
            )
            for person in batch:
                _check_one(person, checked, now)
            CleanupCheck.objects.bulk_create(
                [CleanupCheck(person_id=pk, checked_at=now) for pk in chunk],
                update_conflicts=True,
                unique_fields=["person"],
                update_fields=["checked_at"],
            )
            aggregates.refresh(chunk)
    return checked


def recheck_if_open(person_id: int) -> None:
    """After an edit of a record or of its rows: check it again if it has an unfixed issue."""
    if CleanupIssue.objects.filter(person_id=person_id).exclude(status="fixed").exists():
        check_people([person_id])
