"""Duplicate matching (health.matching): names, blocking keys, scores and verdicts."""

import unicodedata
from dataclasses import replace
from datetime import date

import pytest

from health.matching import (
    CONFIDENT,
    DOUBTFUL,
    MAX_BLOCK,
    Identity,
    blocking_keys,
    candidate_pairs,
    fold_name,
    name_similarity,
    normalise_name,
    score,
    split_name,
)
from health.validation import FEMALE, MALE

NHUNG = Identity(
    full_name="Nguyễn Thị Hồng Nhung",
    birth_date=date(1990, 5, 1),
    citizen_id="075190001234",
    sex=FEMALE,
    commune_code="26041",
    phone="0912345678",
)


def test_normalise_and_fold_names():
    decomposed = unicodedata.normalize("NFD", "  nguyễn   VĂN an ")
    assert normalise_name(decomposed) == "Nguyễn Văn An"
    assert fold_name("Đặng  Thị Ánh") == "dang thi anh"
    assert split_name("Nguyễn Thị Hồng Nhung") == ("Nguyễn", "Thị Hồng", "Nhung")
    assert split_name("Nhung") == ("", "", "Nhung")
    assert split_name("") == ("", "", "")


def test_marks_matter_for_the_exact_comparison_but_not_the_folded_one():
    assert name_similarity("Nguyễn Văn An", "NGUYỄN VĂN AN") == (1.0, "Họ tên trùng khớp.")
    assert name_similarity("Lê Văn Tú", "Lệ Văn Tú")[0] == 0.95
    assert name_similarity("Nguyễn Văn An", "Nguyen Van An") == (0.95, "Họ tên trùng khi bỏ dấu.")


def test_a_typo_in_the_surname_scores_high_a_different_given_name_never_confident():
    typo, _ = name_similarity("Nguyễn Văn Bình", "Ngyuen Van Binh")
    assert 0.75 < typo < 0.95
    twin, reason = name_similarity("Nguyễn Văn An", "Nguyễn Văn Anh")
    assert twin <= 0.75 and "khác tên" in reason


def test_swapped_name_order_is_recognised():
    swapped, _ = name_similarity("Nguyễn Văn An", "Văn An Nguyễn")
    assert swapped == pytest.approx(0.9)


def test_the_same_cccd_is_a_confident_match():
    other = replace(NHUNG, full_name="Nguyen Thi Hong Nhung", phone="0987654321", commune_code="")
    match = score(NHUNG, other)
    assert match.score == 1.0 and match.verdict == "confident" and "Cùng số CCCD." in match.reasons


def test_the_same_cccd_with_a_different_name_is_doubtful():
    match = score(NHUNG, replace(NHUNG, full_name="Trần Văn Quang"))
    assert match.verdict == "doubtful" and "cần kiểm tra" in match.reasons[0]


def test_dropped_diacritics_and_another_phone_with_the_same_insurance_card_is_confident():
    a = replace(NHUNG, citizen_id="", insurance_card="GD4751234567890")
    b = replace(a, full_name="Nguyen Thi Hong Nhung", phone="0900000000")
    match = score(a, b)
    assert match.score >= CONFIDENT and match.verdict == "confident"
    assert "Họ tên trùng khi bỏ dấu." in match.reasons and "Cùng ngày sinh." in match.reasons


def test_the_same_name_birth_and_commune_without_a_shared_identifier_is_only_doubtful():
    """Bench false-confident case 1 (1M records): "Nguyễn Văn Tuấn" 11/12/1999 of the same
    commune, one with a CCCD, the other without, other phones, one insurance card: two
    persons scoring 1.0. Nothing but the name, birth date and commune agree: an officer looks."""
    a = replace(NHUNG, insurance_card="")
    b = replace(NHUNG, citizen_id="", phone="0355410702", insurance_card="HS3752045424442")
    match = score(a, b)
    assert match.verdict == "doubtful"
    assert any("Không có số điện thoại hay số thẻ BHYT chung" in r for r in match.reasons)


def test_different_insurance_numbers_are_never_merged_automatically():
    """Bench false-confident case 2: same name, birth date and commune, one CCCD missing, and
    two insurance cards of different social-insurance numbers (the same phone even)."""
    a = replace(NHUNG, insurance_card="HS4751553441411")
    b = replace(NHUNG, citizen_id="", insurance_card="GD2753480138018")
    match = score(a, b)
    assert match.verdict == "doubtful"
    assert "Không tự động hợp nhất: Hai hồ sơ có số thẻ BHYT khác nhau." in match.reasons


def test_a_new_card_of_the_same_insurance_number_is_the_same_person():
    a = replace(NHUNG, citizen_id="", insurance_card="HS4751553441411")
    b = replace(NHUNG, phone="", insurance_card="GD2751553441411")
    assert score(a, b).verdict == "confident"


