"""Bounded checks of an untrusted PDF, before any other parser of eDoc reads it.

An upload is looked at in this order, each step cheap whatever the file holds:

1. PDFium (C) opens it and counts its pages: damaged, password-protected and page-bomb
   files stop here (`max_pages`, setting EDOC_MAX_PDF_PAGES).
2. its structure, at C speed: the `startxref … %%EOF` trailer within the last 1024 bytes (as
   pyHanko requires), pointing at a cross-reference table, and the number of objects. Parsers
   find the cross-reference table by reading lines backwards from the end: a file ending in
   one very long line held pdfminer for minutes and pypdf/pyHanko for seconds; the Python
   parsers read every cross-reference entry, and rebuild a misplaced table from every object.
   A file whose trailer or cross-reference table is damaged — which viewers open all the same —
   is not refused: PDFium (C, which already opened it) writes a repaired copy, and step 3 reads
   that copy. The stored file stays the bytes received; readers of it that need a sound trailer
   (pyHanko) ask `pdf_has_trailer` first.
3. pypdf reads the page tree (with its page-tree limit set from `max_pages`) and the places
   where active content lives (`active_content_kinds`), visiting a bounded number of objects.

Every parser failure becomes a `PdfProblem` (code + message), never an exception of a parser:
pypdf's LimitReachedError is a PyPdfError, not a PdfReadError.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.pdfium import PdfSource, pdfium_document

logger = logging.getLogger(__name__)

#: The end-of-file marker must start within this many bytes of the end (pyHanko's rule).
EOF_WINDOW = 1024
_TRAILER_END = re.compile(rb"(?:^|[\r\n])[ \t\x00\x0c]*startxref\s+\d+\s+%%EOF\Z")
_OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")
_SIZE = re.compile(rb"/Size\s+(\d+)")
#: Most objects in one PDF (the Python parsers read each cross-reference entry: ~1 s).
MAX_OBJECTS = 100_000
#: Larger files whose cross-reference table must be rebuilt are refused (pypdf takes ~1 s/MB).
REPAIRABLE_BYTES = 2 * 1024 * 1024
#: Objects visited while looking for active content (a normal document needs a few hundred).
ACTIVE_CONTENT_BUDGET = 50_000
#: A file is scanned this many bytes at a time (its whole length is never held).
SCAN_CHUNK = 1024 * 1024

JAVASCRIPT = "javascript"
LAUNCH = "launch"
EMBEDDED_FILES = "embedded_files"
ADDITIONAL_ACTIONS = "additional_actions"
UNCHECKED = "unchecked"
#: What each kind of active content is called in the interface.
ACTIVE_CONTENT_LABELS = {
    JAVASCRIPT: gettext_lazy("JavaScript"),
    LAUNCH: gettext_lazy("actions that launch programs or files"),
    EMBEDDED_FILES: gettext_lazy("embedded files"),
    ADDITIONAL_ACTIONS: gettext_lazy("automatic actions (on opening, on page view …)"),
    UNCHECKED: gettext_lazy("too many objects to check completely"),
}


class PdfProblem(Exception):
    """Why a PDF is refused: a stable `code` (API error code) and a message for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PdfInspection:
    page_count: int
    active_content: tuple[str, ...]  # sorted kinds, empty when none


def active_content_labels(kinds: list[str] | tuple[str, ...]) -> str:
    """ "JavaScript, embedded files" (in the user's language, most dangerous first)."""
    order = list(ACTIVE_CONTENT_LABELS)
    ranked = sorted(kinds, key=lambda kind: order.index(kind) if kind in order else len(order))
    return ", ".join(str(ACTIVE_CONTENT_LABELS.get(kind, kind)) for kind in ranked)


def _damaged(error: str) -> PdfProblem:
    return PdfProblem(
        "corrupted",
        _("The PDF is damaged and cannot be read (%(error)s).") % {"error": error},
    )


def _encrypted() -> PdfProblem:
    return PdfProblem(
        "encrypted",
        _("The PDF is encrypted or password-protected; upload an unprotected copy."),
    )


