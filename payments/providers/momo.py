"""MoMo payment gateway, captureWallet, API v2 (developers.momo.vn/v3/docs/payment/api).

Every request and the IPN carry `signature` = HMAC-SHA256 (hex) under the secret key over a raw
string `name=value&…` of a documented, per-operation list of fields (values as they are, not
URL-encoded; `accessKey` is the merchant's and is not sent itself):

- create (`POST {MOMO_ENDPOINT}/v2/gateway/api/create`): CREATE_FIELDS; MoMo answers `payUrl`.
- IPN (MoMo POSTs JSON to `ipnUrl`; answer HTTP 204) and the redirect back: IPN_FIELDS.
- query (`/v2/gateway/api/query`): QUERY_FIELDS; refund (`/v2/gateway/api/refund`): REFUND_FIELDS.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from payments.providers.api import (
    ProviderApiError,
    RefundResult,
    hmac_hex,
    post_json,
    same_signature,
    stringify,
)
from payments.providers.base import CallbackRejected, CallbackResult, PaymentRequest, Redirect

CREATE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
)
IPN_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
REFUND_FIELDS = (
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
)
# What the merchant answers MoMo's IPN with (no body).
IPN_ANSWER_STATUS = 204
_ORDER_ID = re.compile(r"^[0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*$")
_NUMBER = re.compile(r"^-?[0-9]{1,19}$")


def raw_signature(values: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """`name=value&…` of `names` in order (a missing value is empty)."""
    return "&".join(f"{name}={'' if values.get(name) is None else values[name]}" for name in names)


@dataclass
class MomoProvider:
    """MoMo captureWallet for one partner (`partner_code`, `access_key`, `secret_key`)."""

    partner_code: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    endpoint: str
    timeout: float = 30.0  # MoMo: at least 30 s
    key: str = "momo"
    label: str = "MoMo"

    @classmethod
    def from_settings(cls) -> MomoProvider | None:
        """The provider configured by MOMO_* settings; None when a code or key is empty."""
        if not (
            settings.MOMO_PARTNER_CODE and settings.MOMO_ACCESS_KEY and settings.MOMO_SECRET_KEY
        ):
            return None
        return cls(
            partner_code=settings.MOMO_PARTNER_CODE,
            access_key=settings.MOMO_ACCESS_KEY,
            secret_key=settings.MOMO_SECRET_KEY,
            endpoint=settings.MOMO_ENDPOINT.rstrip("/"),
        )

    def sign(self, values: Mapping[str, Any], names: tuple[str, ...]) -> str:
        """The `signature` of `values` over `names` (our access key filled in)."""
        return hmac_hex(
            self.secret_key,
            raw_signature({**values, "accessKey": self.access_key}, names),
            "sha256",
        )

    def _post(self, operation: str, body: dict[str, Any], names: tuple[str, ...]) -> dict:
        body["signature"] = self.sign(body, names)
        return post_json(f"{self.endpoint}/v2/gateway/api/{operation}", body, self.timeout)

    # --- pay ---------------------------------------------------------------------------------
    def create_body(self, request: PaymentRequest) -> dict[str, Any]:
        """The captureWallet create request for `request`, without its signature."""
        if not _ORDER_ID.match(request.order_code) or len(request.order_code) > 200:
            raise ValueError(f"order code {request.order_code!r} is not a valid MoMo orderId")
        if not isinstance(request.amount, int) or request.amount <= 0:
            raise ValueError("the amount must be a positive whole number of VND")
        return {
            "partnerCode": self.partner_code,
            "requestId": str(uuid.uuid4()),
            "amount": request.amount,
            "orderId": request.order_code,
            "orderInfo": request.description[:255] or request.order_code,
            "redirectUrl": request.return_url,
            "ipnUrl": request.ipn_url,
            "requestType": "captureWallet",
            "extraData": "",
            "lang": "vi" if request.locale == "vn" else "en",
        }

    def start(self, request: PaymentRequest) -> Redirect:
        """Create the payment at MoMo and redirect the payer to its `payUrl`.
        `ProviderApiError` when MoMo refuses (its `resultCode`) or cannot be reached."""
        answer = self._post("create", self.create_body(request), CREATE_FIELDS)
        code = str(answer.get("resultCode", ""))
        if code != "0":
            raise ProviderApiError(code or "format", str(answer.get("message", "create refused")))
        pay_url = answer.get("payUrl")
        if not isinstance(pay_url, str) or not pay_url.startswith(("https://", "http://")):
            raise ProviderApiError("format", "MoMo's answer has no payUrl")
        return Redirect(pay_url)

    # --- IPN and redirect ----------------------------------------------------------------------
    def verify_callback(self, params: Mapping[str, Any]) -> CallbackResult:
        """Check an IPN body (or the redirect's query). `CallbackRejected` "97" on a bad
        signature, "99" on malformed fields. `response_code` is MoMo's `resultCode`."""
        values = stringify({name: params[name] for name in params})  # a QueryDict too
        expected = self.sign(values, IPN_FIELDS)
        if not same_signature(expected, values.get("signature", "")) or not values.get("signature"):
            raise CallbackRejected("97", "invalid signature")
        if values.get("partnerCode") != self.partner_code:
            raise CallbackRejected("99", "the callback is for another partner")
        malformed = [
            name
            for name in ("amount", "resultCode", "transId", "responseTime")
            if not _NUMBER.match(values.get(name, ""))
        ]
        if malformed or not values.get("orderId"):
            raise CallbackRejected("99", f"malformed fields: {', '.join(malformed) or 'orderId'}")
        amount = int(values["amount"])
        if amount <= 0:
            raise CallbackRejected("04", "the amount is not positive")
        return CallbackResult(
            order_code=values["orderId"],
            amount=amount,
            success=values["resultCode"] == "0",
            provider_reference=values["transId"],
            response_code=values["resultCode"],
            paid_at=datetime.fromtimestamp(int(values["responseTime"]) / 1000, UTC),
            raw=values,
        )

    # --- query and refund ----------------------------------------------------------------------
    def query(self, order_code: str) -> CallbackResult:
        """MoMo's record of the payment of `order_code`: `success` when its `resultCode` is 0.
        `ProviderApiError` when MoMo knows no payment of it (e.g. 42) or refuses the query."""
        body = {
            "partnerCode": self.partner_code,
            "requestId": str(uuid.uuid4()),
            "orderId": order_code,
            "lang": "vi",
        }
        answer = stringify(self._post("query", body, QUERY_FIELDS))
        code = answer.get("resultCode", "")
        if code != "0" and answer.get("transId", "0") in ("", "0"):
            raise ProviderApiError(code or "format", answer.get("message", "query refused"))
        if answer.get("orderId") != order_code or not _NUMBER.match(answer.get("amount", "")):
            raise ProviderApiError("format", "MoMo's answer names another order or no amount")
        time = answer.get("responseTime", "")
        return CallbackResult(
            order_code=order_code,
            amount=int(answer["amount"]),
            success=code == "0",
            provider_reference=answer.get("transId", ""),
            response_code=code,
            paid_at=datetime.fromtimestamp(int(time) / 1000, UTC) if time.isdigit() else None,
            raw=answer,
        )

    def refund_status(self, order_code: str, refund_id: str) -> RefundResult | None:
        """MoMo's record of the refund `refund_id` of the payment of `order_code` (the
        query's `refundTrans` list): accepted when its `resultCode` is 0; None when MoMo lists
        no such refund. `ProviderApiError` when MoMo cannot be asked."""
        body = {
            "partnerCode": self.partner_code,
            "requestId": str(uuid.uuid4()),
            "orderId": order_code,
            "lang": "vi",
        }
        answer = self._post("query", body, QUERY_FIELDS)
        listed = answer.get("refundTrans")
        if str(answer.get("orderId")) != order_code or not isinstance(listed, list):
            raise ProviderApiError("format", "MoMo's answer names another order or no refunds")
        for item in listed:
            if isinstance(item, dict) and str(item.get("orderId")) == refund_id:
                code = str(item.get("resultCode", ""))
                return RefundResult(
                    order_code=order_code,
                    amount=int(item.get("amount") or 0),
                    accepted=code == "0",
                    response_code=code,
                    message=str(item.get("message", "")),
                    provider_reference=str(item.get("transId", "")),
                    raw=stringify(item),
                )
        return None

    def refund(
        self,
        order_code: str,
        amount: int,
        trans_id: str,
        *,
        description: str = "",
        refund_id: str = "",
    ) -> RefundResult:
        """Ask MoMo to refund `amount` VND of the payment `trans_id` of `order_code`; the refund
        has its own order id (`refund_id`, by default `<order_code>-R<time>`)."""
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError("the refund amount must be a positive whole number of VND")
        body = {
            "partnerCode": self.partner_code,
            "orderId": refund_id or f"{order_code}-R{int(datetime.now(UTC).timestamp() * 1000)}",
            "requestId": str(uuid.uuid4()),
            "amount": amount,
            "transId": int(trans_id),
            "lang": "vi",
            "description": description,
        }
        answer = stringify(self._post("refund", body, REFUND_FIELDS))
        code = answer.get("resultCode", "")
        return RefundResult(
            order_code=order_code,
            amount=amount,
            accepted=code == "0",
            response_code=code,
            message=answer.get("message", ""),
            provider_reference=answer.get("transId", ""),
            raw=answer,
        )
