#!/usr/bin/env python
"""Benchmark: 50 clerks registering incoming documents at once over HTTP, with 200 users
reading their tasks and searching, through the real server stack (issue 16, target 6).

    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc REDIS_URL=redis://127.0.0.1:63799/8 \
        .venv/bin/python bench/load_clerks.py [--clerks 50] [--readers 200] [--seconds 60]

1. Its own PostgreSQL database (`edoc_bench_load`, never DATABASE_URL's), migrated and seeded
   with `seed_demo --organisation-only` and `seed_processes` (the shipped definitions: each
   registration starts its handling process); `--clerks` clerks of the agency's office and
   `--readers` specialists and unit heads across the units are added, each with an API token
   from identity's token service. Redis database of REDIS_URL is flushed first.
2. gunicorn (`--workers` processes × `--threads` threads, config.wsgi, DEBUG off) and a Celery
   worker (`--concurrency` prefork processes) on Redis, on loopback.
3. locust, headless, for `--seconds`: the clerks POST /api/documents/incoming/ with a one-page
   PDF each time (1–2 s apart); the readers GET /api/tasks/ and /api/search/?q= (2–5 s apart).
4. Checks in the database once Celery's queue is empty: every successful POST is one
   document, the book's numbers are 1..N without gap or duplicate, and its counter is N; the
   text of every file was extracted by the Celery worker.
5. A Markdown report on stdout (`--write-docs`: docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_support import (  # noqa: E402
    ROOT,
    bench_environment,
    log,
    machine_facts,
    replace_section,
    table,
)

SECTION = "bench/load_clerks.py"
BIN = Path(sys.executable).parent


def seed(clerks: int, readers: int) -> dict[str, list[str]]:
    """The demo organisation, the shipped processes, the load's users and their tokens."""
    from django.core.management import call_command

    from edoc.models import Unit, User
    from edoc.models.organisation import Role
    from identity.services.tokens import api_token_issue

    call_command("seed_demo", "--organisation-only", verbosity=0)
    call_command("seed_processes", verbosity=0)
    office = User.objects.get(username="vanthu").unit
    units = list(Unit.objects.filter(kind="office").order_by("pk")) or [office]
    made: dict[str, list[User]] = {"clerks": [], "readers": []}
    for index in range(clerks):
        made["clerks"].append(
            User.objects.create_user(
                username=f"load_clerk_{index:03d}",
                password=None,
                last_name="Văn thư",
                first_name=f"{index:03d}",
                unit=office,
                role=Role.CLERK,
                position="Văn thư",
            )
        )
    demo_readers = list(User.objects.exclude(role__in=[Role.CLERK, Role.ADMIN]).order_by("pk"))
    made["readers"] += demo_readers[:readers]
    for index in range(readers - len(made["readers"])):
        made["readers"].append(
            User.objects.create_user(
                username=f"load_reader_{index:03d}",
                password=None,
                last_name="Chuyên viên",
                first_name=f"{index:03d}",
                unit=units[index % len(units)],
                role=Role.UNIT_HEAD if index % 10 == 0 else Role.SPECIALIST,
                position="Chuyên viên",
            )
        )
    return {kind: [api_token_issue(user) for user in users] for kind, users in made.items()}


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def queue_length(redis_url: str) -> int:
    import redis

    return redis.Redis.from_url(redis_url).llen("celery")


def stop(process: subprocess.Popen) -> None:
    """End a process this bench started (and its children: gunicorn's and Celery's workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def problem_lines(text: str) -> list[str]:
    """The last line of each traceback and gunicorn's own errors, for the log of the run."""
    lines = text.splitlines()
    found: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            for following in lines[index + 1 :]:
                if following and not following.startswith(" "):
                    found.append(following[:200])
                    break
        elif "[ERROR]" in line or "[CRITICAL]" in line:
            found.append(line[:200])
    return found