def _too_many_pages(pages: int, max_pages: int) -> PdfProblem:
    return PdfProblem(
        "too_many_pages",
        _("The PDF has %(pages)s pages; at most %(limit)s pages are accepted in one file.")
        % {"pages": f"{pages:,}".replace(",", "."), "limit": f"{max_pages:,}".replace(",", ".")},
    )


def _too_complex() -> PdfProblem:
    return PdfProblem(
        "too_complex",
        _(
            "The PDF's structure goes beyond what eDoc reads safely (too many objects, "
            "entries or nesting levels). Print it to a new PDF and upload that copy."
        ),
    )


@contextmanager
def pdf_opened(source: PdfSource) -> Iterator[IO[bytes]]:
    """The PDF as a binary file to seek in: its bytes (not copied), or the file at its path."""
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def pdf_digest(source: PdfSource) -> tuple[str, int]:
    """The PDF's SHA-256 (hex) and size in bytes, a file read in chunks."""
    with pdf_opened(source) as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), _size(handle)


def pdf_head(source: PdfSource, length: int = EOF_WINDOW) -> bytes:
    """The first `length` bytes of the PDF."""
    with pdf_opened(source) as handle:
        return handle.read(length)


def _size(handle: IO[bytes]) -> int:
    return handle.seek(0, io.SEEK_END)


def _read_at(handle: IO[bytes], offset: int, length: int) -> bytes:
    handle.seek(offset)
    return handle.read(length)


def _count(handle: IO[bytes], pattern: bytes) -> int:
    """Occurrences of `pattern` (which cannot overlap itself) in the file, SCAN_CHUNK at a time."""
    handle.seek(0)
    total, carry = 0, b""
    while chunk := handle.read(SCAN_CHUNK):
        data = carry + chunk
        total += data.count(pattern)
        carry = data[-(len(pattern) - 1) :]
    return total


def _rfind(handle: IO[bytes], pattern: bytes, start: int) -> int:
    """Where the last occurrence of `pattern` at or after `start` begins (-1: none), read
    backwards from the end SCAN_CHUNK at a time (the table's trailer: usually the last chunk)."""
    end = _size(handle)
    while end > start:
        begin = max(start, end - SCAN_CHUNK)
        found = _read_at(handle, begin, end - begin + len(pattern) - 1).rfind(pattern)
        if found >= 0:
            return begin + found
        end = begin
    return -1


def _trailer_end(handle: IO[bytes]) -> re.Match[bytes] | None:
    size = _size(handle)
    window = max(size - EOF_WINDOW, 0)
    tail_start = max(window - 256, 0)
    tail = _read_at(handle, tail_start, size - tail_start)
    eof = tail.rfind(b"%%EOF", window - tail_start)
    return _TRAILER_END.search(tail[max(eof - 256, 0) : eof + 5]) if eof >= 0 else None


def pdf_has_trailer(content: PdfSource) -> bool:
    """Whether the file ends with `startxref`, an offset and `%%EOF` within its last 1024 bytes
    (C speed). pyHanko's readers need it, and search for it line by line from the end: ~0.5 s
    per MB of a damaged file before they give up."""
    with pdf_opened(content) as handle:
        return _trailer_end(handle) is not None


