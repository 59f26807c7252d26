#!/usr/bin/env python
"""Benchmark: VNPAY IPNs handled per second by `payments.services.callback_process` against a
bare HMAC-SHA512 check plus one UPDATE, on PostgreSQL.

    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc \\
        .venv/bin/python bench/payments.py [--orders 2000] [--write-docs]

The script never touches the database DATABASE_URL names: it creates its own test database
(`edoc_bench_payments` on the same server), migrates it and drops it at the end.

Ours, per IPN: the raw callback stored first (INSERT), the signature verified (VNPAY's
HMAC-SHA512 over the sorted, URL-encoded parameters), the order's row locked, amount, state and
replay window checked, the order marked paid, a receipt numbered under its counter's row lock,
the callback's outcome recorded and two audit entries appended to the hash chain. Orders here
pay a generic obligation (no dossier: the one-stop settlement is not measured), each started
like `order_start` does (a payment attempt named by its code, which the IPN finds the order
through and marks paid). The replay
pass sends every IPN again (answered 02, nothing credited). Bare, per IPN: the same HMAC check
and `UPDATE … SET state = 'paid' WHERE code = %s AND state = 'pending'` in autocommit.
One process, sequential. A Markdown report on stdout; --write-docs replaces its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import hmac
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/payments.py: begin -->"
END = "<!-- bench/payments.py: end -->"
TMN, SECRET = "EDOCBENCH", "bench-secret-0123456789ABCDEF"
BENCH_DB = "edoc_bench_payments"


def _orders(prefix: str, count: int, *, attempts: bool = False) -> list[str]:
    """`count` pending VNPAY orders; with `attempts`, each started like `order_start` does
    (its payment attempt named by the order's code, which the IPN then marks paid)."""
    from edoc.models import Agency
    from payments.models import OrderState, PaymentAttempt, PaymentOrder

    agency = Agency.objects.first() or Agency.objects.create(
        name="Sở Y tế Đồng Nai", short_name="SYT", code="000.00.23.H19"
    )
    expires = timezone.now() + datetime.timedelta(hours=2)
    orders = [
        PaymentOrder(
            code=f"{prefix}{index:08d}",
            agency=agency,
            obligation=f"bench:{prefix}:{index}",
            purpose="Phí thẩm định hồ sơ",
            payer_name="Nguyễn Văn An",
            amount=360_000,
            state=OrderState.PENDING,
            provider="vnpay",
            expires_at=expires,
        )
        for index in range(count)
    ]
    PaymentOrder.objects.bulk_create(orders, batch_size=1000)
    if attempts:
        PaymentAttempt.objects.bulk_create(
            [
                PaymentAttempt(
                    order=order, provider="vnpay", reference=order.code, created_at=timezone.now()
                )
                for order in orders
            ],
            batch_size=1000,
        )
    return [order.code for order in orders]


def _ipn(code: str, number: int) -> dict[str, str]:
    from payments.providers.vnpay import secure_hash, vnpay_time

    params = {
        "vnp_Amount": "36000000",
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Phi tham dinh ho so",
        "vnp_PayDate": vnpay_time(timezone.now()),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": str(14_000_000 + number),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": code,
    }
    return {**params, "vnp_SecureHash": secure_hash(params, SECRET)}


def _rate(function, items: list) -> tuple[float, list]:
    started = time.perf_counter()
    results = [function(item) for item in items]
    return len(items) / (time.perf_counter() - started), results


def measure(count: int) -> dict[str, float]:
    from django.test.utils import CaptureQueriesContext

    from payments.models import Receipt
    from payments.providers.base import register_provider
    from payments.providers.vnpay import VnpayProvider, secure_hash
    from payments.services import callback_process

    register_provider(VnpayProvider(tmn_code=TMN, hash_secret=SECRET, payment_url="x", api_url="x"))
    ours = [_ipn(code, n) for n, code in enumerate(_orders("TTB", count + 1, attempts=True))]
    bare = [_ipn(code, n) for n, code in enumerate(_orders("TTR", count))]
    callback_process("vnpay", _ipn("TTB-warm-up", 0), "127.0.0.1")  # imports, caches

    def handle(params: dict[str, str]) -> str:
        return callback_process("vnpay", params, "127.0.0.1").code

    with CaptureQueriesContext(connection) as queries:  # one more, counted
        assert handle(ours.pop()) == "00"
    ours_rate, answers = _rate(handle, ours)
    assert set(answers) == {"00"}, set(answers)
    replay_rate, answers = _rate(handle, ours)
    assert set(answers) == {"02"} and Receipt.objects.count() == count + 1

    def bare_handle(params: dict[str, str]) -> int:
        signed = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
        if not hmac.compare_digest(secure_hash(signed, SECRET), params["vnp_SecureHash"]):
            raise AssertionError("bad signature")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE payments_paymentorder SET state = 'paid' "
                "WHERE code = %s AND state = 'pending'",
                [params["vnp_TxnRef"]],
            )
            return cursor.rowcount

    bare_rate, updated = _rate(bare_handle, bare)
    assert set(updated) == {1}
    return {"ours": ours_rate, "replay": replay_rate, "bare": bare_rate, "queries": len(queries)}


def report(count: int, rates: dict[str, float]) -> str:
    version = connection.cursor().connection.info.server_version
    facts = {
        "CPU": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "Python": platform.python_version(),
        "PostgreSQL": f"{version // 10000}.{version % 10000}",
    }
    ratio = rates["ours"] / rates["bare"]
    return "\n".join(
        [
            BEGIN,
            "## Payment callbacks (`bench/payments.py`)",
            "",
            f"{count} VNPAY IPNs for {count} pending orders, one process, sequential, on "
            f"PostgreSQL ({timezone.localdate():%Y-%m-%d}); "
            + ", ".join(f"{key}: {value}" for key, value in facts.items())
            + ".",
            "",
            "| path | IPNs per second |",
            "|---|---:|",
            f"| bare: HMAC-SHA512 check + one UPDATE | {rates['bare']:,.0f} |",
            f"| ours, first delivery (stored raw, verified, locked, paid, receipt numbered, "
            f"audited twice) | {rates['ours']:,.0f} |",
            f"| ours, the same IPN again (answered 02) | {rates['replay']:,.0f} |",
            "",
            f"Ours handles {ratio:.2f}× the bare rate (1 : {1 / ratio:.1f}): an accepted IPN is "
            f"{rates['queries']} SQL statements (savepoints included) — the callback log's insert "
            "and update, the order's lock (one SELECT … FOR UPDATE through its payment "
            "attempt) and update, the attempt marked paid, the receipt counter's locked update "
            "and the receipt, two audit entries on the chain's locked head — against one "
            "UPDATE.",
            "",
            "Reproduce: `DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc "
            f".venv/bin/python bench/payments.py --orders {count}` (it creates, migrates and "
            "drops its own database `edoc_bench_payments` on that server; `--write-docs` "
            "rewrites this section).",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://… (the benchmark measures PostgreSQL).")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        text = report(args.orders, measure(args.orders))
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    print(text)
    if args.write_docs:
        docs = DOCS.read_text(encoding="utf-8")
        if BEGIN in docs:
            pattern = re.escape(BEGIN) + ".*?" + re.escape(END)
            docs = re.sub(pattern, lambda _match: text, docs, flags=re.S)
        else:
            docs = docs.rstrip("\n") + "\n\n" + text + "\n"
        DOCS.write_text(docs, encoding="utf-8")


if __name__ == "__main__":
    main()
