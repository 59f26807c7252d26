#!/usr/bin/env python
"""Search quality on the judged query set: precision@5 and nDCG@10 per query and per backend.

    .venv/bin/python bench/search_quality.py [--backend database|opensearch|all] [--no-docs]

Builds its own database (a temporary SQLite file, or database `edoc_bench_quality` on the
PostgreSQL server of DATABASE_URL), seeds the demo corpus (`seed_demo`, 200 documents), indexes
it, and runs every query of bench/search_judgements.json through each backend's `search` as the
director (agency-wide, confidential documents only with a grant), first page of 10 by relevance.
Judged documents the director may not see are left out of the ideal ranking. The OpenSearch
backend is measured when OPENSEARCH_URL answers (tools/opensearch-node/start.sh). The table goes
to stdout and, unless --no-docs, into docs/benchmarks.md between this script's markers.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict

from search_judging import QueryScore, corpus_from_database, load_judgements, mean, run_queries
from search_support import (
    bench_environment,
    log,
    machine_facts,
    opensearch_available,
    replace_section,
    table,
)

DOCS_KEY = "bench/search_quality.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("database", "opensearch", "all"), default="all")
    parser.add_argument("--db-name", default="edoc_bench_quality", help="PostgreSQL only")
    parser.add_argument("--keep", action="store_true", help="keep the database and media")
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    return parser.parse_args(argv)


def report(results: dict[str, list[QueryScore]], facts: str, vendor: str) -> str:
    names = list(results)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {facts}. Reproduce: "
        f"`{'DATABASE_URL=postgres://… ' if vendor == 'postgresql' else ''}"
        f".venv/bin/python bench/search_quality.py --backend all`.",
        "",
        f"{len(next(iter(results.values())))} judged queries "
        "(bench/search_judgements.json) over the demo corpus (`seed_demo`, 200 documents), "
        "searched as the director, first page of 10 by relevance. P@5: share of the first 5 "
        "results that are judged relevant (a query with one relevant document scores at most "
        "0.2); nDCG@10: gain 2^grade − 1, log2 discount, against the ideal order of the judged "
        "documents the director may see.",
        "",
    ]
    header = ["backend", "mean P@5", "mean nDCG@10", "queries with nDCG@10 = 1", "median ms"]
    rows = []
    for name in names:
        scores = results[name]
        seconds = sorted(s.seconds for s in scores)
        rows.append(
            [
                name,
                f"{mean(s.precision for s in scores):.3f}",
                f"{mean(s.ndcg for s in scores):.3f}",
                f"{sum(1 for s in scores if s.ndcg > 0.999)}/{len(scores)}",
                f"{seconds[len(seconds) // 2] * 1000:.1f}",
            ]
        )
    lines += [table(header, rows), ""]
    by_tag: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for name in names:
        for s in results[name]:
            for tag in s.query.tags:
                by_tag[tag][name].append(s.ndcg)
    lines += ["Mean nDCG@10 by kind of query:", ""]
    lines.append(
        table(
            ["kind", "queries", *names],
            [
                [tag, len(by_tag[tag][names[0]])]
                + [f"{mean(by_tag[tag][name]):.3f}" for name in names]
                for tag in sorted(by_tag)
            ],
        )
    )
    lines += ["", "Per query (P@5 / nDCG@10):", ""]
    rows = []
    for index, s in enumerate(results[names[0]]):
        row = [s.query.id, f"`{s.text}`" + (" (prefix)" if s.query.prefix else ""), len(s.grades)]
        row += [f"{results[n][index].precision:.2f} / {results[n][index].ndcg:.3f}" for n in names]
        rows.append(row)
    lines.append(table(["id", "query", "judged", *names], rows))
    return "\n".join(lines)


def reindex(name: str) -> None:
    from django.core.management import call_command

    with open("/dev/null", "w") as quiet:
        call_command("search_reindex", "--backend", name, "--no-progress", stdout=quiet)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    queries = load_judgements()
    with bench_environment(args.db_name, keep=args.keep) as (database, _workdir):
        from django.core.management import call_command

        from edoc.models import User
        from search.backends import get_backend

        started = time.perf_counter()
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        log(f"seeded the demo corpus in {time.perf_counter() - started:.0f} s")
        reindex("database")
        names = ["database"] if args.backend != "opensearch" else []
        if args.backend in ("opensearch", "all"):
            if opensearch_available():
                reindex("opensearch")
                names.append("opensearch")
            elif args.backend == "opensearch":
                sys.exit("OPENSEARCH_URL does not answer (tools/opensearch-node/start.sh)")
            else:
                log("OpenSearch not reachable (OPENSEARCH_URL): database backend only")
        director = User.objects.get(username="giamdoc")
        corpus = corpus_from_database(director)
        results = {}
        for name in names:
            backend = get_backend(name)
            run_queries(backend, director, queries[:3], corpus)  # warm-up
            results[name] = run_queries(backend, director, queries, corpus)
            log(
                f"{name}: mean P@5 {mean(s.precision for s in results[name]):.3f}, "
                f"mean nDCG@10 {mean(s.ndcg for s in results[name]):.3f}"
            )
        text = report(results, machine_facts(database.vendor), database.vendor)
    print(text)
    if not args.no_docs:
        replace_section(DOCS_KEY, "Search quality (judged queries)", text)
        log("docs/benchmarks.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
