#!/usr/bin/env python
"""Search at scale: ingestion, indexing, query latency and API overhead on N generated PDFs.

    .venv/bin/python bench/search_load.py --n 2000 [--backend database|opensearch|all]
    .venv/bin/python bench/search_load.py --n 100000      # the default; --n 1000000 as an option

1. Generates N realistic Vietnamese official documents as PDFs (bench/search_corpus.py), in
   parallel processes, into a cache (var/bench/search-corpus/) that later runs reuse.
2. On its own database (a temporary SQLite file, or database `edoc_bench_load` on the PostgreSQL
   server of DATABASE_URL) with the demo organisation (`seed_demo --count 0`):
   (a) ingestion, PDF to searchable: `import_documents DIR --workers W` (worker processes
       validate, read and propose each file; the command's process stores and registers them,
       text included, then indexes and verifies each batch, all eager as in the embedded
       mode), against bare text extraction of the same files with pdfplumber and with
       pypdfium2 alone; CPU per file of each side, and resident memory sampled over the run
       (`--import-only` stops there: `--n 10000 --import-only` is the memory run);
   (b) indexing throughput of `search_reindex` for each backend;
   (c) query latency p50/p95 per backend over a mix of the judged queries and random
       vocabulary (words, folded words, phrases, prefixes, symbols of imported documents), as
       the director, first page of 20 with facets and highlights;
   (d) the search API's overhead: GET /api/search/?q=… through Django's test Client against
       the raw engine query for the same words (FTS5 MATCH / tsvector @@ ordered by rank,
       first 20 ids; or the backend's own OpenSearch body sent with opensearch-py).
3. A Markdown table on stdout and, unless --no-docs, in docs/benchmarks.md (one block per N and
   database).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# This work tree's code, not the one the virtualenv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_corpus import generate  # noqa: E402
from search_judging import load_judgements  # noqa: E402
from search_support import (  # noqa: E402
    ROOT,
    bench_environment,
    log,
    machine_facts,
    opensearch_available,
    percentile,
    replace_section,
    table,
)

DOCS_KEY = "bench/search_load.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="documents (default 100,000)")
    parser.add_argument("--backend", choices=("database", "opensearch", "all"), default="all")
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "var" / "bench" / "search-corpus", help="PDF cache"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="processes making the PDFs"
    )
    parser.add_argument(
        "--import-workers",
        type=int,
        default=os.cpu_count() or 2,
        help="import_documents --workers (default: the CPU count)",
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="measure ingestion (and memory) only: no reindex, queries or API",
    )
    parser.add_argument("--queries", type=int, default=300, help="timed queries per backend")
    parser.add_argument("--api-requests", type=int, default=100, help="timed API requests")
    parser.add_argument(
        "--bare-sample",
        type=int,
        default=0,
        help="bare extraction on this many of the files (default: all N)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db-name", default="edoc_bench_load", help="PostgreSQL only")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("--n must be at least 10")
    return args


# --- (a) ingestion ---------------------------------------------------------------------------


def link_tree(files: list[Path], target: Path) -> Path:
    """A folder holding exactly these files (symlinks), for import_documents."""
    for index, path in enumerate(files):
        link = target / f"{index // 1000:04d}" / path.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)
    return target


def bare_rates(files: list[Path]) -> dict[str, float]:
    """Files per second of text extraction alone (every page), pdfplumber and pypdfium2."""
    import pdfplumber
    import pypdfium2

    def plumber(path: Path) -> int:
        with pdfplumber.open(path) as pdf:
            return sum(len(page.extract_text() or "") for page in pdf.pages)

    def pdfium(path: Path) -> int:
        document = pypdfium2.PdfDocument(str(path))
        try:
            total = 0
            for page in document:
                textpage = page.get_textpage()
                total += len(textpage.get_text_range())
                textpage.close()
                page.close()
            return total
        finally:
            document.close()

    rates = {}
    for name, extract in (("pypdfium2", pdfium), ("pdfplumber", plumber)):
        started, cpu = time.perf_counter(), time.process_time()
        characters = sum(extract(path) for path in files)
        rates[name] = len(files) / (time.perf_counter() - started)
        if name == "pypdfium2":
            rates["_cpu_ms"] = (time.process_time() - cpu) / len(files) * 1000
        log(f"bare {name}: {rates[name]:.1f} files/s ({characters} characters)")
    return rates


def _rss_kib(pid: int | str = "self") -> int:
    """Resident memory of a process (KiB), from /proc; 0 where that cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Samples this process's resident memory (and its worker processes') while documents are
    imported, with the number imported so far (read on a connection of its own)."""

    def __init__(self, every: float = 2.0):
        import threading

        self.every = every
        self.samples: list[tuple[int, int, int]] = []  # (documents, main KiB, workers KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-watch", daemon=True)

    def _children_kib(self) -> int:
        total = 0
        for task in Path("/proc/self/task").iterdir():
            children = task / "children"
            if children.exists():
                for pid in children.read_text().split():
                    total += _rss_kib(pid)
        return total

    def _run(self) -> None:
        from django.db import connection

        from edoc.models import Document

        try:
            while not self._stop.wait(self.every):
                count = Document.objects.count()
                self.samples.append((count, _rss_kib(), self._children_kib()))
        finally:
            connection.close()

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        total = self.samples[-1][0]
        first = next((s for s in self.samples if s[0] >= total * 0.1), self.samples[0])
        return {
            "at_10_percent": first,
            "at_end": self.samples[-1],
            "main_max": max(s[1] for s in self.samples),
            "workers_max": max(s[2] for s in self.samples),
            "samples": len(self.samples),
        }


def ingest(files: list[Path], workdir: Path, workers: int) -> dict[str, Any]:
    import resource

    from django.core.management import call_command

    from edoc.models import Document
    from search.models import SearchEntry

    tree = link_tree(files, workdir / "import")
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet, MemoryWatch() as memory:
        try:
            call_command(
                "import_documents",
                str(tree),
                "--no-progress",
                "--workers",
                str(workers),
                stdout=quiet,
            )
        except SystemExit as exit_:  # CommandError from the command line path
            log(f"import_documents exited {exit_.code}")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = [
        (a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime) / len(files) * 1000
        for a, b in zip(after, before, strict=True)
    ]
    documents = Document.objects.count()
    searchable = SearchEntry.objects.count()
    log(f"imported {documents} documents in {seconds:.0f} s; {searchable} searchable")
    log(f"CPU per file: main {cpu[0]:.1f} ms, workers {cpu[1]:.1f} ms")
    log(f"memory: {memory.summary()}")
    return {
        "seconds": seconds,
        "documents": documents,
        "searchable": searchable,
        "workers": workers,
        "memory": memory.summary(),
        "cpu_main_ms": cpu[0],
        "cpu_workers_ms": cpu[1],
    }


# --- (b) indexing ----------------------------------------------------------------------------


def reindex_rate(name: str, documents: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("search_reindex", "--backend", name, "--no-progress", stdout=quiet)
    seconds = time.perf_counter() - started
    log(f"search_reindex {name}: {documents} documents in {seconds:.1f} s")
    return documents / seconds


# --- (c) queries -----------------------------------------------------------------------------


def query_mix(count: int, seed: int) -> list[tuple[str, bool]]:
    """(text, prefix): the judged queries, then random vocabulary of the corpus."""
    from edoc.demo.topics import TOPICS
    from edoc.models import Document
    from edoc.text import fold

    rng = random.Random(seed)
    mix = [(q.query, q.prefix) for q in load_judgements() if q.query]
    sentences = [s for t in TOPICS for s in (*t.subjects.values(), t.purpose, *t.details)]
    symbols = list(
        Document.objects.exclude(number="").order_by("?").values_list("number", "notation")[:200]
    )
    while len(mix) < count:
        roll = rng.random()
        if roll < 0.15 and symbols:
            number, notation = rng.choice(symbols)
            symbol = f"{number}/{notation}"
            mix.append((rng.choice([symbol, fold(symbol), re.sub(r"[/-]", " ", symbol)]), False))
            continue
        words = re.findall(r"\w+", rng.choice(sentences).replace("{", " ").replace("}", " "))
        words = [w for w in words if not w.isdigit() and w not in ("year", "prev", "next")]
        if len(words) < 2:
            continue
        start = rng.randrange(len(words) - 1)
        text = " ".join(words[start : start + rng.choice((1, 2, 2, 3, 4))])
        if roll < 0.45:
            text = fold(text)
        elif roll < 0.55:
            text = f'"{text}"'
        prefix = 0.55 <= roll < 0.7
        if prefix:
            text = text[: max(2, len(text) - rng.randint(0, 3))]
        mix.append((text, prefix))
    return mix[:count]


def latencies(backend: Any, user: Any, mix: list[tuple[str, bool]]) -> dict[str, float]:
    from search.backends import SearchQuery

    for text, prefix in mix[:10]:  # warm-up
        backend.search(SearchQuery(text=text, prefix=prefix), user)
    times = []
    hits = 0
    for text, prefix in mix:
        started = time.perf_counter()
        result = backend.search(SearchQuery(text=text, prefix=prefix, page_size=20), user)
        times.append(time.perf_counter() - started)
        hits += bool(result.total)
    return {
        "p50": percentile(times, 50) * 1000,
        "p95": percentile(times, 95) * 1000,
        "mean": statistics.fmean(times) * 1000,
        "answered": hits / len(mix),
    }


# --- (d) API overhead ------------------------------------------------------------------------


def raw_database_query(text: str) -> Any:
    """The engine's own query for these words: ids of the first 20 by rank, nothing else."""
    from django.db import connection

    from search.backends.database import fts5_match, tsquery
    from search.text import parse_query

    parsed = parse_query(text)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expression = tsquery(parsed, folded=True, with_symbols=True)
            cursor.execute(
                "SELECT document_id FROM search_searchentry "
                "WHERE folded_vec @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank(folded_vec, to_tsquery('simple', %s)) DESC LIMIT 20",
                [expression, expression],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT 20",
                [fts5_match(parsed)],
            )
        return cursor.fetchall()


