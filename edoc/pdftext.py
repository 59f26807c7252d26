"""One reading of a PDF's text, shared by the registry, the metadata proposal and search.

`pdf_text_read` opens the file once with PDFium (pypdfium2, C) and returns the text layer of
every page together with the positioned words of the pages a proposal reads (the first and the
last): nothing else in eDoc parses a file version for its text. Pages without a text layer (a
scan) are read by Tesseract OCR (`ocr_page`), with word boxes: its TSV output gives every word
with its box, line and block, from which the proposal reads the header as it reads a text layer
(`edoc.extraction`) and the search index gets the page's text.

Bounded work: PDFium's text of a page is C; words are built for two pages only; OCR renders and
reads one page per Tesseract process (single-threaded: its OpenMP threads only fight each other
on a busy machine, 8 s instead of 2 s a page here), each with a timeout. The OCR of a page is
kept in the cache for an hour under the file's SHA-256, so the page the proposal read for the
clerk is not read again by the registration or by the background OCR of the whole file.
"""

from __future__ import annotations

import ctypes
import functools
import io
import logging
import re
import shutil
import statistics
import subprocess
import time
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from config.env import child_environment
from edoc.pdfium import PdfSource, pdfium_document

logger = logging.getLogger(__name__)

#: A large file's text is read this many bytes of it (on average) per opening of the document.
PDFIUM_BYTES_PER_OPENING = 16 * 1024 * 1024
#: A page whose text layer has fewer letters than this is treated as scanned.
MIN_LETTERS_PER_PAGE = 25
#: Longest one Tesseract run may take (the background OCR of a file's pages).
OCR_TIMEOUT_SECONDS = 180
#: How long the OCR of a page stays in the cache (the clerk registers after reading the proposal).
OCR_CACHE_SECONDS = 3600
LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)
#: Characters closer than this (points) horizontally, on a line within it vertically, make a
#: word (pdfplumber's default tolerances, which the layout thresholds of the proposal use).
WORD_TOLERANCE = 3
#: The part of the em above the baseline in a Times-like font (1 + its descent of -0.216 em).
EM_ABOVE_BASELINE = 0.784
#: Font size over the height of an OCR word box (cap height with Vietnamese marks ≈ 0.8 em).
OCR_SIZE_PER_HEIGHT = 1.25
#: Words Tesseract is less sure of (0–100) are noise: specks, rules and stamps read as letters.
MIN_WORD_CONFIDENCE = 10
ALNUM_RE = re.compile(r"[^\W_]", re.UNICODE)
PUNCTUATION = frozenset("-–:,.;/()")
STRAY_MARKS = "'‘’`´"
# Tesseract reads "Đ" (U+0110) as the Icelandic "Ð" (U+00D0) on some fonts.
_OCR_FIXES = str.maketrans({"Ð": "Đ", "ð": "đ", "|": "I"})


class OcrUnavailable(Exception):
    """Tesseract (or its language data) is not installed, or it failed on the page."""


@dataclass
class OcrPage:
    """One page read by OCR: its text, and its words positioned as `page_words` gives them."""

    text: str
    words: list[dict]
    seconds: float = 0.0


@dataclass
class PdfText:
    """The text of a PDF: the text layer of every page, the positioned words of some pages, and
    (once read) the OCR of pages without a text layer."""

    pages: list[str] = field(default_factory=list)
    words: dict[int, list[dict]] = field(default_factory=dict)  # page index → text-layer words
    complete: bool = True  # every page's text layer was read (not only the first and last)
    text_seconds: float = 0.0
    ocr: dict[int, OcrPage] = field(default_factory=dict)  # page index → OCR
    ocr_seconds: float = 0.0
    ocr_error: str = ""
    ocr_skipped: list[int] = field(default_factory=list)  # scanned pages beyond the OCR limit

    @property
    def scanned_pages(self) -> list[int]:
        return [i for i, text in enumerate(self.pages) if not has_text_layer(text)]

    @property
    def layer_text(self) -> str:
        """The text layer as stored: pages separated by a form feed, NFC."""
        return unicodedata.normalize("NFC", "\n\f".join(page.strip() for page in self.pages))

    @property
    def ocr_text(self) -> str:
        return "\n\f".join(self.ocr[index].text for index in sorted(self.ocr))