def pdf_signature_count(content: PdfSource) -> int | None:
    """How many signatures (signed signature fields, document timestamps included) the PDF
    holds, read by PDFium at C speed; None when that cannot be said cheaply (PDFium cannot open
    it, or its trailer and cross-reference table are not sound), so the caller reads it fully.
    Most incoming files hold none: their signature check needs no PDF parser in Python."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf_check_structure(content)
        with pdfium_document(content) as document:
            return max(pdfium_c.FPDF_GetSignatureCount(document.raw), 0)
    except (PdfProblem, pdfium.PdfiumError):
        return None


def pdf_check_structure(content: PdfSource) -> None:
    """What a parser does before it reads any object, checked at C speed: the file ends with
    `startxref`, an offset and `%%EOF` (pyHanko's rule: within the last 1024 bytes); the offset
    points at a cross-reference table or stream (otherwise the Python parsers rebuild it by
    reading every object of the file: allowed for small files only); at most MAX_OBJECTS
    objects. Raises PdfProblem "corrupted" (repairable by `_pdfium_repaired`) or
    "too_complex". A file is read SCAN_CHUNK at a time."""
    with pdf_opened(content) as handle:
        _check_structure(handle)


def _check_structure(handle: IO[bytes]) -> None:
    ending = _trailer_end(handle)
    if ending is None:
        raise _damaged(_("no end-of-file marker at its end"))
    offset = int(re.search(rb"\d+", ending.group(0)[ending.group(0).index(b"startxref") :])[0])
    size = _size(handle)
    # (Some producers point at the white space before the table: parsers accept that.)
    head = _read_at(handle, offset, 4096).lstrip() if 0 < offset < size else b""
    declared = None
    if head.startswith(b"xref"):
        trailer = _rfind(handle, b"trailer", offset)
        declared = _SIZE.search(_read_at(handle, trailer, 4096)) if trailer >= 0 else None
    elif _OBJECT_HEADER.match(head):
        declared = _SIZE.search(head)
    elif size > REPAIRABLE_BYTES:
        raise _damaged(_("its cross-reference table is not where the file says"))
    if (declared and int(declared[1]) > MAX_OBJECTS) or _count(handle, b" obj") > MAX_OBJECTS:
        raise _too_complex()


def _pdfium_page_count(content: PdfSource) -> int:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        with pdfium_document(content) as document:
            return len(document)
    except pdfium.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise _encrypted()
        raise _damaged("PDFium")


def _pdfium_repaired(content: PdfSource) -> bytes:
    """A copy written by PDFium, with a sound cross-reference table and trailer (C speed: a
    49 MB file ending in one long line takes 0.35 s), in memory: only damaged files need it."""
    import pypdfium2 as pdfium

    buffer = io.BytesIO()
    try:
        with pdfium_document(content) as document:
            document.save(buffer)
    except pdfium.PdfiumError:
        raise _damaged("PDFium")
    return buffer.getvalue()


def _readable(content: PdfSource) -> PdfSource:
    """The bytes the Python parsers may read: the file itself when its structure is sound, a
    PDFium-repaired copy when only its trailer or cross-reference table is damaged."""
    try:
        pdf_check_structure(content)
    except PdfProblem as problem:
        if problem.code != "corrupted":
            raise
        logger.info("PDF structure damaged (%s): reading a repaired copy", problem.message)
        repaired = _pdfium_repaired(content)
        pdf_check_structure(repaired)
        return repaired
    return content


def pdf_inspect(content: PdfSource, *, max_pages: int) -> PdfInspection:
    """Check a PDF (its bytes or its path: a file is read on demand, never whole) within
    bounded work; raises PdfProblem when it is refused."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    pages = _pdfium_page_count(content)
    if pages > max_pages:
        raise _too_many_pages(pages, max_pages)
    readable = _readable(content)
    try:
        with (
            apply_configuration(page_tree_maximum_entries=2 * max_pages + 100),
            pdf_opened(readable) as handle,
        ):
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted:
                raise _encrypted()
            pages = len(reader.pages)
            if pages > max_pages:  # PDFium trusts the page tree's /Count; pypdf counts
                raise _too_many_pages(pages, max_pages)
            kinds = active_content_kinds(reader)
    except PdfProblem:
        raise
    except (LimitReachedError, RecursionError) as error:
        logger.info("PDF refused as too complex: %s", error)
        raise _too_complex()
    except Exception as error:  # noqa: BLE001 - any parser failure is a refusal, never a 500
        logger.info("PDF refused as damaged", exc_info=True)
        raise _damaged(type(error).__name__)
    if pages == 0:
        raise PdfProblem("no_pages", _("The PDF has no pages."))
    return PdfInspection(page_count=pages, active_content=tuple(sorted(kinds)))


class _Budget(Exception):
    """Too many objects visited."""


def active_content_kinds(reader: Any, budget: int = ACTIVE_CONTENT_BUDGET) -> set[str]:
    """Kinds of active content of a pypdf reader's document: JavaScript (document-level, in
    actions, rendition scripts), launch actions, embedded files (attachments, file attachment
    and rich-media annotations, go-to-embedded actions) and additional actions (/AA of the
    document, pages, annotations and form fields). Links to web addresses (/URI) are fine.
    Visits at most `budget` objects; beyond that the kind "unchecked" is reported."""
    from pypdf.generic import ArrayObject, DictionaryObject

    found: set[str] = set()
    remaining = [budget]

    def resolve(value: Any) -> Any:
        remaining[0] -= 1
        if remaining[0] < 0:
            raise _Budget
        return value.get_object() if value is not None and hasattr(value, "get_object") else value

    def actions(value: Any) -> None:
        stack = [value]
        while stack:
            item = resolve(stack.pop())
            if isinstance(item, ArrayObject):
                stack.extend(item)
                continue
            if not isinstance(item, DictionaryObject):
                continue
            kind = item.get("/S")
            if kind == "/JavaScript" or (kind == "/Rendition" and "/JS" in item):
                found.add(JAVASCRIPT)
            elif kind == "/Launch":
                found.add(LAUNCH)
            elif kind == "/GoToE":
                found.add(EMBEDDED_FILES)
            if "/Next" in item:
                stack.append(item.raw_get("/Next"))

    def additional(value: Any) -> None:
        item = resolve(value)
        if isinstance(item, DictionaryObject) and len(item):
            found.add(ADDITIONAL_ACTIONS)
            for key in item:
                actions(item.raw_get(key))

    def triggers(item: DictionaryObject) -> None:
        if "/A" in item:
            actions(item.raw_get("/A"))
        if "/AA" in item:
            additional(item.raw_get("/AA"))

    def name_tree_has_entries(value: Any) -> bool:
        tree = resolve(value)
        return isinstance(tree, DictionaryObject) and bool(
            len(resolve(tree.get("/Names")) or []) or len(resolve(tree.get("/Kids")) or [])
        )

    try:
        root = resolve(reader.trailer.raw_get("/Root"))
        if "/OpenAction" in root:
            actions(root.raw_get("/OpenAction"))
        if "/AA" in root:
            additional(root.raw_get("/AA"))
        names = resolve(root.get("/Names"))
        if isinstance(names, DictionaryObject):
            if "/JavaScript" in names and name_tree_has_entries(names.raw_get("/JavaScript")):
                found.add(JAVASCRIPT)
            if "/EmbeddedFiles" in names and name_tree_has_entries(names.raw_get("/EmbeddedFiles")):
                found.add(EMBEDDED_FILES)
        form = resolve(root.get("/AcroForm"))
        fields = (
            list(resolve(form.get("/Fields")) or []) if isinstance(form, DictionaryObject) else []
        )
        while fields:
            field = resolve(fields.pop())
            if isinstance(field, DictionaryObject):
                triggers(field)
                fields.extend(resolve(field.get("/Kids")) or [])
        for page in reader.pages:
            resolve(page)
            if "/AA" in page:
                additional(page.raw_get("/AA"))
            for annotation in resolve(page.get("/Annots")) or []:
                annotation = resolve(annotation)
                if not isinstance(annotation, DictionaryObject):
                    continue
                triggers(annotation)
                if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia"):
                    found.add(EMBEDDED_FILES)
    except _Budget:
        found.add(UNCHECKED)
    return found


def pdf_active_content(content: PdfSource) -> tuple[str, ...]:
    """The kinds of active content of a PDF that did not go through `pdf_inspect` (bounded;
    unreadable: "unchecked")."""
    from pypdf import PdfReader

    try:
        with pdf_opened(_readable(content)) as handle:
            return tuple(sorted(active_content_kinds(PdfReader(handle, strict=False))))
    except Exception:  # noqa: BLE001 - a file that cannot be checked is treated as active
        logger.info("Active content check failed", exc_info=True)
        return (UNCHECKED,)
