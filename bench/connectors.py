#!/usr/bin/env python
"""Benchmark: document exchange between two eDoc instances, end to end, against a raw HTTP POST
of the same payload between the same two processes; and the edXML parse of that payload against
a bare defusedxml parse.

    DATABASE_URL=postgres://… REDIS_URL=redis://… \\
        .venv/bin/python bench/connectors.py [--messages 30] [--raw 200] [--write-docs]

The two instances are those of the tests (tests/connectors/instances.py): A (Sở Y tế) and B
(UBND), each with its own PostgreSQL database, `runserver --noreload`, Celery worker on its own
Redis database and `connectors_deliver` sweep. N outgoing plans are drafted and submitted on A
beforehand (REST API); the clock runs from the first issuance (`POST /api/documents/<id>/
issue/`, one after the other, as a clerk would) until A has every 01 back: issue → outbox →
A's worker POSTs to B → B authenticates, parses, verifies the PDF, stores the arrival, queues
01 → B's worker POSTs 01 to A → A records it. The latency of one message is read from A's
database: outbox row written → its 01 stored.

Raw: A's process (`manage.py shell` with A's settings) POSTs the same payload with `requests`
(as the transport does, a new connection each time) to B's server, at a URL that matches no
view (404): B's runserver reads the body and answers; nothing is stored. Parse: the payload
through `connectors.edxml.parse_message` against `defusedxml.ElementTree.fromstring`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from edxml_parse import median_ms  # noqa: E402 (django.setup() on import)
from search_support import code_version, log, percentile, replace_section, table  # noqa: E402

from connectors.edxml import parse_message  # noqa: E402
from tests.conftest import make_pdf  # noqa: E402
from tests.connectors.instances import (  # noqa: E402
    UBND,
    missing_services,
    pair_create,
    pair_drop,
    wait_for,
)

KEY = "bench/connectors.py"
SETTINGS = {"EDOC_EXCHANGE_RETRY_SECONDS": "1", "EDOC_EXCHANGE_MAX_ATTEMPTS": "40"}

RAW = """
import json, time, requests
payload = open(%(payload)r, "rb").read()
times = []
for _ in range(%(runs)d):
    started = time.perf_counter()
    answer = requests.post(%(url)r, data=payload, timeout=30,
                           headers={"Content-Type": "application/xml; charset=utf-8"})
    times.append(time.perf_counter() - started)
    assert answer.status_code == 404, answer.status_code
