"""The applicant's fields as the services store them: NFC-normalised, the phone number as
digits, the ID number and e-mail address checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edoc.text import nfc

APPLICANT_FIELDS = ("name", "phone", "id_number", "email", "address")


def normalise_phone(value: str) -> str:
    """Digits only, +84/84 prefix as a leading 0: "+84 912 345 678" → "0912345678"."""
    digits = "".join(ch for ch in nfc(value or "") if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def _applicant(applicant: Mapping[str, Any]) -> dict[str, str]:
    """The applicant's fields, normalised, as the model names them; refused when any fails."""
    fields, problems = _applicant_checked(applicant)
    if problems:
        raise ValidationError(problems)
    return fields


def _applicant_checked(applicant: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The normalised applicant fields and the problems of those that fail their checks."""
    data = {key: nfc(str(applicant.get(key) or "")) for key in APPLICANT_FIELDS}
    problems = {}
    if not data["name"]:
        problems["applicant_name"] = _("The applicant's name is required.")
    data["phone"] = normalise_phone(data["phone"])
    if not 9 <= len(data["phone"]) <= 11:
        problems["applicant_phone"] = _("Enter a valid phone number (e.g. 0912 345 678).")
    data["id_number"] = data["id_number"].replace(" ", "")
    if data["id_number"] and not (
        data["id_number"].isdigit() and len(data["id_number"]) in (9, 12)
    ):
        problems["applicant_id_number"] = _("The ID number has 9 or 12 digits.")
    if data["email"]:
        from django.core.validators import validate_email

        try:
            validate_email(data["email"])
        except ValidationError:
            problems["applicant_email"] = _("Enter a valid e-mail address.")
    return {f"applicant_{key}": value for key, value in data.items()}, problems
