"""VietQR (NAPAS 247): the CRC's check value, a payload issued by a Vietnamese payment provider
rebuilt byte for byte, our payload decoded back field by field, and a statement line as the
callback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payments.providers.bank_statement import GMT7, StatementLine
from payments.providers.base import CallbackRejected, PaymentRequest, Provider, ShowQr
from payments.providers.vietqr import (
    VietQrProvider,
    build_payload,
    crc16_ccitt_false,
    decode_payload,
)

# A dynamic VietQR issued by payOS (a NAPAS-connected gateway), published in a project's notes:
# BIN 970422 (MB), account VQRQABRLS0448, 2,000 VND, purpose 18f8746b181045f0a2ce, CRC 0FC0.
ISSUED = (
    "00020101021238570010A000000727012700069704220113VQRQABRLS04480208QRIBFTTA5303704540420005802VN"
    "6224082018f8746b181045f0a2ce63040FC0"
)
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_crc16_ccitt_false_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_an_issued_vietqr_is_rebuilt_exactly():
    assert build_payload("970422", "VQRQABRLS0448", 2000, "18f8746b181045f0a2ce") == ISSUED
    assert decode_payload(ISSUED)["63"] == "0FC0"


def test_our_payload_decodes_back_field_by_field():
    provider = VietQrProvider(bank_bin="970415", account_number="113366668888", account_name="SYT")
    assert isinstance(provider, Provider)
    shown = provider.start(
        PaymentRequest(
            order_code="TT261206A1B2C3D4",
            amount=1_250_000,
            description="Phí thẩm định",
            created_at=NOW,
            expires_at=NOW + timedelta(days=1),
            return_url="",
            ipn_url="",
            client_ip="127.0.0.1",
        )
    )
    assert isinstance(shown, ShowQr)
    payload = shown.payload
    assert payload.startswith("000201010212") and payload[-8:-4] == "6304"
    assert f"{crc16_ccitt_false(payload[:-4].encode()):04X}" == payload[-4:]
    assert decode_payload(payload) == {
        "00": "01",
        "01": "12",
        "38": {
            "00": "A000000727",
            "01": {"00": "970415", "01": "113366668888"},
            "02": "QRIBFTTA",
        },
        "53": "704",
        "54": "1250000",
        "58": "VN",
        "62": {"08": "TT261206A1B2C3D4"},
        "63": payload[-4:],
    }
    # One changed character breaks the CRC.
    with pytest.raises(ValueError, match="CRC"):
        decode_payload(payload.replace("1250000", "1250001"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("97041", "1133", 1000, "TT1"), "BIN"),
        (("970415", "11-33", 1000, "TT1"), "account"),
        (("970415", "1133", 0, "TT1"), "amount"),
        (("970415", "1133", 1000, "TT#1"), "purpose"),
        (("970415", "1133", 1000, "X" * 26), "purpose"),
    ],
)
def test_bad_payload_inputs_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        build_payload(*arguments)


def test_nothing_over_http_credits_a_vietqr_order():
    """NAPAS sends no signed callback: a forged "statement line" posted to the callback URL is
    refused like a bad signature."""
    provider = VietQrProvider(bank_bin="970415", account_number="113366668888")
    forged = {
        "booked_at": "2026-12-06T10:15:00+07:00",
        "amount": "1250000",
        "description": "TT261206A1B2C3D4",
        "reference": "FT1",
    }
    with pytest.raises(CallbackRejected) as rejected:
        provider.verify_callback(forged)
    assert rejected.value.code == "97"


def _line(description: str, amount: int = 1_250_000) -> StatementLine:
    booked_at = datetime(2026, 12, 6, 10, 15, tzinfo=GMT7)
    return StatementLine(booked_at, amount, description, "FT26340123456", row=7)


def test_a_statement_line_is_the_result_of_its_order():
    provider = VietQrProvider(bank_bin="970415", account_number="113366668888")
    result = provider.statement_result(_line("NGUYEN VAN AN CHUYEN TIEN TT 261206-A1B2 C3D4"))
    assert (result.order_code, result.amount, result.success) == (
        "TT261206A1B2C3D4",
        1_250_000,
        True,
    )
    assert result.provider_reference == "FT26340123456"
    assert result.paid_at == datetime(2026, 12, 6, 3, 15, tzinfo=UTC)
    assert result.raw["description"] == "NGUYEN VAN AN CHUYEN TIEN TT 261206-A1B2 C3D4"
    for line, code in (
        (_line("no code"), "01"),
        (_line("TT261206A1B2C3D4 TT261206A1B2C3D5"), "01"),
        (_line("TT261206A1B2C3D4", amount=-1000), "99"),
    ):
        with pytest.raises(CallbackRejected) as rejected:
            provider.statement_result(line)
        assert rejected.value.code == code
