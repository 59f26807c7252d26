"""Read a PDF's text and propose registration metadata from it (Decree 30 layout).

Pure functions: no database, no side effects. Failure to read returns an empty proposal;
extraction never blocks registration.

Two readers feed one parser. `extract_metadata` reads the words of the first and last pages with
their positions and fonts, so it knows which header column a line sits in (agency on the left,
national motto and date on the right) and which lines are bold (issuing agency, type name,
subject, signer). `propose_metadata` works on plain text, where that information is missing and
the parser falls back on wording and capitalisation.

Both read the PDF with PDFium (pypdfium2, C): the work is bounded by the two pages read, whatever
else the file holds. (pdfplumber/pdfminer, used before, read the whole file's structure in
Python: 4 minutes of CPU for a 49 MB file ending in one long line, in pdfminer's find_xref.)
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from edoc.pdfium import PdfSource
from edoc.pdftext import PdfText, end_pages, has_text_layer, ocr_pages, pdf_text_read
from edoc.pdftext import pdf_page_image as pdf_page_image  # the text layer's readers, here too
from edoc.pdftext import pdf_page_texts as pdf_page_texts
from edoc.text import fold

logger = logging.getLogger(__name__)

PROPOSAL_KEYS = ("number", "notation", "issuer", "place", "date", "type", "subject", "signer")

# Decree 30/2020/NĐ-CP Appendix III: document type names and their abbreviations.
DOCUMENT_TYPE_ABBREVIATIONS: dict[str, str] = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
    "Công văn": "",
}
OFFICIAL_LETTER = "Công văn"
_ABBREVIATION_TO_TYPE = {abbr: name for name, abbr in DOCUMENT_TYPE_ABBREVIATIONS.items() if abbr}
_FOLDED_ABBREVIATION_TO_TYPE = {fold(abbr): name for abbr, name in _ABBREVIATION_TO_TYPE.items()}
# "hoà"/"hòa", "thoả"/"thỏa": both spellings fold to the same key.
_FOLDED_TYPES = {fold(name): name for name in DOCUMENT_TYPE_ABBREVIATIONS}

MOTTO_LINES = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")
SIGNING_AUTHORITY = ("kt.", "tl.", "tm.", "tuq.", "q.")
SIGNING_POSITIONS = (
    "giam doc",
    "pho giam doc",
    "chu tich",
    "pho chu tich",
    "bo truong",
    "thu truong",
    "chanh van phong",
    "pho chanh van phong",
    "truong phong",
    "pho truong phong",
    "tong giam doc",
    "vien truong",
    "hieu truong",
    "chanh thanh tra",
    "pho chanh thanh tra",
    "cuc truong",
    "pho cuc truong",
    "vu truong",
    "pho vu truong",
    "tong cuc truong",
    "pho tong cuc truong",
)
# Lines that open the body: the subject above them has ended.
_BODY_OPENINGS = (
    "can cu",
    "kinh gui",
    "thuc hien",
    "theo de nghi",
    "xet de nghi",
    "dieu ",
    "- ",
    "+ ",
)
# Words a wrapped subject line may end on: the next line continues it.
_CONNECTOR_WORDS = (
    "và của tại về cho trong với theo đối năm đoạn các những việc đến từ trên thuộc giữa vào "
    "bằng phục vụ dịp mức độ số"
)
_CONNECTORS = frozenset(fold(word) for word in _CONNECTOR_WORDS.split())
# How the name of an issuing body starts (a header line starting otherwise continues the line
# above it: "TỈNH ĐỒNG NAI" under "ỦY BAN NHÂN DÂN").
_AGENCY_OPENING_WORDS = (
    "Ủy ban|UBND|Hội đồng|Bộ|Sở|Cục|Chi cục|Tổng cục|Vụ|Văn phòng|Ban|Phòng|Thanh tra|Bệnh viện|"
    "Trung tâm|Trạm|Bảo hiểm|Công an|Viện|Trường|Học viện|Chính phủ|Kho bạc|Ngân hàng|Tòa án"
)
AGENCY_OPENINGS = tuple(fold(words) + " " for words in _AGENCY_OPENING_WORDS.split("|"))
_HEADER_SCAN = 30  # header fields sit in the first lines of page 1
#: The clerk waits for the proposal of a scan: the OCR of its first and last pages (read side
#: by side) stops after this many seconds, and the proposal is made from what was read.
PROPOSAL_OCR_SECONDS = 30

_NUMBER_RE = re.compile(
    r"^S[ốôo]\s*[:.]?\s*(?P<number>\d{1,6}[a-zA-Z]?)?\s*/\s*"
    r"(?P<notation>[0-9A-Za-zÀ-ỹĐđ][\wĐđ\-/.&]*)",
    re.UNICODE,
)
_DATE_RE = re.compile(
    r"(?P<place>[^\n,]{2,60}?)\s*,\s*ng[àa]y\s+(?P<day>\d{1,2})\s+th[áa]ng\s+(?P<month>\d{1,2})"
    r"\s+n[ăa]m\s+(?P<year>\d ?\d ?\d ?\d)(?!\d)",  # OCR may split the year: "201 7"
    re.UNICODE | re.IGNORECASE,
)
_SUBJECT_VV_RE = re.compile(r"^\s*V/v\s*[:.]?\s*(?P<subject>.+)$", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_same_length(text: str) -> str:
    """fold() character by character, so positions in the result match the input."""
    return "".join((fold(ch) or " ")[0] for ch in text)


@dataclass
class Line:
    """One line of text; layout attributes are None when only plain text is known."""

    text: str
    page: int = 0
    column: str | None = None  # "left", "right", "centre"
    top: float | None = None
    size: float | None = None
    bold: bool | None = None

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def is_caps(self) -> bool:
        letters = [ch for ch in self.text if ch.isalpha()]
        return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


# --- Reading -------------------------------------------------------------------------------


def _pdf_bytes(source: str | Path | IO[bytes] | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    source.seek(0)
    try:
        return source.read()
    finally:
        source.seek(0)


def read_pdf_text(source: str | Path | IO[bytes], max_pages: int = 5) -> str:
    """Text of the first pages (where Decree 30 puts every field we need); "" when unreadable."""
    import pypdfium2 as pdfium

    try:
        text = pdf_text_read(_pdf_bytes(source), text_pages=range(max_pages), word_pages=())
    except (pdfium.PdfiumError, OSError, ValueError):  # unreadable: no proposal
        logger.info("PDF text extraction failed", exc_info=True)
        return ""
    return nfc("\n".join(text.pages[:max_pages]))


@functools.lru_cache(maxsize=256)  # asked for every word; a document has a few fonts
def _is_bold(fontname: str) -> bool:
    name = fontname.split("+", 1)[-1].lower()
    return any(mark in name for mark in ("bold", "black", "heavy", "semibold", "demi"))


def _page_lines(words: list[dict], page_index: int) -> list[Line]:
    """The page's words grouped into visual lines, each split at wide gaps into column segments."""
    if not words:
        return []
    left_edge = min(w["x0"] for w in words)
    right_edge = max(w["x1"] for w in words)
    centre = (left_edge + right_edge) / 2

    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(word["top"] - rows[-1][0]["top"]) <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])

    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        segments: list[list[dict]] = [[row[0]]]
        for previous, word in zip(row, row[1:], strict=False):
            gap = word["x0"] - previous["x1"]
            if gap > 1.8 * max(word["size"], previous["size"]):
                segments.append([word])
            else:
                segments[-1].append(word)
        for index, segment in enumerate(segments):
            x0, x1 = segment[0]["x0"], segment[-1]["x1"]
            if len(segments) > 1 and index == 0 and (x0 + x1) / 2 < centre:
                column = "left"
            elif len(segments) > 1 and index == len(segments) - 1 and (x0 + x1) / 2 > centre:
                column = "right"
            elif x0 < centre < x1:
                column = "centre"
            else:
                column = "left" if x1 <= centre else "right"
            if any(w["fontname"] is None for w in segment):
                bold = None  # OCR: the weight of the letters is not known
            else:
                bold = sum(_is_bold(w["fontname"]) for w in segment) * 2 >= len(segment)
            lines.append(
                Line(
                    text=nfc(" ".join(w["text"] for w in segment)).strip(),
                    page=page_index,
                    column=column,
                    top=min(w["top"] for w in segment),
                    size=max(w["size"] for w in segment),
                    bold=bold,
                )
            )
    return [line for line in lines if line.text]


