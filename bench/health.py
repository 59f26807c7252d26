#!/usr/bin/env python
"""Benchmark: health record imports (issue 13) against a raw bulk insert of the same rows, and
duplicate matching at scale.

    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc \
        .venv/bin/python bench/health.py --records 100000 --match 1000000

The run creates its own database (`edoc_bench_health`, on the server DATABASE_URL names, or a
SQLite file without it), migrates it and drops it at the end (`--keep` keeps it).

1. A synthetic population of Đồng Nai (bench/health_population.py: names, communes, birth
   dates, 7 % duplicates with typos) written as the record template (CSV), and QĐ 130
   GIAMDINHHS files of the visits of a fifth of it.
2. Each file imported as a browser upload would be: `import_validate` (the file read and
   checked before the job exists), `import_start`, then the job (`import_run`, chunks of
   --chunk-size rows, each chunk one transaction with its audit entry). Then the same record
   file again (idempotent: every row unchanged).
3. The raw baseline in the same run: the rows the import wrote (people, chronic conditions,
   allergies; visits, their secondary diagnoses and the people made from XML1) copied into
   scratch tables with the same columns and indexes (`CREATE TABLE … (LIKE … INCLUDING ALL)`)
   with PostgreSQL's COPY — on SQLite `executemany` INSERTs into tables of the same columns.
   The ratio import / raw is the bench's measure (goal ≤ 3×).
4. Duplicate matching of --match records: blocking keys and scoring (health.matching), pairs
   compared, confident and doubtful matches, recall of the planted duplicates.
5. A Markdown report on stdout; the "Health records (issue 13)" section of docs/benchmarks.md is
   replaced (unless --no-docs).
6. With --district-table N: the plan's district table at N people (3,000,000 for the issue),
   ours against the bare aggregate SQL, by bench/health_tables.py in its own database (its
   section of docs/benchmarks.md, "Health district table", is rewritten unless --no-docs).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search_support import (  # noqa: E402 - the path above first
    bench_environment,
    log,
    machine_facts,
    replace_section,
    table,
)

DOCS_KEY = "bench/health.py"
DOCS_TITLE = "Health records (issue 13)"
# ICD-10 codes the synthetic visits use that the shipped subset lacks (the full catalogue has
# them): added before the run so that no visit is rejected for its code.
EXTRA_ICD10 = {
    "J20": "Viêm phế quản cấp",
    "E78": "Rối loạn chuyển hóa lipoprotein",
    "I25": "Bệnh tim thiếu máu cục bộ mạn",
    "J44": "Bệnh phổi tắc nghẽn mạn tính khác",
    "J45": "Hen phế quản",
    "N18": "Bệnh thận mạn",
    "M17": "Thoái hóa khớp gối",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="rows of the record file")
    parser.add_argument(
        "--visit-rate", type=float, default=0.2, help="share of the people with a visit (XML1)"
    )
    parser.add_argument("--per-file", type=int, default=5000, help="visits per QĐ 130 file")
    parser.add_argument("--match", type=int, default=1_000_000, help="records matched (0: skip)")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument(
        "--database-name", default="edoc_bench_health",
        help="the scratch database (dropped first): another name lets two runs share a server",
    )  # fmt: skip
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--district-table",
        type=int,
        default=0,
        metavar="PEOPLE",
        help="also time the district table at this many people (bench/health_tables.py; 0: skip)",
    )
    return parser.parse_args(argv)


def prepare_catalogues() -> list[str]:
    """Đồng Nai's units, ICD-10, vaccines, ten facilities; the commune codes (2008)."""
    from health import catalogues
    from health.models import AdminUnit, Facility, Icd10Code

    catalogues.load_admin_units(provinces="dong-nai")
    catalogues.load_icd10()
    catalogues.load_vaccines()
    for code, name in EXTRA_ICD10.items():
        Icd10Code.objects.get_or_create(code=code, defaults={"name_vi": name, "edition": "bench"})
    communes = list(
        AdminUnit.objects.filter(edition="2008", level="commune", province_code="75")
        .order_by("code")
        .values_list("code", flat=True)
    )
    for number in range(1, 11):
        Facility.objects.get_or_create(
            code=f"750{number:02d}", defaults={"name": f"CSKCB {number}"}
        )
    return communes


