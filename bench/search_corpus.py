"""N realistic Vietnamese official documents as PDF files, for the search load benchmark.

Each document is drawn from the demo vocabulary (edoc/demo/: issuers with their
signers and notations, topics with their subjects, legal bases and content) and laid out by
edoc/pdfgen.py in the Decree 30 layout: random issuer, topic, type, date (2016-2026), number,
a place or unit qualifier on half of the subjects, and a body of 1 to about 4 pages (extra
paragraphs from the other topics of the same field). Document `i` of a seed is always the same
file, so the cache (default var/bench/search-corpus/) is reused and only missing files are made.
Pure Python and reportlab: no Django, so worker processes start fast.
"""

from __future__ import annotations

import datetime
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from edoc.demo.builders import IncomingSpec, build_incoming, fill, incoming_notation, working_day
from edoc.demo.issuers import ISSUERS
from edoc.demo.topics import TOPICS
from edoc.pdfgen import render_pdf

PLACES = (
    "thành phố Biên Hòa",
    "thành phố Long Khánh",
    "huyện Trảng Bom",
    "huyện Xuân Lộc",
    "huyện Long Thành",
    "huyện Định Quán",
    "huyện Nhơn Trạch",
    "huyện Tân Phú",
    "huyện Thống Nhất",
    "huyện Cẩm Mỹ",
    "huyện Vĩnh Cửu",
)
FIRST_DAY = datetime.date(2016, 1, 4)
DAYS = (datetime.date(2026, 10, 30) - FIRST_DAY).days


def path_of(root: Path, index: int) -> Path:
    return root / f"{index // 1000:04d}" / f"{index:07d}.pdf"


def document(seed: int, index: int):
    """The OfficialDocument number `index` of `seed`."""
    rng = random.Random(f"{seed}:{index}")
    issuer = rng.choices(ISSUERS, [issuer.weight for issuer in ISSUERS])[0]
    topic = rng.choice([t for t in TOPICS if issuer.key in t.issuers] or list(TOPICS))
    type_name = rng.choice(list(topic.subjects))
    day = working_day(FIRST_DAY + datetime.timedelta(days=rng.randint(0, DAYS)))
    subject = fill(topic.subjects[type_name], day)
    if rng.random() < 0.5 and not subject.endswith(PLACES):
        subject += f" trên địa bàn {rng.choice(PLACES)}"
    spec = IncomingSpec(
        issuer=issuer,
        topic=topic,
        type_name=type_name,
        issue_date=day,
        number=str(rng.randint(1, issuer.yearly_volume)),
        notation=incoming_notation(issuer, type_name, rng),
        subject=subject,
        signer=rng.choice(issuer.signers),
    )
    printed = build_incoming(spec, rng)
    related = [d for t in TOPICS if t.field == topic.field and t is not topic for d in t.details]
    pool = related or [d for t in TOPICS for d in t.details]
    extra = rng.choice((0, 0, 0, 2, 4, 8, 16, 30))
    paragraphs = [
        f"{rng.choice(pool)} {rng.choice(pool)}" if rng.random() < 0.3 else rng.choice(pool)
        for _ in range(extra)
    ]
    printed.body[-1:-1] = paragraphs
    return printed


def _make(args: tuple[str, int, int, int]) -> int:
    root, seed, start, stop = args
    made = 0
    for index in range(start, stop):
        path = path_of(Path(root), index)
        if path.exists() and path.stat().st_size:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(render_pdf(document(seed, index)))
        partial.rename(path)  # an interrupted run never leaves a truncated PDF behind
        made += 1
    return made


def generate(root: Path, n: int, *, seed: int = 2026, workers: int = 2) -> tuple[list[Path], int]:
    """Files 0..n-1 under root/ (made in parallel where missing); returns them and how many
    were made now."""
    root.mkdir(parents=True, exist_ok=True)
    chunk = 250
    jobs = [(str(root), seed, start, min(start + chunk, n)) for start in range(0, n, chunk)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = sum(pool.map(_make, jobs))
    else:
        made = sum(_make(job) for job in jobs)
    return [path_of(root, index) for index in range(n)], made
