"""VNPAY payment gateway, version 2.1.0 (sandbox.vnpayment.vn/apis/docs).

- Pay: the payer's browser goes to `VNPAY_PAYMENT_URL` with the `vnp_*` parameters;
  `vnp_SecureHash` is the HMAC-SHA512 (hex) of those parameters sorted by name and joined as a
  URL query whose values are encoded as VNPAY's sample code does (`quote_plus`: space → "+").
- Return URL (display only) and IPN (the only thing that changes state) carry `vnp_*`
  parameters signed the same way; the IPN is answered with `ipn_answer(code)`.
- `querydr` and `refund`: JSON POSTs to `VNPAY_API_URL`, each signed over its own documented
  field order joined by "|"; VNPAY's answers are signed the same way and checked.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

from django.conf import settings

from payments.providers.api import (
    ProviderApiError,
    RefundResult,
    hmac_hex,
    plain_ascii,
    post_json,
    same_signature,
    stringify,
)
from payments.providers.base import (
    CallbackRejected,
    CallbackResult,
    PaymentRequest,
    Redirect,
)

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7), "GMT+7")
TIME_FORMAT = "%Y%m%d%H%M%S"
_TXN_REF = re.compile(r"^[0-9A-Za-z_-]{1,100}$")
_DIGITS = re.compile(r"^[0-9]{1,15}$")

# The IPN's answer codes (what the merchant tells VNPAY) and the messages VNPAY documents.
IPN_MESSAGES = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid Checksum",
    "99": "Unknow error",
}

QUERY_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (*REFUND_RESPONSE_FIELDS, "vnp_PromotionCode", "vnp_PromotionAmount")


def vnpay_time(moment: datetime) -> str:
    """`moment` (timezone-aware) in GMT+7 as yyyyMMddHHmmss."""
    if moment.tzinfo is None:
        raise ValueError("VNPAY times must be timezone-aware")
    return moment.astimezone(GMT7).strftime(TIME_FORMAT)


def parse_vnpay_time(value: str) -> datetime:
    """A yyyyMMddHHmmss GMT+7 time as an aware datetime; `ValueError` when malformed."""
    if not re.fullmatch(r"[0-9]{14}", value or ""):
        raise ValueError(f"not a yyyyMMddHHmmss time: {value!r}")
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=GMT7)


def hash_data(params: Mapping[str, str]) -> str:
    """The string VNPAY signs: parameters sorted by name, `name=quote_plus(value)` joined by "&"."""
    return "&".join(f"{name}={quote_plus(params[name])}" for name in sorted(params))


def secure_hash(params: Mapping[str, str], secret: str) -> str:
    """`vnp_SecureHash` of `params` (which must not contain it)."""
    return hmac_hex(secret, hash_data(params), "sha512")


def pipe_hash(values: Mapping[str, str], names: tuple[str, ...], secret: str) -> str:
    """The querydr/refund checksum: the `names`' values (missing → "") joined by "|"."""
    return hmac_hex(secret, "|".join(str(values.get(name, "")) for name in names), "sha512")


def ipn_answer(code: str) -> dict[str, str]:
    """The JSON body VNPAY expects back from an IPN for answer `code`."""
    return {"RspCode": code, "Message": IPN_MESSAGES.get(code, IPN_MESSAGES["99"])}