def parse_seconds(kind: str, path: Path) -> float:
    """Seconds the readers of health.formats take on the file alone (part of the job)."""
    from health.imports import read_file

    data = path.read_bytes()
    started = time.perf_counter()
    read_file(kind, data, path.name)
    return time.perf_counter() - started


@contextmanager
def cleanup_after() -> Iterator[None]:
    """Hold the clean-up the job's chunks ask for (`records_imported`) until the job ends, then
    run it untimed. With Celery it runs in a worker process; in the bench's eager mode it would
    run in a thread of this process, sharing the GIL and the cores with the job being timed."""
    from health import receivers
    from health.signals import records_imported
    from health.tasks import cleanup_people_task

    touched: set[int] = set()

    def collect(sender, person_ids=(), **kwargs) -> None:
        touched.update(int(pk) for pk in person_ids)

    records_imported.disconnect(dispatch_uid="health-cleanup-imported")
    records_imported.connect(collect, dispatch_uid="bench-cleanup-held")
    try:
        yield
    finally:
        records_imported.disconnect(dispatch_uid="bench-cleanup-held")
        receivers.connect()
    if touched:
        cleanup_people_task(sorted(touched))


def import_file(kind: str, path: Path, chunk_size: int) -> tuple[float, float, object]:
    """(seconds checking the upload, seconds of the job, the job); the clean-up the job asks
    for runs after it, untimed (see `cleanup_after`)."""
    from health import imports

    with cleanup_after():
        started = time.perf_counter()
        with path.open("rb") as handle:
            validated = imports.import_validate(kind, handle, path.name)
        job = imports.import_start(actor=None, validated=validated, run=False)
        checked = time.perf_counter()
        job = imports.import_run(job.pk, chunk_size)
        finished = time.perf_counter()
    return checked - started, finished - checked, job


def raw_copy(tables: dict[str, str]) -> tuple[float, int]:
    """Copy the rows `tables` selects ({table: WHERE clause}) into scratch tables of the same
    columns and indexes, timing only the inserts; (seconds, rows)."""
    from django.db import connection

    dumps: list[tuple[str, object]] = []
    rows = 0
    with connection.cursor() as cursor:
        for name, where in tables.items():
            scratch = f"bench_raw_{name}"
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE {scratch} (LIKE {name} INCLUDING ALL)")
                buffer = io.BytesIO()
                with cursor.cursor.copy(
                    f"COPY (SELECT * FROM {name} WHERE {where}) TO STDOUT"
                ) as copy:  # noqa: E501
                    for data in copy:
                        buffer.write(data)
                dumps.append((scratch, buffer.getvalue()))
                rows += buffer.getvalue().count(b"\n")
            else:
                cursor.execute(f"CREATE TABLE {scratch} AS SELECT * FROM {name} WHERE 0")
                cursor.execute(f"SELECT * FROM {name} WHERE {where}")
                data = cursor.fetchall()
                dumps.append((scratch, data))
                rows += len(data)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for scratch, data in dumps:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
                    copy.write(data)
            elif data:
                marks = ", ".join("?" for _ in data[0])
                cursor.executemany(f"INSERT INTO {scratch} VALUES ({marks})", data)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for scratch, _data in dumps:
            cursor.execute(f"DROP TABLE {scratch}")
    return elapsed, rows


