#!/usr/bin/env python
"""Benchmark: the task inbox (page and API) and task completion on N running incoming processes.

    eval "$(bash .ci/services.sh)"
    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc \
        .venv/bin/python bench/workflows_inbox.py --processes 10000

The script never touches the database named in DATABASE_URL: it creates its own (`edoc_bench`)
on the same PostgreSQL server, migrates it, and drops it at the end (`--keep` keeps it). It
refuses SQLite unless `--allow-sqlite` (then a throwaway file under var/).

1. Data, through the real services only: an agency with ~30 units and ~200 users, the shipped
   definitions, then N incoming documents registered with `incoming_register` (no PDF; the
   auto-start definition starts a process for each), a share of them advanced with
   `work_item_complete` (assign, forward, handle) so that tasks sit at every step.
2. Reads, in-process with Django's test Client: GET /workflows/tasks/ and GET /api/tasks/ for a
   user with a few tasks, one with 100+ and a director with many group tasks; p50/p95 and SQL
   queries per request, against a raw baseline view (one plain query, minimal HTML/JSON)
   mounted with a throwaway URLconf.
3. Writes: `work_item_complete` of open handle/approve tasks against a bare UPDATE + INSERT per
   task.
4. A Markdown report on stdout; the block for this N in docs/benchmarks.md is replaced.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import types
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION_BEGIN = "<!-- bench/workflows_inbox.py: begin -->"
SECTION_END = "<!-- bench/workflows_inbox.py: end -->"
RUN_BEGIN = "<!-- workflows_inbox N={n}: begin -->"
RUN_END = "<!-- workflows_inbox N={n}: end -->"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Arguments and the benchmark's own database (before Django is set up).


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=10_000, help="running processes (N)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before those")
    parser.add_argument("--completions", type=int, default=500, help="tasks completed (each way)")
    parser.add_argument(
        "--workers", type=int, default=2, help="concurrent generating processes (default 2)"
    )
    parser.add_argument("--seed", type=int, default=20260424, help="random seed of the data")
    parser.add_argument("--db-name", default="edoc_bench", help="database created for the run")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on an existing database kept by --keep (no generation; for development)",
    )
    parser.add_argument(
        "--clone-to",
        type=int,
        default=0,
        help="after generating (or --reuse), copy the runs in SQL until this many processes "
        "(reads at volume; see clone_runs for what the copies skip)",
    )
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite (not useful)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.processes < 100:
        parser.error("--processes must be at least 100")
    return args


@dataclass
class BenchDatabase:
    """The benchmark's own database: its URL, and how to drop it."""

    url: str
    vendor: str
    name: str
    admin: dict[str, Any] | None = None  # psycopg connection of the server's original database

    def drop(self) -> None:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            return
        import psycopg

        with psycopg.connect(**self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def prepare_database(args: argparse.Namespace) -> BenchDatabase:
    """Create the benchmark's database next to the one DATABASE_URL names (never that one)."""
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL=postgres://user:password@host:port/db (a PostgreSQL server).")
    config = environ.Env.db_url_config(url)
    engine = config["ENGINE"]
    if "sqlite" in engine:
        if not args.allow_sqlite:
            sys.exit("Refusing to benchmark on SQLite; give a PostgreSQL DATABASE_URL.")
        path = str(ROOT / "var" / f"{args.db_name}.sqlite3")
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        return BenchDatabase(url=f"sqlite:///{path}", vendor="sqlite", name=path)
    if "postgresql" not in engine:
        sys.exit(f"Unsupported database engine {engine}; use PostgreSQL.")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db_name):
        sys.exit("--db-name: lower-case letters, digits and underscores only")
    if args.db_name == config["NAME"]:
        sys.exit("--db-name must differ from the database of DATABASE_URL")
    import psycopg

    admin = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": config["NAME"],
    }
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.db_name]
        ).fetchone()
        if args.reuse and not exists:
            sys.exit(f"--reuse: database {args.db_name} does not exist (run once with --keep)")
        if exists and not args.reuse:
            sys.exit(
                f"Database {args.db_name} already exists (left by --keep?). Drop it "
                f"(DROP DATABASE {args.db_name}) or pass --reuse to measure on it."
            )
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.db_name}"')
    parts = urllib.parse.urlsplit(url)
    bench_url = urllib.parse.urlunsplit(parts._replace(path="/" + args.db_name))
    return BenchDatabase(url=bench_url, vendor="postgresql", name=args.db_name, admin=admin)