def bare_opensearch(backend: Any, query: Any, visibility: Any) -> Any:
    """The backend's own request bodies for `query`, sent bare: one (search_body), or the two
    of a page ranked by relevance (window_body, then ranked_body on its candidates)."""
    from search.backends.opensearch import ranked_body, search_body, window_body

    first = window_body(query, visibility)
    if first is None:
        return backend.client.search(index=backend.alias, body=search_body(query, visibility))
    response = backend.client.search(index=backend.alias, body=first)
    ids = [raw["_id"] for raw in response["hits"]["hits"]]
    if ids:
        backend.client.search(index=backend.alias, body=ranked_body(query, visibility, ids))
    return response


def api_overhead(name: str, user: Any, texts: list[str]) -> dict[str, float]:
    """p50 of GET /api/search/ (test Client, session login) and of the raw engine query."""
    from django.test import Client, override_settings

    from search.backends import SearchQuery

    client = Client(HTTP_HOST="127.0.0.1")  # an ALLOWED_HOSTS default
    client.force_login(user)
    if name == "opensearch":
        from edoc.selectors.access import visibility_for
        from search.backends import get_backend

        backend = get_backend("opensearch")
        visibility = visibility_for(user)

        def raw(text: str) -> Any:
            return bare_opensearch(backend, SearchQuery(text=text), visibility)

    else:
        raw = raw_database_query
    api_times, raw_times = [], []
    with override_settings(SEARCH_BACKEND=name):
        for text in texts[:5]:  # warm-up
            client.get("/api/search/", {"q": text})
            raw(text)
        for text in texts:
            started = time.perf_counter()
            response = client.get("/api/search/", {"q": text})
            api_times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            started = time.perf_counter()
            raw(text)
            raw_times.append(time.perf_counter() - started)
    api, engine = percentile(api_times, 50) * 1000, percentile(raw_times, 50) * 1000
    log(f"API {name}: p50 {api:.1f} ms, raw engine p50 {engine:.2f} ms")
    return {"api": api, "raw": engine, "api_p95": percentile(api_times, 95) * 1000}