def measure_matching(size: int, communes: list[str], seed: int) -> dict:
    """Blocking keys and scores over `size` synthetic records."""
    from bench.health_population import generate_population
    from health.matching import Identity, candidate_pairs, score

    started = time.perf_counter()
    people = list(generate_population(size, communes, seed=seed))
    generated = time.perf_counter() - started
    identities = {
        p.record: Identity(full_name=p.full_name, birth_date=p.birth_date,
                           citizen_id=p.citizen_id, sex=p.sex, commune_code=p.commune_code,
                           phone=p.phone, insurance_card=p.insurance_card)
        for p in people
    }  # fmt: skip
    truth = {p.record: p.person for p in people}
    started = time.perf_counter()
    verdicts: Counter = Counter()
    matched: set[int] = set()  # records in a confident or doubtful pair with the same person
    wrong = 0
    pairs = 0
    for a, b in candidate_pairs(identities.items()):
        pairs += 1
        verdict = score(identities[a], identities[b]).verdict
        verdicts[verdict] += 1
        if verdict != "different":
            if truth[a] == truth[b]:
                matched |= {a, b}
            else:
                wrong += 1
    elapsed = time.perf_counter() - started
    duplicates = [p.record for p in people if p.is_duplicate]
    planted = len(duplicates)
    found = sum(1 for record in duplicates if record in matched)
    return {"size": size, "seconds": elapsed, "generated": generated, "pairs": pairs,
            "confident": verdicts["confident"], "doubtful": verdicts["doubtful"],
            "planted": planted, "found": found, "wrong": wrong}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with bench_environment(args.database_name, keep=args.keep) as (database, workdir):
        from bench.health_population import (
            generate_population,
            visits_of,
            write_qd130_files,
            write_records_csv,
        )
        from health.models import Person

        communes = prepare_catalogues()
        facilities = [f"750{n:02d}" for n in range(1, 11)]
        log(f"{len(communes)} communes; generating {args.records} records")
        people = list(
            generate_population(args.records, communes, seed=args.seed, facilities=facilities)
        )
        records_path = workdir / "ho-so.csv"
        with records_path.open("w", newline="", encoding="utf-8-sig") as out:
            write_records_csv(people, out)
        xml_dir = workdir / "qd130"
        xml_paths = write_qd130_files(
            visits_of(people, seed=args.seed, visit_rate=args.visit_rate), xml_dir, args.per_file
        )
        results = []

        log("importing the record file")
        read_s, job_s, job = import_file("records", records_path, args.chunk_size)
        raw_s, raw_rows = raw_copy({
            "health_person": "source = 'records'",
            "health_chroniccondition": "TRUE",
            "health_allergy": "TRUE",
        })  # fmt: skip
        parse_s = parse_seconds("records", records_path)
        results.append(("Record template (CSV)", job, read_s, job_s, parse_s, raw_s, raw_rows))
        log("the same record file again")
        again_read, again_s, again = import_file("records", records_path, args.chunk_size)
        assert again.created_count == again.updated_count == 0, "a re-run changed records"

        log(f"importing {len(xml_paths)} QĐ 130 files")
        totals = [0.0, 0.0, 0.0]
        jobs = []
        for path in xml_paths:
            read, run, xml_job = import_file("qd130", path, args.chunk_size)
            totals[0] += read
            totals[1] += run
            totals[2] += parse_seconds("qd130", path)
            jobs.append(xml_job)
        raw_s, raw_rows = raw_copy({
            "health_medicalvisit": "TRUE",
            "health_medicalvisit_secondary_diagnoses": "TRUE",
            "health_person": "source = 'qd130'",
        })  # fmt: skip
        xml_job = _sum_jobs(jobs)
        results.append(("QĐ 130 XML1", xml_job, *totals, raw_s, raw_rows))
        people_count = Person.objects.count()

        matching = None
        if args.match:
            log(f"matching {args.match} records")
            matching = measure_matching(args.match, communes, args.seed)
        report = render(args, database.vendor, results, (again_read, again_s, again),
                        people_count, matching, len(xml_paths))  # fmt: skip
    print(report)
    if not args.no_docs:
        replace_section(DOCS_KEY, DOCS_TITLE, report)
    if args.district_table:
        command = [sys.executable, str(Path(__file__).with_name("health_tables.py")),
                   "--people", str(args.district_table), "--runs", "7"]  # fmt: skip
        subprocess.run(command + ([] if args.no_docs else ["--write-docs"]), check=True)


