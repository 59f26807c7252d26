"""Personal health records after QĐ 831/QĐ-BYT (11 March 2017), "Mẫu hồ sơ quản lý sức khỏe
cá nhân phục vụ chăm sóc sức khỏe ban đầu", and the catalogues they point to.

The form has four parts, named here where a model holds them:

  I.   Thông tin hành chính (administrative information)           → `Person`
  II.  Tiền sử và các yếu tố liên quan đến sức khỏe (history and risk factors): tiền sử bệnh
       tật (→ `ChronicCondition`), dị ứng (→ `Allergy`), tiền sử gia đình (→ `FamilyHistory`),
       yếu tố nguy cơ đối với sức khỏe cá nhân: hút thuốc, rượu bia, hoạt động thể lực…
       (→ `RiskFactor`)
  III. Tiêm chủng (vaccinations)                                      → `Vaccination`
  IV.  Khám lâm sàng và cận lâm sàng (visits, diagnoses)              → `MedicalVisit`

Catalogues (`AdminUnit`, `Icd10Code`, `Vaccine`) are loaded from files or packages by
`manage.py health_catalogues load` and carry the edition they came from. Rows written by an
import carry their provenance (`source`, `row_key`, `imported_at`); (`source`, `row_key`) is
unique, so importing the same file again changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AdminUnit(models.Model):
    """A province, district or commune of one edition of the administrative map.

    Two editions live side by side: "2008" (63 provinces, districts, communes, valid until
    30 June 2025) and "2025" (34 provinces, communes directly under them, valid from 1 July
    2025; Đồng Nai and Bình Phước merged into Đồng Nai). Codes are the General Statistics
    Office's; a code is unique within an edition and level.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    edition = models.CharField(_("edition"), max_length=10)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    province_code = models.CharField(_("province code"), max_length=10, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "level", "code"], name="health_adminunit_edition_level_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district(self) -> AdminUnit | None:
        """The district a commune of the 2008 edition lies in (None in the 2025 edition)."""
        if self.level == self.Level.COMMUNE and self.parent and self.parent.level == "district":
            return self.parent
        return None


