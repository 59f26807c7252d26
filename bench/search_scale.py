#!/usr/bin/env python
"""Search at the issue-16 volumes: rows made in bulk, then reindex memory and rate, and the
search page's whole request for a director and a narrow specialist, against the bare engine.

    DATABASE_URL=postgres://… OPENSEARCH_URL=http://127.0.0.1:9201 \\
        .venv/bin/python bench/search_scale.py --n 100000 [--backend database|opensearch|all]
        [--clone-to M] [--template DB] [--keep] [--reuse] [--queries 300] [--write-docs]

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
`--clone-to M` (volumes the services cannot make in an evening): the --n documents above are
made as described, reindexed once (the small reindex), then copied in SQL up to M documents
(`clone_documents`: one INSERT … SELECT per table and copy, ids offset by each table's largest):
the document, its file version, its text, its assignments and grants. The copies also skip what
the rows above make through the services: `register_book_take_number` (a copy's register number
is its original's plus k × the largest, in the same book; the book's counter is set to the
largest after copying), model validation and `bulk_create`. `--template DB` (PostgreSQL) starts
from a copy of a kept database instead of making rows, e.g. a million from the kept 100,000.
OpenSearch indices are under the alias `--alias` (default `bench-scale-<db>`), removed at the
end unless --keep. `--reuse` measures the database (and index) a --keep run left.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
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
    parser.add_argument(
        "--skip-reindex",
        action="store_true",
        help="with --reuse: search the index the kept run built (its reindex figures stand)",
    )
    parser.add_argument(
        "--bare-limit", type=int, default=0, help="bare helpers.bulk of the first N bodies only"
    )
    parser.add_argument(
        "--clone-to",
        type=int,
        default=0,
        help="make --n documents, then copy them in SQL (varied) up to this many",
    )
    parser.add_argument(
        "--template",
        default="",
        help="PostgreSQL: start from a copy of this kept database (CREATE DATABASE … TEMPLATE) "
        "instead of making rows; with --clone-to, its documents are the originals",
    )
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


# --- Copies (--clone-to) ----------------------------------------------------------------------

# The tables a copy needs, in insertion order: what `search_reindex` (search.documents.
# index_records) and `visible_documents` read. Their foreign keys to copied tables (the
# document, the file version, the document itself for duplicates/internal copies) are offset.
CLONED_TABLES = (
    ("edoc_document", {"id": "edoc_document", "duplicate_of_id": "edoc_document",
                       "source_document_id": "edoc_document"}),
    ("edoc_documentfile", {"id": "edoc_documentfile", "document_id": "edoc_document"}),
    ("edoc_filetext", {"id": "edoc_filetext", "file_id": "edoc_documentfile"}),
    ("edoc_assignment", {"id": "edoc_assignment", "document_id": "edoc_document"}),
    ("edoc_documentgrant", {"id": "edoc_documentgrant", "document_id": "edoc_document"}),
)  # fmt: skip
DAY_STEP = 37  # days a copy's date moves within its year, per copy number
SWAPS = 8  # pairs of vocabulary syllables a copy swaps in subject and body


def swap_vocabulary() -> list[str]:
    """Syllables of the corpus vocabulary common enough to matter and rare enough not to empty
    the judged queries: the words a copy swaps."""
    import collections

    from edoc.demo.topics import TOPICS

    counts: collections.Counter[str] = collections.Counter()
    for topic in TOPICS:
        for sentence in (*topic.subjects.values(), topic.purpose, *topic.details):
            counts.update(w for w in re.findall(r"\w+", sentence) if len(w) >= 3 and w.isalpha())
    return sorted(word for word, count in counts.items() if 3 <= count <= 40 and word != "year")


def copy_expressions(vendor: str, copy: int, offsets: dict[str, int], swaps: list[tuple]) -> dict:
    """SQL expressions that vary copy number `copy` of a document, file and text row."""
    sqlite = vendor == "sqlite"

    def swapped(column: str) -> str:
        expression = column
        for old, new in swaps:
            expression = f"replace({expression}, ' {old} ', ' {new} ')"
        return expression

    shift = copy * DAY_STEP
    if sqlite:
        day = (
            "date(issue_date, 'start of year', '+' || ((CAST(julianday(issue_date) - "
            f"julianday(issue_date, 'start of year') AS INTEGER) + {shift}) % 365) || ' days')"
        )
        numeric = "number GLOB '[0-9]*' AND number NOT GLOB '*[^0-9]*'"
        newline, find = "char(10)", "instr"
    else:
        day = (
            "(date_trunc('year', issue_date)::date + ((issue_date - date_trunc('year', "
            f"issue_date)::date) + {shift}) % 365)"
        )
        numeric = "number ~ '^[0-9]{1,6}$'"
        newline, find = "chr(10)", "strpos"
    # The body turned around a line break at 1/6..5/6 of its length (varies with the copy),
    # then its words swapped: same paragraphs, another order and other term frequencies.
    start = f"(length(pdf_text) * {copy % 5 + 1} / 6 + 1)"
    cut = f"{find}(substr(pdf_text, {start}), {newline})"
    turned = (
        f"CASE WHEN {cut} > 0 THEN substr(pdf_text, {start} + {cut}) || {newline} || "
        f"substr(pdf_text, 1, {start} + {cut} - 2) ELSE pdf_text END"
    )
    return {
        "edoc_document": {
            "subject": swapped("subject"),
            "number": f"CASE WHEN {numeric} THEN CAST((CAST(number AS INTEGER) + "
            f"{copy * 7}) % 2000 + 1 AS TEXT) ELSE number END",
            "issue_date": day,
            "book_number": f"book_number + {copy * offsets['book_number']}",
        },
        "edoc_documentfile": {
            "sha256": f"substr(sha256, 1, 56) || '{copy:08d}'",
            "original_name": f"CAST(document_id + {copy * offsets['edoc_document']} AS TEXT)"
            " || '.pdf'",
        },
        "edoc_filetext": {"pdf_text": swapped(f"({turned})")},
    }


def clone_documents(target: int, seed: int) -> dict[str, Any]:
    """Copy every document with its file version, text, assignments and grants (ids offset by
    each table's largest id, one INSERT … SELECT per table and copy) until `target` documents.
    Copy k keeps its original's owner unit, direction, status, type, urgency, confidentiality,
    register book, lead assignment and grants (so each user's visible share stays the same);
    it moves the date k×37 days within its year, the number by 7k, the register number past
    the book's largest, turns the body around a line break and swaps eight pairs of vocabulary
    syllables in subject and body (others per copy)."""
    from django.db import connection, transaction

    vocabulary = swap_vocabulary()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(book_number), 0) FROM edoc_document")
        originals, largest_number = cursor.fetchone()
        copies = max(0, -(-target // originals) - 1)
        offsets = {"book_number": largest_number}
        for table, _offsets in CLONED_TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            offsets[table] = cursor.fetchone()[0]
        columns = {}
        for table, _offsets in CLONED_TABLES:
            columns[table] = [
                column.name for column in connection.introspection.get_table_description(
                    cursor, table)
            ]  # fmt: skip
        started = time.perf_counter()
        for copy in range(1, copies + 1):
            rng = random.Random(f"{seed}:copy:{offsets['edoc_document']}:{copy}")
            words = rng.sample(vocabulary, 2 * SWAPS)
            swaps = list(zip(words[:SWAPS], words[SWAPS:], strict=True))
            varied = copy_expressions(connection.vendor, copy, offsets, swaps)
            with transaction.atomic():
                for table, keys in CLONED_TABLES:
                    values = []
                    for column in columns[table]:
                        if column in keys:
                            values.append(f'"{column}" + {copy * offsets[keys[column]]}')
                        elif column in varied.get(table, {}):
                            values.append(f"{varied[table][column]}")
                        else:
                            values.append(f'"{column}"')
                    names = ", ".join(f'"{column}"' for column in columns[table])
                    cursor.execute(
                        f"INSERT INTO {table} ({names}) SELECT {', '.join(values)} FROM {table} "
                        f"WHERE id <= {offsets[table]}"
                    )
            if copy % 10 == 0 or copy == copies:
                log(f"copies {copy}/{copies}: {(copy + 1) * originals:,} documents")
        cursor.execute(
            "UPDATE edoc_registerbook SET last_number = coalesce((SELECT max(book_number) FROM "
            "edoc_document WHERE register_book_id = edoc_registerbook.id), last_number)"
        )
        if connection.vendor == "postgresql":
            for table, _keys in CLONED_TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    seconds = time.perf_counter() - started
    log(f"cloned {copies} copies of {originals:,} documents in {seconds:.0f} s")
    return {"originals": originals, "copies": copies, "seconds": seconds}


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
    """The same bodies (the backend's document_source) of the first `documents` (all, or
    --bare-limit), written to a file first, then sent with a bare helpers.bulk into an index of
    the same settings and mapping: seconds."""
    import itertools

    from opensearchpy import helpers

    from search.backends import get_backend
    from search.backends.opensearch.mapping import document_source
    from search.documents import index_records

    backend = get_backend("opensearch")
    bare = f"{alias}-bare"
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl") as bodies:
        started = time.perf_counter()
        for record in itertools.islice(index_records(), documents):
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
    return {"seconds": seconds, "records_seconds": records_seconds, "documents": documents}


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


def _profile_lines(answer: dict[str, Any]) -> list[str]:
    lines = []
    for shard in answer["profile"]["shards"]:
        for search in shard["searches"]:
            small = [query for query in search["query"] if query["time_in_nanos"] < 100_000]
            if small:
                lines.append(f"{len(small)} queries under 0.1 ms ({small[0]['type']}, …)")
            for query in search["query"]:
                if query["time_in_nanos"] < 100_000:
                    continue
                lines.append(
                    f"query {query['type']} {query['time_in_nanos'] / 1e6:.1f} ms: "
                    f"{query['description'][:150]}"
                )
                for child in query.get("children", [])[:8]:
                    lines.append(
                        f"  {child['type']} {child['time_in_nanos'] / 1e6:.1f} ms: "
                        f"{child['description'][:120]}"
                    )
            lines.append(f"collector {search['collector'][0]['time_in_nanos'] / 1e6:.1f} ms")
        for aggregation in shard.get("aggregations", []):
            lines.append(
                f"aggregation {aggregation['description']} "
                f"{aggregation['time_in_nanos'] / 1e6:.1f} ms"
            )
        fetch = shard.get("fetch")
        if fetch:
            lines.append(f"fetch (highlights, source) {fetch['time_in_nanos'] / 1e6:.1f} ms")
    return lines


def profile_opensearch(user: Any, mix: list[tuple[str, bool]]) -> str:
    """The slowest of the first 100 queries (the page's whole request), sent again as the
    backend's own bodies with `profile: true`: where OpenSearch spends it (both requests of a
    page ranked in two, see search.backends.opensearch.request.window_body)."""
    from django.test import override_settings

    from edoc.selectors.access import visibility_for
    from search.backends import SearchQuery, get_backend
    from search.backends.opensearch import ranked_body, search_body, window_body
    from search.services import search_documents

    backend = get_backend("opensearch")
    slowest, worst = mix[0], 0.0
    with override_settings(SEARCH_BACKEND="opensearch"):
        for text, prefix in mix[:100]:
            started = time.perf_counter()
            search_documents(user, SearchQuery(text=text, prefix=prefix, page_size=20))
            if time.perf_counter() - started > worst:
                worst, slowest = time.perf_counter() - started, (text, prefix)
    query = SearchQuery(text=slowest[0], prefix=slowest[1], page_size=20)
    visibility = visibility_for(user)
    first = window_body(query, visibility)
    body = first if first is not None else search_body(query, visibility)
    answer = backend.client.search(index=backend.alias, body={**body, "profile": True})
    lines = [f"Slowest query `{slowest[0]}` ({worst * 1000:.0f} ms page), took {answer['took']} ms"]
    if first is not None:
        lines.append("request 1 of 2 (every match: total, facets, candidates):")
    lines += _profile_lines(answer)
    if first is not None:
        ids = [raw["_id"] for raw in answer["hits"]["hits"]]
        second = ranked_body(query, visibility, ids)
        answer = backend.client.search(index=backend.alias, body={**second, "profile": True})
        took = answer["took"]
        lines.append(f"request 2 of 2 (the rank of {len(ids)} candidates), took {took} ms:")
        lines += _profile_lines(answer)
    return "\n".join(lines)


def window_agreement(user: Any, mix: list[tuple[str, bool]]) -> dict[str, float]:
    """How often the page of the two-request search is the one-request page (search_body over
    every match): identical first pages (ids in order) and the mean share of common hits."""
    from edoc.selectors.access import visibility_for
    from search.backends import SearchQuery, get_backend
    from search.backends.opensearch import search_body

    backend = get_backend("opensearch")
    visibility = visibility_for(user)
    identical, shared, compared = 0, 0.0, 0
    for text, prefix in mix:
        query = SearchQuery(text=text, prefix=prefix, page_size=20)
        ours = [hit.document_id for hit in backend.search(query, user).hits]
        body = search_body(query, visibility)
        answer = backend.client.search(index=backend.alias, body=body, request_timeout=120)
        exact = [int(raw["_id"]) for raw in answer["hits"]["hits"]]
        compared += 1
        identical += ours == exact
        shared += len(set(ours) & set(exact)) / max(len(exact), 1)
    return {"identical": identical, "compared": compared, "shared": shared / max(compared, 1)}


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
    results: dict[str, Any] = {"reindex": {}, "startup": startup_child(env), "load": [load_line()]}
    if not args.reuse and not args.template:
        call_command("seed_demo", "--organisation-only", verbosity=0)
        # Memory flat in N: the first reindex at a fifth of the rows (at the base made through
        # the services when the rest are copies), the second at all of them.
        small = args.n if args.clone_to else args.n // 5
        started = time.perf_counter()
        populate(0, small, args.seed, args.batch)
        results["populate_seconds"] = time.perf_counter() - started
        for backend in backends:
            results["reindex"][(backend, small)] = reindex_child(backend, env)
        started = time.perf_counter()
        populate(small, args.n, args.seed, args.batch)
        results["populate_seconds"] += time.perf_counter() - started
    if args.clone_to:
        results["clone"] = clone_documents(args.clone_to, args.seed)
    documents = Document.objects.count()
    if database.vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            # The database backend reads the index with index-only scans (visibility map);
            # OpenSearch alone needs the planner's statistics only.
            cursor.execute("VACUUM ANALYZE" if "database" in backends else "ANALYZE")
    results["load"].append(load_line())
    for backend in backends:
        if not (args.reuse and args.skip_reindex):
            results["reindex"][(backend, documents)] = reindex_child(backend, env)
    results["load"].append(load_line())
    if "opensearch" in backends and results["reindex"]:
        results["bare_bulk"] = bare_bulk(alias, min(documents, args.bare_limit or documents))
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
    if "opensearch" in backends and settings.OPENSEARCH_RANK_WINDOW:
        results["agreement"] = {
            who: window_agreement(user, mix) for who, (user, _visible) in people.items()
        }
    if "opensearch" in backends:
        results["opensearch_profile"] = "\n\n".join(
            f"{who}: " + profile_opensearch(user, mix) for who, (user, _visible) in people.items()
        )
    results["load"].append(load_line())
    text = report(args, database, documents, people, results)
    if "opensearch" in backends and not args.keep:
        from search.backends import get_backend

        get_backend("opensearch").drop()
    return text


def load_line() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def report(args, database, documents, people, results) -> str:
    from django.conf import settings

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
    lines += ["Load while measuring: " + "; ".join(results["load"]) + ".", ""]
    if "populate_seconds" in results:
        made = args.n if args.clone_to else documents
        lines += [
            f"{made:,} rows made through the services in {results['populate_seconds']:.0f} s "
            f"({made / max(results['populate_seconds'], 0.001):.0f} documents/s).",
            "",
        ]
    if "clone" in results:
        clone = results["clone"]
        lines += [
            f"Copied in SQL (`--clone-to`): {clone['copies']} varied copies of each of the "
            f"{clone['originals']:,} documents in {clone['seconds']:.0f} s.",
            "",
        ]
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
        sent = bare["documents"]
        ours = results["reindex"][("opensearch", documents)]["seconds"] - results["startup"]
        ratio = (ours / documents) / (bare["seconds"] / sent)
        lines += [
            f"Bare `helpers.bulk` of the same bodies ({'all' if sent == documents else 'the first'}"
            f" {sent:,}): {bare['seconds']:.1f} s ({sent / bare['seconds']:.0f} docs/s); "
            f"search_reindex takes {ratio:.2f}× that per document (building the records and "
            f"bodies alone, streamed to a file: {bare['records_seconds']:.1f} s, "
            f"{sent / bare['records_seconds']:.0f} docs/s).",
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
    lines += [
        f"OpenSearch ranks a page in two requests within the best "
        f"{settings.OPENSEARCH_RANK_WINDOW} matches (`OPENSEARCH_RANK_WINDOW`; 0 = one request "
        "over every match).",
        "",
    ]
    for who, agreement in results.get("agreement", {}).items():
        lines += [
            f"- {who}: first page (20 hits) identical to the one-request ranking for "
            f"{agreement['identical']} of {agreement['compared']} queries; "
            f"{agreement['shared']:.1%} of its hits in common on average.",
        ]
    if results.get("agreement"):
        lines.append("")
    if results.get("opensearch_profile"):
        lines += ["<details><summary>OpenSearch profile</summary>", "", "```",
                  results["opensearch_profile"], "```", "", "</details>", ""]  # fmt: skip
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
    elif args.template:
        import search_support

        original = search_support.create_database

        def template_database(name, workdir):  # a copy of the kept database
            made = original(name, workdir)
            import psycopg

            with psycopg.connect(**made.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{args.template}"')
            return made

        search_support.create_database = template_database
    with bench_environment(args.db_name, keep=args.keep or args.reuse) as (database, _workdir):
        text = run(args, database)
    print(text)
    if args.write_docs:
        size = args.clone_to or args.n
        replace_section(
            f"{DOCS_KEY} {size} {database.vendor}",
            f"Search at scale ({size:,} documents, {database.vendor})",
            text,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