def read_pdf_lines(source: str | Path | IO[bytes]) -> list[Line]:
    """Positioned lines of the first and last pages (text layer only); [] when unreadable."""
    import pypdfium2 as pdfium

    try:
        text = pdf_text_read(_pdf_bytes(source), text_pages="ends")
    except (pdfium.PdfiumError, OSError, ValueError):  # unreadable: no proposal
        logger.info("PDF layout extraction failed", exc_info=True)
        return []
    return [line for index in sorted(text.words) for line in _page_lines(text.words[index], index)]


def proposal_lines(
    text: PdfText,
    content: PdfSource,
    *,
    ocr: bool | str = True,
    sha256: str = "",
    ocr_seconds: float | None = None,
) -> list[Line]:
    """Positioned lines of the first and last pages: from the text layer, or (with `ocr`) from
    Tesseract's words where a page has none (a scan). Both pages are read side by side, within
    `ocr_seconds` (default PROPOSAL_OCR_SECONDS); what is not read by then is left out. With
    `ocr="cached"`, only pages already read (cached under `sha256`) are used."""
    pages = end_pages(len(text.pages))
    scanned = [index for index in pages if not has_text_layer(text.pages[index])]
    if ocr and scanned:
        seconds = PROPOSAL_OCR_SECONDS if ocr_seconds is None else ocr_seconds
        ocr_pages(
            content,
            text,
            scanned,
            sha256=sha256,
            parallel=len(scanned),
            deadline=time.monotonic() + seconds,
            cached_only=ocr == "cached",
        )
    lines: list[Line] = []
    for index in pages:
        page = text.ocr.get(index) if index in scanned else None
        words = page.words if page is not None else text.words.get(index, [])
        lines += _page_lines(words, index)
    return lines


