#!/usr/bin/env python
"""Benchmark: peak memory (RSS) of `import_documents` on large files, against a raw copy.

    DATABASE_URL=postgres://edoc:edoc@127.0.0.1:54329/edoc \
        .venv/bin/python bench/import_memory.py [--big-mb 200] [--pages 2000] [--zip-files 5000]

The script never touches the database named in DATABASE_URL: it creates its own
(`edoc_bench_import`, or SQLite without DATABASE_URL), migrates it, seeds the organisation
(`seed_demo --organisation-only`) and drops it at the end.

1. Files, generated with reportlab in a temporary folder: a PDF of `--big-mb` MB (pages of
   incompressible image data), a PDF of `--pages` text pages, and a ZIP of `--zip-files`
   one-page PDFs (each with its own text).
2. Each case runs in a child process of its own (`manage.py import_documents … --no-progress`,
   Celery eager, so the text layer of a long file is read in the same process after the
   commit); its peak RSS is the child's `ru_maxrss` (os.wait4). Baselines in the same run: the
   same command on an empty folder (Python + Django + the command's imports) and a bare
   `shutil.copyfile` of the large file.
3. A Markdown report on stdout; `--write-docs` puts it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
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

SECTION = "bench/import_memory.py"


@dataclass
class Run:
    name: str
    input_mb: float
    peak_mb: float
    seconds: float
    status: int
    tail: str


def big_pdf(path: Path, megabytes: int) -> None:
    """Text pages (reportlab), each given an image of random RGB pixels (pypdf, unfiltered:
    incompressible) drawn over half the page, until the file reaches `megabytes`."""
    from edoc.demo.large_files import large_pdf

    large_pdf(path, megabytes)


def long_pdf(path: Path, pages: int) -> None:
    from reportlab.pdfgen import canvas

    rng = random.Random(7)
    words = ("report", "hospital", "budget", "vaccine", "district", "staff", "plan", "review")
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, "SO Y TE DONG NAI")
    for page in range(pages):
        for line in range(30):
            pdf.drawString(72, 720 - line * 20, " ".join(rng.choice(words) for _ in range(12)))
        pdf.drawString(72, 60, f"Page {page + 1} / {pages}")
        pdf.showPage()
    pdf.save()


def one_page_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with these lines of text (also bench/locust_clerks.py's scans)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for index, line in enumerate(lines):
        pdf.drawString(72, 760 - 40 * index, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def small_pdf(number: int) -> bytes:
    return one_page_pdf(
        ["SO Y TE DONG NAI", f"So: {number}/SYT-VP", f"V/v bao cao so {number} ve cong tac y te"]
    )


def zip_of_pdfs(path: Path, count: int) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(1, count + 1):
            archive.writestr(f"batch/{number // 500:02d}/doc-{number:05d}.pdf", small_pdf(number))


#: Runs the command as its own child and prints that child's peak RSS (KiB) last: a child
#: forked from this (large) process would inherit its high-water mark through exec.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_pid, status, usage = os.wait4(child.pid, 0)
print(f"PEAK_KIB={usage.ru_maxrss} EXIT={os.waitstatus_to_exitcode(status)}", flush=True)
"""


def measure(name: str, argv: list[str], input_path: Path | None) -> Run:
    """Run `argv` through LAUNCHER; its peak RSS (ru_maxrss) and wall time."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = result.stdout.decode(errors="replace").strip().splitlines()
    peak, status = (int(part.split("=")[1]) for part in lines[-1].split())
    size = input_path.stat().st_size / 2**20 if input_path and input_path.is_file() else 0.0
    run = Run(name, size, peak / 1024, seconds, status, " | ".join(lines[-4:-1]))
    log(f"{name}: peak {run.peak_mb:.0f} MB, {seconds:.1f} s, exit {run.status}: {run.tail}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big-mb", type=int, default=200)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--zip-files", type=int, default=5000)
    parser.add_argument("--only", choices=["big", "long", "zip"], action="append")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    cases = args.only or ["big", "long", "zip"]
    os.environ.setdefault("EDOC_MAX_UPLOAD_MB", str(args.big_mb + 56))
    with bench_environment("edoc_bench_import") as (database, workdir):
        from django.core.management import call_command

        call_command("seed_demo", "--organisation-only", verbosity=0)
        facts = machine_facts(database.vendor)
        files = workdir / "files"
        for case in cases:
            (files / case).mkdir(parents=True)
        (files / "empty").mkdir(parents=True)
        inputs: dict[str, Path] = {}
        started = time.perf_counter()
        if "big" in cases:
            inputs["big"] = files / "big" / "large-scan.pdf"
            big_pdf(inputs["big"], args.big_mb)
        if "long" in cases:
            inputs["long"] = files / "long" / "long-report.pdf"
            long_pdf(inputs["long"], args.pages)
        if "zip" in cases:
            inputs["zip"] = files / "zip" / "archive.zip"
            zip_of_pdfs(inputs["zip"], args.zip_files)
        log(f"files generated in {time.perf_counter() - started:.0f} s")
        python = sys.executable
        command = [python, "manage.py", "import_documents", "--no-progress", "--as", "vanthu"]
        runs = [
            measure(
                "Django + import_documents on an empty folder",
                [*command, str(files / "empty")],
                None,
            ),
        ]
        if "big" in cases:
            source, target = str(inputs["big"]), str(workdir / "copy.pdf")
            copy = f"import shutil; shutil.copyfile({source!r}, {target!r})"
            runs.append(
                measure(
                    "raw: shutil.copyfile of the large PDF", [python, "-c", copy], inputs["big"]
                )
            )
            (workdir / "copy.pdf").unlink(missing_ok=True)
            runs.append(
                measure(
                    f"import a {args.big_mb} MB PDF",
                    [*command, str(inputs["big"].parent)],
                    inputs["big"],
                )
            )
        if "long" in cases:
            runs.append(
                measure(
                    f"import a {args.pages}-page PDF (text of every page)",
                    [*command, str(inputs["long"].parent)],
                    inputs["long"],
                )
            )
        if "zip" in cases:
            runs.append(
                measure(
                    f"import a ZIP of {args.zip_files} PDFs",
                    [*command, str(inputs["zip"])],
                    inputs["zip"],
                )
            )
    rows = [
        [
            run.name,
            f"{run.input_mb:.1f}" if run.input_mb else "–",
            f"{run.peak_mb:.0f}",
            f"{run.seconds:.1f}",
            run.status,
        ]
        for run in runs
    ]
    load = os.getloadavg()
    report = (
        f"Command: `DATABASE_URL=… .venv/bin/python bench/import_memory.py --big-mb {args.big_mb} "
        f"--pages {args.pages} --zip-files {args.zip_files}`\n\n"
        f"Machine: {facts}; load average after the run "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}.\n\n"
        + table(
            ["case (one child process each)", "input MB", "peak RSS MB", "seconds", "exit"], rows
        )
    )
    print(report)
    if args.write_docs:
        replace_section(SECTION, "Memory of the import stream (issue 16, target 7)", report)


if __name__ == "__main__":
    main()