def has_text_layer(page_text: str) -> bool:
    return len(LETTER_RE.findall(page_text)) >= MIN_LETTERS_PER_PAGE


def end_pages(page_count: int) -> list[int]:
    """The pages a proposal reads: the first (header) and the last (signature)."""
    return sorted({0, page_count - 1}) if page_count else []


# --- The text layer ----------------------------------------------------------------------------


def pdf_text_read(
    content: PdfSource,
    *,
    text_pages: Iterable[int] | str | None = None,
    word_pages: Iterable[int] | None = None,
) -> PdfText:
    """The text layer of the pages and the words of `word_pages` (default: the first and last
    page), in one PDFium pass. `text_pages`: every page (default), "ends" (the first and last:
    what a proposal reads, bounded whatever the file's length) or these indexes; the text of a
    page not read is "". Raises pypdfium2's PdfiumError (a RuntimeError) when unreadable.

    Memory stays bounded whatever the file's size: PDFium keeps every object it parsed (the
    images of a page included) until the document is closed, so a large file (`content` is
    then its path, read on demand) is closed and opened again every few pages
    (PDFIUM_BYTES_PER_OPENING of the file on average)."""
    started = time.perf_counter()
    with pdfium_document(content) as document:  # PDFium's lock, held until it is closed
        count = len(document)
        ends = end_pages(count)
        wanted = set(ends if word_pages is None else word_pages)
        if text_pages is None:
            reading = list(range(count))
        else:
            chosen = set(ends if text_pages == "ends" else text_pages) | wanted
            reading = sorted(index for index in chosen if 0 <= index < count)
        result = PdfText(pages=[""] * count, complete=text_pages is None)
        size = len(content) if isinstance(content, bytes) else Path(content).stat().st_size
        per_opening = max(1, PDFIUM_BYTES_PER_OPENING * count // max(size, 1))
        for index in reading[:per_opening]:
            _page_text_read(document, index, result, words=index in wanted)
    for start in range(per_opening, len(reading), per_opening):
        with pdfium_document(content) as document:
            for index in reading[start : start + per_opening]:
                _page_text_read(document, index, result, words=index in wanted)
    result.text_seconds = time.perf_counter() - started
    return result


def _page_text_read(document, index: int, result: PdfText, *, words: bool) -> None:
    page = document[index]
    textpage = page.get_textpage()
    try:
        result.pages[index] = textpage.get_text_range().replace("\r\n", "\n").replace("\x00", "")
        if words:
            result.words[index] = _page_words(page, textpage)
    finally:
        textpage.close()
        page.close()


def pdf_page_texts(content: PdfSource) -> list[str]:
    """The text layer of every page ("" for a page without one)."""
    return pdf_text_read(content, word_pages=()).pages


def pdf_page_image(content: PdfSource, index: int, *, dpi: float, grayscale: bool = False) -> Any:
    """Page `index` (from 0) rendered at `dpi`, as a PIL image of its own (for OCR): rendered
    and released under PDFium's lock, nothing of PDFium left to close later."""
    with pdfium_document(content) as document:
        page = document[index]
        try:
            bitmap = page.render(scale=dpi / 72, grayscale=grayscale)
            try:
                image = bitmap.to_pil()
                image = image.convert("L") if grayscale else image.copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    return image


def _page_words(page, textpage) -> list[dict]:
    """The page's words as {"text", "x0", "x1", "top", "size", "fontname"} (top measured from
    the top of the page, size the rendered font size), from PDFium's character boxes: a word
    ends at white space, a gap, a jump back, a new line, or a change of font or size.

    PDFium's page text already breaks at white space, line ends and gaps between text objects,
    so each run of the text between white space is measured by its first and last characters
    (font and size once per text object): a run whose ends lie in different text objects, on
    different lines, or farther apart than its letters can be wide is measured character by
    character. Several times quicker than asking PDFium about every character."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters beyond the BMP: one code unit each is not guaranteed
        text = "".join(
            chr(code) if 0 < (code := pdfium_c.FPDFText_GetUnicode(raw, i)) < 0x110000 else " "
            for i in range(count)
        )
    reader = _CharReader(raw, page.get_height())
    words: list[dict] = []
    for run in _RUN_RE.finditer(text):
        first, last = run.start(), run.end() - 1
        if not run.group().isprintable():
            words += reader.words(text, first, last)
            continue
        start = reader.char(first)
        if first != last:
            end = reader.char(last)
            if (
                end[0] != start[0]  # another text object: font or size may change
                or abs(end[3] - start[3]) > WORD_TOLERANCE  # another line
                or not start[1] <= end[1]  # a jump back
                or end[2] - start[1] > (last - first + 1) * start[4]  # wider than its letters
            ):
                words += reader.words(text, first, last)
                continue
        else:
            end = start
        words.append(
            {
                "text": run.group(),
                "x0": start[1],
                "x1": max(start[2], end[2]),
                "top": min(start[3], end[3]),
                "size": start[4],
                "fontname": start[5],
            }
        )
    return words


_RUN_RE = re.compile(r"[^\s]+")


@functools.cache
def _text_object_address():
    """FPDFText_GetTextObject answering the object's address as an int (the binding's pointer
    object would need a ctypes.cast per character to compare)."""
    import pypdfium2.raw as pdfium_c

    address = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)


class _CharReader:
    """Character facts from a PDFium text page: (text object, left, right, top, size, font);
    font and size are read once per text object."""

    def __init__(self, raw, height: float):
        import pypdfium2.raw as pdfium_c

        self.c = pdfium_c
        self.raw = raw
        self.height = height
        self.box = pdfium_c.FS_RECTF()
        self.origin = (ctypes.c_double(), ctypes.c_double())
        self.matrix = pdfium_c.FS_MATRIX()
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()
        self.fonts: dict[int, tuple[float, str]] = {}

    def font(self, index: int, key: int) -> tuple[float, str]:
        known = self.fonts.get(key)
        if known is None:
            c = self.c
            c.FPDFText_GetMatrix(self.raw, index, self.matrix)
            scale = (self.matrix.c**2 + self.matrix.d**2) ** 0.5 or 1.0
            size = round(c.FPDFText_GetFontSize(self.raw, index) * scale, 2)
            length = c.FPDFText_GetFontInfo(self.raw, index, self.name, len(self.name), self.flags)
            font = self.name.raw[: max(min(length, len(self.name)) - 1, 0)].decode("latin-1")
            known = self.fonts[key] = (size, font)
        return known

    def char(self, index: int) -> tuple:
        c = self.c
        key = _text_object_address()(self.raw, index) or -index - 1
        size, font = self.font(index, key)
        c.FPDFText_GetLooseCharBox(self.raw, index, self.box)
        c.FPDFText_GetCharOrigin(self.raw, index, *self.origin)
        # From the baseline, not the box (a stacked Vietnamese accent raises the box):
        # where pdfminer puts the top of a Times-like font's em box.
        top = self.height - self.origin[1].value - EM_ABOVE_BASELINE * size
        return (key, self.box.left, self.box.right, top, size, font)

    def words(self, text: str, first: int, last: int) -> list[dict]:
        """The words of text[first:last + 1], character by character."""
        words: list[dict] = []
        word: dict | None = None
        for index in range(first, last + 1):
            char = text[index]
            if not char.isprintable():
                word = None
                continue
            _key, left, right, top, size, font = self.char(index)
            if (
                word is not None
                and abs(top - word["top"]) <= WORD_TOLERANCE
                and word["x0"] <= left <= word["x1"] + WORD_TOLERANCE
                and font == word["fontname"]
                and size == word["size"]
            ):
                word["text"] += char
                word["x1"] = max(word["x1"], right)
                word["top"] = min(word["top"], top)
            else:
                word = {
                    "text": char,
                    "x0": left,
                    "x1": right,
                    "top": top,
                    "size": size,
                    "fontname": font,
                }
                words.append(word)
        return words


# --- OCR ---------------------------------------------------------------------------------------


def tesseract_available() -> bool:
    """Whether the tesseract binary and the configured language data are installed."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    languages = set(listed.stdout.split())
    return all(lang in languages for lang in settings.SEARCH_OCR_LANGUAGES.split("+"))