# --- Report ----------------------------------------------------------------------------------


def report(args: argparse.Namespace, facts: str, vendor: str, results: dict[str, Any]) -> str:
    n = args.n
    ingestion = results["ingestion"]
    rate = ingestion["documents"] / ingestion["seconds"]
    bare = results["bare"]
    lines = [
        f"N = {n:,} generated documents ({results['pages']:.1f} pages and "
        f"{results['kib']:.0f} KiB per PDF on average), {vendor}, measured "
        f"{time.strftime('%Y-%m-%d', time.gmtime())} on {facts}. Reproduce: "
        f"`{'DATABASE_URL=postgres://… ' if vendor == 'postgresql' else ''}"
        f"{'OPENSEARCH_URL=http://127.0.0.1:9201 ' if 'opensearch' in results['backends'] else ''}"
        f".venv/bin/python bench/search_load.py --n {n}"
        f"{' --bare-sample ' + str(args.bare_sample) if args.bare_sample else ''}"
        f"{' --import-workers ' + str(args.import_workers)}"
        f"{' --import-only' if args.import_only else ''}`"
        + (
            f" (bare extraction on the first {args.bare_sample} files)."
            if args.bare_sample
            else "."
        ),
        "",
        "The machine was shared with other jobs during the run: 5-minute load average "
        f"{results['load'][0]:.1f} at the start and {results['load'][-1]:.1f} at the end on "
        f"{os.cpu_count()} cores, so absolute times are pessimistic; the ratios compare "
        "measurements taken under the same load.",
        "",
        table(
            ["(a) ingestion, PDF → searchable", "files/s", "ratio"],
            [
                [
                    f"`import_documents` ({ingestion['documents']:,} imported, "
                    f"{ingestion['searchable']:,} searchable)",
                    f"{rate:.1f}",
                    "1",
                ],
                *[
                    [f"bare text extraction, {name}", f"{value:.1f}", f"{value / rate:.1f}×"]
                    for name, value in bare.items()
                ],
            ],
        ),
        "",
        f"**`import_documents --workers {ingestion['workers']}` runs at "
        f"{rate / bare['pypdfium2']:.2f}× bare pypdfium2 extraction** of the same files in the "
        "same run (the goal of issue 10: ≥ 0.2×). CPU per file: "
        f"{ingestion['cpu_main_ms']:.1f} ms in the registering process, "
        f"{ingestion['cpu_workers_ms']:.1f} ms in the worker processes; bare pypdfium2 "
        f"{results['bare_cpu_ms']:.1f} ms.",
        "",
        f"Extrapolation (not measured): importing 100,000 such files at this rate takes about "
        f"{100_000 / rate / 3600:.1f} h, 1,000,000 about {1_000_000 / rate / 3600:.0f} h.",
        "",
    ]
    memory = ingestion.get("memory") or {}
    if memory:
        first, last = memory["at_10_percent"], memory["at_end"]
        lines += [
            f"Memory (resident, sampled every 2 s over the import, {memory['samples']} samples): "
            f"the registering process held {first[1] / 1024:.0f} MiB after {first[0]:,} "
            f"documents and {last[1] / 1024:.0f} MiB after {last[0]:,} (highest "
            f"{memory['main_max'] / 1024:.0f} MiB); its worker processes together "
            f"{first[2] / 1024:.0f} MiB and {last[2] / 1024:.0f} MiB (highest "
            f"{memory['workers_max'] / 1024:.0f} MiB).",
            "",
        ]
    if not results["backends"]:
        return "\n".join(lines)
    rows = []
    for name in results["backends"]:
        r = results[name]
        rows.append(
            [
                name,
                f"{r['index_rate']:.0f}",
                f"{r['latency']['p50']:.1f}",
                f"{r['latency']['p95']:.1f}",
                f"{r['latency']['answered']:.0%}",
                f"{r['api']['api']:.1f}",
                f"{r['api']['raw']:.2f}",
                f"{r['api']['api'] / max(r['api']['raw'], 1e-6):.0f}×",
            ]
        )
    lines.append(
        table(
            [
                "backend",
                "(b) reindex docs/s",
                "(c) query p50 ms",
                "(c) p95 ms",
                "queries with hits",
                "(d) API p50 ms",
                "raw engine p50 ms",
                "API / raw",
            ],
            rows,
        )
    )
    lines += [
        "",
        f"(c) {args.queries} queries: the judged set's texts, then random words of the corpus "
        "vocabulary (with and without diacritics, phrases, prefixes) and symbols of imported "
        "documents in the three forms; as the director, first page of 20 with total, facets and "
        "highlights. (d) the API's p50 over "
        f"{args.api_requests} of those texts (session login, JSON) against the engine's own "
        "query for the same words: FTS5 `MATCH … ORDER BY rank LIMIT 20` or tsvector `@@ … "
        "ORDER BY ts_rank LIMIT 20` (ids only: no permission filter, count, facets or "
        "highlights), and the backend's own OpenSearch body (with permissions, facets and "
        "highlights) sent with opensearch-py.",
    ]
    return "\n".join(lines)


