"""Import jobs: a file uploaded (record template, QĐ 130 XML, vaccination export) becomes an
`ImportJob`, processed in the background in chunks (`import_run`, the Celery task
`health.import_job`).

- The upload is read and checked before the job exists (`import_validate`): a file of the wrong
  type or that cannot be read is a ValidationError, and nothing is stored.
- The task reads the stored file with the readers of `health.formats`, then writes its units
  (template rows, QĐ 130 visits, vaccination doses) CHUNK_SIZE at a time, each chunk in one
  transaction with its problems, the job's counters, the cursor and one audit entry saying what
  it imported; after the commit `health.signals.records_imported` names the people touched.
- A job that stops (worker killed, database error) keeps the cursor of its last committed chunk
  and is resumed from there (`import_resume`, the "Tiếp tục" button, `health_import --resume`).
- Rows already on file are recognised by their (source, row key) — and people by their citizen
  ID — so a re-run of the same file creates nothing and counts the rows as unchanged.
- A bad row never stops a job: it becomes an `ImportProblem` (line or HOSO number, reason).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from operator import attrgetter
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.background import run_later
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlobs, UploadProblem, upload_read
from edoc.text import fold
from health import access, aggregates
from health.formats import qd130, records, vaccinations
from health.formats.records import person_key
from health.formats.tables import TableError, read_table
from health.models import (
    AdminUnit,
    Allergy,
    ChronicCondition,
    Facility,
    Icd10Code,
    ImportJob,
    ImportProblem,
    MedicalVisit,
    Person,
    Sex,
    Vaccination,
    Vaccine,
)
from health.services import place_many, resolve
from health.signals import records_imported
from health.validation import FEMALE, MALE

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
STALE_AFTER = timedelta(minutes=10)  # a running job silent this long lost its worker
EXTENSIONS = {
    ImportJob.Kind.RECORDS: (".csv", ".xlsx"),
    ImportJob.Kind.QD130: (".xml",),
    ImportJob.Kind.VACCINATIONS: (".csv", ".xlsx"),
}
SOURCES = {
    ImportJob.Kind.RECORDS: "records",
    ImportJob.Kind.QD130: "qd130",
    ImportJob.Kind.VACCINATIONS: "vaccinations",
}
SEXES = {MALE: Sex.MALE, FEMALE: Sex.FEMALE}
REQUIRED_RECORD_COLUMNS = {"full_name", "birth_date"}  # as records.read_records asks


@dataclass(frozen=True)
class Unit:
    """One thing a job writes: a template row, a visit or a dose, with its line in the file."""

    line: int
    row_key: str
    row: Any


@dataclass
class ReadFile:
    """The units of a file and the lines that could not be read."""

    units: list[Unit]
    errors: list[tuple[int, str]]


@dataclass(frozen=True)
class ValidatedImport:
    """An upload that was read successfully, held in memory until it is stored."""

    kind: str
    name: str
    content: bytes
    sha256: str
    rows: int


def read_file(kind: str, data: bytes, name: str) -> ReadFile:
    """The units of `data` for a job of `kind`. TableError/Qd130Error when the file as a whole
    cannot be read. Rows of the record template whose person (CCCD, or name + birth date +
    commune) came earlier in the same file are errors: the first one counts."""
    if kind == ImportJob.Kind.RECORDS:
        result = records.read_records(data, name)
        units, errors, seen = [], list(result.errors), {}
        for row in result.rows:
            if row.row_key in seen:
                errors.append(
                    (row.line, f"Trùng người với dòng {seen[row.row_key]} của tệp; không nhập lại.")
                )
                continue
            seen[row.row_key] = row.line
            units.append(Unit(row.line, row.row_key, row))
        return ReadFile(units, sorted(errors))
    if kind == ImportJob.Kind.QD130:
        envelope = qd130.read_envelope(data)
        visits = [Unit(0, v.row_key, v) for v in envelope.visits]
        # The HOSO number is the "line" of an XML file: number the visits as the file does.
        failed = {index for index, _ in envelope.errors}
        numbers = (n for n in range(1, len(visits) + len(failed) + 1) if n not in failed)
        units = [Unit(next(numbers), u.row_key, u.row) for u in visits]
        return ReadFile(units, list(envelope.errors))
    if kind == ImportJob.Kind.VACCINATIONS:
        result = vaccinations.read_vaccinations(data, name)
        return ReadFile([Unit(r.line, r.row_key, r) for r in result.rows], list(result.errors))
    raise ValueError(f"unknown import kind {kind!r}")


def import_validate(kind: str, upload: IO[bytes], name: str = "") -> ValidatedImport:
    """Read the uploaded file as a job of `kind` would: a ValidationError (in Vietnamese) when
    its type is wrong, it is empty or too large, or it cannot be read as such a file."""
    name = PurePath(name or getattr(upload, "name", "") or "").name[-200:]
    if kind not in EXTENSIONS:
        raise ValidationError(_("Choose what the file holds."), code="kind")
    if not name.lower().endswith(EXTENSIONS[kind]):
        raise ValidationError(
            _("A file of this kind ends in %(extensions)s.")
            % {"extensions": ", ".join(EXTENSIONS[kind])},
            code="file_type",
        )
    try:
        content = upload_read(upload, limit=MAX_UPLOAD_BYTES)
    except UploadProblem as problem:
        if problem.code == "empty":
            raise ValidationError(_("The file is empty."), code="empty") from None
        raise ValidationError(
            _("The file is larger than the %(limit)s MB limit.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
        ) from None
    try:
        rows = _rows_in(kind, content, name)
    except (TableError, qd130.Qd130Error) as error:
        raise ValidationError(
            _("The file cannot be read: %(reason)s") % {"reason": error}, code="unreadable"
        ) from None
    if not rows:
        raise ValidationError(_("The file has no rows to import."), code="no_rows")
    return ValidatedImport(
        kind=kind,
        name=name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=rows,
    )


def _rows_in(kind: str, content: bytes, name: str) -> int:
    """The rows (HOSO) of a file whose structure is readable: the table's header row found,
    the XML a GIAMDINHHS envelope. The rows themselves are read by the job (reading them here
    too would double the work of a large file); TableError/Qd130Error otherwise."""
    if kind == ImportJob.Kind.RECORDS:
        table = read_table(content, name, records.HEADINGS, REQUIRED_RECORD_COLUMNS, records.LABELS)
        return sum(1 for _row in table.body())
    if kind == ImportJob.Kind.QD130:
        return qd130.count_records(content)  # each HOSO's XML1 is read by the job
    read = read_file(kind, content, name)  # vaccinations: the layout is found by reading
    return len(read.units) + len(read.errors)


def _may_import(actor: Any, kind: str) -> None:
    if actor is not None and kind not in access.import_kinds(actor):
        raise PermissionDenied(_("Your health role does not allow importing this kind of file."))


def import_start(*, actor: Any, validated: ValidatedImport, run: bool = True) -> ImportJob:
    """Store the validated file, create its job (audited) and queue the task after the commit
    (`run=False`: the caller runs it, as the command does)."""
    _may_import(actor, validated.kind)
    extension = PurePath(validated.name).suffix.lower()
    blob = f"health/imports/{validated.sha256[:2]}/{validated.sha256}{extension}"
    with transaction.atomic(), StoredBlobs([(blob, validated.content)]) as stored:
        job = ImportJob.objects.create(
            kind=validated.kind,
            file=stored.names[blob],
            file_name=validated.name,
            sha256=validated.sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="health.import_uploaded",
            target=job,
            details={"kind": job.kind, "file": job.file_name, "sha256": job.sha256,
                     "rows": validated.rows},
        )  # fmt: skip
        if run:
            transaction.on_commit(lambda: queue(job.pk))
    return job


def queue(job_id: int) -> None:
    """Hand the job to the workers (or, embedded, to the background thread)."""
    from health.tasks import import_job_task

    run_later(import_job_task, job_id)


def is_stalled(job: ImportJob) -> bool:
    """A running job that has not moved for STALE_AFTER: its worker is gone."""
    return job.status == ImportJob.Status.RUNNING and job.updated_at < timezone.now() - STALE_AFTER


def may_resume(job: ImportJob) -> bool:
    """Whether the job stopped before its end and can go on from its cursor."""
    return job.resumable or is_stalled(job)


@transaction.atomic
def import_resume(*, actor: Any, job: ImportJob, run: bool = True) -> ImportJob:
    """Queue a stopped job again from its cursor (audited); ValidationError when it did not
    stop."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not may_resume(job):
        raise ValidationError(_("This import is not stopped; there is nothing to resume."))
    _may_import(actor, job.kind)
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="health.import_resumed",
        target=job,
        details={"cursor": job.cursor, "processed": job.processed},
    )
    if run:
        transaction.on_commit(lambda: queue(job.pk))
    return job


