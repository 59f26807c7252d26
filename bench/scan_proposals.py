#!/usr/bin/env python
"""Metadata proposals of scanned documents: field accuracy against the printed truth.

    .venv/bin/python bench/scan_proposals.py --n 60 [--dpi 200] [--workers 2] [--no-docs]

1. Builds N realistic incoming documents (bench/search_corpus.py: demo issuers, topics, types,
   dates, numbers, signers; 1 to about 4 pages) and renders them with edoc/pdfgen.py.
2. Turns each into a scan a clerk would receive: every page rendered to grey pixels at the
   scanner's resolution (200 dpi by default), turned by 1 to 2 degrees either way, blurred a
   little, given grain, saved as a JPEG of middling quality, and the JPEGs put together into
   an image-only PDF: no text layer left (checked).
3. Asks `edoc.extraction.extract_metadata` for the proposal of each scan (Tesseract OCR of the
   first and last pages, side by side, within PROPOSAL_OCR_SECONDS) and compares each field with
   what is printed: number, notation, issuer, date, type, subject and signer. A field is right
   when it equals the truth exactly (after NFC and collapsing white space).
4. Prints a table of accuracy per field and the time per proposal, and (unless --no-docs)
   writes it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_corpus import document  # noqa: E402
from search_support import code_version, log, replace_section, table  # noqa: E402

FIELDS = ("number", "notation", "issuer", "date", "type", "subject", "signer")
DOCS_KEY = "bench/scan_proposals.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="scanned documents (default 60)")
    parser.add_argument("--dpi", type=int, default=200, help="scanner resolution (default 200)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--workers", type=int, default=1, help="documents proposed at once")
    parser.add_argument("--keep", type=Path, help="also write the scans into this folder")
    parser.add_argument("--no-docs", action="store_true")
    return parser.parse_args(argv)


def truth(printed: Any) -> dict[str, str]:
    """What is printed on the document, in the proposal's terms."""
    return {
        "number": printed.number,
        "notation": printed.notation,
        "issuer": printed.issuer.replace("\n", " "),
        "date": printed.date.isoformat(),
        "type": printed.type_name,
        "subject": printed.subject,
        "signer": printed.signer_name,
    }