def pdf_facts(files: list[Path]) -> tuple[float, float]:
    import pypdfium2

    sample = files[:: max(1, len(files) // 200)]
    pages = statistics.fmean(len(pypdfium2.PdfDocument(str(path))) for path in sample)
    kib = statistics.fmean(path.stat().st_size for path in sample) / 1024
    return pages, kib


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    files, made = generate(args.cache.resolve(), args.n, seed=args.seed, workers=args.workers)
    log(f"{len(files)} PDFs ready ({made} made now) in {time.perf_counter() - started:.0f} s")
    results: dict[str, Any] = {"backends": [], "load": [os.getloadavg()[1]]}
    results["pages"], results["kib"] = pdf_facts(files)
    with bench_environment(args.db_name, keep=args.keep) as (database, workdir):
        from django.core.management import call_command

        from edoc.models import User

        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", "--count", "0", stdout=quiet)
        sample = files[: args.bare_sample] if args.bare_sample else files
        results["bare"] = bare_rates(sample)
        results["bare_cpu_ms"] = results["bare"].pop("_cpu_ms")
        results["ingestion"] = ingest(files, workdir, args.import_workers)
        documents = results["ingestion"]["documents"]
        names = ["database"] if args.backend != "opensearch" else []
        if args.import_only:
            names = []
        if args.backend in ("opensearch", "all"):
            if opensearch_available():
                names.append("opensearch")
            elif args.backend == "opensearch":
                sys.exit("OPENSEARCH_URL does not answer (tools/opensearch-node/start.sh)")
            else:
                log("OpenSearch not reachable (OPENSEARCH_URL): database backend only")
        director = User.objects.get(username="giamdoc")
        mix = query_mix(args.queries, args.seed)
        from search.backends import get_backend

        for name in names:
            results[name] = {"index_rate": reindex_rate(name, documents)}
            results[name]["latency"] = latencies(get_backend(name), director, mix)
            log(f"{name} latency: {results[name]['latency']}")
            texts = [text for text, prefix in mix if not prefix][: args.api_requests]
            results[name]["api"] = api_overhead(name, director, texts)
            results["backends"].append(name)
        results["load"].append(os.getloadavg()[1])
        text = report(args, machine_facts(database.vendor), database.vendor, results)
    print(text)
    if not args.no_docs:
        vendor = "PostgreSQL" if database.vendor == "postgresql" else "SQLite"
        only = " import" if args.import_only else ""
        replace_section(
            f"{DOCS_KEY} N={args.n} {vendor}{only}",
            f"{'Import' if only else 'Search'} at scale: N = {args.n:,} on {vendor}",
            text,
        )
        log("docs/benchmarks.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