def _text_lines(text: str) -> list[Line]:
    """Plain-text lines; a header line holding both columns is split where the right one starts."""
    lines: list[Line] = []
    for raw in nfc(text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        folded = _fold_same_length(raw).lower()
        split_at = None
        for motto in MOTTO_LINES:
            pos = folded.find(motto)
            if pos > 0:
                split_at = pos
                break
        number = _NUMBER_RE.match(raw)
        if split_at is None and number and _DATE_RE.search(raw[number.end() :]):
            split_at = number.end()
        if split_at is not None:
            lines.append(Line(raw[:split_at].strip(), column="left"))
            lines.append(Line(raw[split_at:].strip(), column="right"))
        else:
            lines.append(Line(raw))
    return [line for line in lines if line.text]


# --- Parsing -------------------------------------------------------------------------------


def _is_motto(line: Line) -> bool:
    return any(line.folded.startswith(motto) for motto in MOTTO_LINES)


def _close_below(previous: Line, line: Line, factor: float = 2.2) -> bool:
    """True when `line` directly follows `previous` (plain text: always)."""
    if previous.top is None or line.top is None or previous.page != line.page:
        return previous.page == line.page
    return 0 < line.top - previous.top <= factor * (previous.size or 12)


def _find_number(lines: list[Line]) -> tuple[int | None, str | None, str | None]:
    for index, line in enumerate(lines[:_HEADER_SCAN]):
        if line.page != 0 or line.column == "right":
            continue
        match = _NUMBER_RE.match(line.text)
        if match:
            notation = match.group("notation").rstrip(".-/")
            return index, match.group("number"), notation or None
    return None, None, None


def _find_date(lines: list[Line]) -> tuple[str | None, str | None]:
    for line in lines[:_HEADER_SCAN]:
        if line.page != 0 or line.column == "left":
            continue
        match = _DATE_RE.search(line.text)
        if not match:
            continue
        try:
            day = datetime.date(
                int(match.group("year").replace(" ", "")),
                int(match.group("month")),
                int(match.group("day")),
            )
        except ValueError:
            continue
        place = match.group("place").strip()
        number = _NUMBER_RE.match(place)
        if number:  # plain text: "Số: 12/KH-SYT Đồng Nai, ngày …"
            place = place[number.end() :].strip()
        return place.strip(" -–") or None, day.isoformat()
    return None, None


def _find_issuer(lines: list[Line], number_index: int | None) -> str | None:
    """The issuing agency: the bold capitalised lines of the left header column above "Số:"
    (without font information, the last capitalised line there)."""
    end = number_index if number_index is not None else min(len(lines), 8)
    header = [
        line
        for line in lines[:end]
        if line.page == 0 and line.column in ("left", None) and not _is_motto(line) and line.is_caps
    ]
    if not header:
        return None
    if any(line.bold is not None for line in header) and any(line.bold for line in header):
        run: list[Line] = []
        for line in reversed(header):
            if line.bold:
                run.insert(0, line)
            elif run:
                break
        return " ".join(line.text for line in run).strip(" -_") or None
    # Without fonts: the last capitalised line, plus the lines above it that it continues
    # ("ỦY BAN NHÂN DÂN" / "TỈNH ĐỒNG NAI"), up to the line where an agency name starts.
    run = [header[-1]]
    for line in reversed(header[:-1]):
        if (fold(run[0].text) + " ").startswith(AGENCY_OPENINGS):
            break
        run.insert(0, line)
    return " ".join(line.text for line in run).strip(" -_") or None


def _type_name(line: Line) -> str | None:
    text = line.text.strip().rstrip(":").strip()
    if not text.isupper():
        return None
    return _FOLDED_TYPES.get(fold(text))


def _subject_after_title(lines: list[Line], index: int) -> str | None:
    title = lines[index]
    parts: list[Line] = []
    for line in lines[index + 1 : index + 6]:
        previous = parts[-1] if parts else title
        if line.page != title.page or not _close_below(previous, line):
            break
        if line.bold is False and title.bold:  # the bold subject has ended
            break
        if line.is_caps or line.folded.startswith(_BODY_OPENINGS):
            break
        if line.column == "right" and title.column == "centre":
            break
        if line.bold is None and line.top is not None and not _close_below(previous, line, 1.7):
            break  # OCR (weight unknown): the body starts farther below than a wrapped line
        if line.top is None and parts and not _continues(parts[-1].text, line.text):
            break  # plain text: the next line starts a sentence of the body
        if line.top is None and line.text.endswith((".", ";", ":")):
            if parts:
                break
            parts.append(line)
            break
        parts.append(line)
    return " ".join(line.text for line in parts).strip() or None


def _continues(previous: str, line: str) -> bool:
    """Whether a plain-text line continues the one above (a wrapped subject)."""
    last_word = previous.split()[-1] if previous.split() else ""
    return (
        line[:1].islower()
        or line[:1].isdigit()
        or previous.endswith((",", "-", "–"))
        or fold(last_word) in _CONNECTORS
    )


def _subject_vv(lines: list[Line], index: int, match: re.Match) -> str:
    first = lines[index]
    parts = [match.group("subject").strip()]
    previous = first
    for line in lines[index + 1 : index + 6]:
        if line.column == "right":
            continue
        if line.folded.startswith(("kinh gui", "so:")):
            break
        if first.column is None:  # plain text: only a continuation of the subject
            if not _continues(parts[-1], line.text):
                break
        elif line.column != first.column or not _close_below(previous, line, 1.8):
            break
        parts.append(line.text)
        previous = line
    return " ".join(parts).strip()


def _find_type_and_subject(lines: list[Line], start: int) -> tuple[str | None, str | None]:
    """The type name stands alone in capitals (QUYẾT ĐỊNH) with the subject under it.

    A Công văn has no type line: its subject is the "V/v ..." line under the number.
    """
    for index in range(start, min(len(lines), start + 15)):
        line = lines[index]
        if line.page != 0:
            break
        vv = _SUBJECT_VV_RE.match(line.text) if line.column != "right" else None
        if vv:
            return OFFICIAL_LETTER, _subject_vv(lines, index, vv)
        doc_type = _type_name(line) if line.column != "left" else None
        if doc_type:
            return doc_type, _subject_after_title(lines, index)
    return None, None


def _type_from_notation(notation: str | None) -> str | None:
    if not notation:
        return None
    head = notation.split("-")[0]
    return _ABBREVIATION_TO_TYPE.get(head) or _FOLDED_ABBREVIATION_TO_TYPE.get(fold(head))


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 6
        and not text.isupper()
        and not text.startswith(("(", "-", "+"))
        and all(word[0].isupper() for word in words if word[0].isalpha())
        and not any(ch.isdigit() for ch in text)
        and not fold(text).startswith(SIGNING_POSITIONS)
    )