def setup_django(database: BenchDatabase) -> None:
    """Django on the benchmark database, base settings, no e-mail or broker side effects."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.urls import get_resolver

    # Import every view now: a long run must not pick up code committed while it generates.
    get_resolver().url_patterns  # noqa: B018


# --- Everything below runs with Django set up.

OFFICES = [  # (name, abbreviation, unit heads, specialists)
    ("Văn phòng Sở", "VP", 1, 8),
    ("Phòng Nghiệp vụ Y", "NVY", 2, 16),
    ("Phòng Nghiệp vụ Dược", "NVD", 1, 12),
    ("Phòng Kế hoạch - Tài chính", "KHTC", 1, 11),
    ("Phòng Tổ chức cán bộ", "TCCB", 1, 8),
    ("Thanh tra Sở", "TTr", 2, 8),
    ("Phòng Quản lý hành nghề", "QLHN", 1, 9),
    ("Phòng Y tế dự phòng", "YTDP", 1, 9),
]
AFFILIATED = [  # (name, abbreviation, kind, specialists, commune stations below it)
    ("Bệnh viện Đa khoa Đồng Nai", "BVĐK", "hospital", 6, 0),
    ("Bệnh viện Nhi Đồng Nai", "BVNhi", "hospital", 5, 0),
    ("Bệnh viện Phổi Đồng Nai", "BVPhoi", "hospital", 3, 0),
    ("Bệnh viện Y dược cổ truyền", "BVYDCT", "hospital", 3, 0),
    ("Bệnh viện Da liễu", "BVDL", "hospital", 3, 0),
    ("Trung tâm Kiểm soát bệnh tật", "CDC", "affiliated", 6, 0),
    ("Chi cục An toàn vệ sinh thực phẩm", "ATVSTP", "affiliated", 4, 0),
    ("Trung tâm Y tế thành phố Biên Hòa", "TTYTBH", "health_centre", 4, 2),
    ("Trung tâm Y tế thành phố Long Khánh", "TTYTLK", "health_centre", 3, 1),
    ("Trung tâm Y tế huyện Trảng Bom", "TTYTTB", "health_centre", 3, 1),
    ("Trung tâm Y tế huyện Long Thành", "TTYTLT", "health_centre", 3, 1),
    ("Trung tâm Y tế huyện Nhơn Trạch", "TTYTNT", "health_centre", 3, 1),
    ("Trung tâm Y tế huyện Vĩnh Cửu", "TTYTVC", "health_centre", 3, 1),
    ("Trung tâm Y tế huyện Định Quán", "TTYTĐQ", "health_centre", 3, 0),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quang", "Ngọc", "Hữu", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long", "Mai"]
ISSUERS = [
    "Ủy ban nhân dân tỉnh Đồng Nai",
    "Bộ Y tế",
    "Sở Tài chính tỉnh Đồng Nai",
    "Sở Nội vụ tỉnh Đồng Nai",
    "Bảo hiểm xã hội tỉnh Đồng Nai",
    "Cục Quản lý Dược",
]
SUBJECTS = [
    "Về việc triển khai chuyển đổi số trong ngành y tế",
    "Về việc tăng cường phòng, chống dịch sốt xuất huyết",
    "Về việc báo cáo tình hình thực hiện kế hoạch năm",
    "Về việc kiểm tra công tác an toàn vệ sinh thực phẩm",
    "Về việc cử cán bộ tham dự tập huấn",
    "Về việc góp ý dự thảo quy chế phối hợp",
    "Về việc đấu thầu mua sắm thuốc tập trung",
    "Về việc thẩm định hồ sơ cấp chứng chỉ hành nghề",
]
# Where the runs stop, per registry: the step their newest tasks are at.
AGENCY_STAGES = {"assign": 0.04, "forward": 0.14, "handle": 0.62, "approve": 0.20}
UNIT_STAGES = {"unit_assign": 0.10, "handle": 0.70, "approve": 0.20}
AGENCY_SHARE = 0.75  # of the documents registered by the agency's clerks (the rest: units')
LEAD_PERSON_SHARE = 0.12  # the director assigns a person, not a unit (no forwarding step)
COORDINATORS = {0: 0.55, 1: 0.33, 2: 0.12}  # coordinating units per agency document


@dataclass
class Organisation:
    agency: Any
    admin: Any
    board: list[Any]
    offices: list[Any]  # units of the agency itself (VP first)
    affiliated: list[Any]  # units with their own books (hospitals, centres, stations)
    heads: dict[int, list[Any]]  # unit id -> its unit heads
    specialists: dict[int, list[Any]]  # unit id -> its specialists, the busiest first
    clerks: dict[int | None, list[Any]]  # registry unit id (None: agency) -> its clerks
    users: list[Any] = field(default_factory=list)


def _person(rng: random.Random, index: int) -> tuple[str, str]:
    return rng.choice(GIVEN), f"{FAMILY[index % len(FAMILY)]} {rng.choice(MIDDLE)}"


def build_organisation(rng: random.Random) -> Organisation:
    """An agency (Sở Y tế): its board, 8 offices and 21 units with their own books; 200 users."""
    from edoc.models import Agency, Unit, User
    from edoc.models.organisation import Role, UnitKind
    from workflows.shipped import install_shipped_definitions

    agency = Agency.objects.create(
        name="Sở Y tế Đồng Nai",
        short_name="SYT",
        code="000.00.23.H19",
        parent_name="UBND TỈNH ĐỒNG NAI",
        place_name="Đồng Nai",
    )
    made: list[Any] = []

    def user(unit: Any, role: str, position: str) -> Any:
        first, last = _person(rng, len(made))
        person = User.objects.create_user(  # no password: logins are forced, hashing is slow
            username=f"u{len(made) + 1:03d}_{role}",
            unit=unit,
            role=role,
            position=position,
            first_name=first,
            last_name=last,
        )
        made.append(person)
        return person

    board_unit = Unit.objects.create(
        agency=agency, name="Ban Giám đốc Sở", short_name="BGĐ", kind=UnitKind.BOARD
    )
    board = [user(board_unit, Role.DIRECTOR, "Giám đốc")] + [
        user(board_unit, Role.DEPUTY_DIRECTOR, "Phó Giám đốc") for _ in range(3)
    ]
    org = Organisation(agency, None, board, [], [], {}, {}, {None: []})
    for order, (name, short, heads, specialists) in enumerate(OFFICES, start=1):
        unit = Unit.objects.create(
            agency=agency, name=name, short_name=short, kind=UnitKind.OFFICE, sort_order=order
        )
        org.offices.append(unit)
        org.heads[unit.pk] = [user(unit, Role.UNIT_HEAD, "Trưởng phòng") for _ in range(heads)]
        org.specialists[unit.pk] = [
            user(unit, Role.SPECIALIST, "Chuyên viên") for _ in range(specialists)
        ]
    office = org.offices[0]
    org.clerks[None] = [user(office, Role.CLERK, "Văn thư") for _ in range(3)]
    org.admin = user(office, Role.ADMIN, "Quản trị hệ thống")

    def affiliated(name: str, short: str, kind: str, specialists: int, parent=None) -> Any:
        unit = Unit.objects.create(
            agency=agency, parent=parent, name=name, short_name=short, kind=kind
        )
        org.affiliated.append(unit)
        org.heads[unit.pk] = [user(unit, Role.UNIT_HEAD, "Giám đốc")]
        org.clerks[unit.pk] = [user(unit, Role.CLERK, "Văn thư")]
        org.specialists[unit.pk] = [
            user(unit, Role.SPECIALIST, "Chuyên viên") for _ in range(specialists)
        ]
        return unit

    for name, short, kind, specialists, stations in AFFILIATED:
        centre = affiliated(name, short, kind, specialists)
        for number in range(1, stations + 1):
            affiliated(
                f"Trạm Y tế xã {number} ({short})",
                f"TYT{number}{short[4:]}",
                UnitKind.COMMUNE_STATION,
                1,
                parent=centre,
            )
    org.users = made
    install_shipped_definitions(admin=org.admin, office=office)
    return org


def _weighted(rng: random.Random, shares: dict[Any, float]) -> Any:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _registry_weight(unit: Any) -> int:
    """A commune station receives fewer documents than a hospital or a district centre."""
    return 1 if unit.kind == "commune_station" else 3


def _zipf(rng: random.Random, people: list[Any]) -> Any:
    """Some specialists get much more work than others (weight 1/rank)."""
    return rng.choices(people, weights=[1 / (rank + 1) for rank in range(len(people))])[0]


@dataclass
class Generation:
    processes: int = 0
    registrations: int = 0
    completions: int = 0
    register_seconds: float = 0.0
    complete_seconds: float = 0.0
    seconds: float = 0.0
    stages: Counter = field(default_factory=Counter)

    @property
    def calls(self) -> int:
        return self.registrations + self.completions


def _retrying(call: Callable[[], Any], attempts: int = 5) -> Any:
    """A service call, again after a deadlock between parallel generators (rolled back whole)."""
    from django.db import OperationalError

    for attempt in range(attempts):
        try:
            return call()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class Generator:
    """N incoming documents through `incoming_register` and `work_item_complete` only."""

    def __init__(self, org: Organisation, rng: random.Random):
        from edoc.models import Confidentiality, DocumentType, Urgency

        self.org = org
        self.rng = rng
        self.types = list(DocumentType.objects.order_by("pk"))
        self.normal = Urgency.objects.get(code="normal")
        self.urgent = Urgency.objects.get(code="urgent")
        self.public = Confidentiality.objects.get(code="normal")
        self.stats = Generation()
        self.today = datetime.date.today()

    def _open_items(self, document: Any) -> list[Any]:
        from workflows.models import WorkItem

        return list(
            WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN)
            .select_related("assignee")
            .order_by("pk")
        )

    def _complete(self, item: Any, data: dict[str, Any] | None = None, comment: str = "") -> None:
        from workflows.services.processes import work_item_complete

        actor = item.assignee or item.candidates.order_by("pk").first()
        started = time.perf_counter()
        _retrying(
            lambda: work_item_complete(user=actor, work_item=item, data=data or {}, comment=comment)
        )
        self.stats.complete_seconds += time.perf_counter() - started
        self.stats.completions += 1

    def _register(self, index: int, registry: int | None) -> Any:
        from edoc.services.documents import incoming_register

        rng = self.rng
        document_type = rng.choice(self.types)
        abbreviation = document_type.abbreviation or "CV"
        subject = f"{rng.choice(SUBJECTS)} (đợt {index})"
        urgency = self.urgent if rng.random() < 0.15 else self.normal
        issuer = rng.choice(ISSUERS)
        issue_date = self.today - datetime.timedelta(days=rng.randint(0, 20))
        signer = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        clerk = rng.choice(self.org.clerks[registry])
        started = time.perf_counter()
        document = _retrying(
            lambda: incoming_register(
                user=clerk,
                subject=subject,
                urgency=urgency,
                confidentiality=self.public,
                document_type=document_type,
                number=str(index),
                notation=f"{abbreviation}-UBND",
                issuer=issuer,
                issue_date=issue_date,
                signer_name=signer,
            )
        )
        self.stats.register_seconds += time.perf_counter() - started
        self.stats.registrations += 1
        return document

    def one(self, index: int) -> None:
        rng, org = self.rng, self.org
        agency_registry = rng.random() < AGENCY_SHARE
        registry = (
            None
            if agency_registry
            else rng.choices(org.affiliated, weights=[_registry_weight(u) for u in org.affiliated])[
                0
            ].pk
        )
        stage = _weighted(rng, AGENCY_STAGES if agency_registry else UNIT_STAGES)
        document = self._register(index, registry)
        self.stats.processes += 1
        self.stats.stages[stage] += 1
        if stage in ("assign", "unit_assign"):
            return
        (first,) = self._open_items(document)
        deadline = self.today + datetime.timedelta(days=rng.randint(5, 30))
        if agency_registry:
            lead_unit = rng.choices(org.offices, weights=[3, 8, 5, 4, 2, 2, 3, 4])[0]
            data: dict[str, Any] = {"deadline": deadline}
            if rng.random() < LEAD_PERSON_SHARE:
                data["lead_user"] = _zipf(rng, org.specialists[lead_unit.pk])
            else:
                data["lead_unit"] = lead_unit
            others = [unit for unit in org.offices + org.affiliated if unit != lead_unit]
            count = _weighted(rng, COORDINATORS)
            data["coordinator_units"] = rng.sample(others, count)
            self._complete(first, data)
            if "lead_unit" in data:
                if stage == "forward":
                    return
                (forward,) = self._open_items(document)
                specialist = _zipf(rng, org.specialists[lead_unit.pk])
                self._complete(forward, {"to_user": specialist, "deadline": deadline})
        else:
            specialist = _zipf(rng, org.specialists[registry])
            self._complete(first, {"lead_user": specialist, "deadline": deadline})
        if stage == "forward":  # a person was assigned: no forwarding step, it is at handle
            self.stats.stages[stage] -= 1
            self.stats.stages["handle"] += 1
            return
        if stage == "handle":
            return
        for item in self._open_items(document):  # lead handler and coordinators
            self._complete(item, comment="Đã xử lý, đề nghị lãnh đạo phòng duyệt.")

    def run(self, count: int, *, start: int = 1) -> Generation:
        began = time.perf_counter()
        last = began
        for index in range(start, start + count):
            self.one(index)
            if time.perf_counter() - last > 30 or index == start + count - 1:
                last = time.perf_counter()
                done = index - start + 1
                rate = done / (last - began)
                log(
                    f"generated {done}/{count} processes ({rate:.1f}/s, "
                    f"{(count - done) / rate / 60:.1f} min left)"
                )
        self.stats.seconds += time.perf_counter() - began
        return self.stats


_FORKED: dict[str, Any] = {}


def _generate_part(seed: int, count: int, start: int) -> Generation:
    """One worker's share (a forked process with its own database connection)."""
    return Generator(_FORKED["org"], random.Random(seed)).run(count, start=start)


