"""Finding the same person twice: name normalisation, blocking keys, a pair score with its
reasons, and the thresholds between a confident match (merged automatically), a doubtful one
(a health officer decides) and different persons.

Names are compared twice: exactly (NFC, case and spacing ignored, marks kept: "Lê" ≠ "Lệ") and
folded (marks dropped: "Nguyen Van An" = "Nguyễn Văn An"); typos are scored with rapidfuzz
(Indel ratio, and the token-sorted ratio for a swapped order). A pair is only scored when it
shares a blocking key — the CCCD, or the folded surname with the given name's initial (or the
surname's initial with the folded given name), the birth year and the commune — so matching a
population looks at its blocks, never at all pairs.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from edoc.text import fold

CONFIDENT = 0.92  # at or above: the same person, merged automatically (with provenance)
DOUBTFUL = 0.75  # at or above (and below CONFIDENT): a health officer reviews the pair
BELOW_CONFIDENT = 0.91  # the score of a confident-looking pair that must not merge by itself
MAX_BLOCK = 500  # a larger block (a key shared by too many records) is not paired out

WEIGHTS = {"name": 0.45, "birth": 0.30, "commune": 0.15, "sex": 0.10}


@dataclass(frozen=True)
class Identity:
    """What a record says about who the person is."""

    full_name: str
    birth_date: date | None = None
    citizen_id: str = ""
    sex: str | None = None  # validation.MALE / FEMALE / None
    commune_code: str = ""
    phone: str = ""
    insurance_card: str = ""


@dataclass
class Match:
    """A pair's score (0–1) and the reasons, in Vietnamese, that make it."""

    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """ "confident", "doubtful" or "different"."""
        if self.score >= CONFIDENT:
            return "confident"
        return "doubtful" if self.score >= DOUBTFUL else "different"


def normalise_name(name: str) -> str:
    """A name as it should be stored: NFC, single spaces, each word capitalised
    ("  nguyễn   VĂN an" → "Nguyễn Văn An"); marks kept."""
    words = unicodedata.normalize("NFC", name or "").split()
    return " ".join(word[:1].upper() + word[1:].lower() for word in words)


def fold_name(name: str) -> str:
    """A name without marks or case, single-spaced ("Nguyễn  Văn An" → "nguyen van an")."""
    return " ".join(fold(unicodedata.normalize("NFC", name or "")).split())


def split_name(name: str) -> tuple[str, str, str]:
    """(surname, middle names, given name): "Nguyễn Thị Hồng Nhung" → ("Nguyễn", "Thị Hồng",
    "Nhung"); one word is a given name only."""
    words = normalise_name(name).split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def blocking_keys(person: Identity) -> list[str]:
    """The keys under which `person` is compared with others: its CCCD, and two name keys
    (folded surname + given initial, surname initial + folded given name) with the birth year
    and commune — a typo in either the surname or the given name keeps one of them."""
    keys = [f"id:{person.citizen_id}"] if person.citizen_id else []
    surname, _, given = (fold_name(part) for part in split_name(person.full_name))
    if given and person.birth_date:
        year, commune = person.birth_date.year, person.commune_code
        keys.append(f"s:{surname}:{given[:1]}:{year}:{commune}")
        keys.append(f"g:{surname[:1]}:{given}:{year}:{commune}")
    return keys