def numbering_check(successes: int) -> dict[str, int]:
    """Documents against successful POSTs; the incoming book's numbers and counter."""
    from django.db.models import Count, Max

    from edoc.models import Document, FileText, RegisterBook

    documents = Document.objects.filter(direction=Document.Direction.INCOMING)
    totals = documents.aggregate(
        count=Count("pk"), distinct=Count("book_number", distinct=True), top=Max("book_number")
    )
    counters = sum(
        RegisterBook.objects.filter(kind=RegisterBook.Kind.INCOMING).values_list(
            "last_number", flat=True
        )
    )
    books = documents.values("register_book").distinct().count()
    return {
        "POSTs answered 201 (access log)": successes,
        "documents": totals["count"],
        "books": books,
        "duplicate numbers": totals["count"] - totals["distinct"],
        "gaps (highest number − documents)": (totals["top"] or 0) - totals["count"],
        "counter − documents": counters - totals["count"],
        "missing (POSTs − documents)": successes - totals["count"],
        "file texts done": FileText.objects.filter(state=FileText.State.DONE).count(),
        "file texts not done": FileText.objects.exclude(state=FileText.State.DONE).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clerks", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--port", type=int, default=8768)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the bench runs the real stack.")
    os.environ["EDOC_MAX_UPLOAD_MB"] = "50"
    with bench_environment("edoc_bench_load") as (database, workdir):
        log("seeding …")
        tokens = seed(args.clerks, args.readers)
        token_file = workdir / "tokens.json"
        token_file.write_text(json.dumps(tokens), encoding="utf-8")
        facts = machine_facts(database.vendor)
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        from django.db import connections

        connections.close_all()
        env = {
            **os.environ,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "REDIS_URL": redis_url,
            "EDOC_LOAD_TOKENS": str(token_file),
            "EDOC_LOAD_CLERKS": str(args.clerks),
            "EDOC_LOAD_READERS": str(args.readers),
        }
        names = ("gunicorn", "celery")
        logs = {name: (workdir / f"{name}.log").open("wb") for name in names}  # noqa: SIM115
        started: list[subprocess.Popen] = []

        def start(name: str, argv: list[str]) -> None:
            started.append(
                subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env=env,
                    stdout=logs[name],
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

        try:
            start(
                "celery",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(args.concurrency),
                    "--loglevel",
                    "WARNING",
                ],
            )
            start(
                "gunicorn",
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi:application",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--timeout",
                    "120",
                    # Longer than the users' pauses (≤ 5 s): a connection gunicorn closed
                    # while idle is not reused by locust (a reset, not an answer of eDoc).
                    "--keep-alive",
                    "10",
                    "--access-logfile",
                    str(workdir / "access.log"),
                ],
            )
            host = f"http://127.0.0.1:{args.port}"
            wait_for(f"{host}/accounts/login/")
            log(f"server up; {args.clerks} clerks + {args.readers} readers, {args.seconds} s")
            load_before = os.getloadavg()
            users = args.clerks + args.readers
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "locust_clerks.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    "50",
                    "--run-time",
                    f"{args.seconds}s",
                    "--stop-timeout",
                    "30",
                    "--host",
                    host,
                    "--csv",
                    str(workdir / "locust"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                check=False,
            )
            load_during = os.getloadavg()
            drained = time.monotonic()
            while queue_length(redis_url) and time.monotonic() - drained < 300:
                time.sleep(1)
            time.sleep(5)  # the last tasks taken finish
            drain_seconds = time.monotonic() - drained
        finally:
            for process in started:
                stop(process)
            for handle in logs.values():
                handle.close()
        with open(workdir / "locust_stats.csv", encoding="utf-8") as handle:
            stats = list(csv.DictReader(handle))
        rows = []
        for row in stats:
            rows.append(
                [
                    row["Name"],
                    row["Request Count"],
                    row["Failure Count"],
                    f"{float(row['Requests/s']):.1f}",
                    row["50%"],
                    row["95%"],
                    row["99%"],
                    row["Max Response Time"].split(".")[0],
                ]
            )
        # What the server answered (locust's CSV misses the requests finished while it stops).
        answers = (workdir / "access.log").read_text(errors="replace").splitlines()
        posts = sum(
            '"POST /api/documents/incoming/' in line and '" 201 ' in line for line in answers
        )
        checks = numbering_check(posts)
        checks["server answers ≥ 400"] = sum(
            bool(re.search(r'" [45]\d\d ', line)) for line in answers
        )
        for name in ("gunicorn", "celery"):
            text = (workdir / f"{name}.log").read_text(errors="replace")
            checks[f"tracebacks in the {name} log"] = text.count("Traceback")
            if name == "gunicorn":
                checks["gunicorn WORKER TIMEOUT"] = text.count("WORKER TIMEOUT")
            for line in sorted(set(problem_lines(text)))[:5]:
                log(f"{name}: {line}")
    report = (
        f"Command: `DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/load_clerks.py --clerks "
        f"{args.clerks} --readers {args.readers} --seconds {args.seconds} --workers "
        f"{args.workers} --threads {args.threads} --concurrency {args.concurrency}`\n\n"
        f"Stack: gunicorn {args.workers} workers × {args.threads} threads (gthread, keep-alive "
        f"10 s), Celery "
        f"worker prefork concurrency {args.concurrency} on Redis, PostgreSQL, locust "
        f"{args.clerks + args.readers} users on the same machine (loopback). Machine: {facts}; "
        f"load average at the start of the load {load_before[0]:.2f}, at its end "
        f"{load_during[0]:.2f}; Celery's queue drained {drain_seconds:.0f} s after the load.\n\n"
        + table(
            ["request", "count", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            rows,
        )
        + "\n\n"
        + table(["check", "value"], [[key, value] for key, value in checks.items()])
    )
    print(report)
    if args.write_docs:
        replace_section(SECTION, "Concurrent clerks over HTTP (issue 16, target 6)", report)


if __name__ == "__main__":
    main()