def generate(org: Organisation, count: int, *, seed: int, workers: int) -> Generation:
    """`count` processes through the services, by `workers` concurrent processes (like several
    clerks and leaders at work); each worker's data comes from its own seeded generator."""
    if workers <= 1:
        return Generator(org, random.Random(seed)).run(count)
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each forked worker opens its own connection
    _FORKED["org"] = org
    shares = [
        count // workers + (1 if worker < count % workers else 0) for worker in range(workers)
    ]
    starts = [1 + sum(shares[:worker]) for worker in range(workers)]
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(
            _generate_part,
            [
                (seed + worker, share, start)
                for worker, (share, start) in enumerate(zip(shares, starts, strict=True))
            ],
        )
    total = Generation()
    for part in parts:
        total.processes += part.processes
        total.registrations += part.registrations
        total.completions += part.completions
        total.register_seconds += part.register_seconds
        total.complete_seconds += part.complete_seconds
        total.stages.update(part.stages)
    total.seconds = time.perf_counter() - began
    return total


# --- Volume by copying: the runs the services made, copied in SQL (PostgreSQL only).

# (table, {column: table whose id offset it takes}); copied in this order in one transaction
# (the foreign keys are deferred). Documents, assignments, events, notifications, grants and
# audit entries are not copied: a copy points at its original's document.
CLONED = [
    ("viewflow_process", {"id": "viewflow_process", "parent_task_id": "viewflow_task"}),
    ("viewflow_task", {"id": "viewflow_task", "process_id": "viewflow_process"}),
    (
        "viewflow_task_previous",
        {
            "id": "viewflow_task_previous",
            "from_task_id": "viewflow_task",
            "to_task_id": "viewflow_task",
        },
    ),
    ("workflows_processrun", {"id": "workflows_processrun", "process_id": "viewflow_process"}),
    (
        "workflows_workitem",
        {
            "id": "workflows_workitem",
            "task_id": "viewflow_task",
            "run_id": "workflows_processrun",
            "batch": "viewflow_task",
        },
    ),
    (
        "workflows_workitem_candidates",
        {"id": "workflows_workitem_candidates", "workitem_id": "workflows_workitem"},
    ),
]
CLONE_BASE: dict[str, int] = {}  # table -> its largest id before copying (the originals)