def _is_signing_line(text: str) -> bool:
    folded = fold(text).strip()
    return folded.startswith(SIGNING_AUTHORITY) or folded in SIGNING_POSITIONS


def _find_signer(lines: list[Line]) -> str | None:
    """The signer's name closes the signature block, under the signing authority and position."""
    if not lines:
        return None
    last_page = lines[-1].page
    page = [line for line in lines if line.page == last_page]
    if page[0].column is not None:
        recipients = next((ln for ln in page if ln.folded.startswith("noi nhan")), None)
        if recipients is not None and recipients.top is not None:
            floor = recipients.top - 2 * (recipients.size or 12)
            block = [ln for ln in page if ln.column == "right" and (ln.top or 0) >= floor]
        else:
            block = [ln for ln in page if ln.column == "right"]
        names = [ln for ln in block if _looks_like_name(ln.text) and ln.bold is not False]
        if names and any(_is_signing_line(ln.text) for ln in block):
            return names[-1].text
    # Plain text: the left and right columns are merged into one line each.
    texts = [line.text for line in page]
    for index in range(len(texts) - 1, -1, -1):
        if not any(_is_signing_line(part) for part in _right_parts(texts[index])):
            continue
        for candidate in texts[index + 1 : index + 8]:
            for part in _right_parts(candidate):
                if _looks_like_name(part):
                    return part
    return None


