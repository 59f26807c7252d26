"""Structural checks of a health record's data, each answering a list of reasons (empty when the
value passes), translated when they are made (gettext: English msgids, Vietnamese in
health/locale; the active language, Vietnamese by default, also in import jobs).
Checksum-free: the CCCD and the insurance card carry no check digit, so these checks catch
typing and mapping errors, not forgeries.

- CCCD (citizen identity number, 12 digits), Circular 59/2021/TT-BCA, art. 7: 3 digits of the
  province (or country) where the birth was registered, 1 digit of century and sex (0/1 for the
  20th century male/female, 2/3 the 21st, 4/5 the 22nd, 6/7 the 23rd, 8/9 the 24th), 2 digits of
  the birth year, 6 random digits.
- Health-insurance card (thẻ BHYT), 15 characters as BHXH Việt Nam issues them (QĐ 1351/QĐ-BHXH
  2015): 2 letters of the beneficiary group, 1 digit of the benefit level (1–5), 2 digits of the
  province, 10 digits of the social-insurance number. Cards issued since 1 April 2021 show only
  the 10-digit social-insurance number (mã số BHXH), also accepted.
- Dates: not in the future, not before 1900, a discharge not before its admission.
- Vaccination doses of one vaccine numbered in the order of their dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.text import fold

GMT7 = timezone(timedelta(hours=7), "GMT+7")
EARLIEST = date(1900, 1, 1)
MALE = "M"
FEMALE = "F"

# Province codes of Circular 59/2021/TT-BCA, annex I (the 63 provinces before the 2025
# reorganisation: CCCDs keep the code of the province where the birth was registered).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

# Labels translated only when a reason names them (gettext per row is a tenth of an import).
ADMITTED = gettext_lazy("Admitted")
DISCHARGED = gettext_lazy("Discharged")

ICD10 = re.compile(r"[A-Z][0-9]{2}(\.?[0-9A-Z]{1,2})?")


def normalise_icd10(value: str, label: str | None = None) -> str:
    """An ICD-10 code upper-cased, without the dagger/asterisk marks ("e11.9†" → "E11.9").
    `ValueError` with a reason naming `label` (default "disease code") when it is not shaped
    like one."""
    code = (value or "").strip().upper().rstrip("*†+")
    if not ICD10.fullmatch(code):
        raise ValueError(
            _("%(label)s “%(value)s” is not an ICD-10 code.")
            % {"label": label or _("Disease code"), "value": (value or "").strip()}
        )
    return code


def parse_icd10_list(value: str, label: str | None = None) -> tuple[str, ...]:
    """ICD-10 codes separated by ";" (QĐ 130) or "," ("I10; E11.9" → ("I10", "E11.9"))."""
    codes = re.split(r"[;,]", value or "")
    return tuple(normalise_icd10(code, label) for code in codes if code.strip())


_SEX_WORDS = {
    "m": MALE, "nam": MALE, "male": MALE, "1": MALE,
    "f": FEMALE, "nu": FEMALE, "female": FEMALE, "2": FEMALE,
}  # fmt: skip


def parse_sex(value: object) -> str | None:
    """MALE or FEMALE from "Nam"/"Nữ" (with or without marks), "M"/"F", QĐ 130's 1/2; None for
    anything else (QĐ 130's 3, "chưa xác định", empty)."""
    return _SEX_WORDS.get(fold(str(value if value is not None else "")).strip())


def century_sex_digit(birth_year: int, sex: str) -> str:
    """The CCCD's 4th digit for a birth year and sex (1990, FEMALE → "1"; 2005, MALE → "2")."""
    century = (birth_year - 1900) // 100
    return str(2 * century + (1 if sex == FEMALE else 0))


def check_cccd(value: str, birth_date: date | None = None, sex: str | None = None) -> list[str]:
    """Reasons why `value` is not a CCCD of someone born on `birth_date` of `sex` (each optional:
    what is not given is not compared)."""
    cccd = (value or "").strip()
    if not re.fullmatch(r"[0-9]{12}", cccd):
        return [_("A CCCD has exactly 12 digits (got “%(value)s”).") % {"value": cccd}]
    reasons = []
    if cccd[:3] not in PROVINCE_CODES:
        reasons.append(
            _(
                "The first three digits of the CCCD (%(code)s) are not the code of a province "
                "where births are registered."
            )
            % {"code": cccd[:3]}
        )
    code = int(cccd[3])
    born_century = 1900 + 100 * (code // 2)
    born_year = born_century + int(cccd[4:6])
    if birth_date is not None:
        if not born_century <= birth_date.year < born_century + 100:
            reasons.append(
                _(
                    "The fourth digit of the CCCD (%(digit)s) means a birth in %(first)s–"
                    "%(last)s, not the birth year %(year)s."
                )
                % {
                    "digit": code,
                    "first": born_century,
                    "last": born_century + 99,
                    "year": birth_date.year,
                }
            )
        elif born_year != birth_date.year:
            reasons.append(
                _(
                    "The fifth and sixth digits of the CCCD (%(digits)s) are not the birth "
                    "year %(year)s."
                )
                % {"digits": cccd[4:6], "year": birth_date.year}
            )
    if sex in (MALE, FEMALE) and (code % 2 == 1) != (sex == FEMALE):
        if sex == FEMALE:
            reason = _(
                "The fourth digit of the CCCD (%(digit)s) means male, the record says female."
            )
        else:
            reason = _(
                "The fourth digit of the CCCD (%(digit)s) means female, the record says male."
            )
        reasons.append(reason % {"digit": code})
    return reasons


def check_insurance_card(value: str) -> list[str]:
    """Reasons why `value` is neither a 15-character health-insurance card number nor a 10-digit
    social-insurance number."""
    card = (value or "").strip().upper()
    if re.fullmatch(r"[0-9]{10}", card):
        return []
    if len(card) != 15:
        return [
            _(
                "A health insurance card number has 15 characters (or a social insurance number "
                "10 digits), got “%(value)s”."
            )
            % {"value": card}
        ]
    reasons = []
    if not re.fullmatch(r"[A-Z]{2}", card[:2]):
        reasons.append(
            _("The first two characters of the insurance card are the letters of the group.")
        )
    if card[2] not in "12345":
        reasons.append(_("The third character of the insurance card is the benefit level, 1 to 5."))
    if "0" + card[3:5] not in PROVINCE_CODES and card[3:5] != "97" and card[3:5] != "98":
        reasons.append(
            _(
                "The fourth and fifth characters of the insurance card (%(code)s) are not a "
                "province code."
            )
            % {"code": card[3:5]}
        )
    if not card[5:].isdigit() or not card[5:].isascii():
        reasons.append(
            _(
                "The last ten characters of the insurance card are the social insurance "
                "number (10 digits)."
            )
        )
    return reasons


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def check_date(value: date, label: str, today: date | None = None) -> list[str]:
    """Reasons why `value` (a date or datetime) is impossible: in the future, before 1900.
    `label` names it in the reason (`_("Birth date")`)."""
    today = today or datetime.now(GMT7).date()
    day = _as_date(value)
    if day > today:
        return [
            _("%(label)s (%(date)s) is in the future.")
            % {"label": label, "date": f"{day:%d/%m/%Y}"}
        ]
    if day < EARLIEST:
        return [
            _("%(label)s (%(date)s) is before 1900.") % {"label": label, "date": f"{day:%d/%m/%Y}"}
        ]
    return []


def check_visit_dates(
    admitted: datetime,
    discharged: datetime | None,
    birth_date: date | None = None,
    today: date | None = None,
) -> list[str]:
    """Reasons why a visit's dates are impossible: either in the future or before 1900, a
    discharge before the admission, an admission before the birth."""
    reasons = check_date(admitted, ADMITTED, today)
    if discharged is not None:
        reasons += check_date(discharged, DISCHARGED, today)
        if discharged < admitted:
            reasons.append(
                _("Discharged (%(discharged)s) before admitted (%(admitted)s).")
                % {
                    "discharged": f"{discharged:%d/%m/%Y %H:%M}",
                    "admitted": f"{admitted:%d/%m/%Y %H:%M}",
                }
            )
    if birth_date is not None and _as_date(admitted) < birth_date:
        reasons.append(
            _("Admitted (%(admitted)s) before the birth date (%(birth)s).")
            % {"admitted": f"{admitted:%d/%m/%Y}", "birth": f"{birth_date:%d/%m/%Y}"}
        )
    return reasons


def check_dose_order(doses: Iterable[tuple[str, int, date]]) -> list[str]:
    """Reasons why a person's vaccinations (vaccine, dose number, date) are out of order: for the
    same vaccine (compared without marks or case), a later dose given before an earlier one, or
    one dose number given twice on different days."""
    by_vaccine: dict[str, list[tuple[int, date, str]]] = {}
    for vaccine, dose, day in doses:
        key = " ".join(fold(vaccine).split())
        by_vaccine.setdefault(key, []).append((dose, _as_date(day), vaccine))
    reasons = []
    for entries in by_vaccine.values():
        entries.sort()
        for (dose, day, name), (next_dose, next_day, _name) in zip(
            entries, entries[1:], strict=False
        ):
            if dose == next_dose and day != next_day:
                reasons.append(
                    _("%(vaccine)s: dose %(dose)s is recorded twice (%(first)s and %(second)s).")
                    % {
                        "vaccine": name,
                        "dose": dose,
                        "first": f"{day:%d/%m/%Y}",
                        "second": f"{next_day:%d/%m/%Y}",
                    }
                )
            elif next_dose > dose and next_day < day:
                reasons.append(
                    _(
                        "%(vaccine)s: dose %(later)s (%(later_date)s) given before dose "
                        "%(dose)s (%(date)s)."
                    )
                    % {
                        "vaccine": name,
                        "later": next_dose,
                        "later_date": f"{next_day:%d/%m/%Y}",
                        "dose": dose,
                        "date": f"{day:%d/%m/%Y}",
                    }
                )
    return reasons