def clone_runs(target: int) -> int:
    """Copy every run (viewflow process and tasks, run, work items, candidates) with ids offset
    by the table's largest id, until `target` processes: the copies keep their original's step,
    assignee, candidates, deadline and document, so inboxes grow in proportion. Returns the
    number of copies of each original."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflows_processrun")
        originals = cursor.fetchone()[0]
        copies = max(0, -(-target // originals) - 1)
        if not copies:
            return 0
        for table, _offsets in CLONED:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            CLONE_BASE[table] = cursor.fetchone()[0]
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, offsets in CLONED:
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "ORDER BY ordinal_position",
                    [table],
                )
                columns = [row[0] for row in cursor.fetchall()]
                values = [
                    f'"{column}" + k.n * {CLONE_BASE[offsets[column]]}'
                    if column in offsets
                    else f'"{column}"'
                    for column in columns
                ]
                names = ", ".join(f'"{column}"' for column in columns)
                started = time.perf_counter()
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {', '.join(values)} FROM {table}, "
                    f"generate_series(1, {copies}) AS k(n) WHERE id <= {CLONE_BASE[table]}"
                )
                seconds = time.perf_counter() - started
                log(f"cloned {table}: {cursor.rowcount:,} rows in {seconds:.1f} s")
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        cursor.execute("VACUUM ANALYZE")
    return copies


# --- Inbox sizes and the users we measure.


@dataclass
class Subject:
    label: str
    user: Any
    open_tasks: int
    claimable: int


def inbox_sizes(org: Organisation) -> dict[int, tuple[int, int]]:
    """Open tasks in each user's inbox: (all, of which unclaimed group tasks)."""
    from django.db.models import Count, Q

    from workflows.access import open_mine_ids
    from workflows.models import WorkItem

    sizes = {}
    for person in org.users:
        values = WorkItem.objects.filter(
            pk__in=open_mine_ids(person), status=WorkItem.Status.OPEN
        ).aggregate(all=Count("pk"), claimable=Count("pk", filter=Q(assignee__isnull=True)))
        sizes[person.pk] = (values["all"], values["claimable"])
    return sizes


