"""TEST stand-in for the VNPAY payment gateway (v2.1.0) and MoMo captureWallet (API v2), for tests
and the demo. Standard library only; listens on 127.0.0.1; never moves money.

    python -m tools.payment_standin --port 8770 --vnpay-secret S --momo-secret K \
        [--vnpay-tmn EDOCTEST] [--vnpay-ipn-url URL] [--momo-partner MOMOEDOC] \
        [--momo-access-key ACCESS]

Prints `listening on http://127.0.0.1:PORT` once ready (`--port 0`: any free port).

VNPAY (`VNPAY_PAYMENT_URL=http://127.0.0.1:PORT/vnpay/paymentv2/vpcpay.html`,
`VNPAY_API_URL=http://127.0.0.1:PORT/vnpay/merchant_webapi/api/transaction`):
- `GET /vnpay/paymentv2/vpcpay.html?vnp_*` checks `vnp_SecureHash` (HMAC-SHA512 over the sorted,
  `quote_plus`-encoded parameters), refuses a `vnp_TxnRef` it has seen before, and shows a page
  with "Thanh toán" and "Hủy"; either one calls the IPN URL (`--vnpay-ipn-url`, as VNPAY's
  merchant portal configures it) with GET and the signed result, then redirects the browser to
  `vnp_ReturnUrl` with the same parameters.
- `POST /vnpay/merchant_webapi/api/transaction`: `querydr` and `refund`, "|"-joined checksums.

MoMo (`MOMO_ENDPOINT=http://127.0.0.1:PORT/momo`):
- `POST /momo/v2/gateway/api/create` (captureWallet) checks the HMAC-SHA256 signature and
  answers a `payUrl` to `GET /momo/pay/<id>`; paying or cancelling there POSTs the signed IPN
  JSON to the request's `ipnUrl` and redirects the browser to `redirectUrl` with the same fields.
- `POST /momo/v2/gateway/api/query` and `/momo/v2/gateway/api/refund`.

`GET /_state`: the IPNs sent (with the merchant's answers), transactions and refunds, as JSON.
"""

from __future__ import annotations

import argparse
import hmac
import html
import itertools
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit

from tools.loopback import serve_until_interrupted

GMT7 = timezone(timedelta(hours=7))
MAX_BODY = 1024 * 1024
VNPAY_PATH = "/vnpay/paymentv2/vpcpay.html"
VNPAY_API = "/vnpay/merchant_webapi/api/transaction"
VNPAY_QUERY = "RequestId Version Command TmnCode TxnRef TransactionDate CreateDate IpAddr OrderInfo"
VNPAY_REFUND = (
    "RequestId Version Command TmnCode TransactionType TxnRef Amount TransactionNo "
    "TransactionDate CreateBy CreateDate IpAddr OrderInfo"
)
VNPAY_ANSWER = (
    "ResponseId Command ResponseCode Message TmnCode TxnRef Amount BankCode PayDate "
    "TransactionNo TransactionType TransactionStatus OrderInfo"
)
MOMO_CREATE = (
    "accessKey amount extraData ipnUrl orderId orderInfo partnerCode redirectUrl requestId "
    "requestType"
)
MOMO_IPN = (
    "accessKey amount extraData message orderId orderInfo orderType partnerCode payType "
    "requestId responseTime resultCode transId"
)
MOMO_QUERY = "accessKey orderId partnerCode requestId"
MOMO_REFUND = "accessKey amount description orderId partnerCode requestId transId"

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} — CỔNG THANH TOÁN THỬ NGHIỆM</title></head>
<body>
<h1>{title}: CỔNG THANH TOÁN THỬ NGHIỆM (TEST PROVIDER)</h1>
<p><strong>Đây là máy chủ giả lập để kiểm thử, không có tiền thật được chuyển.</strong></p>
<p>Mã đơn hàng: <span id="order">{order}</span></p>
<p>Số tiền: <span id="amount">{amount}</span> VND</p>
<p>Nội dung: {info}</p>
<form method="post" action="{action}">
<input type="hidden" name="session" value="{session}">
<button type="submit" name="choice" value="pay">Thanh toán</button>
<button type="submit" name="choice" value="cancel">Hủy</button>
</form>
</body></html>
"""


def sign(secret: str, message: str, digest: str) -> str:
    return hmac.new(secret.encode(), message.encode(), digest).hexdigest()


def vnpay_hash(secret: str, params: dict[str, str]) -> str:
    data = "&".join(f"{key}={quote_plus(params[key])}" for key in sorted(params))
    return sign(secret, data, "sha512")


def joined(params: dict[str, Any], names: str, separator: str, prefix: str = "") -> str:
    """`names`' values in order: "|"-joined (VNPAY API) or "name=value&…" (MoMo)."""
    if separator == "|":
        return "|".join(str(params.get(prefix + name, "")) for name in names.split())
    return "&".join(f"{name}={params.get(name, '')}" for name in names.split())