class UnitSuccession(models.Model):
    """Where a commune of the 2008 edition lies in the 2025 edition: one row per successor.

    Loaded by `manage.py health_catalogues load` from the old→new conversion table of the
    `vietnamadminunits` package. Most old communes went whole into one new commune; a commune
    divided between several has one row per part, and `is_default` marks the part the package
    assigns an address without a street to (records are placed there).
    """

    old = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="successions",
        verbose_name=_("old commune"),
    )
    new = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="predecessions",
        verbose_name=_("new commune"),
    )
    is_default = models.BooleanField(_("default successor"), default=True)
    source = models.CharField(_("source"), max_length=60)

    class Meta:
        verbose_name = _("administrative unit succession")
        verbose_name_plural = _("administrative unit successions")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="health_unitsuccession_once")
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class Icd10Code(models.Model):
    """ICD-10 code with its Vietnamese name (Bộ mã ICD-10 of the Ministry of Health)."""

    code = models.CharField(_("ICD-10 code"), max_length=10, unique=True)
    # Empty for the codes only WHO's list names (catalogues.load_icd10_who) until a Vietnamese
    # file names them: they show their English name.
    name_vi = models.CharField(_("Vietnamese name"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    edition = models.CharField(_("edition"), max_length=40)

    class Meta:
        verbose_name = _("ICD-10 code")
        verbose_name_plural = _("ICD-10 codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The Vietnamese name, or WHO's English one for a code no Vietnamese file named."""
        return self.name_vi or self.name_en


class Vaccine(models.Model):
    """A vaccine of the catalogue (code as the national immunisation system names it)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    antigens = models.CharField(_("diseases prevented"), max_length=300, blank=True)
    doses_in_schedule = models.PositiveSmallIntegerField(_("doses in the schedule"), default=1)
    edition = models.CharField(_("edition"), max_length=40)

    class Meta:
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """A health facility (cơ sở khám chữa bệnh / tiêm chủng), by its insurance code (mã CSKCB)."""

    code = models.CharField(_("facility code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("commune"),
    )

    class Meta:
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Person(models.Model):
    """Part I of QĐ 831, "Thông tin hành chính": one record per person.

    `commune` is the commune of residence, of either edition of the map. Derived from it by
    the services (`services.place_many`, the one place that does it): `district`, its 2008
    district (the plan's tables by district); `commune_2025`, the commune of the 2025 edition
    it lies in (the default successor of a divided commune); `province_code`. A record entered
    with a 2025 commune gets the 2008 district back only when all the old communes the new one
    was made of lay in one district; otherwise `district` stays empty and the reports show the
    record under "district not determined (units after 1 July 2025)".
    """

    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("A citizen ID (CCCD) has exactly 12 digits."))],
    )
    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("commune"),
    )
    district = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="district_residents",
        editable=False,
    )
    commune_2025 = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents_2025",
        editable=False,
        verbose_name=_("commune (2025 units)"),
    )
    province_code = models.CharField(max_length=10, blank=True, db_index=True, editable=False)
    phone = models.CharField(
        _("phone"),
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^\+?\d{8,14}$", _("Enter a phone number of digits."))],
    )
    insurance_card = models.CharField(_("health insurance card"), max_length=15, blank=True)
    insurance_facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_people",
        verbose_name=_("registered facility"),
    )
    source = models.CharField(_("source"), max_length=60, blank=True)
    row_key = models.CharField(max_length=120, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aliases",
        editable=False,
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_folded", "birth_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "row_key"],
                condition=~Q(row_key=""),
                name="health_person_source_row_key",
            )
        ]
        indexes = [models.Index(fields=["district", "commune"])]

    def __str__(self) -> str:
        return self.full_name


class HistoryEntry(models.Model):
    """Common fields of part II's entries."""

    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ChronicCondition(HistoryEntry):
    """Part II, "Tiền sử bệnh tật": a chronic disease by its ICD-10 code."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conditions")
    icd10 = models.ForeignKey(Icd10Code, on_delete=models.PROTECT, verbose_name=_("ICD-10"))
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("chronic condition")
        verbose_name_plural = _("chronic conditions")
        constraints = [
            models.UniqueConstraint(fields=["person", "icd10"], name="health_condition_once")
        ]

    def __str__(self) -> str:
        return str(self.icd10)


class Allergy(HistoryEntry):
    """Part II, "Dị ứng": to a drug, a food, a chemical or something else."""

    class Kind(models.TextChoices):
        DRUG = "drug", _("Drug")
        FOOD = "food", _("Food")
        CHEMICAL = "chemical", _("Chemical")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allergies")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    agent = models.CharField(_("allergen"), max_length=200)

    class Meta:
        verbose_name = _("allergy")
        verbose_name_plural = _("allergies")

    def __str__(self) -> str:
        return self.agent


class FamilyHistory(HistoryEntry):
    """Part II, "Tiền sử gia đình": a relative's disease."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_history")
    relation = models.CharField(_("relation"), max_length=60)
    icd10 = models.ForeignKey(
        Icd10Code, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ICD-10")
    )
    disease = models.CharField(_("disease"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("family history")
        verbose_name_plural = _("family history")

    def __str__(self) -> str:
        return f"{self.relation}: {self.icd10 or self.disease}"


class RiskFactor(HistoryEntry):
    """Part II, "Yếu tố nguy cơ đối với sức khỏe cá nhân": habits and exposures."""

    class Kind(models.TextChoices):
        SMOKING = "smoking", _("Smoking")
        ALCOHOL = "alcohol", _("Alcohol")
        DRUGS = "drugs", _("Drug use")
        PHYSICAL_ACTIVITY = "activity", _("Physical activity")
        OCCUPATIONAL = "occupational", _("Occupational exposure")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risk_factors")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}".strip()


class ImportedRow(models.Model):
    """Provenance of rows written by imports: which source and which row of it."""

    source = models.CharField(_("source"), max_length=60)
    row_key = models.CharField(max_length=120)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Vaccination(ImportedRow):
    """Part III of QĐ 831, "Tiêm chủng": one dose given."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vaccinations")
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, verbose_name=_("vaccine"))
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    given_on = models.DateField(_("date given"))
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("facility")
    )
    lot_number = models.CharField(_("lot number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        ordering = ["given_on", "dose_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "row_key"], name="health_vaccination_source_row_key"
            )
        ]
        # The reports' "updated with vaccinations by date D": an index-only range scan.
        indexes = [models.Index(fields=["given_on", "person"], name="health_vacc_given_person")]

    def __str__(self) -> str:
        return f"{self.vaccine} ({self.dose_number}) {self.given_on}"


class MedicalVisit(ImportedRow):
    """Part IV of QĐ 831, "Khám lâm sàng và cận lâm sàng": one visit or stay (KCB), with the
    QĐ 130 XML1 summary's fields (MA_CSKCB, NGAY_VAO, NGAY_RA, MA_BENH_CHINH, MA_BENH_KT,
    KET_QUA_DTRI)."""

    class Outcome(models.TextChoices):
        # KET_QUA_DTRI of QĐ 130/4210: 1 khỏi, 2 đỡ, 3 không thay đổi, 4 nặng hơn, 5 tử vong,
        # 6 chưa xác định, 7 chuyển viện.
        CURED = "1", _("Cured")
        IMPROVED = "2", _("Improved")
        UNCHANGED = "3", _("Unchanged")
        WORSE = "4", _("Worse")
        DIED = "5", _("Died")
        UNKNOWN = "6", _("Not determined")
        TRANSFERRED = "7", _("Transferred")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="visits")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, verbose_name=_("facility"))
    admitted_at = models.DateTimeField(_("admitted"))
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True)
    main_diagnosis = models.ForeignKey(
        Icd10Code,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("main diagnosis"),
    )
    secondary_diagnoses = models.ManyToManyField(
        Icd10Code, blank=True, related_name="+", verbose_name=_("secondary diagnoses")
    )
    outcome = models.CharField(_("outcome"), max_length=2, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("medical visit")
        verbose_name_plural = _("medical visits")
        ordering = ["admitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "row_key"], name="health_visit_source_row_key"
            )
        ]
        # The reports' "updated with visits by date D": an index-only range scan.
        indexes = [
            models.Index(fields=["admitted_at", "person"], name="health_visit_admitted_person")
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.admitted_at:%Y-%m-%d}"


class HealthAssignment(models.Model):
    """A user's health role: officer of a province, a district, a commune or a facility.

    Set by administrators (Django admin). Exactly one of `area` / `facility` is filled: an
    area officer sees the people living in the area, a facility officer the people
    registered at or seen by the facility. `can_export` and `can_merge` widen the role.
    """

    class Scope(models.TextChoices):
        PROVINCE = "province", _("Province officer")
        DISTRICT = "district", _("District officer")
        COMMUNE = "commune", _("Commune officer")
        FACILITY = "facility", _("Facility officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="health_assignments",
        verbose_name=_("user"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    area = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facility"),
    )
    can_export = models.BooleanField(_("may export"), default=False)
    can_merge = models.BooleanField(_("may merge duplicates"), default=False)

    class Meta:
        verbose_name = _("health role")
        verbose_name_plural = _("health roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="facility", facility__isnull=False, area__isnull=True))
                | (~Q(scope="facility") & Q(area__isnull=False, facility__isnull=True)),
                name="health_assignment_area_or_facility",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_scope_display()} · {self.area or self.facility}"

    def clean(self) -> None:
        """The area is of the scope's level (a district officer's area is a district)."""
        if self.scope == self.Scope.FACILITY:
            if self.area_id:
                raise ValidationError({"area": _("A facility officer has a facility, no area.")})
            return
        if self.facility_id:
            raise ValidationError({"facility": _("An area officer has an area, no facility.")})
        if self.area_id and self.area.level != self.scope:
            raise ValidationError(
                {
                    "area": _("The area must be a unit of the role's level (%(level)s).")
                    % {"level": self.get_scope_display()}
                }
            )


class ImportJob(models.Model):
    """One uploaded file imported in the background (a Celery task, chunk by chunk).

    The file is read whole each time the task starts; its units (template rows, QĐ 130 HOSO,
    vaccination doses) are written in chunks, each chunk in one transaction that also advances
    `cursor` (the number of units done). A job that stops (a worker killed, an error) is resumed
    from `cursor`; rows already written are recognised by their (source, row key), so a re-run
    of the same file changes nothing.
    """

    class Kind(models.TextChoices):
        RECORDS = "records", _("Health records (template)")
        QD130 = "qd130", _("Medical visits (QĐ 130 XML)")
        VACCINATIONS = "vaccinations", _("Vaccinations (immunisation export, COVID-19 list)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("import", "Running")
        DONE = "done", pgettext_lazy("import", "Done")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="health/imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    cursor = models.PositiveIntegerField(default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def percent(self) -> int:
        """How far the job is, 0–100."""
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed * 100 // self.total_rows)

    @property
    def active(self) -> bool:
        """Whether the job still runs (its page keeps polling)."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def resumable(self) -> bool:
        """Whether the job stopped before the end and may be resumed from its cursor."""
        return self.status in (self.Status.INTERRUPTED, self.Status.FAILED) and bool(self.file)


class ImportProblem(models.Model):
    """A row of an import that was not written, and why (in Vietnamese)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(_("line"))
    row_key = models.CharField(_("row key"), max_length=120, blank=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["line", "pk"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class DuplicateCandidate(models.Model):
    """Two records the clean-up thinks may be one person (`first` has the smaller id), with the
    score and reasons of `health.matching`; a health officer (or the automatic merge of a
    confident pair) merges them, or separates them: a separated pair is never proposed again."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        SEPARATED = "separated", _("Not duplicates")

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    verdict = models.CharField(_("verdict"), max_length=10)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="health_duplicate_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="health_duplicate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"


class MergeRecord(models.Model):
    """Provenance of one merge: both records as they were, the rows moved to the survivor and
    the fields filled on it, so the merge can be undone exactly. `merged_by` is empty for an
    automatic merge of a confident pair."""

    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.PROTECT, null=True, blank=True, related_name="merges"
    )
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_away")
    score = models.FloatField(_("score"))
    survivor_snapshot = models.JSONField()
    merged_snapshot = models.JSONField()
    moved = models.JSONField(default=dict)
    filled = models.JSONField(default=list)
    automatic = models.BooleanField(_("automatic"), default=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class CleanupIssue(models.Model):
    """A validation check (`health.validation`) a record fails: open until a later edit or
    import makes it pass (fixed); doubtful when an officer could not settle it."""

    class Kind(models.TextChoices):
        CCCD = "cccd", _("Citizen ID")
        INSURANCE = "insurance", _("Health insurance card")
        DATES = "dates", _("Impossible dates")
        DOSES = "doses", _("Doses out of order")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed")
        DOUBTFUL = "doubtful", _("Doubtful")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cleanup_issues")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    detail = models.TextField(_("detail"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    found_at = models.DateTimeField(auto_now_add=True)
    fixed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clean-up issue")
        verbose_name_plural = _("clean-up issues")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="health_cleanup_issue_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: {self.status}"


class CleanupCheck(models.Model):
    """When a record was last put through the validation sweep (the report's "records
    checked")."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="cleanup_check"
    )
    checked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("clean-up check")
        verbose_name_plural = _("clean-up checks")

    def __str__(self) -> str:
        return f"{self.person_id} {self.checked_at:%Y-%m-%d}"


class PopulationFigure(models.Model):
    """The population of an administrative unit in a year, entered by an administrator (the
    statistics office's figure): the denominator of "records managed as a share of the
    population" on the dashboard."""

    unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="population_figures",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["-year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="health_population_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.population}"


# --- Incrementally maintained aggregates (issue 15: the reports without scanning the records) --
#
# A record's "place" is the tuple of its place fields (province code, 2008 district, commune of
# residence, 2025 commune), ids as plain integers, 0 for none, so the area officers' filters
# (`access.area_condition`) apply to the aggregates as to the records. `health.aggregates` keeps
# them: the services that write records, rows, merges and clean-up issues call
# `aggregates.refresh(person_ids)` in their transaction; `manage.py health_aggregates rebuild`
# recomputes everything from the records.


class PlaceFields(models.Model):
    """The place of the records an aggregate row counts (see above)."""

    province_code = models.CharField(max_length=10, blank=True)
    district_id = models.IntegerField(default=0)
    commune_id = models.IntegerField(default=0)
    commune_2025_id = models.IntegerField(default=0)

    class Meta:
        abstract = True


class PersonTally(PlaceFields):
    """What one active record contributes to the aggregates, as last counted: its place, the
    day it was entered, the first days it had a dose and a visit, and its clean-up state. A
    refresh compares it with the record now and moves the difference into the aggregates."""

    person_id = models.BigIntegerField(primary_key=True)  # no FK: a deleted record is uncounted
    created_on = models.DateField()
    vaccinated_on = models.DateField(null=True)
    visited_on = models.DateField(null=True)
    checked = models.BooleanField(default=False)
    fixed = models.BooleanField(default=False)
    merged = models.IntegerField(default=0)
    doubtful = models.BooleanField(default=False)
    listed = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("record tally")
        verbose_name_plural = _("record tallies")

    def __str__(self) -> str:
        return f"{self.person_id}"


class DailyCount(PlaceFields):
    """How many records of a place became managed, vaccinated and visited on `day` (period
    "d"), or in the month starting on `day` (period "m"): the counts at a date D are the sum of
    the months before D's month and of the days of D's month up to D."""

    class Period(models.TextChoices):
        DAY = "d", _("day")
        MONTH = "m", _("month")

    period = models.CharField(max_length=1, choices=Period.choices)
    day = models.DateField()
    managed = models.IntegerField(default=0)
    vaccinated = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily record count")
        verbose_name_plural = _("daily record counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "period", "day", "province_code", "district_id", "commune_id",
                    "commune_2025_id",
                ],
                name="health_daily_count_place",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.period} {self.day}: {self.managed}"


class CleanupCount(PlaceFields):
    """The clean-up report's counters of a place: records that list the place in the report
    (every active record but those whose merges were all undone, as the report's count of the
    records has it), records checked, with an issue fixed, merges kept (not undone), records
    still doubtful."""

    listed = models.IntegerField(default=0)
    checked = models.IntegerField(default=0)
    fixed = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    doubtful = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("clean-up count")
        verbose_name_plural = _("clean-up counts")
        constraints = [
            models.UniqueConstraint(
                fields=["province_code", "district_id", "commune_id", "commune_2025_id"],
                name="health_cleanup_count_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_code}/{self.district_id}/{self.commune_id}"