print(json.dumps(times))
"""


def back(a, code: str) -> int:
    return a.query("select count(*) from connectors_statusentry where code = %s", (code,))[0][0]


def exchange(pair, count: int) -> dict:
    """Issue `count` ready documents on A one after the other; time until every 01 is back."""
    a = pair.a
    drafts = [
        a.draft(
            f"Kế hoạch đo liên thông số {n + 1}",
            make_pdf(["SỞ Y TẾ", f"Kế hoạch số {n + 1}", uuid.uuid4().hex]),
            to=UBND,
        )
        for n in range(count)
    ]
    before = back(a, "01")
    started = time.perf_counter()
    for document in drafts:
        a.issue_draft(document)
    issued = time.perf_counter() - started
    assert wait_for(lambda: back(a, "01") == before + count, 300, step=0.05)
    elapsed = time.perf_counter() - started
    latencies = [
        row[0]
        for row in a.query(
            "select extract(epoch from s.received_at - m.created_at) "
            "from connectors_statusentry s join connectors_outboxmessage m on m.id = s.message_id "
            "where s.code = '01' and m.document_id = any(%s)",
            (drafts,),
        )
    ]
    return {"issued": issued, "elapsed": elapsed, "latencies": [float(x) for x in latencies]}


def backlog(pair, count: int) -> dict:
    """`count` documents issued while A's worker and sweep are stopped (the outbox fills), then
    A's worker alone started: how fast the pipeline empties, from the first 01 back to the last
    (the worker's start-up left out)."""
    a = pair.a
    a.stop(only=("worker", "sweeper"))
    drafts = [
        a.draft(f"Kế hoạch tồn đọng số {n + 1}", make_pdf([uuid.uuid4().hex]), to=UBND)
        for n in range(count)
    ]
    before = back(a, "01")
    for document in drafts:
        a.issue_draft(document)
    a.start_worker()
    assert wait_for(lambda: back(a, "01") == before + count, 300, step=0.05)
    a.start_sweeper()
    [(span,)] = a.query(
        "select extract(epoch from max(s.received_at) - min(s.received_at)) "
        "from connectors_statusentry s join connectors_outboxmessage m on m.id = s.message_id "
        "where s.code = '01' and m.document_id = any(%s)",
        (drafts,),
    )
    return {"span": float(span), "rate": (count - 1) / float(span)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--raw", type=int, default=200)
    parser.add_argument("--parse-runs", type=int, default=300)
    parser.add_argument("--write-docs", action="store_true")
    options = parser.parse_args()
    if missing_services():
        sys.exit(f"needs {missing_services()}")

    home = Path(tempfile.mkdtemp(prefix="edoc-bench-connectors-"))
    log("creating and seeding the two instances …")
    pair = pair_create(home, signing=False, **SETTINGS)
    try:
        for instance in pair:
            instance.start()
        log("warming up (one message each way) …")
        exchange(pair, 1)
        log(f"exchanging {options.messages} messages …")
        result = exchange(pair, options.messages)
        log(f"a backlog of {options.messages} messages …")
        queued = backlog(pair, options.messages)
        payload = bytes(
            pair.a.query(
                "select payload from connectors_outboxmessage where kind = 'document' "
                "order by id desc limit 1"
            )[0][0]
        )
        (home / "payload.edxml").write_bytes(payload)
        log(f"raw POSTs ({options.raw}) …")
        raw = pair.a.python(
            RAW
            % {
                "payload": str(home / "payload.edxml"),
                "runs": options.raw,
                "url": pair.b.url + "/bench-raw-post/",
            }
        )
    finally:
        pair_drop(pair)

    from defusedxml.ElementTree import fromstring

    parse_message(payload)  # warm up
    bare_ms = median_ms(lambda data: fromstring(data, forbid_dtd=True), payload, options.parse_runs)
    ours_ms = median_ms(parse_message, payload, options.parse_runs)

    count, elapsed = options.messages, result["elapsed"]
    raw_total = sum(raw)
    edoc_rate, raw_rate = count / elapsed, len(raw) / raw_total
    latencies = result["latencies"]
    body = "\n".join(
        [
            f"Run {datetime.date.today():%Y-%m-%d} on {os.cpu_count()} cores, code "
            f"{code_version()}: `DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python "
            f"bench/connectors.py --messages {count} --raw {len(raw)} --write-docs`. Payload: "
            f"{len(payload) / 1024:.1f} KB (a one-page PDF zipped in base64).",
            "",
            table(
                ["measure", "eDoc", "raw / bare", "ratio (eDoc ÷ raw)"],
                [
                    [
                        "messages per second, A → B",
                        f"{edoc_rate:.2f} msg/s ({count} issued and every 01 back in "
                        f"{elapsed:.1f} s; the issuance calls {result['issued']:.1f} s)",
                        f"{raw_rate:.1f} POST/s ({len(raw)} POSTs, median "
                        f"{statistics.median(raw) * 1000:.1f} ms)",
                        f"{edoc_rate / raw_rate:.3f}× the rate",
                    ],
                    [
                        "messages per second, A's outbox full, one worker",
                        f"{queued['rate']:.2f} msg/s (first to last of {count} 01s back: "
                        f"{queued['span']:.1f} s)",
                        f"{raw_rate:.1f} POST/s",
                        f"{queued['rate'] / raw_rate:.3f}× the rate",
                    ],
                    [
                        "one message: outbox row → its 01 stored at A",
                        f"median {statistics.median(latencies):.2f} s, p95 "
                        f"{percentile(latencies, 95):.2f} s",
                        f"{statistics.median(raw) * 1000:.1f} ms (one POST)",
                        f"{statistics.median(latencies) / statistics.median(raw):.0f}× the time",
                    ],
                    [
                        f"parse the payload ({options.parse_runs} runs, median)",
                        f"{ours_ms:.2f} ms (`parse_message`)",
                        f"{bare_ms:.2f} ms (`defusedxml` fromstring)",
                        f"{ours_ms / bare_ms:.1f}× the time",
                    ],
                ],
            ),
        ]
    )
    print(body)
    if options.write_docs:
        replace_section(KEY, "Document exchange between two instances (bench/connectors.py)", body)


if __name__ == "__main__":
    main()