def test_a_different_middle_name_is_never_merged_automatically():
    """Bench false-confident case 3: "Nguyễn Tấn Toàn" and "Nguyễn Văn Toàn", same birth date
    and commune, scored 0.93 on the names' closeness alone."""
    a = replace(NHUNG, full_name="Nguyễn Tấn Toàn", sex=MALE, citizen_id="", phone="0909097722")
    b = replace(a, full_name="Nguyễn Văn Toàn", citizen_id="075087414675")
    match = score(a, b)
    assert match.verdict == "doubtful"
    assert "Không tự động hợp nhất: Họ tên, ngày sinh và xã không trùng khớp hoàn toàn." in (
        match.reasons
    )


def test_swapped_cccd_digits_are_a_typo_for_an_officer_to_confirm():
    """Two different non-empty CCCDs never merge by themselves, one swap apart or not."""
    b = replace(NHUNG, citizen_id="075190002134", full_name="Nguyen Thi Hong Nhung")
    match = score(NHUNG, b)
    assert match.verdict == "doubtful"
    assert any("lệch một chữ số" in reason for reason in match.reasons)
    assert "Không tự động hợp nhất: Hai hồ sơ có số CCCD khác nhau." in match.reasons


def test_names_with_other_marks_are_never_merged_automatically():
    """Folded, "Hồ Văn Tú" and "Hồ Văn Tứ" are one name; typed with marks, they are two."""
    a = replace(NHUNG, full_name="Hồ Văn Tú", sex=MALE, citizen_id="")
    match = score(a, replace(a, full_name="Hồ Văn Tứ"))
    assert match.verdict == "doubtful"
    assert "Không tự động hợp nhất: Họ tên cùng chữ nhưng khác dấu." in match.reasons
    assert score(a, replace(a, full_name="Ho Van Tu")).verdict == "confident"


def test_different_sexes_are_never_merged_automatically():
    b = replace(NHUNG, citizen_id="", sex=MALE)
    assert score(NHUNG, replace(NHUNG, citizen_id="")).verdict == "confident"
    assert score(NHUNG, b).verdict != "confident"
    same_cccd = score(NHUNG, replace(NHUNG, sex=MALE))
    assert same_cccd.verdict == "doubtful" and "khác giới tính" in same_cccd.reasons[0]


def test_two_cccd_typos_are_doubtful():
    b = replace(NHUNG, citizen_id="075190010243")  # 1234 → 0243: two swaps
    match = score(NHUNG, b)
    assert match.verdict == "doubtful" and "Số CCCD lệch hai chữ số." in match.reasons


def test_twins_are_not_merged_automatically():
    a = replace(NHUNG, citizen_id="", full_name="Nguyễn Văn An", sex=MALE, phone="")
    b = replace(a, full_name="Nguyễn Văn Anh")
    assert score(a, b).verdict == "doubtful"


def test_different_cccds_make_different_persons():
    b = replace(NHUNG, citizen_id="075190998877")
    match = score(NHUNG, b)
    assert match.verdict == "different" and "Khác số CCCD." in match.reasons


def test_a_day_month_swap_in_the_birth_date_is_doubtful():
    a = replace(NHUNG, citizen_id="", phone="")
    b = replace(a, birth_date=date(1990, 1, 5))
    match = score(a, b)
    assert DOUBTFUL <= match.score < CONFIDENT and "Ngày sinh đảo ngày và tháng." in match.reasons


def test_same_name_other_birth_year_other_commune_is_different():
    a = replace(NHUNG, citizen_id="", phone="")
    b = replace(a, birth_date=date(1975, 8, 9), commune_code="26044")
    assert score(a, b).verdict == "different"


def test_blocking_keys():
    keys = blocking_keys(NHUNG)
    assert keys == ["id:075190001234", "s:nguyen:n:1990:26041", "g:n:nhung:1990:26041"]
    typo = replace(NHUNG, citizen_id="", full_name="Nguyen Thi Hong Nhunq")
    assert set(blocking_keys(typo)) & set(keys)  # the surname key still meets
    assert blocking_keys(Identity(full_name="", birth_date=date(2000, 1, 1))) == []


def test_candidate_pairs_only_within_blocks_and_once():
    people = [
        (1, NHUNG),
        (2, replace(NHUNG, full_name="Nguyen Thi Hong Nhung")),  # same CCCD and keys
        (3, replace(NHUNG, citizen_id="", full_name="Trần Văn Bảo")),
        (4, replace(NHUNG, citizen_id="", full_name="Tran Van Bao")),
        (5, replace(NHUNG, citizen_id="", full_name="Lê Văn Cường", birth_date=date(1960, 1, 1))),
    ]
    assert sorted(candidate_pairs(people)) == [(1, 2), (3, 4)]


def test_oversized_blocks_are_skipped():
    crowd = [(i, replace(NHUNG, citizen_id="")) for i in range(MAX_BLOCK + 1)]
    assert list(candidate_pairs(crowd)) == []