def candidate_pairs(
    people: Iterable[tuple[Hashable, Identity]],
) -> Iterator[tuple[Hashable, Hashable]]:
    """Each pair of ids sharing a blocking key, once (blocks above MAX_BLOCK are skipped)."""
    blocks: dict[str, list[Hashable]] = defaultdict(list)
    for ident, person in people:
        for key in blocking_keys(person):
            blocks[key].append(ident)
    seen: set[tuple[Hashable, Hashable]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                pair = (first, second)
                if pair not in seen and first != second:
                    seen.add(pair)
                    yield pair


def name_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two names are (0–1) and why: identical, identical without marks, or close (at
    most 0.75 when the given names differ, so that alone never makes a confident match)."""
    if normalise_name(a).lower() == normalise_name(b).lower():
        return 1.0, "Họ tên trùng khớp."
    folded_a, folded_b = fold_name(a), fold_name(b)
    if folded_a == folded_b:
        return 0.95, "Họ tên trùng khi bỏ dấu."
    ratio = max(fuzz.ratio(folded_a, folded_b), fuzz.token_sort_ratio(folded_a, folded_b)) / 100
    given_a, given_b = fold_name(split_name(a)[2]), fold_name(split_name(b)[2])
    if given_a not in folded_b.split() or given_b not in folded_a.split():
        # "An" and "Anh" are close strings and two persons (twins, siblings): never confident
        return min(ratio * 0.9, 0.75), f"Họ tên gần giống ({ratio:.0%}) nhưng khác tên."
    return ratio * 0.9, f"Họ tên gần giống ({ratio:.0%})."


def _birth(a: date | None, b: date | None) -> tuple[float, str]:
    if a is None or b is None:
        return 0.5, "Thiếu ngày sinh ở một bên."
    if a == b:
        return 1.0, "Cùng ngày sinh."
    if a.year == b.year and (a.day, a.month) == (b.month, b.day):
        return 0.6, "Ngày sinh đảo ngày và tháng."
    if a.year == b.year:
        return 0.3, "Cùng năm sinh, khác ngày sinh."
    if DamerauLevenshtein.distance(a.isoformat(), b.isoformat()) == 1:
        return 0.5, "Ngày sinh lệch một chữ số."
    return 0.0, "Khác ngày sinh."


def score(a: Identity, b: Identity) -> Match:
    """How likely `a` and `b` are one person, with the reasons (Vietnamese)."""
    name, name_reason = name_similarity(a.full_name, b.full_name)
    if a.citizen_id and a.citizen_id == b.citizen_id:
        if a.sex and b.sex and a.sex != b.sex:
            return Match(0.8, ["Cùng số CCCD nhưng khác giới tính: cần kiểm tra.", name_reason])
        if name >= 0.8:
            return Match(1.0, ["Cùng số CCCD.", name_reason])
        return Match(0.8, ["Cùng số CCCD nhưng họ tên khác nhiều: cần kiểm tra.", name_reason])
    birth, birth_reason = _birth(a.birth_date, b.birth_date)
    reasons = [name_reason, birth_reason]
    if a.commune_code and b.commune_code:
        commune = 1.0 if a.commune_code == b.commune_code else 0.0
        reasons.append("Cùng xã." if commune else "Khác xã.")
    else:
        commune = 0.5
    if a.sex and b.sex:
        sex = 1.0 if a.sex == b.sex else 0.0
        if not sex:
            reasons.append("Khác giới tính.")
    else:
        sex = 0.5
    total = (
        WEIGHTS["name"] * name
        + WEIGHTS["birth"] * birth
        + WEIGHTS["commune"] * commune
        + WEIGHTS["sex"] * sex
    )
    if a.phone and a.phone == b.phone:
        total += 0.05
        reasons.append("Cùng số điện thoại.")
    if a.insurance_card and a.insurance_card == b.insurance_card:
        total += 0.05
        reasons.append("Cùng số thẻ BHYT.")
    if a.citizen_id and b.citizen_id:
        distance = DamerauLevenshtein.distance(a.citizen_id, b.citizen_id)
        if distance == 1:
            reasons.append("Số CCCD lệch một chữ số (gõ nhầm hoặc đảo chỗ).")
        elif distance == 2:  # two typos: at best doubtful, a person looks at it
            total *= 0.85
            reasons.append("Số CCCD lệch hai chữ số.")
        else:
            total *= 0.6
            reasons.append("Khác số CCCD.")
    total = min(total, 1.0)
    if total >= CONFIDENT:
        blockers = auto_merge_blockers(a, b)
        if blockers:  # as alike as can be, but something says two persons: an officer decides
            total = BELOW_CONFIDENT
            reasons += blockers
    return Match(round(total, 4), reasons)


def _insurance_number(card: str) -> str:
    """The social-insurance number a card carries (its last 10 digits), which a person keeps
    when the card's group or benefit level changes."""
    return (card or "").strip().upper()[-10:]


def _marked(name: str) -> bool:
    """Whether `name` carries any Vietnamese mark (was typed with a Vietnamese keyboard)."""
    return fold_name(name) != " ".join(normalise_name(name).lower().split())


def auto_merge_blockers(a: Identity, b: Identity) -> list[str]:
    """Why a pair without the same CCCD, however high it scores, must not be merged without a
    person looking at it (empty: safe to merge automatically). A confident pair has the same
    name (after folding), birth date and commune, does not contradict itself (CCCDs, sex,
    insurance numbers) and shares a phone or an insurance card: in a population of a million,
    two persons of the same common name born the same day in the same commune exist (bench:
    12 such pairs scored 1.0), and only another identifier tells them apart."""
    blockers = []
    if a.citizen_id and b.citizen_id and a.citizen_id != b.citizen_id:
        blockers.append("Hai hồ sơ có số CCCD khác nhau.")
    if a.sex and b.sex and a.sex != b.sex:
        blockers.append("Hai hồ sơ khác giới tính.")
    if (
        fold_name(a.full_name) != fold_name(b.full_name)
        or a.birth_date is None
        or a.birth_date != b.birth_date
        or not a.commune_code
        or a.commune_code != b.commune_code
    ):
        blockers.append("Họ tên, ngày sinh và xã không trùng khớp hoàn toàn.")
    elif (
        _marked(a.full_name)
        and _marked(b.full_name)
        and (normalise_name(a.full_name).lower() != normalise_name(b.full_name).lower())
    ):  # "Tú" and "Tứ": both typed with marks, two names; a dropped mark is one side unmarked
        blockers.append("Họ tên cùng chữ nhưng khác dấu.")
    card_a, card_b = _insurance_number(a.insurance_card), _insurance_number(b.insurance_card)
    if card_a and card_b and card_a != card_b:
        blockers.append("Hai hồ sơ có số thẻ BHYT khác nhau.")
    elif not (a.phone and a.phone == b.phone) and not (card_a and card_a == card_b):
        blockers.append("Không có số điện thoại hay số thẻ BHYT chung để xác nhận.")
    return [f"Không tự động hợp nhất: {blocker}" for blocker in blockers]