def pick_subjects(org: Organisation, sizes: dict[int, tuple[int, int]]) -> list[Subject]:
    """Two specialists of the agency's offices, one with few tasks (~10) and one with 100+
    (~150), all their own (same role and kind of unit: the page's menu counts depend on those,
    so any difference in queries comes from the inbox size); and the director, whose inbox is
    unclaimed group tasks."""
    from edoc.models.organisation import Role, UnitKind

    people = {person.pk: person for person in org.users}
    own = {pk: size for pk, size in sizes.items() if size[0] and not size[1]}
    peers = {
        pk: size
        for pk, size in own.items()
        if people[pk].role == Role.SPECIALIST and people[pk].unit.kind == UnitKind.OFFICE
    }

    def closest(target: int, floor: int) -> int:
        pool = {pk: size for pk, size in peers.items() if size[0] >= floor} or peers or own
        return min(pool, key=lambda pk: (abs(pool[pk][0] - target), pk))

    chosen = [("small inbox", closest(10, 1)), ("large inbox", closest(150, 100))]
    chosen.append(("director (group tasks)", org.board[0].pk))
    return [Subject(label, people[pk], *sizes[pk]) for label, pk in chosen]


def distribution(sizes: dict[int, tuple[int, int]]) -> dict[str, Any]:
    values = sorted(size for size, _claimable in sizes.values())
    with_tasks = [value for value in values if value]
    return {
        "users": len(values),
        "with_tasks": len(with_tasks),
        "10_200": sum(1 for value in values if 10 <= value <= 200),
        "over_200": sum(1 for value in values if value > 200),
        "median": statistics.median(with_tasks) if with_tasks else 0,
        "p90": _percentile(with_tasks, 90) if with_tasks else 0,
        "max": values[-1] if values else 0,
    }


# --- Reads: the raw baseline views and the timing loop.


def _mine_raw(user: Any) -> Any:
    from django.db.models import Q

    from workflows.models import WorkItem

    claimable = WorkItem.candidates.through.objects.filter(user=user).values("workitem_id")
    return (
        WorkItem.objects.filter(
            Q(assignee=user) | Q(assignee__isnull=True, pk__in=claimable), status="open"
        )
        .order_by("deadline", "created_at", "pk")
        .values("id", "step_name", "deadline", "document_id", "run_id")[:50]
    )


def raw_html(request: Any) -> Any:
    """Baseline: the first 50 open tasks of the user, one plain query, minimal HTML."""
    from django.http import HttpResponse
    from django.utils.html import escape

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    rows = "".join(
        f"<tr><td>{row['id']}</td><td>{escape(row['step_name'])}</td>"
        f"<td>{row['deadline']}</td><td>{row['document_id']}</td></tr>"
        for row in _mine_raw(request.user)
    )
    return HttpResponse(f"<!doctype html><table>{rows}</table>")


def raw_json(request: Any) -> Any:
    """Baseline: the same rows as JSON."""
    from django.http import JsonResponse

    if not request.user.is_authenticated:
        return JsonResponse({}, status=403)
    return JsonResponse({"results": list(_mine_raw(request.user))})


