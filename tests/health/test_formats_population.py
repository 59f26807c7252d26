"""The synthetic population of the health bench (bench/health_population.py): realistic,
consistent with validation, duplicates with typos, deterministic, and readable by the importers."""

import io
from collections import Counter

from bench.health_population import (
    generate_population,
    swap_adjacent,
    visits_of,
    without_marks,
    write_qd130_files,
    write_records_csv,
)
from health.formats.qd130 import read_envelope
from health.formats.records import read_records
from health.matching import Identity, score
from health.validation import check_cccd

COMMUNES = ["26041", "26044", "26047", "26050"]


def population(size=2000, seed=7):
    return list(generate_population(size, COMMUNES, seed=seed, facilities=["75001", "75002"]))


def test_same_seed_same_population_other_seed_other_population():
    assert population(300) == population(300)
    assert population(300) != population(300, seed=8)


def test_names_follow_the_frequency_lists_and_cccds_are_valid():
    people = [p for p in population() if not p.is_duplicate]
    surnames = Counter(p.full_name.split()[0] for p in people)
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    assert 0.30 < surnames["Nguyễn"] / len(people) < 0.46
    assert {p.commune_code for p in people} == set(COMMUNES)
    with_cccd = [p for p in people if p.citizen_id]
    assert 0.9 < len(with_cccd) / len(people) <= 1
    assert all(check_cccd(p.citizen_id, p.birth_date, p.sex) == [] for p in with_cccd)
    assert len({p.citizen_id for p in with_cccd}) == len(with_cccd)


def test_five_to_ten_per_cent_duplicates_with_typos_of_an_earlier_person():
    people = population()
    duplicates = [p for p in people if p.is_duplicate]
    assert 0.05 <= len(duplicates) / len(people) <= 0.10
    by_record = {p.record: p for p in people}
    kinds = Counter(typo for p in duplicates for typo in p.typos)
    assert set(kinds) == {
        "dropped_diacritics",
        "swapped_cccd_digits",
        "missing_cccd",
        "other_phone",
    }
    for dup in duplicates:
        original = by_record[dup.person]
        assert original.record < dup.record and original.birth_date == dup.birth_date
        if "dropped_diacritics" in dup.typos:
            assert dup.full_name == without_marks(original.full_name)


def test_duplicates_score_as_matches():
    people = population()
    by_record = {p.record: p for p in people}

    def identity(p):
        return Identity(p.full_name, p.birth_date, p.citizen_id, p.sex, p.commune_code, p.phone)

    verdicts = Counter(
        score(identity(by_record[p.person]), identity(p)).verdict for p in people if p.is_duplicate
    )
    assert verdicts["different"] == 0 and verdicts["confident"] > verdicts["doubtful"]


def test_swap_adjacent_keeps_the_province_and_changes_the_code():
    import random

    swapped = swap_adjacent("075190001234", random.Random(1))
    assert swapped != "075190001234" and swapped[:6] == "075190"
    assert sorted(swapped) == sorted("075190001234")


def test_the_record_csv_imports_without_errors():
    people = population(500)
    out = io.StringIO(newline="")
    assert write_records_csv(people, out) == 500
    result = read_records(out.getvalue().encode("utf-8-sig"), "population.csv")
    assert result.errors == [] and len(result.rows) == 500
    assert [row.full_name for row in result.rows] == [p.full_name for p in people]


def test_qd130_files_import_without_errors(tmp_path):
    people = population(1000)
    visits = list(visits_of(people, seed=3))
    assert 150 < len(visits) < 260
    paths = write_qd130_files(visits, tmp_path, per_file=50)
    read = []
    for path in paths:
        result = read_envelope(path.read_bytes())
        assert result.errors == []
        assert len({v.facility_code for v in result.visits}) == 1
        read += result.visits
    assert sorted(v.row_key for v in read) == sorted(v.row_key for v in visits)
