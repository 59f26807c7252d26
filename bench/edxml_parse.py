#!/usr/bin/env python
"""Benchmark: edXML parse speed of `connectors.edxml.parse_message` against a bare
`defusedxml.ElementTree.fromstring` of the same bytes.

    .venv/bin/python bench/edxml_parse.py [--small-runs 300] [--large-runs 7] [--write-docs]

Messages (built in memory, nothing stored):
- small: tests/connectors/data/document_new_crlf.edxml (35 KB, a 24 KB PDF zipped inside);
- 20 MB: the same header with a 20 MB PDF-headed incompressible attachment, once as the VPCP
  SDK sends it (base64 of a ZIP holding the file) and once as plain base64.

The bare parse only builds the XML tree (DTDs forbidden, as ours). Ours also checks the size,
reads every header field (NFC, dates, DocumentId), limits the nesting depth, decodes base64,
unzips within the size budget, hashes (SHA-256) and sniffs each attachment. Ratio = our time /
bare time (median of the runs). A Markdown report on stdout; --write-docs replaces its section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from defusedxml.ElementTree import fromstring  # noqa: E402

from connectors.edxml import parse_message  # noqa: E402
from connectors.edxml.builder import build_message, outgoing_attachment  # noqa: E402

SAMPLE = ROOT / "tests" / "connectors" / "data" / "document_new_crlf.edxml"
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/edxml_parse.py: begin -->"
END = "<!-- bench/edxml_parse.py: end -->"
LIMIT = 64 * 1024 * 1024


def median_ms(function, data: bytes, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _large(zipped: bool) -> bytes:
    message = parse_message(SAMPLE.read_bytes())
    pdf = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    attachment = outgoing_attachment("bao_cao_20MB.pdf", pdf, "application/pdf", zipped=zipped)
    return build_message(dataclasses.replace(message, attachments=[attachment]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-runs", type=int, default=300)
    parser.add_argument("--large-runs", type=int, default=7)
    parser.add_argument("--write-docs", action="store_true")
    options = parser.parse_args()

    def ours(data: bytes) -> None:
        parse_message(data, max_bytes=LIMIT)

    def bare(data: bytes) -> None:
        fromstring(data, forbid_dtd=True)

    cases = [
        ("small (35 KB, 24 KB PDF zipped)", SAMPLE.read_bytes(), options.small_runs),
        ("20 MB PDF, ZIP in base64 (SDK form)", _large(True), options.large_runs),
        ("20 MB PDF, plain base64", _large(False), options.large_runs),
    ]
    rows = []
    for label, data, runs in cases:
        ours(data)  # warm up (imports, caches)
        bare_ms = median_ms(bare, data, runs)
        ours_ms = median_ms(ours, data, runs)
        rows.append(
            f"| {label} | {len(data) / 1024 / 1024:.2f} MB | {runs} | {bare_ms:.2f} | "
            f"{ours_ms:.2f} | {ours_ms / bare_ms:.1f} |"
        )
    report = "\n".join(
        [
            BEGIN,
            "## edXML parse speed (`bench/edxml_parse.py`)",
            "",
            f"Run {datetime.date.today():%Y-%m-%d} on {os.cpu_count()} cores "
            f"({platform.machine()}), Python {platform.python_version()}: "
            "`.venv/bin/python bench/edxml_parse.py --write-docs`. Median of the runs.",
            "",
            "| message | size | runs | bare defusedxml ms | eDoc parse_message ms | ratio |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "The bare parse only builds the XML tree; `parse_message` also reads and checks every "
            "header field and decodes each attachment (base64, unzip within the size budget, "
            "SHA-256, type sniffing), and its tree builder counts the nesting depth (a nesting "
            "bomb stops at 32 levels) with a Python call per element, most of the small "
            "message's extra time. On the 20 MB messages the decoding is the cost beyond the "
            "tree: base64 of ~27 MB, inflating 20 MB and hashing it. The machine is shared "
            "(load ~5 on 2 cores during the run), so rows move by ±30 % between runs.",
            END,
        ]
    )
    print(report)
    if options.write_docs:
        text = DOCS.read_text(encoding="utf-8")
        if BEGIN in text:
            text = re.sub(
                re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: report, text, flags=re.S
            )
        else:
            text = text.rstrip("\n") + "\n\n" + report + "\n"
        DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