def _right_parts(text: str) -> list[str]:
    """The right half of a merged closing line: "Nơi nhận: KT. GIÁM ĐỐC",
    "- Như trên; PHÓ GIÁM ĐỐC", "- Lưu: VT, VP. Nguyễn Văn A"."""
    text = text.strip()
    if fold(text).startswith("noi nhan"):
        return [part for part in [text.partition(":")[2].strip()] if part]
    if text.startswith(("-", "+")):
        match = re.search(r"[;.]\s+(?=\S)", text)
        return [text[match.end() :].strip()] if match else []
    return [text] if text else []


def _propose(lines: list[Line]) -> dict[str, Any]:
    proposal: dict[str, Any] = dict.fromkeys(PROPOSAL_KEYS)
    if not lines:
        return proposal
    number_index, proposal["number"], proposal["notation"] = _find_number(lines)
    proposal["place"], proposal["date"] = _find_date(lines)
    proposal["issuer"] = _find_issuer(lines, number_index)
    doc_type, subject = _find_type_and_subject(lines, (number_index or 0) + 1)
    proposal["type"] = doc_type or _type_from_notation(proposal["notation"])
    proposal["subject"] = subject
    proposal["signer"] = _find_signer(lines)
    return proposal


def propose_metadata(text: str) -> dict[str, Any]:
    """Turn a document's plain text into a proposal with every key in PROPOSAL_KEYS."""
    try:
        return _propose(_text_lines(text))
    except Exception:  # noqa: BLE001 - a proposal is a convenience, never an error
        logger.warning("Metadata proposal failed", exc_info=True)
        return dict.fromkeys(PROPOSAL_KEYS)


def propose_from_text(text: PdfText, content: PdfSource, **options: Any) -> dict[str, Any]:
    """The proposal from an existing reading of the file (`edoc.pdftext.pdf_text_read`), OCR
    of a scanned first or last page included (`options`: those of `proposal_lines`)."""
    try:
        return _propose(proposal_lines(text, content, **options))
    except Exception:  # noqa: BLE001 - a proposal is a convenience, never an error
        logger.warning("Metadata proposal failed", exc_info=True)
        return dict.fromkeys(PROPOSAL_KEYS)


def extract_metadata(
    source: str | Path | IO[bytes] | bytes, *, ocr: bool = True, sha256: str = ""
) -> dict[str, Any]:
    """Read a PDF and propose its metadata; every key is None when nothing can be read. Only
    the first and last pages are read; a scanned one by OCR (bounded: PROPOSAL_OCR_SECONDS)."""
    try:
        content = _pdf_bytes(source)
        text = pdf_text_read(content, text_pages="ends")
    except Exception:  # noqa: BLE001 - unreadable: no proposal
        logger.info("PDF text extraction failed", exc_info=True)
        return dict.fromkeys(PROPOSAL_KEYS)
    return propose_from_text(text, content, ocr=ocr, sha256=sha256)