def now_gmt7() -> str:
    return datetime.now(GMT7).strftime("%Y%m%d%H%M%S")


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.transactions: dict[str, dict[str, Any]] = {}  # by provider + order code
        self.ipns: list[dict[str, Any]] = []
        self.refunds: list[dict[str, Any]] = []
        self.txn_refs: set[str] = set()  # every vnp_TxnRef shown a payment page once
        self.numbers = itertools.count(14_000_001)


def deliver(url: str, *, query: dict[str, str] | None = None, body: dict | None = None) -> dict:
    """Call the merchant's IPN URL (http or https only); what it answered."""
    if urlsplit(url).scheme not in ("http", "https"):
        return {"status": 0, "body": f"not an http(s) URL: {url}"}
    if query is not None:
        request = urllib.request.Request(f"{url}?{urlencode(query)}", method="GET")  # noqa: S310
    else:
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310 (loopback)
            return {"status": answer.status, "body": answer.read().decode("utf-8", "replace")}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": error.read().decode("utf-8", "replace")}
    except OSError as error:
        return {"status": 0, "body": f"unreachable: {error}"}


class Handler(BaseHTTPRequestHandler):
    state: State
    config: argparse.Namespace

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        sys.stderr.write(f"payment stand-in: {self.command} {self.path.split('?')[0]}\n")

    # --- plumbing --------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _page(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/html; charset=utf-8")

    def _error_page(self, status: int, message: str) -> None:
        self._page(
            status,
            f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Lỗi</title>"
            f"</head><body><h1>CỔNG THANH TOÁN THỬ NGHIỆM</h1><p>{html.escape(message)}</p>"
            f"</body></html>",
        )

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", Location=url)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY))

    def _json_body(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self._body() or b"null")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    # --- routing ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path == VNPAY_PATH:
            return self._vnpay_page(params)
        if parts.path.startswith("/momo/pay/"):
            return self._momo_page(parts.path.rsplit("/", 1)[-1])
        if parts.path == "/_state":
            with self.state.lock:
                return self._json(
                    200,
                    {
                        "ipns": self.state.ipns,
                        "transactions": self.state.transactions,
                        "refunds": self.state.refunds,
                    },
                )
        return self._json(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path in ("/vnpay/pay", "/momo/pay"):
            form = dict(parse_qsl(self._body().decode("utf-8", "replace")))
            return self._choose(path.split("/")[1], form.get("session", ""), form.get("choice"))
        body = self._json_body()
        if body is None:
            return self._json(400, {"error": "a JSON object is expected"})
        if path == VNPAY_API:
            return self._vnpay_api(body)
        if path.startswith("/momo/v2/gateway/api/"):
            return self._momo_api(path.rsplit("/", 1)[-1], body)
        return self._json(404, {"error": "not found"})

    # --- the payer's page (both providers) -----------------------------------------------------
    def _show(self, provider: str, session: str, order: str, amount: int, info: str) -> None:
        title = "VNPAY" if provider == "vnpay" else "MoMo"
        self._page(
            200,
            PAGE.format(
                title=title,
                order=html.escape(order),
                amount=f"{amount:,}".replace(",", "."),
                info=html.escape(info),
                action=f"/{provider}/pay",
                session=session,
            ),
        )

    def _choose(self, provider: str, session: str, choice: str | None) -> None:
        with self.state.lock:
            pending = self.state.sessions.pop(session, None)
        if pending is None or pending["provider"] != provider or choice not in ("pay", "cancel"):
            return self._error_page(400, "Phiên thanh toán không tồn tại hoặc đã kết thúc.")
        if provider == "vnpay":
            return self._vnpay_finish(pending["params"], paid=choice == "pay")
        return self._momo_finish(pending["body"], paid=choice == "pay")

    # --- VNPAY ---------------------------------------------------------------------------------
    def _vnpay_page(self, params: dict[str, str]) -> None:
        config = self.config
        given = params.pop("vnp_SecureHash", "")
        params.pop("vnp_SecureHashType", None)
        if not hmac.compare_digest(vnpay_hash(config.vnpay_secret, params), given.lower()):
            return self._error_page(400, "Sai chữ ký (vnp_SecureHash), mã lỗi 97.")
        required = ("vnp_TmnCode", "vnp_Amount", "vnp_TxnRef", "vnp_ReturnUrl", "vnp_ExpireDate")
        if any(not params.get(name) for name in required) or params.get("vnp_Version") != "2.1.0":
            return self._error_page(400, "Thiếu tham số bắt buộc, mã lỗi 03.")
        if params["vnp_TmnCode"] != config.vnpay_tmn:
            return self._error_page(400, "Website chưa được phê duyệt (vnp_TmnCode), mã lỗi 02.")
        if params["vnp_ExpireDate"] < now_gmt7():
            return self._error_page(400, "Giao dịch đã hết hạn thanh toán, mã lỗi 11.")
        session = uuid.uuid4().hex
        with self.state.lock:
            seen = params["vnp_TxnRef"] in self.state.txn_refs
            self.state.txn_refs.add(params["vnp_TxnRef"])
            if not seen:
                self.state.sessions[session] = {"provider": "vnpay", "params": params}
        if seen:  # VNPAY takes each merchant transaction reference once
            return self._error_page(400, "Giao dịch đã tồn tại (vnp_TxnRef đã được sử dụng).")
        amount = int(params["vnp_Amount"]) // 100
        self._show("vnpay", session, params["vnp_TxnRef"], amount, params.get("vnp_OrderInfo", ""))

    def _vnpay_finish(self, request: dict[str, str], *, paid: bool) -> None:
        config = self.config
        number = str(next(self.state.numbers))
        result = {
            "vnp_Amount": request["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{number}" if paid else "",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": request.get("vnp_OrderInfo", ""),
            "vnp_PayDate": now_gmt7(),
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": config.vnpay_tmn,
            "vnp_TransactionNo": number if paid else "0",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": request["vnp_TxnRef"],
        }
        result["vnp_SecureHash"] = vnpay_hash(config.vnpay_secret, result)
        with self.state.lock:
            self.state.transactions[f"vnpay:{request['vnp_TxnRef']}"] = {
                **result,
                "vnp_CreateDate": request.get("vnp_CreateDate", ""),
            }
        if config.vnpay_ipn_url:
            answer = deliver(config.vnpay_ipn_url, query=result)
            with self.state.lock:
                self.state.ipns.append({"provider": "vnpay", "sent": result, "answer": answer})
        self._redirect(f"{request['vnp_ReturnUrl']}?{urlencode(result)}")

    def _vnpay_api(self, body: dict[str, Any]) -> None:
        config = self.config
        values = {key: "" if value is None else str(value) for key, value in body.items()}
        command = values.get("vnp_Command")
        fields = {"querydr": VNPAY_QUERY, "refund": VNPAY_REFUND}.get(command or "")
        answer: dict[str, str] = {
            "vnp_ResponseId": uuid.uuid4().hex,
            "vnp_Command": command or "",
            "vnp_TmnCode": config.vnpay_tmn,
            "vnp_TxnRef": values.get("vnp_TxnRef", ""),
        }
        if fields is None:
            return self._vnpay_answer({**answer, "vnp_ResponseCode": "99", "vnp_Message": "?"})
        expected = sign(config.vnpay_secret, joined(values, fields, "|", "vnp_"), "sha512")
        if not hmac.compare_digest(expected, values.get("vnp_SecureHash", "").lower()):
            return self._vnpay_answer(
                {**answer, "vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"}
            )
        with self.state.lock:
            transaction = self.state.transactions.get(f"vnpay:{values.get('vnp_TxnRef')}")
        if transaction is None or values.get("vnp_TmnCode") != config.vnpay_tmn:
            return self._vnpay_answer(
                {**answer, "vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
            )
        answer.update(
            {
                "vnp_ResponseCode": "00",
                "vnp_Message": "Success",
                "vnp_Amount": transaction["vnp_Amount"],
                "vnp_BankCode": transaction["vnp_BankCode"],
                "vnp_PayDate": transaction["vnp_PayDate"],
                "vnp_TransactionNo": transaction["vnp_TransactionNo"],
                # A refunded payment's querydr shows its last refund: type 02/03, status 05.
                "vnp_TransactionType": transaction.get("refund_type", "01"),
                "vnp_TransactionStatus": "05"
                if transaction.get("refund_type")
                else transaction["vnp_TransactionStatus"],
                "vnp_OrderInfo": transaction["vnp_OrderInfo"],
            }
        )
        if command == "refund":
            if transaction["vnp_TransactionStatus"] != "00" or int(values["vnp_Amount"]) > int(
                transaction["vnp_Amount"]
            ):
                answer.update({"vnp_ResponseCode": "94", "vnp_Message": "Refund refused"})
            else:
                answer.update(
                    {
                        "vnp_Amount": values["vnp_Amount"],
                        "vnp_TransactionType": values["vnp_TransactionType"],
                        "vnp_TransactionStatus": "05",
                    }
                )
                with self.state.lock:
                    self.state.refunds.append({"provider": "vnpay", **values})
                    transaction["refund_type"] = values["vnp_TransactionType"]
        return self._vnpay_answer(answer)

    def _vnpay_answer(self, answer: dict[str, str]) -> None:
        querydr = answer["vnp_Command"] == "querydr"
        names = VNPAY_ANSWER + (" PromotionCode PromotionAmount" if querydr else "")
        answer["vnp_SecureHash"] = sign(
            self.config.vnpay_secret, joined(answer, names, "|", "vnp_"), "sha512"
        )
        self._json(200, answer)

    # --- MoMo ----------------------------------------------------------------------------------
    def _momo_signed(self, body: dict[str, Any], names: str) -> bool:
        config = self.config
        expected = sign(
            config.momo_secret,
            joined({**body, "accessKey": config.momo_access_key}, names, "&"),
            "sha256",
        )
        return body.get("partnerCode") == config.momo_partner and hmac.compare_digest(
            expected, str(body.get("signature", "")).lower()
        )

    def _momo_answer(self, body: dict[str, Any], code: int, message: str, **extra: Any) -> None:
        self._json(
            200,
            {
                "partnerCode": self.config.momo_partner,
                "requestId": body.get("requestId", ""),
                "orderId": body.get("orderId", ""),
                "resultCode": code,
                "message": message,
                "responseTime": int(time.time() * 1000),
                **extra,
            },
        )

    def _momo_api(self, operation: str, body: dict[str, Any]) -> None:
        names = {"create": MOMO_CREATE, "query": MOMO_QUERY, "refund": MOMO_REFUND}.get(operation)
        if names is None:
            return self._json(404, {"error": "not found"})
        if not self._momo_signed(body, names):
            return self._momo_answer(body, 13, "Merchant authentication failed.")
        if operation == "create":
            if body.get("requestType") != "captureWallet" or not str(body.get("amount")).isdigit():
                return self._momo_answer(body, 20, "Bad format request.")
            session = uuid.uuid4().hex
            with self.state.lock:
                self.state.sessions[session] = {"provider": "momo", "body": body}
            pay_url = f"http://127.0.0.1:{self.server.server_address[1]}/momo/pay/{session}"
            return self._momo_answer(
                body, 0, "Thành công.", amount=int(body["amount"]), payUrl=pay_url
            )
        with self.state.lock:
            if operation == "query":
                transaction = self.state.transactions.get(f"momo:{body.get('orderId')}")
            else:  # a refund has an order id of its own and names the payment by transId
                transaction = next(
                    (
                        item
                        for key, item in self.state.transactions.items()
                        if key.startswith("momo:")
                        and str(item["transId"]) == str(body.get("transId"))
                    ),
                    None,
                )
        if transaction is None:
            return self._momo_answer(body, 42, "Invalid orderId or orderId is not found.")
        if operation == "query":
            return self._momo_answer(
                body,
                transaction["resultCode"],
                transaction["message"],
                amount=transaction["amount"],
                transId=transaction["transId"],
                payType=transaction["payType"],
                extraData=transaction["extraData"],
                refundTrans=transaction.get("refundTrans", []),
            )
        if transaction["resultCode"] != 0 or int(body.get("amount", 0)) > transaction["amount"]:
            return self._momo_answer(body, 1002, "Refund refused.")
        refund_id = next(self.state.numbers)
        with self.state.lock:
            self.state.refunds.append({"provider": "momo", **body, "refundTransId": refund_id})
            transaction.setdefault("refundTrans", []).append(
                {
                    "orderId": body.get("orderId", ""),
                    "amount": int(body["amount"]),
                    "resultCode": 0,
                    "transId": refund_id,
                    "createdTime": int(time.time() * 1000),
                }
            )
        return self._momo_answer(body, 0, "Thành công.", amount=body["amount"], transId=refund_id)

    def _momo_page(self, session: str) -> None:
        with self.state.lock:
            pending = self.state.sessions.get(session)
        if pending is None or pending["provider"] != "momo":
            return self._error_page(404, "Phiên thanh toán không tồn tại hoặc đã kết thúc.")
        body = pending["body"]
        self._show("momo", session, body["orderId"], int(body["amount"]), body.get("orderInfo", ""))

    def _momo_finish(self, request: dict[str, Any], *, paid: bool) -> None:
        config = self.config
        result: dict[str, Any] = {
            "partnerCode": config.momo_partner,
            "orderId": request["orderId"],
            "requestId": request["requestId"],
            "amount": int(request["amount"]),
            "orderInfo": request.get("orderInfo", ""),
            "orderType": "momo_wallet",
            "transId": next(self.state.numbers),
            "resultCode": 0 if paid else 1006,
            "message": "Thành công." if paid else "Giao dịch bị từ chối bởi người dùng.",
            "payType": "qr",
            "responseTime": int(time.time() * 1000),
            "extraData": request.get("extraData", ""),
        }
        result["signature"] = sign(
            config.momo_secret,
            joined({**result, "accessKey": config.momo_access_key}, MOMO_IPN, "&"),
            "sha256",
        )
        with self.state.lock:
            self.state.transactions[f"momo:{request['orderId']}"] = result
        answer = deliver(request["ipnUrl"], body=result)
        with self.state.lock:
            self.state.ipns.append({"provider": "momo", "sent": result, "answer": answer})
        query = urlencode({key: str(value) for key, value in result.items()})
        self._redirect(f"{request['redirectUrl']}?{query}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--vnpay-tmn", default="EDOCTEST")
    parser.add_argument("--vnpay-secret", required=True)
    parser.add_argument("--vnpay-ipn-url", default="", help="the merchant's VNPAY IPN URL")
    parser.add_argument("--momo-partner", default="MOMOEDOC")
    parser.add_argument("--momo-access-key", default="edoc-test-access")
    parser.add_argument("--momo-secret", required=True)
    config = parser.parse_args(argv)
    handler = type("BoundHandler", (Handler,), {"state": State(), "config": config})
    server = ThreadingHTTPServer(("127.0.0.1", config.port), handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    serve_until_interrupted(server)