def insert_rows(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert new `rows` of `model` (not saved yet), as `bulk_create` would — the same columns,
    `auto_now` fields filled, each row given its id — but on PostgreSQL with one COPY: the ids
    are drawn from the table's sequence first (one query), then the rows are streamed. No
    signals either way (as bulk_create). A row that breaks a constraint fails the whole COPY,
    as it fails the whole INSERT."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    values = [_column_value(f) for f in fields]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([value(row) for value in values])
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


# Fields whose attribute psycopg writes as Django would (get_db_prep_save is the identity for
# them on PostgreSQL): read directly, the costliest step of a COPY otherwise.
PLAIN_FIELDS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "ForeignKey", "IntegerField", "OneToOneField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip


def _column_value(field: Any) -> Callable[[Model], Any]:
    """How `insert_rows` gets a row's value of `field`: its attribute, or for other fields (and
    auto_now dates) what Django's save would write."""
    if field.get_internal_type() in PLAIN_FIELDS and not getattr(field, "auto_now", False) \
            and not getattr(field, "auto_now_add", False):  # fmt: skip
        return attrgetter(field.attname)
    return lambda row: field.get_db_prep_save(field.pre_save(row, True), connection)


# --------------------------------------------------------------------------------- the task


@dataclass
class Outcome:
    """What one chunk did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, key, reason
    people: set[int] = field(default_factory=set)

    def reject(self, unit: Unit, reason: str) -> None:
        self.problems.append((unit.line, unit.row_key[:120], reason))


class Context:
    """What every chunk of one run looks up: the catalogues (read once) and the uploader's
    limits (area, facility)."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.actor = job.uploaded_by
        self.source = SOURCES[job.kind]
        self.everywhere = access.imports_everywhere(self.actor)
        self.communes = {
            unit.code: unit
            for unit in AdminUnit.objects.filter(edition="2008", level=AdminUnit.Level.COMMUNE)
            .select_related("parent")
            .only("id", "code", "province_code", "level", "parent__id", "parent__level")
        }
        self.communes_by_id = {unit.pk: unit for unit in self.communes.values()}
        communes = AdminUnit.objects.none() if self.everywhere else access.communes_for(self.actor)
        self.area_communes = set(communes.values_list("pk", flat=True))
        self.own_facilities = set() if self.everywhere else access.import_facility_codes(self.actor)
        self._facilities: dict[str, Facility | None] = {}
        self._icd: dict[str, Icd10Code | None] = {}
        self._vaccines: dict[str, Vaccine | None] = {}
        for vaccine in Vaccine.objects.all():
            self._vaccines[fold(vaccine.code)] = vaccine
            self._vaccines[fold(vaccine.name)] = vaccine
        self.now = timezone.now()

    def facility(self, code: str) -> Facility | None:
        if code not in self._facilities:
            self._facilities[code] = Facility.objects.filter(code=code).first() if code else None
        return self._facilities[code]

    def icd(self, code: str) -> Icd10Code | None:
        """The catalogue's code, or its three-character category ("E11.9" → "E11")."""
        if code not in self._icd:
            self.load_icd([code])
        return self._icd[code]

    def load_icd(self, codes: Iterable[str]) -> None:
        """Look the codes not seen yet up in one query (a chunk's codes, before its rows)."""
        wanted = {code for code in codes if code and code not in self._icd}
        if not wanted:
            return
        found = {
            c.code: c
            for c in Icd10Code.objects.filter(code__in=wanted | {code[:3] for code in wanted})
        }
        for code in wanted:
            self._icd[code] = found.get(code) or found.get(code[:3])

    def vaccine(self, name: str) -> Vaccine | None:
        """The vaccine named by its code or name, or the only one whose name contains the text
        ("AstraZeneca" → "Vắc xin COVID-19 AstraZeneca")."""
        wanted = " ".join(fold(name).split())
        if wanted not in self._vaccines:
            matches = {v.pk: v for key, v in self._vaccines.items() if wanted and wanted in key}
            self._vaccines[wanted] = next(iter(matches.values())) if len(matches) == 1 else None
        return self._vaccines[wanted]

    def visible(self, people: Sequence[Person]) -> set[int]:
        """The ids of `people` the uploader may change."""
        ids = [p.pk for p in people]
        if self.everywhere:
            return set(ids)
        return set(
            access.visible_people(self.actor).filter(pk__in=ids).values_list("pk", flat=True)
        )

    def commune(self, code: str, unit: Unit, outcome: Outcome) -> tuple[bool, AdminUnit | None]:
        """(ok, commune) of a row's commune code; not ok (and the row rejected) when the code
        is unknown."""
        if not code:
            return True, None
        commune = self.communes.get(code)
        if commune is None:
            outcome.reject(unit, f"Mã xã “{code}” không có trong danh mục đơn vị hành chính.")
            return False, None
        return True, commune

    def may_place(self, commune: AdminUnit | None) -> bool:
        """Whether the uploader may create a record living in `commune`."""
        return self.everywhere or (commune is not None and commune.pk in self.area_communes)

    def new_person(self, **values: Any) -> Person:
        person = Person(source=self.source, imported_at=self.now, **values)
        person.citizen_id = person.citizen_id or None
        person.full_name = " ".join(person.full_name.split())
        person.name_folded = fold(person.full_name)
        return person  # placed (district, 2025 commune, province) by place_many before saving


OUTSIDE_AREA = "Người này không thuộc địa bàn bạn quản lý; dòng không được nhập."
NO_SEX = "Thiếu giới tính (Nam hoặc Nữ): không tạo được hồ sơ mới."


def _people(
    source: str, citizen_ids: set[str], keys: set[str]
) -> tuple[dict[str, Person], dict[str, Person]]:
    """(by citizen ID, by row key) in one query: the records holding these citizen IDs, and
    those an earlier import of `source` made with these keys (a merged-away record too, kept
    as an alias, so its row does not come back as a new record: see `resolve`)."""
    by_id: dict[str, Person] = {}
    by_key: dict[str, Person] = {}
    wanted = Q(source=source, row_key__in=keys)
    if citizen_ids:
        wanted |= Q(citizen_id__in=citizen_ids)
    for person in Person.objects.filter(wanted):
        if person.citizen_id in citizen_ids:
            by_id[person.citizen_id] = person
        if person.source == source and person.row_key in keys:
            by_key[person.row_key] = person
    return by_id, by_key


def _records_chunk(ctx: Context, units: list[Unit]) -> Outcome:
    """Template rows: create the people not on file, update those whose citizen ID (or row
    key) is, adding the chronic conditions and allergies they lack."""
    outcome = Outcome()
    rows = [u.row for u in units]
    ctx.load_icd(code for row in rows for code in row.chronic_conditions)
    by_id, by_key = _people(
        ctx.source, {r.citizen_id for r in rows if r.citizen_id}, {r.row_key for r in rows}
    )
    found = {u.row_key: by_id.get(u.row.citizen_id) or by_key.get(u.row_key) for u in units}
    merged = {key for key, person in found.items() if person and person.merged_into_id}
    for key in merged:  # the row's record was merged into another: it is on file, as that one
        found[key] = None
    existing = [p for p in found.values() if p is not None]
    allowed = ctx.visible(existing)
    conditions = set(
        ChronicCondition.objects.filter(person__in=existing).values_list("person_id", "icd10_id")
    )
    allergies = set(Allergy.objects.filter(person__in=existing).values_list("person_id", "agent"))
    new: list[tuple[Person, Any]] = []
    changed: list[Person] = []
    history: list[tuple[Person, Any]] = []
    for unit in units:
        row = unit.row
        if unit.row_key in merged:
            outcome.unchanged += 1
            continue
        ok, commune = ctx.commune(row.commune_code, unit, outcome)
        if not ok:
            continue
        values = {
            "citizen_id": row.citizen_id, "full_name": row.full_name,
            "birth_date": row.birth_date, "sex": SEXES.get(row.sex, ""),
            "ethnicity": row.ethnicity, "address": row.address, "commune": commune,
            "phone": row.phone, "insurance_card": row.insurance_card,
            "insurance_facility": ctx.facility(row.registered_facility),
        }  # fmt: skip
        person = found[unit.row_key]
        if person is None:
            if not values["sex"]:
                outcome.reject(unit, NO_SEX)
                continue
            if not ctx.may_place(commune):
                outcome.reject(unit, OUTSIDE_AREA)
                continue
            person = ctx.new_person(row_key=unit.row_key, **values)
            new.append((person, row))
            continue
        if person.pk not in allowed:
            outcome.reject(unit, OUTSIDE_AREA)
            continue
        dirty = False
        for name, value in values.items():
            if value in ("", None):
                continue
            if isinstance(value, Model):  # compare ids: no query for the related row
                if getattr(person, f"{name}_id") != value.pk:
                    setattr(person, name, value)
                    dirty = True
            elif getattr(person, name) != value:
                setattr(person, name, value)
                dirty = True
        if dirty:
            person.name_folded = fold(person.full_name)
            person.updated_at = ctx.now
            changed.append(person)
        lacking = [
            code for code in row.chronic_conditions
            if ctx.icd(code) and (person.pk, ctx.icd(code).pk) not in conditions
        ] or [a for a in row.allergies if (person.pk, a[:200]) not in allergies]  # fmt: skip
        if lacking:
            history.append((person, row))
        if dirty or lacking:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        outcome.people.add(person.pk)
    place_many([person for person, _ in new] + changed)
    insert_rows(Person, [person for person, _ in new])
    outcome.created = len(new)
    outcome.people |= {person.pk for person, _ in new}
    if changed:
        Person.objects.bulk_update(
            changed,
            ["citizen_id", "full_name", "name_folded", "birth_date", "sex", "ethnicity",
             "address", "commune", "district", "commune_2025", "province_code", "phone",
             "insurance_card",
             "insurance_facility", "updated_at"],
        )  # fmt: skip
    _add_history(ctx, new + history, conditions, allergies)
    return outcome


def _add_history(ctx: Context, rows: list[tuple[Person, Any]], conditions: set, allergies: set):
    """The chronic conditions (known ICD-10 codes) and allergies a template row names that its
    person lacks."""
    new_conditions, new_allergies = [], []
    for person, row in rows:
        for code in row.chronic_conditions:
            icd = ctx.icd(code)
            if icd and (person.pk, icd.pk) not in conditions:
                conditions.add((person.pk, icd.pk))
                new_conditions.append(ChronicCondition(person=person, icd10=icd))
        for agent in row.allergies:
            if (person.pk, agent[:200]) not in allergies:
                allergies.add((person.pk, agent[:200]))
                new_allergies.append(
                    Allergy(person=person, kind=Allergy.Kind.OTHER, agent=agent[:200])
                )
    ChronicCondition.objects.bulk_create(new_conditions, ignore_conflicts=True)
    insert_rows(Allergy, new_allergies)


def _owner(
    ctx: Context,
    unit: Unit,
    outcome: Outcome,
    by_id: dict[str, Person],
    by_key: dict[str, Person],
    pending: dict[str, Person],
    key: str,
    make: Callable[[AdminUnit | None], dict[str, Any]],
    commune_code: str,
    sex: str | None,
) -> Person | None:
    """The person a visit or a dose belongs to: found by citizen ID, else by the key of a
    person an earlier import of this source created, else a new record (not saved yet) from
    the row's patient fields. None (and the row rejected) when none can be."""
    citizen_id = unit.row.citizen_id
    person = by_id.get(citizen_id) if citizen_id else None
    person = resolve(person or by_key.get(key)) or pending.get(f"key:{key}")
    person = person or (pending.get(f"id:{citizen_id}") if citizen_id else None)
    if person is not None:
        return person
    if not SEXES.get(sex):
        outcome.reject(unit, NO_SEX)
        return None
    ok, commune = ctx.commune(commune_code, unit, outcome)
    if not ok:
        return None
    if ctx.job.kind != ImportJob.Kind.QD130 and not ctx.may_place(commune):
        outcome.reject(unit, OUTSIDE_AREA)
        return None
    person = ctx.new_person(row_key=key, sex=SEXES[sex], commune=commune, **make(commune))
    pending[f"key:{key}"] = person  # a later row finds it by its key or its citizen ID
    if citizen_id:
        pending[f"id:{citizen_id}"] = person
    return person


def _qd130_key(visit: qd130.VisitRecord) -> str:
    if visit.patient_code:
        return f"bn:{visit.facility_code}:{visit.patient_code}"[:120]
    return person_key(visit.citizen_id, visit.full_name, visit.birth_date, visit.commune_code)


def _qd130_chunk(ctx: Context, units: list[Unit]) -> Outcome:
    """QĐ 130 visits: attach each to the person with its citizen ID, or the person made from
    the XML1's patient fields, with the secondary diagnoses the catalogue knows."""
    outcome = Outcome()
    visits = [u.row for u in units]
    ctx.load_icd(code for v in visits for code in (v.main_icd, *v.secondary_icds))
    done = set(
        MedicalVisit.objects.filter(
            source=ctx.source, row_key__in=[u.row_key for u in units]
        ).values_list("row_key", flat=True)
    )
    by_id, by_key = _people(
        ctx.source, {v.citizen_id for v in visits if v.citizen_id}, {_qd130_key(v) for v in visits}
    )
    pending: dict[str, Person] = {}
    planned: list[tuple[MedicalVisit, Person, list[Icd10Code]]] = []
    for unit in units:
        visit = unit.row
        if unit.row_key in done:
            outcome.unchanged += 1
            continue
        facility = ctx.facility(visit.facility_code)
        if facility is None:
            outcome.reject(
                unit, f"Cơ sở KCB “{visit.facility_code}” không có trong danh mục cơ sở y tế."
            )
            continue
        if not ctx.everywhere and visit.facility_code not in ctx.own_facilities:
            outcome.reject(unit, "Hồ sơ của cơ sở KCB khác cơ sở của bạn; không được nhập.")
            continue
        main = ctx.icd(visit.main_icd) if visit.main_icd else None
        if main is None:
            outcome.reject(
                unit,
                f"Mã bệnh chính “{visit.main_icd}” không có trong danh mục ICD-10."
                if visit.main_icd
                else "Thiếu mã bệnh chính (MA_BENH_CHINH).",
            )
            continue
        person = _owner(
            ctx, unit, outcome, by_id, by_key, pending, _qd130_key(visit),
            lambda commune, v=visit: {
                "citizen_id": v.citizen_id, "full_name": v.full_name,
                "birth_date": v.birth_date, "address": v.address, "phone": v.phone,
                "insurance_card": v.insurance_card,
                "insurance_facility": ctx.facility(v.registered_facility),
            },
            visit.commune_code, visit.sex,
        )  # fmt: skip
        if person is None:
            continue
        if visit.admitted_at.date() < person.birth_date:
            outcome.reject(unit, "Ngày vào viện trước ngày sinh của người trong hồ sơ.")
            continue
        done.add(unit.row_key)
        row = MedicalVisit(
            facility=facility, admitted_at=visit.admitted_at, discharged_at=visit.discharged_at,
            main_diagnosis=main,
            outcome=visit.outcome if visit.outcome in MedicalVisit.Outcome.values else "",
            source=ctx.source, row_key=unit.row_key, imported_at=ctx.now,
        )  # fmt: skip
        secondary = [icd for code in visit.secondary_icds if (icd := ctx.icd(code))]
        planned.append((row, person, secondary))
    _save_with_people(pending, planned, outcome)
    through = MedicalVisit.secondary_diagnoses.through
    insert_rows(  # the visits are new: their pairs (each once) cannot be on file yet
        through,
        list(
            {
                (row.pk, icd.pk): through(medicalvisit_id=row.pk, icd10code_id=icd.pk)
                for row, _, secondary in planned
                for icd in secondary
            }.values()
        ),
    )
    return outcome


def _save_with_people(pending: dict[str, Person], planned: list, outcome: Outcome) -> None:
    """Create the new people, then the rows pointing to them."""
    people = list({id(p): p for p in pending.values()}.values())
    place_many(people)
    insert_rows(Person, people)
    for planned_row in planned:
        row, person = planned_row[0], planned_row[1]
        row.person = person
        outcome.people.add(person.pk)
    if planned:
        insert_rows(type(planned[0][0]), [planned_row[0] for planned_row in planned])
    outcome.created = len(planned)


def _vaccinations_chunk(ctx: Context, units: list[Unit]) -> Outcome:
    """Doses: attach each to the person with its citizen ID, or the person made from the
    row's name, birth date, sex and commune."""
    outcome = Outcome()
    doses = [u.row for u in units]
    done = set(
        Vaccination.objects.filter(
            source=ctx.source, row_key__in=[u.row_key for u in units]
        ).values_list("row_key", flat=True)
    )

    def key(row: vaccinations.VaccinationRow) -> str:
        return person_key(row.citizen_id, row.full_name, row.birth_date, row.commune_code)

    by_id, by_key = _people(
        ctx.source, {d.citizen_id for d in doses if d.citizen_id}, {key(d) for d in doses}
    )
    allowed = ctx.visible([resolve(p) for p in [*by_id.values(), *by_key.values()]])
    pending: dict[str, Person] = {}
    planned: list[tuple[Vaccination, Person]] = []
    for unit in units:
        dose = unit.row
        if unit.row_key in done:
            outcome.unchanged += 1
            continue
        vaccine = ctx.vaccine(dose.vaccine)
        if vaccine is None:
            outcome.reject(unit, f"Vắc xin “{dose.vaccine}” không có trong danh mục vắc xin.")
            continue
        person = _owner(
            ctx, unit, outcome, by_id, by_key, pending, key(dose),
            lambda commune, d=dose: {
                "citizen_id": d.citizen_id, "full_name": d.full_name, "birth_date": d.birth_date,
            },
            dose.commune_code, dose.sex,
        )  # fmt: skip
        if person is None:
            continue
        if person.pk and person.pk not in allowed:
            outcome.reject(unit, OUTSIDE_AREA)
            continue
        if dose.date < person.birth_date:
            outcome.reject(unit, "Ngày tiêm trước ngày sinh của người trong hồ sơ.")
            continue
        done.add(unit.row_key)
        row = Vaccination(
            vaccine=vaccine, dose_number=dose.dose, given_on=dose.date,
            facility=ctx.facility(dose.facility), lot_number=dose.lot[:40],
            source=ctx.source, row_key=unit.row_key, imported_at=ctx.now,
        )  # fmt: skip
        planned.append((row, person))
    _save_with_people(pending, planned, outcome)
    return outcome


CHUNKS: dict[str, Callable[[Context, list[Unit]], Outcome]] = {
    ImportJob.Kind.RECORDS: _records_chunk,
    ImportJob.Kind.QD130: _qd130_chunk,
    ImportJob.Kind.VACCINATIONS: _vaccinations_chunk,
}


def _problems(job: ImportJob, problems: list[tuple[int, str, str]]) -> None:
    insert_rows(
        ImportProblem,
        [
            ImportProblem(job=job, line=line, row_key=key, reason=reason[:500])
            for line, key, reason in problems
        ],
    )


def _claim(job_id: int) -> bool:
    """Mark the job running if it is queued, stopped or stalled; False when another worker
    has it or it is done."""
    stale = timezone.now() - STALE_AFTER
    return bool(
        ImportJob.objects.filter(
            Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.INTERRUPTED])
            | Q(status=ImportJob.Status.RUNNING, updated_at__lt=stale),
            pk=job_id,
        ).update(status=ImportJob.Status.RUNNING, error="", updated_at=timezone.now())
    )


