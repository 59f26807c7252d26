"""`manage.py seed_health`: the health records' demo (run by `seed_demo` after the catalogues):
a hospital, a few people of Biên Hòa and Long Thành with vaccinations and visits, and health
roles for the demo users — `truongphong` province officer (may export and merge),
`giamdoc_ttyt_bienhoa` officer of Biên Hòa. Idempotent: rows are keyed by source + row key."""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from edoc.models import User
from health import cleanup, services
from health.models import AdminUnit, Facility, HealthAssignment, Icd10Code, Person, Vaccine

SOURCE = "demo"
PEOPLE = (
    # row key, name, birth date, sex, citizen ID, phone, district
    ("1", "Nguyễn Văn An", date(1958, 4, 12), "male", "075058001234", "0912345678", "731"),
    ("2", "Trần Thị Bình", date(1972, 9, 3), "female", "075172004321", "0987654321", "731"),
    ("3", "Lê Hoàng Cường", date(2019, 1, 20), "male", "075219000111", "", "731"),
    ("4", "Phạm Thị Dung", date(1985, 6, 30), "female", "075185002468", "0903111222", "740"),
    ("5", "Hồ Văn Em", date(1949, 11, 5), "male", "", "", "740"),
)
# Typed again by another system, without diacritics or with a typo and without a citizen ID:
# doubtful duplicates of records 1 and 2 for the review queue (/health/duplicates/).
AGAIN = (
    ("6", "Nguyen Van An", "1"),
    ("7", "Tran Thi Binh", "2"),
)
ROLES = (("truongphong", "province", True), ("giamdoc_ttyt_bienhoa", "district", False))


class Command(BaseCommand):
    help = "Demo health records and health roles (after `health_catalogues load`)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        province = AdminUnit.objects.filter(edition="2008", level="province", code="75").first()
        if province is None:
            raise CommandError("load the catalogues first: manage.py health_catalogues load")
        districts = {u.code: u for u in AdminUnit.objects.filter(edition="2008", level="district")}
        hospital, _ = Facility.objects.get_or_create(
            code="75001",
            defaults={
                "name": "Bệnh viện Đa khoa Đồng Nai",
                "commune": districts["731"].children.order_by("code").first(),
            },
        )
        created = 0
        for key, name, born, sex, cid, phone, district in PEOPLE:
            commune = districts[district].children.order_by("code")[int(key) % 3]
            added = services.person_import(
                actor=None,
                source=SOURCE,
                row_key=key,
                full_name=name,
                birth_date=born,
                sex=sex,
                citizen_id=cid,
                phone=phone,
                commune=commune,
                insurance_facility=hospital,
            )
            created += added.created
        self._history(hospital)
        self._duplicates()
        for username, scope, rights in ROLES:
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            area = province if scope == "province" else districts["731"]
            HealthAssignment.objects.get_or_create(
                user=user,
                scope=scope,
                area=area,
                defaults={"can_export": rights, "can_merge": rights},
            )
        self.stdout.write(f"health demo: {created} people created")

    def _duplicates(self) -> None:
        people = {p.row_key: p for p in Person.objects.filter(source=SOURCE)}
        for key, name, original in AGAIN:
            first = people[original]
            services.person_import(
                actor=None,
                source=SOURCE,
                row_key=key,
                full_name=name,
                birth_date=first.birth_date,
                sex=first.sex,
                commune=first.commune,
            )
        ids = list(Person.objects.filter(source=SOURCE).values_list("pk", flat=True))
        cleanup.find_duplicates(ids)
        cleanup.check_people(ids)

    def _history(self, hospital: Facility) -> None:
        people = {p.row_key: p for p in Person.objects.filter(source=SOURCE)}
        vaccine, covid = Vaccine.objects.get(code="MR"), Vaccine.objects.get(code="COVID-AZ")
        services.vaccination_add(
            actor=None,
            person=people["3"],
            vaccine=vaccine,
            dose_number=1,
            given_on=date(2020, 1, 25),
            facility=hospital,
            source=SOURCE,
            row_key="v3-1",
        )
        for key in ("1", "2", "4"):
            for dose, day in ((1, date(2021, 8, 10)), (2, date(2021, 10, 12))):
                services.vaccination_add(
                    actor=None,
                    person=people[key],
                    vaccine=covid,
                    dose_number=dose,
                    given_on=day,
                    facility=hospital,
                    source=SOURCE,
                    row_key=f"v{key}-{dose}",
                )
        admitted = datetime(2024, 3, 4, 7, 30, tzinfo=timezone.get_current_timezone())
        services.visit_add(
            actor=None,
            person=people["1"],
            facility=hospital,
            admitted_at=admitted,
            discharged_at=admitted.replace(day=9),
            main_diagnosis=Icd10Code.objects.get(code="I10"),
            secondary_diagnoses=[Icd10Code.objects.get(code="E11")],
            outcome="2",
            source=SOURCE,
            row_key="k1-1",
        )
        people["1"].conditions.get_or_create(icd10=Icd10Code.objects.get(code="I10"))