def scan(content: bytes, rng: random.Random, dpi: int) -> tuple[bytes, dict[str, float]]:
    """An image-only PDF of `content` as a scanner makes it: turned, blurred, grainy, JPEG."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageChops, ImageFilter

    angle = rng.choice((-1, 1)) * rng.uniform(1.0, 2.0)
    blur = rng.uniform(0.4, 1.0)
    grain = rng.uniform(8, 20)
    quality = rng.randint(45, 75)
    pages = []
    document = pdfium.PdfDocument(content)
    try:
        for page in document:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
            image = image.filter(ImageFilter.GaussianBlur(blur))
            image = ImageChops.add(image, _grain(image.size, grain, rng), offset=-128)
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=quality)
            pages.append(Image.open(io.BytesIO(buffer.getvalue())))
    finally:
        document.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return out.getvalue(), {"angle": angle, "blur": blur, "grain": grain, "quality": quality}


def _grain(size: tuple[int, int], strength: float, rng: random.Random):
    """Grey-level noise around 128, of about ±`strength` levels, the same for the same rng
    (PIL's effect_noise takes no seed)."""
    from PIL import Image

    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return noise.point(lambda value: round(128 + (value - 128) * strength / 128))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: characters to insert, delete or replace to turn a into b."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def normal(value: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def one(args: tuple[int, int, int, str | None]) -> dict[str, Any]:
    """Build, scan and propose document `index`; what was proposed against the truth."""
    index, seed, dpi, keep = args
    _setup_django()
    from edoc.extraction import extract_metadata
    from edoc.pdfgen import render_pdf
    from edoc.pdftext import pdf_text_read

    printed = document(seed, index)
    content = render_pdf(printed)
    scanned, damage = scan(content, random.Random(f"{seed}:scan:{index}"), dpi)
    if keep:
        Path(keep, f"scan-{index:04d}.pdf").write_bytes(scanned)
    reading = pdf_text_read(scanned)
    assert not "".join(reading.pages).strip(), "the scan kept a text layer"
    started = time.perf_counter()
    proposal = extract_metadata(scanned)
    seconds = time.perf_counter() - started
    expected = truth(printed)
    return {
        "index": index,
        "pages": len(reading.pages),
        "seconds": seconds,
        "damage": damage,
        "right": {name: normal(proposal.get(name)) == normal(expected[name]) for name in FIELDS},
        "distance": {
            name: edit_distance(normal(proposal.get(name)), normal(expected[name]))
            for name in FIELDS
        },
        "proposal": {name: proposal.get(name) for name in FIELDS},
        "truth": expected,
    }


def report(args: argparse.Namespace, results: list[dict[str, Any]], load: list[float]) -> str:
    n = len(results)
    rows = []
    for name in FIELDS:
        right = sum(result["right"][name] for result in results)
        near = sum(0 < result["distance"][name] <= 2 for result in results)
        rows.append([name, f"{right}/{n}", f"{right / n:.0%}", str(near)])
    total = sum(sum(result["right"].values()) for result in results)
    near = sum(0 < d <= 2 for result in results for d in result["distance"].values())
    rows.append(
        [
            "**all fields**",
            f"{total}/{n * len(FIELDS)}",
            f"**{total / n / len(FIELDS):.1%}**",
            str(near),
        ]
    )
    seconds = [result["seconds"] for result in results]
    pages = statistics.fmean(result["pages"] for result in results)
    import platform

    import django

    lines = [
        f"N = {n} scanned documents ({pages:.1f} pages on average) at {args.dpi} dpi, measured "
        f"{time.strftime('%Y-%m-%d', time.gmtime())} on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, {tesseract_version()}, "
        f"code {code_version()}. Reproduce: `.venv/bin/python bench/scan_proposals.py --n {n}"
        f"{'' if args.dpi == 200 else f' --dpi {args.dpi}'}"
        f"{'' if args.workers == 1 else f' --workers {args.workers}'}`. "
        f"5-minute load average {load[0]:.1f} at the start and {load[-1]:.1f} at the end.",
        "",
        "Each scan: every page rendered at the scanner's resolution, turned by 1–2° either way, "
        "blurred (Gaussian radius 0.4–1.0 px), grain (uniform, ±8–20 grey levels), JPEG quality "
        "45–75, put together as an image-only PDF (no text layer). A field is right when the "
        "proposal equals what is printed, exactly (NFC, white space collapsed).",
        "",
        table(["field", "right", "accuracy", "wrong by 1–2 characters (a misread mark)"], rows),
        "",
        f"Time per proposal (`extract_metadata` on the scan, OCR of the first and last pages side "
        f"by side{', ' + str(args.workers) + ' documents at once' if args.workers > 1 else ''}): "
        f"p50 {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s.",
    ]
    wrong = [
        f"- #{result['index']} {name}: proposed {result['proposal'][name]!r}, printed "
        f"{result['truth'][name]!r}"
        for result in results
        for name in FIELDS
        if not result["right"][name]
    ]
    if wrong:
        lines += ["", "Fields proposed wrong or not at all:", "", *wrong[:40]]
        if len(wrong) > 40:
            lines.append(f"- … and {len(wrong) - 40} more")
    return "\n".join(lines)


def tesseract_version() -> str:
    import subprocess

    try:
        done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    except OSError:
        return "Tesseract not installed"
    return (done.stdout or done.stderr).splitlines()[0].replace("tesseract", "Tesseract")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    load = [os.getloadavg()[1]]
    jobs = [
        (index, args.seed, args.dpi, str(args.keep) if args.keep else None)
        for index in range(args.n)
    ]
    results = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for result in pool.map(one, jobs):
            results.append(result)
            missed = [name for name, right in result["right"].items() if not right]
            log(f"#{result['index']}: {result['seconds']:.1f} s, wrong: {', '.join(missed) or '-'}")
    log(f"{args.n} scans in {time.perf_counter() - started:.0f} s")
    load.append(os.getloadavg()[1])
    text = report(args, results, load)
    print(text)
    if not args.no_docs:
        replace_section(DOCS_KEY, "Metadata proposals of scanned documents", text)
        log("docs/benchmarks.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
