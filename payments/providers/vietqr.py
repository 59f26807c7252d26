"""VietQR bank transfer (NAPAS 247): a dynamic EMVCo merchant-presented QR per order.

The payload is a string of EMVCo TLV fields (two-digit ID, two-digit length, value):
00 "01" (format), 01 "12" (dynamic: one order, one amount), 38 the beneficiary (00 NAPAS GUID
A000000727, 01 {00 bank BIN, 01 account number}, 02 service QRIBFTTA: transfer to an account),
53 "704" (VND), 54 the amount, 58 "VN", 62 {08 purpose: the order code}, and 63 the
CRC-16/CCITT-FALSE (hex, upper case) of everything before it including "6304".

Transfers have no provider callback (`verify_callback` refuses every one): the bank's statement
(payments.providers.bank_statement), imported by an officer, says what arrived, and
`statement_result` turns one of its lines into the result for its order.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from payments.providers.bank_statement import StatementLine
from payments.providers.base import CallbackRejected, CallbackResult, PaymentRequest, ShowQr

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
_BIN = re.compile(r"^[0-9]{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_PURPOSE = re.compile(r"^[0-9A-Za-z ]{1,25}$")
NESTED = {"38", "62"}  # templates whose value is itself TLV; 38's 01 too
# The short names of the banks most agencies hold their account at, by NAPAS BIN.
BANK_NAMES = {
    "970436": "Vietcombank",
    "970415": "VietinBank",
    "970418": "BIDV",
    "970405": "Agribank",
    "970422": "MB Bank",
    "970407": "Techcombank",
    "970416": "ACB",
    "970432": "VPBank",
    "970423": "TPBank",
    "970403": "Sacombank",
    "970441": "VIB",
    "970443": "SHB",
}


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor);
    the standard library's `binascii.crc_hqx` with init 0xFFFF computes exactly this."""
    return binascii.crc_hqx(data, 0xFFFF)


def tlv(tag: str, value: str) -> str:
    """One EMVCo field: ID, two-digit length, value (at most 99 characters)."""
    if len(value) > 99 or not value:
        raise ValueError(f"field {tag} must hold 1 to 99 characters")
    return f"{tag}{len(value):02d}{value}"


def build_payload(bank_bin: str, account_number: str, amount: int, purpose: str) -> str:
    """The dynamic VietQR payload paying `amount` VND to `account_number` at the bank
    `bank_bin`, with `purpose` (the order code) in field 62-08."""
    if not _BIN.match(bank_bin):
        raise ValueError("the bank BIN must be 6 digits")
    if not _ACCOUNT.match(account_number):
        raise ValueError("the account number must be 1 to 19 letters or digits")
    if not isinstance(amount, int) or not 0 < amount < 10**13:
        raise ValueError("the amount must be a positive whole number of VND")
    if not _PURPOSE.match(purpose):
        raise ValueError("the purpose must be 1 to 25 letters, digits or spaces")
    beneficiary = tlv("00", bank_bin) + tlv("01", account_number)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT))
        + tlv("53", "704")
        + tlv("54", str(amount))
        + tlv("58", "VN")
        + tlv("62", tlv("08", purpose))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def _fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        tag, length = text[position : position + 2], text[position + 2 : position + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise ValueError(f"malformed field at {position}")
        value = text[position + 4 : position + 4 + int(length)]
        if len(value) != int(length):
            raise ValueError(f"field {tag} is cut short")
        fields[tag] = value
        position += 4 + int(length)
    return fields


def decode_payload(payload: str) -> dict[str, str | dict]:
    """An EMVCo payload back as fields (templates 38, 38-01 and 62 as nested dicts), after
    checking its CRC. `ValueError` on a bad CRC or malformed fields."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError("the payload does not end with a CRC field")
    if f"{crc16_ccitt_false(payload[:-4].encode()):04X}" != payload[-4:].upper():
        raise ValueError("the payload's CRC does not match")
    decoded: dict[str, str | dict] = {}
    for tag, value in _fields(payload).items():
        if tag in NESTED:
            nested: dict[str, str | dict] = dict(_fields(value))
            if tag == "38" and isinstance(nested.get("01"), str):
                nested["01"] = _fields(nested["01"])
            decoded[tag] = nested
        else:
            decoded[tag] = value
    return decoded


@dataclass
class VietQrProvider:
    """VietQR transfers to the agency's account (`bank_bin`, `account_number`)."""

    bank_bin: str
    account_number: str
    account_name: str = ""
    key: str = "vietqr"
    label: str = "VietQR"
    # The payer types the order's code into the transfer; showing the QR again repeats it.
    reference_per_attempt: bool = False

    @property
    def bank_name(self) -> str:
        """The bank's short name ("Vietcombank"), or its BIN when it is not a known one."""
        return BANK_NAMES.get(self.bank_bin, f"BIN {self.bank_bin}")

    @classmethod
    def from_settings(cls) -> VietQrProvider | None:
        """The provider configured by VIETQR_* settings; None when the BIN or account is empty."""
        if not (settings.VIETQR_BANK_BIN and settings.VIETQR_ACCOUNT_NUMBER):
            return None
        return cls(
            bank_bin=settings.VIETQR_BANK_BIN,
            account_number=settings.VIETQR_ACCOUNT_NUMBER,
            account_name=settings.VIETQR_ACCOUNT_NAME,
        )

    def start(self, request: PaymentRequest) -> ShowQr:
        """The QR to show the payer: the amount and the order code as the transfer's purpose."""
        return ShowQr(
            build_payload(self.bank_bin, self.account_number, request.amount, request.order_code)
        )

    def verify_callback(self, params: Mapping[str, str]) -> CallbackResult:
        """Always `CallbackRejected` "97": NAPAS sends the merchant no signed callback, so
        nothing arriving over HTTP may credit a VietQR order. Transfers are matched from the
        bank's statement that an officer imports (`statement_result`)."""
        raise CallbackRejected("97", "VietQR has no provider callback; import the bank statement")

    def statement_result(self, line: StatementLine) -> CallbackResult:
        """One credit line of the agency's bank statement (parsed by `bank_statement`) as the
        result of a transfer: the order is the one order code in its description.
        `CallbackRejected` "01" when the description names no order code or several (the line
        goes to the review list), "99" when the line is not a credit."""
        if line.amount <= 0:
            raise CallbackRejected("99", "the statement line is not a credit")
        codes = line.order_codes
        if len(codes) != 1:
            raise CallbackRejected(
                "01", "no order code in the description" if not codes else "several order codes"
            )
        return CallbackResult(
            order_code=codes[0],
            amount=line.amount,
            success=True,
            provider_reference=line.reference,
            response_code="00",
            paid_at=line.booked_at,
            raw=line.as_params(),
        )