@dataclass
class VnpayProvider:
    """VNPAY v2.1.0 for one merchant terminal (`tmn_code`, `hash_secret`)."""

    tmn_code: str
    hash_secret: str = field(repr=False)
    payment_url: str
    api_url: str
    order_type: str = "other"
    timeout: float = 30.0
    key: str = "vnpay"
    label: str = "VNPAY"

    @classmethod
    def from_settings(cls) -> VnpayProvider | None:
        """The provider configured by VNPAY_* settings; None when the code or secret is empty."""
        if not (settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET):
            return None
        return cls(
            tmn_code=settings.VNPAY_TMN_CODE,
            hash_secret=settings.VNPAY_HASH_SECRET,
            payment_url=settings.VNPAY_PAYMENT_URL,
            api_url=settings.VNPAY_API_URL,
        )

    # --- pay ---------------------------------------------------------------------------------
    def payment_params(self, request: PaymentRequest) -> dict[str, str]:
        """The signed `vnp_*` parameters of the redirect for `request`."""
        if not _TXN_REF.match(request.order_code):
            raise ValueError(f"order code {request.order_code!r} is not a valid vnp_TxnRef")
        if not isinstance(request.amount, int) or request.amount <= 0:
            raise ValueError("the amount must be a positive whole number of VND")
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(request.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.order_code,
            "vnp_OrderInfo": plain_ascii(request.description) or request.order_code,
            "vnp_OrderType": self.order_type,
            "vnp_Locale": request.locale if request.locale in ("vn", "en") else "vn",
            "vnp_ReturnUrl": request.return_url,
            "vnp_IpAddr": request.client_ip,
            "vnp_CreateDate": vnpay_time(request.created_at),
            "vnp_ExpireDate": vnpay_time(request.expires_at),
        }
        return {**params, "vnp_SecureHash": secure_hash(params, self.hash_secret)}

    def start(self, request: PaymentRequest) -> Redirect:
        """Redirect the payer to VNPAY's payment page for `request`."""
        params = self.payment_params(request)
        signed = params.pop("vnp_SecureHash")
        return Redirect(f"{self.payment_url}?{hash_data(params)}&vnp_SecureHash={signed}")

    # --- return URL and IPN ------------------------------------------------------------------
    def verify_callback(self, params: Mapping[str, str]) -> CallbackResult:
        """Check a return-URL or IPN query. `CallbackRejected` "97" on a bad checksum, "04" on
        an amount that is not a whole number of VND, "99" on malformed parameters."""
        raw = {str(name): str(params[name]) for name in params}
        signed = {
            name: value
            for name, value in raw.items()
            if name.startswith("vnp_") and name not in ("vnp_SecureHash", "vnp_SecureHashType")
        }
        given = raw.get("vnp_SecureHash", "")
        # VNPAY's samples differ on empty values (PHP/Python sign them, Java skips them).
        filled = {name: value for name, value in signed.items() if value != ""}
        if not signed or not any(
            same_signature(secure_hash(variant, self.hash_secret), given)
            for variant in (signed, filled)
        ):
            raise CallbackRejected("97", "invalid checksum")
        missing = [
            name
            for name in ("vnp_TmnCode", "vnp_TxnRef", "vnp_Amount", "vnp_ResponseCode")
            if not signed.get(name)
        ]
        if missing:
            raise CallbackRejected("99", f"missing parameters: {', '.join(missing)}")
        if signed["vnp_TmnCode"] != self.tmn_code:
            raise CallbackRejected("99", "the callback is for another merchant terminal")
        if not _DIGITS.match(signed["vnp_Amount"]):
            raise CallbackRejected("99", "vnp_Amount is not a number")
        hundredths = int(signed["vnp_Amount"])
        if hundredths % 100:
            raise CallbackRejected("04", "vnp_Amount is not a whole number of VND")
        try:
            paid_at = parse_vnpay_time(signed["vnp_PayDate"]) if signed.get("vnp_PayDate") else None
        except ValueError:
            raise CallbackRejected("99", "vnp_PayDate is malformed") from None
        response_code = signed["vnp_ResponseCode"]
        return CallbackResult(
            order_code=signed["vnp_TxnRef"],
            amount=hundredths // 100,
            success=response_code == "00" and signed.get("vnp_TransactionStatus") == "00",
            provider_reference=signed.get("vnp_TransactionNo", ""),
            response_code=response_code,
            paid_at=paid_at,
            raw=raw,
        )

    # --- querydr and refund --------------------------------------------------------------------
    def _call(
        self, body: dict[str, str], request_fields: tuple[str, ...]
    ) -> tuple[dict[str, str], bool]:
        """POST `body` signed over `request_fields`; VNPAY's answer and whether it was signed."""
        body["vnp_SecureHash"] = pipe_hash(body, request_fields, self.hash_secret)
        answer = stringify(post_json(self.api_url, body, self.timeout))
        response_fields = (
            QUERY_RESPONSE_FIELDS if body["vnp_Command"] == "querydr" else REFUND_RESPONSE_FIELDS
        )
        given = answer.get("vnp_SecureHash", "")
        if given and not same_signature(
            pipe_hash(answer, response_fields, self.hash_secret), given
        ):
            raise ProviderApiError("signature", "VNPAY's answer has an invalid checksum")
        return answer, bool(given)

    def _base(self, command: str, order_code: str, client_ip: str, order_info: str) -> dict:
        return {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": order_code,
            "vnp_OrderInfo": plain_ascii(order_info) or order_code,
            "vnp_CreateDate": vnpay_time(datetime.now(GMT7)),
            "vnp_IpAddr": client_ip,
        }

    def query(
        self,
        order_code: str,
        transaction_date: datetime,
        *,
        transaction_no: str = "",
        client_ip: str = "127.0.0.1",
        order_info: str = "",
    ) -> CallbackResult:
        """VNPAY's record of the payment of `order_code` created at `transaction_date` (the
        payment's `vnp_CreateDate`). `success` when the transaction status is "00";
        `response_code` is the transaction status. `ProviderApiError` when VNPAY answers an
        error code (e.g. "91": no such transaction) or an answer that does not verify."""
        body = self._base("querydr", order_code, client_ip, order_info or f"Query {order_code}")
        body["vnp_TransactionDate"] = vnpay_time(transaction_date)
        if transaction_no:
            body["vnp_TransactionNo"] = transaction_no
        answer, signed = self._call(body, QUERY_REQUEST_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        if code != "00":
            raise ProviderApiError(code or "format", answer.get("vnp_Message", "query refused"))
        if not signed:
            raise ProviderApiError("signature", "VNPAY's answer is not signed")
        if answer.get("vnp_TxnRef") != order_code or not _DIGITS.match(
            answer.get("vnp_Amount", "")
        ):
            raise ProviderApiError("format", "VNPAY's answer names another order or no amount")
        try:
            paid_at = parse_vnpay_time(answer["vnp_PayDate"]) if answer.get("vnp_PayDate") else None
        except ValueError:
            raise ProviderApiError("format", "vnp_PayDate is malformed") from None
        status = answer.get("vnp_TransactionStatus", "")
        return CallbackResult(
            order_code=order_code,
            amount=int(answer["vnp_Amount"]) // 100,
            success=status == "00",
            provider_reference=answer.get("vnp_TransactionNo", ""),
            response_code=status,
            paid_at=paid_at,
            raw=answer,
        )

    def refund(
        self,
        order_code: str,
        amount: int,
        transaction_date: datetime,
        *,
        full: bool,
        created_by: str,
        transaction_no: str = "",
        client_ip: str = "127.0.0.1",
        order_info: str = "",
    ) -> RefundResult:
        """Ask VNPAY to refund `amount` VND of the payment of `order_code` (created at
        `transaction_date`): `full` refund (type "02") or partial ("03"), requested by
        `created_by`. The answer says whether VNPAY accepted it (`vnp_ResponseCode` "00")."""
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError("the refund amount must be a positive whole number of VND")
        body = self._base("refund", order_code, client_ip, order_info or f"Refund {order_code}")
        body.update(
            {
                "vnp_TransactionType": "02" if full else "03",
                "vnp_Amount": str(amount * 100),
                "vnp_TransactionNo": transaction_no or "0",
                "vnp_TransactionDate": vnpay_time(transaction_date),
                "vnp_CreateBy": created_by,
            }
        )
        answer, signed = self._call(body, REFUND_REQUEST_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        if code == "00" and not signed:
            raise ProviderApiError("signature", "VNPAY's answer is not signed")
        return RefundResult(
            order_code=order_code,
            amount=amount,
            accepted=code == "00",
            response_code=code,
            message=answer.get("vnp_Message", ""),
            provider_reference=answer.get("vnp_TransactionNo", ""),
            raw=answer,
        )
