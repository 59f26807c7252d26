#!/usr/bin/env python
"""What a change to the search queries costs: the same queries through this tree's backends and
those of an earlier revision, interleaved, on one database kept by `search_load.py --keep`.

    .venv/bin/python bench/search_ranking_cost.py --before f7480fd \\
        --database-url sqlite:////tmp/edoc_bench_load-…/edoc_bench_load.sqlite3 \\
        [--opensearch-index edoc-documents]

search/backends/database.py and opensearch.py (or the opensearch/ package) of `--before` (git show)
are loaded beside this tree's. Every judged query text and 40 random two-to-six-word queries of the
demo vocabulary run three times, each time through both revisions in random order (so both see the
same machine load): the database backend's page query (match, score, order, first 20 ids: no count,
facets or highlights, which the ranking does not change), its whole search (total, facets,
highlights too; `--user`, default the director) and, with --opensearch-index, the whole
OpenSearch request of each revision's `search_body` (hits, facets, highlights), as the director.
The index and database are the same for both: only the queries differ.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from search_support import ROOT, percentile, table

MODULES = ("database", "opensearch")
WORDS = (
    *("bệnh", "án", "điện", "tử", "y", "tế", "kế", "hoạch", "chuyển", "đổi", "số"),
    *("thuốc", "dược", "sở", "thông", "tin", "an", "toàn"),
)


def load_revision(revision: str, workdir: Path) -> dict[str, object]:
    """The backend modules of `revision`, importable beside this tree's (same package). A backend
    is one module (search/backends/<name>.py) or a package (search/backends/<name>/)."""
    modules = {}
    for name in MODULES:
        package = git_show(revision, f"search/backends/{name}/")
        if package is None:
            source = git_show(revision, f"search/backends/{name}.py")
            if source is None:
                raise SystemExit(f"{revision} has no search/backends/{name}.py nor {name}/")
            path = workdir / f"{name}_{revision}.py"
            path.write_text(source, encoding="utf-8")
            locations = None
        else:
            folder = workdir / f"{name}_{revision}"
            folder.mkdir()
            for line in package.splitlines()[2:]:  # "tree REV:path", a blank line, the names
                if line.endswith(".py"):
                    source = git_show(revision, f"search/backends/{name}/{line}")
                    (folder / line).write_text(source, encoding="utf-8")
            path = folder / "__init__.py"
            locations = [str(folder)]
        qualified = f"search.backends.{name}_before"
        spec = importlib.util.spec_from_file_location(
            qualified, path, submodule_search_locations=locations
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module  # a package's relative imports find it there
        spec.loader.exec_module(module)
        modules[name] = module
    return modules


def git_show(revision: str, path: str) -> str | None:
    """`git show REV:path` (a file's text, or a folder's listing), None when there is none."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:{path}"], capture_output=True, text=True
    )
    return shown.stdout if shown.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="git revision to compare with")
    parser.add_argument("--database-url", required=True, help="a database search_load kept")
    parser.add_argument("--opensearch-index", default="", help="alias search_load indexed")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--user", default="giamdoc", help="whose search (default the director)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=args.database_url,
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.db.models import F
    from search_judging import load_judgements

    from edoc.models import User
    from edoc.selectors.access import visibility_for, visible_documents
    from search.backends import SearchQuery, database, opensearch
    from search.models import SearchEntry
    from search.text import parse_query

    with tempfile.TemporaryDirectory() as workdir:
        before = load_revision(args.before, Path(workdir))
    current = {"database": database, "opensearch": opensearch}
    revisions = {args.before: before, "this tree": current}
    user = User.objects.get(username=args.user)
    rng = random.Random(1)
    texts = [query.query for query in load_judgements() if query.query]
    texts += [" ".join(rng.sample(WORDS, rng.randint(2, 6))) for _ in range(40)]
    visible = visible_documents(user).values("pk")
    visibility = visibility_for(user)
    client = None
    if args.opensearch_index:
        client = opensearch.OpenSearchBackend(alias=args.opensearch_index).client

    def page(modules, text: str) -> float:
        entries = SearchEntry.objects.filter(document_id__in=visible)
        matching = modules["database"].DatabaseBackend()._matching(entries, parse_query(text))
        ordered = matching.order_by("-score", F("date").desc(nulls_last=True), "-document_id")
        started = time.perf_counter()
        list(ordered.values_list("document_id", flat=True)[:20])
        return time.perf_counter() - started

    def whole(modules, text: str) -> float:
        backend = modules["database"].DatabaseBackend()
        started = time.perf_counter()
        backend.search(SearchQuery(text=text, page_size=20), user)
        return time.perf_counter() - started

    def request(modules, text: str) -> float:
        body = modules["opensearch"].search_body(SearchQuery(text=text, page_size=20), visibility)
        started = time.perf_counter()
        client.search(index=args.opensearch_index, body=body)
        return time.perf_counter() - started

    measures = [("database page query", page), ("database whole search", whole)]
    if client is not None:
        measures.append(("OpenSearch request", request))
    seconds = {(what, name): [] for what, _ in measures for name in revisions}
    for _round in range(args.rounds):
        for text in texts:
            for what, run in measures:
                names = list(revisions)
                rng.shuffle(names)
                for name in names:
                    seconds[(what, name)].append(run(revisions[name], text))
    rows = [
        [
            what,
            name,
            len(values),
            f"{percentile(values, 50) * 1000:.1f}",
            f"{percentile(values, 95) * 1000:.1f}",
        ]
        for (what, name), values in seconds.items()
    ]
    print(
        f"{SearchEntry.objects.count()} documents, {len(texts)} queries × {args.rounds} rounds, "
        "interleaved\n"
    )
    print(table(["measure", "code", "runs", "p50 ms", "p95 ms"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
