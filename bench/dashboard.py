#!/usr/bin/env python
"""Benchmark: the operations dashboard's panels (issue 15) at the issue's volumes on PostgreSQL,
each panel's context function against a bare aggregate SQL giving the same numbers.

    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc \\
        .venv/bin/python bench/dashboard.py [--scale 1.0] [--runs 9] [--keep] [--write-docs]

It never touches the database DATABASE_URL names: it creates its own (`edoc_bench_dashboard`,
`search_support.bench_environment`), migrates it, loads the demo organisation
(`seed_demo --organisation-only`) and procedures (`seed_procedures`), then COPYs, at `--scale`
of the issue's volumes: 1,000,000 documents (60 % incoming over the last three years, with a
lead assignment to one of the demo's units by a leader, a handling deadline for 80 %, and a
"completed" event for the completed ones; 40 % outgoing, 90 % of them issued), 200,000 dossiers
(the demo's procedures, online or at the counter, appointment from the procedure's days, 85 %
processed, 90 % of those on time), a paid payment order for 40 % of the dossiers, and
3,000,000 health records (`bench/health_tables.populate`). Ids follow time, as registering
and receiving give them (a month's rows sit together in the table). Rows are shaped as the
services write them, but these service steps are skipped: register books and numbers, files, audit
entries, workflow runs, access grants, arrivals and outbox messages (so the "electronic" counts
are 0), recipients and signature records, dossier papers/events/receipts, and refunds.

Then for a director and a unit head, alternately over `--runs` runs, it times each panel's
context function (the one the panel's view calls: `dashboard.registry.panel_get(key).context`)
over the last 30 days, and one bare SQL per panel that computes its headline numbers (checked
equal to the director's panel), and prints p50/p95. The database is dropped at the end unless
`--keep` (for inspection).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_support import bench_environment, log, machine_facts, replace_section  # noqa: E402

BENCH_DB = os.environ.get("BENCH_DB", "edoc_bench_dashboard")  # another name: parallel runs
VOLUMES = {"documents": 1_000_000, "dossiers": 200_000, "health": 3_000_000}
SPAN_DAYS = 3 * 365
PANELS = ("documents", "services", "payments", "health")

BARE_DOCUMENTS = """
WITH d AS (
  SELECT doc.status, doc.deadline,
    (doc.handled_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS handled_on
  FROM edoc_document doc
  WHERE doc.direction = 'incoming' AND doc.received_at >= %(start)s AND doc.received_at < %(end)s
)
SELECT count(*),
  count(*) FILTER (WHERE status = 'completed' AND (deadline IS NULL OR handled_on <= deadline)),
  count(*) FILTER (WHERE status = 'completed' AND deadline IS NOT NULL AND handled_on > deadline),
  count(*) FILTER (WHERE status IN ('registered', 'in_progress') AND deadline < %(today)s),
  count(*) FILTER (WHERE status IN ('registered', 'in_progress')
                   AND (deadline IS NULL OR deadline >= %(today)s)),
  (SELECT count(*) FROM edoc_document WHERE direction = 'outgoing' AND status = 'issued'
     AND issued_at >= %(start)s AND issued_at < %(end)s)
FROM d
"""
BARE_SERVICES = """
SELECT
  count(*) FILTER (WHERE submitted_at >= %(start)s AND submitted_at < %(end)s
                   AND channel = 'online'),
  count(*) FILTER (WHERE submitted_at >= %(start)s AND submitted_at < %(end)s
                   AND channel = 'counter'),
  count(*) FILTER (WHERE finished_at >= %(start)s AND finished_at < %(end)s
                   AND finished_at <= due_at),
  count(*) FILTER (WHERE finished_at >= %(start)s AND finished_at < %(end)s
                   AND finished_at > due_at),
  count(*) FILTER (WHERE status IN (1, 2, 4, 5, 6) AND submitted_at < %(end)s
                   AND due_at < %(now)s)
FROM onestop_dossier
WHERE agency_id = %(agency)s AND status <> 0
"""
BARE_PAYMENTS = """
SELECT count(*), coalesce(sum(amount), 0) FROM payments_paymentorder
WHERE agency_id = %(agency)s AND state IN ('paid', 'refunded', 'partially_refunded')
  AND paid_at >= %(start)s AND paid_at < %(end)s
"""


def _copy(table: str, columns: tuple[str, ...], rows) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _setval(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def chronological(count: int, rng: random.Random, now: datetime.datetime) -> list:
    """`count` random moments of the last SPAN_DAYS, oldest first: ids follow the order in which
    documents are registered and dossiers received, as the services give them (a month's rows
    then sit together in the table, as they do in a real one)."""
    offsets = sorted((rng.randrange(SPAN_DAYS * 86400) for _ in range(count)), reverse=True)
    return [now - datetime.timedelta(seconds=offset) for offset in offsets]


def populate_documents(count: int, rng: random.Random, now: datetime.datetime) -> dict:
    from edoc.models import Agency, Confidentiality, Unit, Urgency, User
    from edoc.models.organisation import Role

    agency = Agency.objects.first()
    units = list(Unit.objects.filter(agency=agency, is_active=True).values_list("pk", flat=True))
    users = {}
    for pk, unit_id in User.objects.filter(unit_id__in=units).values_list("pk", "unit_id"):
        users.setdefault(unit_id, []).append(pk)
    units = [unit for unit in units if unit in users]
    leaders = list(
        User.objects.filter(role__in=(Role.DIRECTOR, Role.DEPUTY_DIRECTOR)).values_list(
            "pk", flat=True
        )
    )
    clerk = User.objects.filter(role=Role.CLERK).order_by("pk").first()
    registry_unit = clerk.unit_id
    confidentiality = Confidentiality.objects.order_by("level").first().pk
    urgency = Urgency.objects.order_by("pk").first().pk
    assignments: list[tuple] = []
    events: list[tuple] = []
    moments = chronological(count, rng, now)

    def documents():
        for pk, moment in enumerate(moments, start=1):
            unit = rng.choice(units)
            if rng.random() < 0.6:  # incoming
                deadline = (moment + datetime.timedelta(days=rng.randint(5, 20))).date()
                deadline = deadline if rng.random() < 0.8 else None
                age = (now - moment).days
                roll = rng.random()
                if age > 45:
                    status = "completed" if roll < 0.95 else "in_progress"
                else:
                    status = (
                        "registered"
                        if roll < 0.15
                        else "in_progress"
                        if roll < 0.6
                        else "completed"
                    )
                # The handling facts the services store on the document (edoc.selectors.handling).
                handling_unit = leader = done = None
                if status != "registered":
                    handling_unit, leader = unit, rng.choice(leaders)
                    assignments.append(
                        ("lead", "completed" if status == "completed" else "pending", None, "",
                         moment + datetime.timedelta(hours=2), leader, pk, unit)
                    )  # fmt: skip
                if status == "completed":
                    days = rng.randint(1, 14) if rng.random() < 0.85 else rng.randint(15, 40)
                    done = min(moment + datetime.timedelta(days=days), now)
                    events.append(("completed", "", done, rng.choice(users[unit]), pk))
                yield (
                    pk, "incoming", status, str(pk), "UBND", "UBND tỉnh Đồng Nai", "", None,
                    f"Văn bản đến thử {pk}", "", "", "", deadline, moment, False, "{}", None,
                    moment, moment, agency.pk, confidentiality, clerk.pk, registry_unit, urgency,
                    done, handling_unit, leader,
                )  # fmt: skip
            else:
                issued = rng.random() < 0.9
                yield (
                    pk, "outgoing", "issued" if issued else "draft", str(pk) if issued else "",
                    "SYT-VP", "", "", None, f"Văn bản đi thử {pk}", "", "", "", None, None, False,
                    "{}", moment if issued else None, moment, moment, agency.pk, confidentiality,
                    rng.choice(users[unit]), unit, urgency, None, None, None,
                )  # fmt: skip

    _copy(
        "edoc_document",
        ("id", "direction", "status", "number", "notation", "issuer", "place", "issue_date",
         "subject", "signer_name", "signer_position", "note", "deadline", "received_at",
         "is_possible_duplicate", "extraction_proposal", "issued_at", "created_at", "updated_at",
         "agency_id", "confidentiality_id", "created_by_id", "owner_unit_id", "urgency_id",
         "handled_at", "handling_unit_id", "assigning_leader_id"),
        documents(),
    )  # fmt: skip
    _copy(
        "edoc_assignment",
        ("role", "status", "deadline", "directive", "created_at", "assigned_by_id",
         "document_id", "unit_id"),
        assignments,
    )  # fmt: skip
    _copy(
        "edoc_documentevent",
        ("action", "comment", "created_at", "actor_id", "document_id"),
        events,
    )
    _setval("edoc_document")
    return {"documents": count, "assignments": len(assignments), "events": len(events)}


def populate_dossiers(count: int, rng: random.Random, now: datetime.datetime) -> dict:
    from onestop.models import Procedure

    procedures = list(Procedure.objects.values_list("pk", "agency_id", "processing_days", "fee"))
    orders: list[tuple] = []

    moments = chronological(count, rng, now)

    def dossiers():
        for pk, submitted in enumerate(moments, start=1):
            procedure, agency, days, fee = rng.choice(procedures)
            due = submitted + datetime.timedelta(days=float(days or 5) * 1.4)
            roll = rng.random()
            status, finished = 9, None
            if (now - submitted).days < 60 and roll < 0.4:
                status = rng.choice((1, 2, 4, 5, 6))
            elif roll < 0.03:
                status = 3
            else:
                late = rng.random() >= 0.9
                finished = (
                    (due + datetime.timedelta(days=rng.randint(1, 10)))
                    if late
                    else (submitted + (due - submitted) * rng.random())
                )
                finished = min(finished, now)
            channel = "online" if rng.random() < 0.6 else "counter"
            if rng.random() < 0.4:
                paid = submitted + datetime.timedelta(minutes=rng.randint(1, 600))
                provider = rng.choice(("vnpay", "vietqr", "cash", "vnpay", "vietqr"))
                orders.append(
                    (f"BENCH{pk:09d}", f"dossier:{pk}", "Lệ phí", "Người nộp", fee or 50_000,
                     "paid", provider, "", paid, paid + datetime.timedelta(days=1), paid,
                     agency, pk)
                )  # fmt: skip
            yield (
                pk, f"BENCH-{pk:09d}", channel, status, f"Người nộp {pk}", "", "", "", "",
                submitted, submitted, due, None, 0, finished, None, "", fee or 0, "",
                f"{pk:016x}", f"bench-{pk}", submitted, submitted, agency, procedure,
            )  # fmt: skip

    _copy(
        "onestop_dossier",
        ("id", "code", "channel", "status", "applicant_name", "applicant_phone",
         "applicant_id_number", "applicant_email", "applicant_address", "submitted_at",
         "received_at", "due_at", "paused_at", "paused_working_days", "finished_at",
         "returned_at", "return_channel", "fee_amount", "fee_status", "tracking_nonce",
         "draft_key", "created_at", "updated_at", "agency_id", "procedure_id"),
        dossiers(),
    )  # fmt: skip
    _copy(
        "payments_paymentorder",
        ("code", "obligation", "purpose", "payer_name", "amount", "state", "provider",
         "provider_reference", "created_at", "expires_at", "paid_at", "agency_id", "dossier_id"),
        orders,
    )  # fmt: skip
    _setval("onestop_dossier")
    _setval("payments_paymentorder")
    return {"dossiers": count, "payments": len(orders)}


def populate(scale: float, keys: tuple[str, ...] = PANELS) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from health_tables import populate as populate_health

    call_command("seed_demo", "--organisation-only", verbosity=0)
    call_command("seed_procedures", verbosity=0)
    rng, now = random.Random(15), timezone.now()
    counts = {}
    started = time.perf_counter()
    counts.update(populate_documents(int(VOLUMES["documents"] * scale), rng, now))
    log(f"documents in {time.perf_counter() - started:.0f} s")
    counts.update(populate_dossiers(int(VOLUMES["dossiers"] * scale), rng, now))
    log(f"dossiers in {time.perf_counter() - started:.0f} s")
    if "health" in keys:  # the slowest to load: only when its panel is measured
        health = populate_health(int(VOLUMES["health"] * scale))
        counts["health"] = health["people"]
        log(f"health in {time.perf_counter() - started:.0f} s")
    else:
        counts["health"] = 0
    with connection.cursor() as cursor:
        for table in ("edoc_document", "edoc_assignment", "edoc_documentevent",
                      "onestop_dossier", "payments_paymentorder"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    return counts


def subjects() -> dict:
    """The director and a unit head (the demo's head of the medical affairs unit), each with a
    health assignment (province; the Biên Hòa district)."""
    from edoc.models import User
    from edoc.models.organisation import Role
    from health.models import AdminUnit, HealthAssignment

    director = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    head = User.objects.get(username="truongphong")
    province = AdminUnit.objects.filter(edition="2008", level="province", code="75").first()
    district = AdminUnit.objects.filter(edition="2008", level="district", code="731").first()
    if province and district:  # loaded with the health records (not without the health panel)
        HealthAssignment.objects.get_or_create(user=director, scope="province", area=province)
        HealthAssignment.objects.get_or_create(user=head, scope="district", area=district)
    return {
        "director": User.objects.get(pk=director.pk),
        "unit head": User.objects.get(pk=head.pk),
    }


def _bare(sql: str, params: dict) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bare_functions(agency: int, filters) -> dict:
    from django.utils import timezone
    from health_tables import BARE_SQL as BARE_HEALTH

    from health import reports

    bounds = filters.range.bounds
    params = {
        "start": bounds.start, "end": bounds.end, "today": timezone.localdate(),
        "now": timezone.now(), "agency": agency, "on": filters.range.date_to,
        "until": reports.day_end(filters.range.date_to),
    }  # fmt: skip
    return {
        "documents": lambda: _bare(BARE_DOCUMENTS, params),
        "services": lambda: _bare(BARE_SERVICES, params),
        "payments": lambda: _bare(BARE_PAYMENTS, params),
        "health": lambda: _bare(BARE_HEALTH, params),
    }


def check(contexts: dict, bare: dict) -> None:
    """The director's panels and the bare SQL give the same headline numbers."""
    if "documents" not in contexts:
        return check_rest(contexts, bare)
    documents = contexts["documents"]["current"]
    row = bare["documents"][0]
    ours = tuple(documents[k] for k in ("received", "on_time", "late", "overdue", "open", "issued"))
    assert ours == row, (ours, row)
    check_rest(contexts, bare)


def check_rest(contexts: dict, bare: dict) -> None:
    if "services" not in contexts:
        return check_health(contexts, bare)
    services = contexts["services"]["current"]
    ours = tuple(
        services[k] for k in ("received_online", "received_counter", "on_time", "late", "overdue")
    )
    assert ours == bare["services"][0], (ours, bare["services"][0])
    if "payments" in contexts:
        total = contexts["payments"]["report"].total
        assert (total.count, total.amount) == bare["payments"][0], (total, bare["payments"])
    check_health(contexts, bare)


def check_health(contexts: dict, bare: dict) -> None:
    if "health" not in contexts:
        return
    managed = contexts["health"]["total"].managed
    assert managed == sum(r[1] for r in bare["health"]), (managed, bare["health"])


def measure(runs: int, keys: tuple[str, ...] = PANELS) -> dict:
    from dashboard.filters import Filters, default_range
    from dashboard.registry import panel_get

    filters = Filters(default_range())
    people = subjects()
    agency = people["director"].unit.agency_id
    bare = {k: f for k, f in bare_functions(agency, filters).items() if k in keys}
    contexts = {key: panel_get(key).context(people["director"], filters) for key in keys}
    check(contexts, {key: function() for key, function in bare.items()})
    timings: dict[tuple[str, str], list[float]] = {}
    for _run in range(runs):
        for key in keys:
            for who, user in people.items():
                started = time.perf_counter()
                panel_get(key).context(user, filters)
                timings.setdefault((key, who), []).append(time.perf_counter() - started)
            started = time.perf_counter()
            bare[key]()
            timings.setdefault((key, "bare SQL"), []).append(time.perf_counter() - started)
    return {"timings": timings, "filters": filters, "contexts": contexts}


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def explain_slowest(result: dict, key: str) -> str:
    """EXPLAIN ANALYZE of the slowest SQL statement of one panel (the director's), captured
    while it runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard.registry import panel_get

    director = subjects()["director"]
    with CaptureQueriesContext(connection) as captured:
        panel_get(key).context(director, result["filters"])
    slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return (
        f"{key} panel (director), {len(captured.captured_queries)} statements; the slowest "
        f"took {float(slowest['time']):.3f} s:\n\n```sql\n{slowest['sql'][:2500]}\n```\n\n"
        f"```\n{plan}\n```"
    )


def report(scale: float, counts: dict, result: dict, runs: int, load_seconds: float) -> str:
    timings = result["timings"]
    rows = []
    misses, missing = [], []
    for key in [key for key in PANELS if (key, "bare SQL") in timings]:
        for who in ("director", "unit head", "bare SQL"):
            values = timings[(key, who)]
            p50, p95 = _p(values, 50), _p(values, 95)
            rows.append(f"| {key} | {who} | {p50 * 1000:.0f} | {p95 * 1000:.0f} |")
            if who != "bare SQL" and p95 > 0.5:
                misses.append(f"{key} ({who}: p95 {p95 * 1000:.0f} ms)")
                if key not in missing:
                    missing.append(key)
    load = os.getloadavg()
    filters = result["filters"]
    measured = tuple(result["contexts"])
    panels = "" if set(measured) == set(PANELS) else f" --panels {','.join(measured)}"
    return "\n".join(
        [
            f"Scale {scale:g} of the issue's volumes ({scale * 100:g} %): "
            f"{counts['documents']:,} documents ({counts['assignments']:,} lead assignments, "
            f"{counts['events']:,} completion events), {counts['dossiers']:,} dossiers, "
            f"{counts['payments']:,} paid payment orders, {counts['health']:,} health records"
            + (f" (generated and COPYed in {load_seconds:,.0f} s)" if load_seconds else "")
            + f". Range {filters.range.date_from} – {filters.range.date_to} (the default 30 "
            f"days), {runs} runs each, alternating. Machine: {machine_facts('postgresql')}; "
            f"load average (1, 5, 15 min) {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} when "
            "written.",
            "",
            "| panel | who | p50 (ms) | p95 (ms) |",
            "|---|---|---:|---:|",
            *rows,
            "",
            "Ours: the panel's context function (`dashboard.registry.panel_get(key).context`, "
            "current and previous range, every table and chart of the panel); bare SQL: one "
            "hand-written statement giving the panel's headline numbers, no access filter "
            "(checked equal to the director's panel before timing).",
            "",
            "Panels missing the 500 ms target (p95): " + (", ".join(misses) or "none") + ".",
            "",
            *(
                [
                    "What stands in the way, from EXPLAIN ANALYZE of each missing panel's "
                    "slowest statement:",
                    "",
                    *[explain_slowest(result, key) + "\n" for key in missing],
                    "",
                ]
                if missing
                else []
            ),
            "Reproduce: `DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc "
            f".venv/bin/python bench/dashboard.py --scale {scale:g} --runs {runs}{panels} "
            "--write-docs` "
            f"(it creates, fills and drops its own database `{BENCH_DB}`; `--keep` keeps it).",
        ]
    )


def measure_kept(args: argparse.Namespace, keys: tuple[str, ...]) -> str:
    """Measure the database a `--keep` run left (its counts read back)."""
    import urllib.parse

    import django

    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/" + args.database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
    from edoc.models import Assignment, Document, DocumentEvent
    from health.models import Person
    from onestop.models import Dossier
    from payments.models import PaymentOrder

    counts = {
        "documents": Document.objects.count(),
        "assignments": Assignment.objects.count(),
        "events": DocumentEvent.objects.count(),
        "dossiers": Dossier.objects.count(),
        "payments": PaymentOrder.objects.count(),
        "health": Person.objects.count(),
    }
    return report(args.scale, counts, measure(args.runs, keys), args.runs, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database a --keep run left, no load"
    )
    parser.add_argument("--panels", default=",".join(PANELS), help="comma-separated panel keys")
    parser.add_argument(
        "--database", default=BENCH_DB, help=f"the benchmark's own database (default {BENCH_DB})"
    )
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL=postgres://… (the benchmark measures PostgreSQL).")
    keys = tuple(args.panels.split(","))
    if args.reuse:
        text = measure_kept(args, keys)
    else:
        with bench_environment(args.database, keep=args.keep):
            started = time.perf_counter()
            counts = populate(args.scale, keys)
            load_seconds = time.perf_counter() - started
            log(f"loaded in {load_seconds:.0f} s: {counts}")
            result = measure(args.runs, keys)
            text = report(args.scale, counts, result, args.runs, load_seconds)
    print(text)
    if args.write_docs:
        replace_section("bench/dashboard.py", "Dashboard panels (issue 15)", text)


if __name__ == "__main__":
    main()
