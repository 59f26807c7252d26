"""A realistic synthetic population for the health benchmarks (bench/health.py) and tests:
Vietnamese names drawn from frequency lists, communes of a given list of codes, birth dates from
an age pyramid, CCCDs consistent with health.validation (birth-registration province, century
and sex digit, birth year), phones, insurance cards, chronic conditions — and 5–10 % duplicate
records with the typos real registers have (dropped diacritics, two CCCD digits swapped, a
missing CCCD, another phone). Deterministic by seed; streamed, so millions of records do not
sit in memory.

Writers: the record template as CSV (health.formats.records) and QĐ 130 GIAMDINHHS files whose
XML1 are visits of these persons (health.formats.qd130).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from edoc.text import fold
from health.formats.qd130 import VisitRecord, build_envelope
from health.formats.records import COLUMNS
from health.matching import normalise_name
from health.validation import FEMALE, GMT7, MALE, PROVINCE_CODES, century_sex_digit

# Family names with their approximate share of the population (per cent).
SURNAMES = {
    "Nguyễn": 38.0, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 3.0, "Huỳnh": 2.1,
    "Phan": 4.5, "Vũ": 2.0, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
    "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5, "Đinh": 0.6, "Trương": 0.6, "Lâm": 0.5, "Mai": 0.5,
    "Đoàn": 0.5, "Lưu": 0.4, "Cao": 0.4, "Tô": 0.3, "Hà": 0.4, "Châu": 0.3, "Thái": 0.3,
}  # fmt: skip
MIDDLE = {
    MALE: {"Văn": 40, "Hữu": 6, "Đức": 8, "Minh": 10, "Quốc": 6, "Thành": 5, "Công": 5,
           "Hoàng": 4, "Ngọc": 3, "Xuân": 3, "Thanh": 4, "Gia": 3, "Tấn": 3},
    FEMALE: {"Thị": 45, "Ngọc": 8, "Thu": 6, "Thanh": 6, "Kim": 5, "Hồng": 5, "Minh": 4,
             "Phương": 4, "Bảo": 3, "Thùy": 4, "Mỹ": 3, "Khánh": 3, "Thị Thu": 4},
}  # fmt: skip
GIVEN = {
    MALE: ["An", "Bình", "Cường", "Dũng", "Hùng", "Huy", "Khoa", "Long", "Minh", "Nam", "Phong",
           "Quang", "Sơn", "Thắng", "Tuấn", "Việt", "Hải", "Hiếu", "Trung", "Đức", "Tâm",
           "Toàn", "Khang", "Phúc", "Bảo", "Lộc", "Nghĩa", "Thịnh", "Vinh", "Tài"],
    FEMALE: ["Anh", "Chi", "Dung", "Hà", "Hằng", "Hương", "Lan", "Linh", "Mai", "Ngọc",
             "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Hạnh",
             "Nga", "Thu", "Thúy", "Trâm", "My", "Nhi", "Hoa", "Loan", "Diễm", "Giang"],
}  # fmt: skip
ETHNICITIES = {"Kinh": 92.0, "Hoa": 3.0, "Chơ Ro": 1.0, "Khmer": 1.0, "Tày": 1.0, "Nùng": 1.0,
               "Mạ": 0.5, "Xtiêng": 0.5}  # fmt: skip
# Age bands (years) and their weights, after the shape of Đồng Nai's pyramid.
AGE_BANDS = [((0, 10), 15), ((10, 20), 15), ((20, 30), 16), ((30, 40), 17), ((40, 50), 14),
             ((50, 60), 11), ((60, 70), 7), ((70, 80), 3.5), ((80, 100), 1.5)]  # fmt: skip
CHRONIC = ["I10", "E11.9", "J45", "E78.5", "I25.1", "K29.5", "N18.3", "J44.9", "M17"]
ALLERGIES = ["Penicillin", "Hải sản", "Sữa bò", "Aspirin", "Phấn hoa"]
CARD_GROUPS = ["GD", "HS", "TE", "DN", "HC", "HT", "CN", "HN", "XK", "NO", "BT", "SV"]
PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "035", "038",
                  "070", "076", "077", "079", "081", "083", "085", "088"]  # fmt: skip
TYPOS = ("dropped_diacritics", "swapped_cccd_digits", "missing_cccd", "other_phone")
TODAY = date(2026, 1, 1)  # fixed, so a seed always gives the same population


@dataclass(frozen=True)
class SyntheticPerson:
    """One record of the synthetic population; `person` is the true identity (a duplicate has
    its original's), `typos` what the duplicate got wrong."""

    record: int
    person: int
    citizen_id: str
    full_name: str
    birth_date: date
    sex: str
    ethnicity: str
    address: str
    commune_code: str
    phone: str
    insurance_card: str
    registered_facility: str
    chronic_conditions: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    typos: tuple[str, ...] = ()

    @property
    def is_duplicate(self) -> bool:
        return bool(self.typos)


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def without_marks(name: str) -> str:
    """The name as typed on a keyboard without Vietnamese input ("Nguyễn Văn An" → "Nguyen Van
    An")."""
    return normalise_name(fold(name))


def swap_adjacent(code: str, rng: random.Random) -> str:
    """`code` with two adjacent different digits swapped (after the province code)."""
    positions = [i for i in range(6, len(code) - 1) if code[i] != code[i + 1]]
    if not positions:
        return code
    i = rng.choice(positions)
    return code[:i] + code[i + 1] + code[i] + code[i + 2 :]


class _Generator:
    def __init__(self, communes: Sequence[str], seed: int, facilities: Sequence[str]):
        if not communes:
            raise ValueError("at least one commune code")
        self.rng = random.Random(seed)
        self.communes = list(communes)
        self.facilities = list(facilities) or ["75001"]
        self.cccds: set[str] = set()

    def cccd(self, birth: date, sex: str) -> str:
        province = "075" if self.rng.random() < 0.8 else self.rng.choice(list(PROVINCE_CODES))
        prefix = f"{province}{century_sex_digit(birth.year, sex)}{birth.year % 100:02d}"
        while True:
            code = f"{prefix}{self.rng.randrange(1_000_000):06d}"
            if code not in self.cccds:
                self.cccds.add(code)
                return code

    def person(self, number: int) -> SyntheticPerson:
        rng = self.rng
        sex = MALE if rng.random() < 0.495 else FEMALE
        (low, high), *_ = rng.choices([b for b, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])
        birth = TODAY - timedelta(days=rng.randrange(low * 365, high * 365) + 1)
        name = " ".join(
            (_weighted(rng, SURNAMES), _weighted(rng, MIDDLE[sex]), rng.choice(GIVEN[sex]))
        )
        phone = (
            rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
            if rng.random() < 0.85
            else ""
        )
        card = (
            f"{rng.choice(CARD_GROUPS)}{rng.randint(1, 5)}75{rng.randrange(10**10):010d}"
            if rng.random() < 0.9
            else ""
        )
        chronic = tuple(sorted(rng.sample(CHRONIC, rng.randint(1, 2)))) if (
            birth.year < 1980 and rng.random() < 0.3
        ) else ()  # fmt: skip
        return SyntheticPerson(
            record=number, person=number,
            citizen_id=self.cccd(birth, sex) if rng.random() < 0.95 else "",
            full_name=name, birth_date=birth, sex=sex, ethnicity=_weighted(rng, ETHNICITIES),
            address=f"{rng.choice(['Ấp', 'Khu phố', 'Tổ'])} {rng.randint(1, 12)}",
            commune_code=rng.choice(self.communes), phone=phone, insurance_card=card,
            registered_facility=rng.choice(self.facilities), chronic_conditions=chronic,
            allergies=(rng.choice(ALLERGIES),) if rng.random() < 0.05 else (),
        )  # fmt: skip

    def duplicate(self, original: SyntheticPerson, number: int) -> SyntheticPerson:
        rng = self.rng
        typos = set(rng.sample(TYPOS, rng.randint(1, 2)))
        if not original.citizen_id:
            typos.discard("swapped_cccd_digits")
            typos.discard("missing_cccd")
            typos.add("dropped_diacritics")
        copy = replace(original, record=number, typos=tuple(sorted(typos)))
        if "dropped_diacritics" in typos:
            copy = replace(copy, full_name=without_marks(copy.full_name))
        if "swapped_cccd_digits" in typos:
            copy = replace(copy, citizen_id=swap_adjacent(copy.citizen_id, rng))
        if "missing_cccd" in typos:
            copy = replace(copy, citizen_id="")
        if "other_phone" in typos:
            copy = replace(copy, phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}")
        return copy


def generate_population(
    size: int,
    communes: Sequence[str],
    seed: int = 0,
    duplicate_rate: float = 0.07,
    facilities: Sequence[str] = (),
) -> Iterator[SyntheticPerson]:
    """`size` records, about `duplicate_rate` of them (0.05–0.10) duplicates with typos of a
    person met shortly before (within the last 10,000 records). Same seed, same records."""
    if not 0 <= duplicate_rate < 1:
        raise ValueError("duplicate_rate is a fraction below 1")
    generator = _Generator(communes, seed, facilities)
    recent: list[SyntheticPerson] = []
    for number in range(size):
        if recent and generator.rng.random() < duplicate_rate:
            yield generator.duplicate(generator.rng.choice(recent), number)
            continue
        person = generator.person(number)
        recent.append(person)
        if len(recent) > 10_000:
            recent.pop(0)
        yield person


def write_records_csv(people: Iterable[SyntheticPerson], out: TextIO) -> int:
    """The record template's CSV (its headings, dd/mm/yyyy dates, CRLF) of `people`; the number
    of rows written. Open `out` with newline="" and encoding "utf-8-sig"."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title, _, _ in COLUMNS])
    count = 0
    for count, p in enumerate(people, 1):  # noqa: B007 - the count is returned
        writer.writerow([
            p.citizen_id, p.full_name, p.birth_date.strftime("%d/%m/%Y"),
            "Nam" if p.sex == MALE else "Nữ", p.ethnicity, p.address, p.commune_code, p.phone,
            p.insurance_card, p.registered_facility, "; ".join(p.chronic_conditions),
            "; ".join(p.allergies),
        ])  # fmt: skip
    return count


def visits_of(
    people: Iterable[SyntheticPerson], seed: int = 0, visit_rate: float = 0.2
) -> Iterator[VisitRecord]:
    """About `visit_rate` of `people` with one medical visit each (in 2024–2025, at their
    registered facility; MA_LK unique per facility), as QĐ 130 XML1 would carry it."""
    rng = random.Random(seed)
    for p in people:
        if rng.random() >= visit_rate:
            continue
        admitted = datetime(2024, 1, 1, 7, tzinfo=GMT7) + timedelta(
            days=rng.randrange(700), minutes=rng.randrange(600)
        )
        admitted = max(admitted, datetime.combine(p.birth_date, datetime.min.time(), GMT7))
        stay = timedelta(hours=rng.choice([1, 2, 3])) if rng.random() < 0.8 else timedelta(
            days=rng.randint(2, 10)
        )  # fmt: skip
        yield VisitRecord(
            facility_code=p.registered_facility, visit_code=f"LK{p.record:09d}",
            patient_code=f"BN{p.person:09d}", full_name=p.full_name, citizen_id=p.citizen_id,
            birth_date=p.birth_date, sex=p.sex,
            ethnicity_code="01" if p.ethnicity == "Kinh" else "", address=p.address,
            province_code="75", district_code="", commune_code=p.commune_code, phone=p.phone,
            insurance_card=p.insurance_card, registered_facility=p.registered_facility,
            main_icd=rng.choice(["J06.9", "I10", "K29.7", "A09", "E11.9", "J20.9", "M54.5"]),
            secondary_icds=p.chronic_conditions, admitted_at=admitted,
            discharged_at=min(admitted + stay, datetime(2025, 12, 31, 23, tzinfo=GMT7)),
            outcome="1", discharge_type="1", visit_type="01" if stay < timedelta(days=1) else "03",
        )  # fmt: skip


def write_qd130_files(
    visits: Iterable[VisitRecord], directory: Path, per_file: int = 1000
) -> list[Path]:
    """GIAMDINHHS files of at most `per_file` HOSO, one facility per file, in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    by_facility: dict[str, list[VisitRecord]] = {}
    paths: list[Path] = []

    def flush(facility: str) -> None:
        batch = by_facility.pop(facility)
        path = directory / f"{facility}_{len(paths) + 1:05d}.xml"
        path.write_bytes(build_envelope(batch, facility, TODAY))
        paths.append(path)

    for visit in visits:
        by_facility.setdefault(visit.facility_code, []).append(visit)
        if len(by_facility[visit.facility_code]) >= per_file:
            flush(visit.facility_code)
    for facility in list(by_facility):
        flush(facility)
    return paths