def _stop(job: ImportJob, status: str, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error=error[:500], updated_at=timezone.now()
    )


def import_run(job_id: int, chunk_size: int = CHUNK_SIZE,
               progress: Callable[[ImportJob], None] | None = None) -> ImportJob:  # fmt: skip
    """Process the job from its cursor to the end (the task's body). Stops with the job
    "interrupted" (resumable) on an unexpected error, "failed" when the stored file can no
    longer be read. `progress` is called after each chunk."""
    if not _claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    try:
        with default_storage.open(job.file.name, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != job.sha256:
            raise ValueError("Tệp đã lưu không còn khớp mã băm SHA-256 lúc tải lên.")
        read = read_file(job.kind, data, job.file_name)
    except (OSError, ValueError) as error:  # TableError and Qd130Error are ValueErrors
        logger.warning("health import %s cannot read its file: %s", job.pk, error)
        _stop(job, ImportJob.Status.FAILED, str(error))
        return ImportJob.objects.get(pk=job.pk)
    try:
        if job.total_rows is None:
            with transaction.atomic():
                _problems(job, [(line, "", reason) for line, reason in read.errors])
                job.total_rows = len(read.units) + len(read.errors)
                job.processed = job.rejected_count = len(read.errors)
                job.save(update_fields=["total_rows", "processed", "rejected_count", "updated_at"])
        context = Context(job)
        while job.cursor < len(read.units):
            _chunk(job, context, read.units[job.cursor : job.cursor + chunk_size])
            job.refresh_from_db()
            if progress:
                progress(job)
    except Exception as error:
        logger.exception("health import %s interrupted at row %s", job.pk, job.cursor)
        _stop(job, ImportJob.Status.INTERRUPTED, f"{type(error).__name__}: {error}")
        return ImportJob.objects.get(pk=job.pk)
    with transaction.atomic():
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
        audit_record(
            actor=job.uploaded_by,
            action="health.import_finished",
            target=job,
            details={"total": job.total_rows, "created": job.created_count,
                     "updated": job.updated_count, "unchanged": job.unchanged_count,
                     "rejected": job.rejected_count},
        )  # fmt: skip
    return job


@transaction.atomic
def _chunk(job: ImportJob, context: Context, units: list[Unit]) -> None:
    """One chunk in one transaction: its rows, its problems, the counters, the cursor, one
    audit entry; the signal after the commit."""
    outcome = CHUNKS[job.kind](context, units)
    _problems(job, outcome.problems)
    ImportJob.objects.filter(pk=job.pk).update(
        cursor=F("cursor") + len(units),
        processed=F("processed") + len(units),
        created_count=F("created_count") + outcome.created,
        updated_count=F("updated_count") + outcome.updated,
        unchanged_count=F("unchanged_count") + outcome.unchanged,
        rejected_count=F("rejected_count") + len(outcome.problems),
        updated_at=timezone.now(),
    )
    people = sorted(outcome.people)
    aggregates.refresh(people)  # the batch's records in the aggregates, in its transaction
    audit_record(
        actor=job.uploaded_by,
        action="health.import_chunk",
        target=job,
        details={"kind": job.kind, "lines": [units[0].line, units[-1].line],
                 "created": outcome.created, "updated": outcome.updated,
                 "unchanged": outcome.unchanged, "rejected": len(outcome.problems),
                 "people": people},
    )  # fmt: skip
    transaction.on_commit(
        lambda: records_imported.send(sender=ImportJob, job=job, person_ids=people)
    )