def bench_urlconf() -> str:
    """A throwaway URLconf: the raw baseline views plus every real URL."""
    from django.urls import include, path

    module = types.ModuleType("bench_workflows_urls")
    module.urlpatterns = [
        path("bench/raw/tasks.html", raw_html),
        path("bench/raw/tasks.json", raw_json),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


ENDPOINTS = [  # (key, label, URL, baseline key)
    ("page", "inbox page GET /workflows/tasks/", "/workflows/tasks/", "raw_html"),
    ("raw_html", "raw baseline, HTML", "/bench/raw/tasks.html", None),
    ("api", "API GET /api/tasks/", "/api/tasks/", "raw_json"),
    ("raw_json", "raw baseline, JSON", "/bench/raw/tasks.json", None),
]


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int
    rows: int


def _rows_in(key: str, response: Any) -> int:
    body = response.content.decode()
    if key == "api":
        return len(json.loads(body)["results"])
    if key == "raw_json":
        return len(json.loads(body)["results"])
    if key == "raw_html":
        return body.count("<tr>")
    return len(re.findall(r'href="/workflows/tasks/\d+/"', body))


def measure_reads(subjects: list[Subject], requests: int, warmup: int) -> dict:
    """p50/p95 of each endpoint for each subject, and its SQL queries per request."""
    from django.db import connection, reset_queries
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    results: dict[tuple[str, str], Timing] = {}
    with override_settings(ROOT_URLCONF=bench_urlconf(), ALLOWED_HOSTS=["testserver"]):
        for subject in subjects:
            client = Client()
            client.force_login(subject.user)
            for key, _label, url, _baseline in ENDPOINTS:
                for _ in range(warmup):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {url} as {subject.user}: {response.status_code}")
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                queries = len(captured.captured_queries)
                rows = _rows_in(key, response)
                durations = []
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(url)
                    durations.append((time.perf_counter() - started) * 1000)
                reset_queries()
                results[(subject.label, key)] = Timing(
                    statistics.median(durations), _percentile(durations, 95), queries, rows
                )
                log(
                    f"{subject.label:<24} {key:<9} p50 {results[(subject.label, key)].p50_ms:7.1f}"
                    f" ms  {queries} queries  {rows} rows"
                )
    return results


def explain_inbox(subjects: list[Subject]) -> list[list[str]]:
    """Planning and execution time of the page's and the API's main query (EXPLAIN ANALYZE,
    best of 3), per subject: what the database spends, apart from Python."""
    from django.db import connection

    from workflows.api.serializers import task_queryset
    from workflows.selectors import inbox_tasks, inbox_work_items

    if connection.vendor != "postgresql":
        return []
    rows = []
    for subject in subjects:
        for name, queryset in (
            ("page: `inbox_tasks(user)[:50]`", inbox_tasks(subject.user)[:50]),
            (
                "API: `task_queryset(user, inbox_work_items(user))[:50]`",
                task_queryset(subject.user, inbox_work_items(subject.user))[:50],
            ),
        ):
            timings = []
            for _ in range(3):
                plan = queryset.explain(analyze=True)
                planning = float(re.search(r"Planning Time: ([\d.]+) ms", plan).group(1))
                execution = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
                timings.append((planning + execution, planning, execution))
            _total, planning, execution = min(timings)
            rows.append([subject.label, name, f"{planning:.1f}", f"{execution:.1f}"])
    return rows


# --- Writes: completing tasks against a bare UPDATE + INSERT.


def _open_tasks_to_complete(count: int, rng: random.Random) -> list[Any]:
    from django.db.models import Min

    from workflows.models import ProcessRun, WorkItem

    # Copies (--clone-to) share their original's document: complete the first run's tasks only
    # (also on --reuse, when CLONE_BASE is not known).
    first_runs = ProcessRun.objects.values("document_id").annotate(first=Min("pk")).values("first")
    originals: dict[str, Any] = {"run_id__in": first_runs}
    if CLONE_BASE:
        originals["pk__lte"] = CLONE_BASE["workflows_workitem"]
    items = list(
        WorkItem.objects.filter(
            status=WorkItem.Status.OPEN,
            action__in=["handle", "complete"],
            assignee__isnull=False,
            **originals,
        )
        .select_related("assignee")
        .order_by("pk")
    )
    rng.shuffle(items)
    if len(items) < 2 * count:
        count = len(items) // 2
    return items[: 2 * count]


@dataclass
class Writes:
    tasks: int
    service_seconds: float
    raw_seconds: float
    per_action: dict[str, tuple[int, float]]
    queries_per_completion: float

    @property
    def service_rate(self) -> float:
        return self.tasks / self.service_seconds

    @property
    def raw_rate(self) -> float:
        return self.tasks / self.raw_seconds


def measure_writes(count: int, rng: random.Random) -> Writes:
    """Complete `count` open handle/approve tasks with the service, and bare-update as many."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from workflows.services.processes import work_item_complete

    items = _open_tasks_to_complete(count, rng)
    half = len(items) // 2
    services, raw = items[:half], items[half : 2 * half]
    per_action: dict[str, list[float]] = {}
    queries = 0
    began = time.perf_counter()
    for item in services:
        connection.queries_log.clear()  # a bounded deque: a full one would count nothing
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            work_item_complete(user=item.assignee, work_item=item, comment="Đã xử lý.")
        queries += len(captured.captured_queries)
        per_action.setdefault(item.action, []).append(time.perf_counter() - started)
    service_seconds = time.perf_counter() - began

    began = time.perf_counter()
    for item in raw:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE workflows_workitem SET status = 'done', outcome = 'completed', "
                "comment = %s, completed_by_id = %s, completed_at = %s "
                "WHERE id = %s AND status = 'open'",
                ["Đã xử lý.", item.assignee_id, timezone.now(), item.pk],
            )
            cursor.execute(
                "INSERT INTO workflows_runevent (run_id, work_item_id, step_id, kind, actor_id, "
                "comment, created_at) VALUES (%s, %s, %s, 'completed', %s, %s, %s)",
                [item.run_id, item.pk, item.step_id, item.assignee_id, "Đã xử lý.", timezone.now()],
            )
    raw_seconds = time.perf_counter() - began
    return Writes(
        tasks=half,
        service_seconds=service_seconds,
        raw_seconds=raw_seconds,
        per_action={
            action: (len(durations), statistics.median(durations) * 1000)
            for action, durations in per_action.items()
        },
        queries_per_completion=queries / half if half else 0,
    )


# --- Facts, report and docs.


def machine_facts(database: BenchDatabase, code: str) -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = f"{int(memory) / 1024 / 1024:.0f} GB"
    except OSError:
        memory_gb = "?"
    facts = {
        "CPU": f"{os.cpu_count()} cores ({cpu or platform.processor() or '?'})",
        "memory": memory_gb,
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    import django

    facts["Django"] = django.get_version()
    if database.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            settings_ = {}
            for name in ("shared_buffers", "work_mem", "fsync", "synchronous_commit"):
                cursor.execute(f"SHOW {name}")
                settings_[name] = cursor.fetchone()[0]
        facts["PostgreSQL"] = f"{version} on the same machine (loopback TCP); " + ", ".join(
            f"{key}={value}" for key, value in settings_.items()
        )
    else:
        facts["database"] = "SQLite"
    facts["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    facts["code"] = code
    return facts


def code_version() -> str:
    """The commit the run started on (`-dirty`: with uncommitted changes in the work tree)."""
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(
    *,
    args: argparse.Namespace,
    facts: dict[str, str],
    generation: Generation | None,
    counts: dict[str, int],
    spread: dict[str, Any],
    subjects: list[Subject],
    reads: dict,
    plans: list[list[str]],
    writes: Writes,
) -> str:
    n = args.processes
    command = (
        'eval "$(bash .ci/services.sh)" && .venv/bin/python bench/workflows_inbox.py '
        f"--processes {n}"
        + (f" --requests {args.requests}" if args.requests != 200 else "")
        + (f" --completions {args.completions}" if args.completions != 500 else "")
        + (f" --clone-to {args.clone_to}" if args.clone_to else "")
    )
    out = [
        f"### N = {n:,} running processes ({datetime.date.today().isoformat()})",
        "",
        f"Command: `{command}` (DATABASE_URL from `.ci/services.sh`).",
        "",
        "Machine: " + "; ".join(f"{key}: {value}" for key, value in facts.items()) + ".",
        "",
    ]
    if generation is not None:
        per_registration = generation.register_seconds / generation.registrations * 1000
        per_completion = generation.complete_seconds / max(generation.completions, 1) * 1000
        out += [
            f"**Data** (services only, seed {args.seed}): {generation.processes:,} incoming "
            f"documents registered and their processes started, {generation.completions:,} tasks "
            f"completed to spread them over the steps, in {generation.seconds / 60:.1f} min: "
            f"**{generation.processes / generation.seconds:.1f} processes/s**, "
            f"{generation.calls / generation.seconds:.1f} service calls/s "
            f"(registration + start {per_registration:.0f} ms each, completion "
            f"{per_completion:.0f} ms each, per worker).",
            "",
        ]
    else:
        out += ["**Data**: reused a kept database (no generation timing).", ""]
    if CLONE_BASE:
        out += [
            f"**Copies** (`--clone-to {args.clone_to}`): the runs the services made were copied "
            "in SQL (viewflow processes, tasks and their links, runs, work items, candidates; "
            "ids offset) up to that many processes. Skipped: documents, assignments, grants, "
            "events, notifications and audit entries (a copy points at its original's "
            "document), so the inboxes grow in proportion while the document tables stay at the "
            "original size; completions below are of originals only.",
            "",
        ]
    out += [
        "Runs by step of their open tasks: "
        + ", ".join(f"{step} {count:,}" for step, count in counts.items())
        + f". Inboxes: {spread['with_tasks']} of {spread['users']} users have tasks, "
        f"{spread['10_200']} hold 10–200, {spread['over_200']} more than 200"
        + (" (unit heads, board members with group tasks)" if spread["over_200"] else "")
        + f"; median {spread['median']:.0f}, p90 "
        f"{spread['p90']:.0f}, max {spread['max']}.",
        "",
        f"**Reads** ({args.requests} timed requests per row after {args.warmup} warm-up, "
        "in-process test Client, session login; raw baseline = one plain query for the first "
        "50 open tasks rendered as minimal HTML/JSON, same middleware):",
        "",
    ]
    rows = []
    for subject in subjects:
        for key, label, _url, baseline in ENDPOINTS:
            timing = reads[(subject.label, key)]
            ratio = ""
            if baseline:
                base = reads[(subject.label, baseline)]
                ratio = f"{timing.p50_ms / base.p50_ms:.1f}× / {timing.p95_ms / base.p95_ms:.1f}×"
            rows.append(
                [
                    f"{subject.label} ({subject.open_tasks} open"
                    + (f", {subject.claimable} group" if subject.claimable else "")
                    + ")",
                    label,
                    timing.rows,
                    f"{timing.p50_ms:.1f}",
                    f"{timing.p95_ms:.1f}",
                    timing.queries,
                    ratio,
                ]
            )
    out += [
        table(
            [
                "user",
                "endpoint",
                "rows shown",
                "p50 ms",
                "p95 ms",
                "SQL queries",
                "p50 / p95 vs raw",
            ],
            rows,
        ),
        "",
    ]
    constant = {
        key: len({reads[(subject.label, key)].queries for subject in subjects[:2]}) == 1
        for key in ("page", "api")
    }
    out += [
        "Queries per request, small vs large inbox: page "
        + ("equal" if constant["page"] else "**DIFFERENT**")
        + ", API "
        + ("equal" if constant["api"] else "**DIFFERENT**")
        + ".",
        "",
    ]
    if plans:
        out += [
            "The main query of each, on PostgreSQL (EXPLAIN ANALYZE, best of 3):",
            "",
            table(["user", "query", "planning ms", "execution ms"], plans),
            "",
        ]
    if not writes.tasks:  # a reused database whose originals' open tasks are all done
        out += ["**Writes**: not measured: no open task of the original runs is left to complete."]
        return "\n".join(out)
    out += [
        f"**Writes**: {writes.tasks} open tasks completed with `work_item_complete` "
        "(one transaction each, as a request would), against as many bare "
        "`UPDATE workflows_workitem` + `INSERT workflows_runevent` (one transaction each):",
        "",
        table(
            ["way", "tasks", "seconds", "tasks/s", "ratio"],
            [
                [
                    "`work_item_complete` ("
                    + ", ".join(
                        f"{action}: {number}, p50 {median:.0f} ms"
                        for action, (number, median) in sorted(writes.per_action.items())
                    )
                    + f"; {writes.queries_per_completion:.0f} queries each)",
                    writes.tasks,
                    f"{writes.service_seconds:.1f}",
                    f"{writes.service_rate:.1f}",
                    f"{writes.raw_rate / writes.service_rate:.0f}× slower",
                ],
                [
                    "raw UPDATE + INSERT",
                    writes.tasks,
                    f"{writes.raw_seconds:.2f}",
                    f"{writes.raw_rate:.0f}",
                    "1×",
                ],
            ],
        ),
        "",
    ]
    return "\n".join(out)


INTRO = """## Workflows: task inbox and task completion (`bench/workflows_inbox.py`)

What it measures, on its own PostgreSQL database (`edoc_bench`, created, migrated and dropped by
the script): an agency of 30 units and 200 users with the shipped definitions, N incoming
documents registered through `incoming_register` (each auto-starts the shipped incoming
process), a share advanced through assign / forward / handle with `work_item_complete`. Then
the inbox page and the tasks API for a small inbox, a large one and the director (whose inbox is
mostly unclaimed group tasks), each against a bare view that runs one plain query; and the rate
of `work_item_complete` against a bare UPDATE + INSERT per task. The block of each N below is
rewritten by the script; the notes after them are written by hand.
"""


def update_docs(n: int, block: str) -> None:
    """Replace (or add) this N's block in our section of docs/benchmarks.md; nothing else."""
    DOCS.parent.mkdir(exist_ok=True)
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    begin, end = RUN_BEGIN.format(n=n), RUN_END.format(n=n)
    entry = f"{begin}\n{block.strip()}\n{end}"
    if SECTION_BEGIN not in text:
        text = text.rstrip() + f"\n\n{SECTION_BEGIN}\n{INTRO}\n{entry}\n\n{SECTION_END}\n"
        DOCS.write_text(text)
        return
    head, rest = text.split(SECTION_BEGIN, 1)
    section, tail = rest.split(SECTION_END, 1)
    blocks = dict(
        (int(match.group(1)), match.group(0))
        for match in re.finditer(
            r"<!-- workflows_inbox N=(\d+): begin -->.*?<!-- workflows_inbox N=\1: end -->",
            section,
            flags=re.S,
        )
    )
    blocks[n] = entry
    first = re.search(r"<!-- workflows_inbox N=\d+: begin -->", section)
    last = list(re.finditer(r"<!-- workflows_inbox N=\d+: end -->", section))
    if first and last:
        before, after = section[: first.start()], section[last[-1].end() :]
    else:
        before, after = section.rstrip() + "\n\n", "\n"
    ordered = "\n\n".join(blocks[key] for key in sorted(blocks))
    DOCS.write_text(f"{head}{SECTION_BEGIN}{before}{ordered}{after}{SECTION_END}{tail}")


def runs_by_step() -> dict[str, int]:
    from django.db.models import Count

    from workflows.models import ProcessRun

    rows = (
        ProcessRun.objects.filter(finished_at__isnull=True)
        .values("current_step")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    return {row["current_step"]: row["count"] for row in rows}


@contextmanager
def bench_database(args: argparse.Namespace) -> Iterator[BenchDatabase]:
    database = prepare_database(args)
    try:
        yield database
    finally:
        if args.keep:
            log(f"kept database {database.name}")
        else:
            from django.db import connections

            connections.close_all()
            database.drop()
            log(f"dropped database {database.name}")


def timed(label: str, function: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = function()
    log(f"{label}: {time.perf_counter() - started:.1f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    code = code_version()
    with bench_database(args) as database:
        setup_django(database)
        from django.core.management import call_command

        rng = random.Random(args.seed)
        generation = None
        if args.reuse:
            from edoc.models import User

            call_command("migrate", interactive=False, verbosity=0)  # code may have moved on
            org = _organisation_from_database()
            log(f"reusing {database.name}: {User.objects.count()} users")
        else:
            timed("migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
            org = timed("organisation", lambda: build_organisation(rng))
            log(f"{len(org.users)} users; generating {args.processes} processes")
            generation = generate(org, args.processes, seed=args.seed, workers=args.workers)
            if database.vendor == "postgresql":
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would
        if args.clone_to:
            if database.vendor != "postgresql":
                sys.exit("--clone-to needs PostgreSQL")
            copies = timed("clone", lambda: clone_runs(args.clone_to))
            log(f"{copies} copies of each run")
        counts = runs_by_step()
        sizes = inbox_sizes(org)
        spread = distribution(sizes)
        subjects = pick_subjects(org, sizes)
        reads = measure_reads(subjects, args.requests, args.warmup)
        plans = explain_inbox(subjects)
        writes = measure_writes(args.completions, rng)
        facts = machine_facts(database, code)
        text = report(
            args=args,
            facts=facts,
            generation=generation,
            counts=counts,
            spread=spread,
            subjects=subjects,
            reads=reads,
            plans=plans,
            writes=writes,
        )
        print(text)
        if not args.no_docs:
            update_docs(args.processes, text)
            log(f"updated {DOCS.relative_to(ROOT)}")
    return 0


def _organisation_from_database() -> Organisation:
    """The organisation of a kept database (for --reuse)."""
    from edoc.models import Agency, Unit, User
    from edoc.models.organisation import Role, UnitKind
    from edoc.services.numbering import registry_unit_for

    units = list(Unit.objects.order_by("pk"))
    users = list(User.objects.select_related("unit").order_by("pk"))
    org = Organisation(
        agency=Agency.objects.get(),
        admin=next(u for u in users if u.role == Role.ADMIN),
        board=[u for u in users if u.role in (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)],
        offices=[u for u in units if u.kind == UnitKind.OFFICE],
        affiliated=[u for u in units if registry_unit_for(u) is not None],
        heads={},
        specialists={},
        clerks={},
        users=users,
    )
    for person in users:
        if person.role == Role.UNIT_HEAD:
            org.heads.setdefault(person.unit_id, []).append(person)
        elif person.role == Role.SPECIALIST:
            org.specialists.setdefault(person.unit_id, []).append(person)
        elif person.role == Role.CLERK:
            registry = registry_unit_for(person.unit)
            org.clerks.setdefault(registry.pk if registry else None, []).append(person)
    return org


if __name__ == "__main__":
    sys.exit(main())