class _Totals:
    """The counters of several jobs added up (the QĐ 130 files)."""

    def __init__(self, jobs: list) -> None:
        for name in ("total_rows", "created_count", "updated_count", "unchanged_count",
                     "rejected_count"):  # fmt: skip
            setattr(self, name, sum(getattr(job, name) or 0 for job in jobs))


def _sum_jobs(jobs: list) -> _Totals:
    return _Totals(jobs)


def render(args, vendor, results, again, people_count, matching, xml_files) -> str:
    rows = []
    for label, job, read_s, job_s, parse_s, raw_s, raw_rows in results:
        total = read_s + job_s
        rows.append([
            label, f"{job.total_rows:,}", f"{job.created_count:,}", f"{job.rejected_count:,}",
            f"{read_s:.1f}", f"{job_s:.1f}", f"{parse_s:.1f}", f"{job.total_rows / total:,.0f}",
            f"{raw_rows:,}", f"{raw_s:.2f}", f"{total / raw_s:.1f}×",
            f"{(total - parse_s) / raw_s:.1f}×",
        ])  # fmt: skip
    again_read, again_s, again_job = again
    command = (
        "DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc .venv/bin/python bench/health.py "
        f"--records {args.records} --match {args.match} --chunk-size {args.chunk_size}"
    )
    lines = [
        f"Reproduce: `{command}` ({time.strftime('%Y-%m-%d')}). {machine_facts(vendor)}.",
        "",
        f"{args.records:,} synthetic records of Đồng Nai (7 % duplicates with typos) as the record "
        f"template; QĐ 130 files ({xml_files}, up to {args.per_file} visits each) of the visits "
        f"of {args.visit_rate:.0%} of them. Each file goes through the upload check "
        "(`import_validate`: the file read once before the job exists) and the job "
        f"(`import_run`, chunks of {args.chunk_size} rows, one transaction and one audit entry "
        "each). Raw: the rows the import wrote, copied into scratch tables with the same "
        "columns and indexes (`LIKE … INCLUDING ALL`) by "
        + ("PostgreSQL `COPY`" if vendor == "postgresql" else "SQLite `executemany`")
        + ', only the inserts timed. Ratio = (check + job) / raw; the goal is ≤ 3×. "Reading" is '
        "the time the readers of `health.formats` take on the file alone (parsing and checking "
        "each row: CCCD, dates, ICD-10), which the raw insert does not do.",
        "",
        table(
            [
                "File",
                "Rows",
                "Created",
                "Rejected",
                "Check s",
                "Job s",
                "of which reading s",
                "Rows/s",
                "Raw rows",
                "Raw s",
                "Ratio",
                "Ratio without reading",
            ],
            rows,
        ),  # fmt: skip
        "",
        f"Re-run of the same record file: {again_job.unchanged_count:,} unchanged, "
        f"{again_job.created_count} created, {again_job.updated_count} updated, in "
        f"{again_read + again_s:.1f} s. People on file at the end: {people_count:,}.",
    ]
    if matching:
        m = matching
        recall = m["found"] / m["planted"] if m["planted"] else 0
        lines += [
            "",
            f"Duplicate matching (health.matching, blocking keys, not all pairs) of "
            f"{m['size']:,} records: {m['pairs']:,} candidate pairs scored in "
            f"{m['seconds']:.1f} s ({m['size'] / m['seconds']:,.0f} records/s; generating them "
            f"took {m['generated']:.1f} s); {m['confident']:,} confident and "
            f"{m['doubtful']:,} doubtful pairs; {m['found']:,} of the {m['planted']:,} planted "
            f"duplicates paired with a record of the same person (recall {recall:.1%}); "
            f"{m['wrong']:,} confident or doubtful pairs of different people.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