def _cache_key(sha256: str, index: int) -> str:
    languages = settings.SEARCH_OCR_LANGUAGES
    return f"edoc:ocr:{sha256}:{index}:{languages}:{settings.SEARCH_OCR_DPI}"


def ocr_cache_put(sha256: str, pages: dict[int, OcrPage]) -> None:
    """Keep pages read by OCR elsewhere (an import worker) for the file's later readers."""
    for index, page in pages.items():
        cache.set(_cache_key(sha256, index), page, OCR_CACHE_SECONDS)


def ocr_page(
    content: PdfSource,
    index: int,
    *,
    sha256: str = "",
    timeout: float = OCR_TIMEOUT_SECONDS,
    cached_only: bool = False,
) -> OcrPage:
    """Render one page and read it with Tesseract (TSV: words with their boxes). With the
    file's `sha256` the result is cached; `cached_only` reads nothing that is not in the cache.
    Raises OcrUnavailable (also on timeout)."""
    if sha256:
        cached = cache.get(_cache_key(sha256, index))
        if cached is not None:
            return cached
    if cached_only:
        raise OcrUnavailable(f"page {index + 1} was not read by OCR yet")
    binary = shutil.which("tesseract")
    if not binary:
        raise OcrUnavailable("tesseract is not installed")
    started = time.perf_counter()
    dpi = settings.SEARCH_OCR_DPI
    image = pdf_page_image(content, index, dpi=dpi, grayscale=True)
    width_pt = image.width * 72 / dpi
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    del image
    command = [binary, "stdin", "stdout", "-l", settings.SEARCH_OCR_LANGUAGES, "--psm", "3"]
    try:
        done = subprocess.run(
            [*command, "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            check=False,
            env=child_environment(OMP_THREAD_LIMIT="1"),
        )
    except subprocess.TimeoutExpired:
        raise OcrUnavailable(f"OCR of page {index + 1} took more than {timeout:.0f} s")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrUnavailable(message[-1] if message else f"tesseract exit {done.returncode}")
    result = tsv_page(done.stdout.decode("utf-8", "replace"), 72 / dpi, width_pt)
    result.seconds = time.perf_counter() - started
    if sha256:
        cache.set(_cache_key(sha256, index), result, OCR_CACHE_SECONDS)
    return result


def tsv_page(tsv: str, points_per_pixel: float, page_width: float) -> OcrPage:
    """Tesseract's TSV of one page as text (lines of a paragraph on lines of their own,
    paragraphs apart) and as positioned words, deskewed and measured in points."""
    lines: dict[tuple[int, int, int], list[dict]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = unicodedata.normalize("NFC", cells[11].strip()).translate(_OCR_FIXES)
        text = text.strip(STRAY_MARKS)  # no apostrophes in Vietnamese: specks beside a word
        if not text or float(cells[10]) < MIN_WORD_CONFIDENCE:
            continue  # specks and rules read as letters come with a confidence near 0
        if not ALNUM_RE.search(text) and text not in PUNCTUATION:
            continue
        left, top, width, height = (int(value) for value in cells[6:10])
        key = (int(cells[2]), int(cells[3]), int(cells[4]))
        lines.setdefault(key, []).append(
            {"text": text, "x0": left, "x1": left + width, "top": top, "bottom": top + height}
        )
    for key, words in list(lines.items()):
        tallest = max(word["bottom"] - word["top"] for word in words)
        words[:] = [
            w for w in words if (w["bottom"] - w["top"]) * 3 >= tallest or w["text"] in "-–"
        ]
        if not words:
            del lines[key]
    paragraphs: list[list[str]] = []
    last_paragraph = None
    for (block, paragraph, _line), words in lines.items():
        if (block, paragraph) != last_paragraph:
            paragraphs.append([])
            last_paragraph = (block, paragraph)
        paragraphs[-1].append(" ".join(word["text"] for word in words))
    text = "\n\n".join("\n".join(paragraph) for paragraph in paragraphs)
    return OcrPage(text=text, words=_ocr_words(list(lines.values()), points_per_pixel))


def _skew(lines: list[list[dict]]) -> float:
    """The slope of the text lines (pixels down per pixel right): the median of each line's
    median slope between its words' bottoms (a rotated scan is 0.02–0.04 off)."""
    slopes = []
    for words in lines:
        pairs = [
            (b["bottom"] - a["bottom"]) / (b["x0"] - a["x0"])
            for a, b in zip(words, words[1:], strict=False)
            if b["x0"] - a["x0"] > 20
        ]
        if len(pairs) >= 2:
            slopes.append(statistics.median(pairs))
    return statistics.median(slopes) if slopes else 0.0


def _ocr_words(lines: list[list[dict]], scale: float) -> list[dict]:
    """Words in the form `edoc.extraction` reads, from OCR lines: straightened (turned back by
    the page's skew), in points; each line gets one baseline, and no font (weight unknown).
    One size for the page, from the median height of its lines' words: the height of a word
    varies with its capitals and marks far more than the sizes of a document's lines do."""
    slope = _skew(lines)
    heights = sorted(
        statistics.median(word["bottom"] - word["top"] for word in line) for line in lines
    )
    size = round(heights[len(heights) // 2] * scale * OCR_SIZE_PER_HEIGHT, 1) if heights else 12
    words: list[dict] = []
    for line in lines:
        straight = [
            {
                **word,
                "x0": word["x0"] + slope * word["bottom"],
                "x1": word["x1"] + slope * word["bottom"],
                "bottom": word["bottom"] - slope * word["x0"],
            }
            for word in line
        ]
        baseline = statistics.median(word["bottom"] for word in straight) * scale
        for word in straight:
            words.append(
                {
                    "text": word["text"],
                    "x0": word["x0"] * scale,
                    "x1": word["x1"] * scale,
                    "top": baseline - EM_ABOVE_BASELINE * size,
                    "size": size,
                    "fontname": None,
                }
            )
    return words


def ocr_pages(
    content: PdfSource,
    result: PdfText,
    pages: Iterable[int],
    *,
    sha256: str = "",
    parallel: int = 1,
    deadline: float | None = None,
    cached_only: bool = False,
) -> None:
    """OCR these pages of `result` in place (`parallel` Tesseract processes at a time; none
    started after `deadline`, a time.monotonic() value, and none running beyond it; with
    `cached_only`, only pages already in the cache). A failure goes to result.ocr_error; the
    pages read so far stay."""
    pages = [index for index in pages if index not in result.ocr]
    if not pages:
        return
    started = time.perf_counter()

    def read(index: int) -> OcrPage | None:
        if result.ocr_error and parallel <= 1:
            raise OcrUnavailable(result.ocr_error)  # one page after another: stop at a failure
        timeout = float(OCR_TIMEOUT_SECONDS)
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout <= 0.5:
                raise OcrUnavailable("no time left for OCR")
        return ocr_page(content, index, sha256=sha256, timeout=timeout, cached_only=cached_only)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = {index: pool.submit(read, index) for index in pages}
        for index, future in futures.items():
            try:
                page = future.result()
            except (OcrUnavailable, subprocess.SubprocessError, OSError) as exc:
                result.ocr_error = result.ocr_error or str(exc)
                continue
            page.text = page.text.strip()
            result.ocr[index] = page
    result.ocr_seconds += time.perf_counter() - started
