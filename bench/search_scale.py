#!/usr/bin/env python
"""Search at the issue-16 volumes: rows made in bulk, then reindex memory and rate, and the
search page's whole request for a director and a narrow specialist, against the bare engine.

    DATABASE_URL=postgres://… OPENSEARCH_URL=http://127.0.0.1:9201 \\
        .venv/bin/python bench/search_scale.py --n 100000 [--backend database|opensearch|all]
        [--keep] [--reuse] [--queries 300] [--write-docs]

Documents (bench/search_corpus.document: the demo's issuers, topics, types, dates and bodies of
1 to about 4 pages) are written in batched transactions of `--batch`: incoming ones numbered in
the clerk's real register book of their year (`default_incoming_book`,
`register_book_take_number`, one number per document as the registration takes it), each with
one file version and its extracted text (DocumentFile + FileText rows, as the import stores
them), spread over the demo's units, 30 % with a lead assignment to a random unit and 2 %
confidential with a grant to one user (the access rows `visible_documents` reads). Skipped
against `incoming_register`/`import_documents`: the PDF files themselves (no bytes stored, no
extraction or OCR: the text is written as extracted), duplicate checks, audit entries, document
events, workflow processes and the per-document index update (the index is built once by
`search_reindex` afterwards, which is what is measured).

Then:
1. `search_reindex --backend B` in a child process, timed, with its peak RSS (/usr/bin/time),
   after the first fifth of the documents and after all of them (memory flat in N);
   for OpenSearch also a bare `opensearch-py helpers.bulk` of the same bodies (made by the
   backend's own `document_source`, streamed from a file) into an index of the same settings.
2. The search page's whole request (`search.services.search_documents`: hits, total, facets,
   highlights, the permission filter inside the query; then the result rows as the page loads
   them) p50/p95 for the director and a specialist of one unit, over the judged queries and
   random vocabulary, phrases, prefixes and symbols (bench/search_load.query_mix); and GET
   /api/search/ against the engine's own query sent bare (for OpenSearch: the backend's body).
OpenSearch indices are under the alias `--alias` (default `bench-scale-<db>`), removed at the
end unless --keep. `--reuse` measures the database (and index) a --keep run left.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_support import (  # noqa: E402
    ROOT,
    BenchDatabase,
    bench_environment,
    log,
    machine_facts,
    percentile,
    replace_section,
    table,
)

DOCS_KEY = "bench/search_scale.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--backend", choices=("database", "opensearch", "all"), default="all")
    parser.add_argument("--batch", type=int, default=2000, help="documents per transaction")
    parser.add_argument("--queries", type=int, default=300, help="timed searches per user")
    parser.add_argument("--api-requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db-name", default="edoc_bench_scale")
    parser.add_argument("--alias", default="", help="OpenSearch alias (default bench-scale-<db>)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure what a --keep run left")
    parser.add_argument("--write-docs", action="store_true")
    return parser.parse_args(argv)


# --- Rows ------------------------------------------------------------------------------------


def populate(start: int, stop: int, seed: int, batch: int) -> None:
    """Documents start..stop-1 of the corpus, with numbers, files, texts and access rows."""
    import hashlib

    from django.db import transaction
    from search_corpus import document

    from edoc.models import (
        Assignment,
        Confidentiality,
        Document,
        DocumentFile,
        DocumentGrant,
        DocumentType,
        FileText,
        Unit,
        Urgency,
        User,
    )
    from edoc.models.organisation import Role
    from edoc.services.documents.incoming import default_incoming_book
    from edoc.services.numbering import register_book_take_number

    clerk = User.objects.filter(role=Role.CLERK).order_by("pk").first()
    agency = clerk.unit.agency
    units = list(Unit.objects.filter(agency=agency, is_active=True).order_by("pk"))
    users = list(User.objects.filter(unit__in=units, is_active=True).order_by("pk"))
    types = {t.name: t for t in DocumentType.objects.all()}
    urgencies = list(Urgency.objects.order_by("pk"))
    levels = list(Confidentiality.objects.order_by("level"))
    public, secret = levels[0], levels[-1]
    books: dict[int, Any] = {}
    for first in range(start, stop, batch):
        rng = random.Random(f"{seed}:rows:{first}")
        specs = [document(seed, index) for index in range(first, min(first + batch, stop))]
        with transaction.atomic():
            documents = []
            for spec in specs:
                kind = types.get(spec.type_name) or types.setdefault(
                    spec.type_name,
                    DocumentType.objects.get_or_create(name=spec.type_name)[0],
                )
                incoming = rng.random() < 0.7
                confidential = rng.random() < 0.02
                received = spec.date
                book = None
                if incoming and not confidential:
                    if received.year not in books:
                        books[received.year] = default_incoming_book(
                            clerk, confidential=False, year=received.year
                        )
                    book = books[received.year]
                documents.append(
                    Document(
                        agency=agency,
                        direction=Document.Direction.INCOMING
                        if incoming
                        else Document.Direction.OUTGOING,
                        status=rng.choice(
                            (Document.Status.IN_PROGRESS, Document.Status.COMPLETED)
                            if incoming
                            else (Document.Status.ISSUED, Document.Status.DRAFT)
                        ),
                        owner_unit=rng.choice(units),
                        document_type=kind,
                        number=spec.number,
                        notation=spec.notation,
                        issuer=spec.governing_body.title() + " – " + spec.issuer.title(),
                        issue_date=spec.date,
                        subject=spec.subject,
                        signer_name=spec.signer_name,
                        urgency=rng.choice(urgencies),
                        confidentiality=secret if confidential else public,
                        created_by=clerk,
                        register_book=book,
                        book_number=register_book_take_number(book) if book else None,
                    )
                )
            Document.objects.bulk_create(documents)
            files, texts, assignments, grants = [], [], [], []
            for document_row, spec in zip(documents, specs, strict=True):
                body = "\n".join(spec.body)
                sha = hashlib.sha256(f"{seed}:{document_row.pk}".encode()).hexdigest()
                file = DocumentFile(
                    document=document_row,
                    version=1,
                    original_name=f"{document_row.pk}.pdf",
                    size=len(body) * 3,
                    sha256=sha,
                    uploaded_by=clerk,
                )
                file.file.name = f"documents/{sha[:2]}/{sha}.pdf"
                files.append(file)
                if rng.random() < 0.3:
                    assignments.append(
                        Assignment(
                            document=document_row,
                            role="lead",
                            unit=rng.choice(units),
                            assigned_by=clerk,
                        )
                    )
                if document_row.confidentiality_id == secret.pk:
                    grants.append(
                        DocumentGrant(
                            document=document_row, user=rng.choice(users), granted_by=clerk
                        )
                    )
            DocumentFile.objects.bulk_create(files)
            texts = [
                FileText(file=file, state=FileText.State.DONE, pdf_text=body, pages=1)
                for file, body in zip(files, ("\n".join(s.body) for s in specs), strict=True)
            ]
            FileText.objects.bulk_create(texts)
            Assignment.objects.bulk_create(assignments)
            DocumentGrant.objects.bulk_create(grants)
        log(f"documents {min(first + batch, stop)}/{stop}")


# --- Reindex ---------------------------------------------------------------------------------


def reindex_child(backend: str, env: dict[str, str]) -> dict[str, float]:
    """search_reindex in its own process: seconds and peak RSS (MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", timing.name, sys.executable, "manage.py",
             "search_reindex", "--backend", backend, "--no-progress"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        peak = int(timing.read().strip().splitlines()[-1]) / 1024
    log(f"search_reindex {backend}: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
    return {"seconds": seconds, "rss": peak}


def startup_child(env: dict[str, str]) -> float:
    """Seconds for a child process to start Django and parse search_reindex's arguments."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "search_reindex", "--help"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def bare_bulk(alias: str, documents: int) -> dict[str, float]:
    """The same bodies (the backend's document_source), written to a file first, then sent
    with a bare helpers.bulk into an index of the same settings and mapping: seconds."""
    from opensearchpy import helpers

    from search.backends import get_backend
    from search.backends.opensearch.mapping import document_source
    from search.documents import index_records

    backend = get_backend("opensearch")
    bare = f"{alias}-bare"
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl") as bodies:
        started = time.perf_counter()
        for record in index_records():
            bodies.write(json.dumps({"id": record.id, "source": document_source(record)}) + "\n")
        records_seconds = time.perf_counter() - started
        bodies.flush()
        bodies.seek(0)
        backend.client.indices.delete(index=bare, params={"ignore_unavailable": "true"})
        backend._create_index(bare, loading=True)

        def actions():
            for line in bodies:
                row = json.loads(line)
                yield {"_index": bare, "_id": str(row["id"]), "_source": row["source"]}

        started = time.perf_counter()
        helpers.bulk(backend.client, actions(), chunk_size=500, request_timeout=120)
        backend.client.indices.refresh(index=bare, request_timeout=120)
        seconds = time.perf_counter() - started
    backend.client.indices.delete(index=bare, params={"ignore_unavailable": "true"})
    log(f"bare bulk: {documents} in {seconds:.1f} s (records and bodies {records_seconds:.1f} s)")
    return {"seconds": seconds, "records_seconds": records_seconds}


# --- Searching -------------------------------------------------------------------------------


def subjects() -> dict[str, Any]:
    """The director and a specialist of one unit (narrow visibility), with what they see."""
    from edoc.models import User
    from edoc.models.organisation import Role
    from edoc.selectors.access import visible_documents

    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    specialist = User.objects.filter(role=Role.SPECIALIST, is_active=True).order_by("pk").first()
    return {
        name: (user, visible_documents(user).count())
        for name, user in (("director", director), ("specialist", specialist))
    }


def page_latencies(name: str, user: Any, mix: list[tuple[str, bool]]) -> dict[str, float]:
    """The search page's whole request minus template rendering: search_documents (hits,
    total, facets, highlights, permission filter) and the result rows it then loads."""
    from django.test import override_settings

    from search.backends import SearchQuery
    from search.selectors import result_rows
    from search.services import search_documents

    times, answered = [], 0
    with override_settings(SEARCH_BACKEND=name):
        for text, prefix in mix[:10]:
            result_rows(search_documents(user, SearchQuery(text=text, prefix=prefix)), user)
        for text, prefix in mix:
            started = time.perf_counter()
            result = search_documents(user, SearchQuery(text=text, prefix=prefix, page_size=20))
            result_rows(result, user)
            times.append(time.perf_counter() - started)
            answered += bool(result.total)
            assert result.backend == name, result.notice
    return {
        "p50": percentile(times, 50) * 1000,
        "p95": percentile(times, 95) * 1000,
        "max": max(times) * 1000,
        "answered": answered / len(mix),
    }


def profile_slowest(name: str, user: Any, mix: list[tuple[str, bool]]) -> str:
    """EXPLAIN ANALYZE (PostgreSQL) of the page and facet statements of the slowest query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.backends import SearchQuery, get_backend

    backend = get_backend(name)
    slowest, worst = mix[0], 0.0
    for text, prefix in mix[:100]:
        started = time.perf_counter()
        backend.search(SearchQuery(text=text, prefix=prefix), user)
        if time.perf_counter() - started > worst:
            worst, slowest = time.perf_counter() - started, (text, prefix)
    with CaptureQueriesContext(connection) as queries:
        backend.search(SearchQuery(text=slowest[0], prefix=slowest[1]), user)
    plans = [f"Slowest query `{slowest[0]}` ({worst * 1000:.0f} ms)"]
    if connection.vendor != "postgresql":
        return plans[0]
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if "search_searchentry" not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING ON) " + query["sql"])
            lines = [row[0] for row in cursor.fetchall()]
            plans.append("\n".join(line for line in lines if len(line) < 220)[:6000])
    return "\n\n".join(plans)


# --- Main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, database: BenchDatabase) -> str:
    from django.conf import settings
    from django.core.management import call_command
    from search_load import api_overhead, query_mix

    from edoc.models import Document

    alias = args.alias or f"bench-scale-{args.db_name}".replace("_", "-")
    os.environ["OPENSEARCH_INDEX"] = alias
    settings.OPENSEARCH_INDEX = alias
    backends = ("database", "opensearch") if args.backend == "all" else (args.backend,)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    results: dict[str, Any] = {"reindex": {}, "startup": startup_child(env)}
    if not args.reuse:
        call_command("seed_demo", "--organisation-only", verbosity=0)
        small = args.n // 5
        started = time.perf_counter()
        populate(0, small, args.seed, args.batch)
        for backend in backends:
            results["reindex"][(backend, small)] = reindex_child(backend, env)
        populate(small, args.n, args.seed, args.batch)
        results["populate_seconds"] = time.perf_counter() - started
    documents = Document.objects.count()
    if database.vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    for backend in backends:
        results["reindex"][(backend, documents)] = reindex_child(backend, env)
    if "opensearch" in backends:
        results["bare_bulk"] = bare_bulk(alias, documents)
    people = subjects()
    mix = query_mix(args.queries, args.seed)
    results["pages"] = {
        (backend, who): page_latencies(backend, user, mix)
        for backend in backends
        for who, (user, _visible) in people.items()
    }
    texts = [text for text, _prefix in mix[: args.api_requests]]
    results["api"] = {
        (backend, who): api_overhead(backend, user, texts)
        for backend in backends
        for who, (user, _visible) in people.items()
    }
    results["profile"] = (
        "\n\n".join(
            f"{who}: " + profile_slowest("database", user, mix)
            for who, (user, _visible) in people.items()
        )
        if "database" in backends
        else ""
    )
    text = report(args, database, documents, people, results)
    if "opensearch" in backends and not args.keep:
        from search.backends import get_backend

        get_backend("opensearch").drop()
    return text


def load_line() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def report(args, database, documents, people, results) -> str:
    lines = [
        f"`{' '.join(['bench/search_scale.py', *sys.argv[1:]])}` on "
        f"{machine_facts(database.vendor)}; {documents:,} documents; measured under "
        f"{load_line()}.",
        "",
        "Visible documents: "
        + ", ".join(f"{who} {visible:,}" for who, (_user, visible) in people.items())
        + ".",
        "",
    ]
    if "populate_seconds" in results:
        lines += [f"Rows made in {results['populate_seconds']:.0f} s (both halves).", ""]
    rows = []
    startup = results["startup"]
    for (backend, n), figures in sorted(results["reindex"].items()):
        work = max(figures["seconds"] - startup, 0.001)
        rows.append(
            [backend, f"{n:,}", f"{figures['seconds']:.1f}", f"{n / work:.0f}",
             f"{figures['rss']:.0f}"]
        )  # fmt: skip
    lines += [
        table(
            ["search_reindex", "documents", "s (child process)", "docs/s", "peak RSS MiB"], rows
        ),  # fmt: skip
        "",
        f"docs/s leave out the child's start-up ({startup:.1f} s: Django set-up, measured with "
        "`search_reindex --help`).",
        "",
    ]
    if "bare_bulk" in results:
        bare = results["bare_bulk"]
        ours = results["reindex"][("opensearch", documents)]["seconds"] - results["startup"]
        lines += [
            f"Bare `helpers.bulk` of the same {documents:,} bodies: {bare['seconds']:.1f} s "
            f"({documents / bare['seconds']:.0f} docs/s); search_reindex takes "
            f"{ours / bare['seconds']:.2f}× that (building the records and bodies alone, "
            f"streamed to a file: {bare['records_seconds']:.1f} s).",
            "",
        ]
    rows = []
    for (backend, who), figures in results["pages"].items():
        api = results["api"][(backend, who)]
        rows.append(
            [backend, who, f"{figures['p50']:.1f}", f"{figures['p95']:.1f}",
             f"{figures['max']:.0f}", f"{figures['answered']:.0%}", f"{api['api']:.1f}",
             f"{api['api_p95']:.1f}",
             f"{api['raw']:.2f}", f"{api['api'] / api['raw']:.1f}×"]
        )  # fmt: skip
    lines += [
        table(
            [
                "backend",
                "user",
                "page p50 ms",
                "page p95 ms",
                "max ms",
                "answered",
                "API p50 ms",
                "API p95 ms",
                "bare engine p50 ms",
                "API / bare",
            ],
            rows,
        ),  # fmt: skip
        "",
    ]
    if results.get("profile"):
        lines += ["<details><summary>EXPLAIN ANALYZE</summary>", "", "```", results["profile"],
                  "```", "", "</details>"]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reuse:
        import search_support

        def reuse_database(name, workdir):  # the kept database, not a new one
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
            return BenchDatabase(url=url, vendor="postgresql", name=name)

        search_support.create_database = reuse_database
    with bench_environment(args.db_name, keep=args.keep or args.reuse) as (database, _workdir):
        text = run(args, database)
    print(text)
    if args.write_docs:
        replace_section(f"{DOCS_KEY} {args.n}", f"Search at scale ({args.n:,} documents)", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
