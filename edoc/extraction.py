"""Read a PDF's text and propose registration metadata from it (Decree 30 layout).

Pure functions: no database, no side effects. Failure to read returns an empty proposal;
extraction never blocks registration.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from pathlib import Path
from typing import IO, Any

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
_ABBREVIATION_TO_TYPE = {abbr: name for name, abbr in DOCUMENT_TYPE_ABBREVIATIONS.items() if abbr}
_FOLDED_ABBREVIATION_TO_TYPE = {fold(abbr): name for abbr, name in _ABBREVIATION_TO_TYPE.items()}

MOTTO_LINES = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")
SIGNING_AUTHORITY = ("kt.", "tl.", "tm.", "tuq.", "q.")

_NUMBER_RE = re.compile(
    r"S[ốô]\s*[:.]?\s*(?P<number>\d{1,6}[a-zA-Z]?)\s*/\s*(?P<notation>[0-9A-Za-zÀ-ỹĐđ][\wĐđ\-/.]*)",
    re.UNICODE,
)
_DATE_RE = re.compile(
    r"(?P<place>[^\n,]{2,60}?)\s*,\s*ng[àa]y\s+(?P<day>\d{1,2})\s+th[áa]ng\s+(?P<month>\d{1,2})"
    r"\s+n[ăa]m\s+(?P<year>\d{4})",
    re.UNICODE | re.IGNORECASE,
)
_SUBJECT_VV_RE = re.compile(r"^\s*V/v[:.]?\s*(?P<subject>.+)$", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_pdf_text(source: str | Path | IO[bytes], max_pages: int = 5) -> str:
    """Text of the first pages (where Decree 30 puts every field we need); "" when unreadable."""
    import pdfplumber

    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with pdfplumber.open(source) as pdf:
            pages = [page.extract_text(layout=False) or "" for page in pdf.pages[:max_pages]]
        return nfc("\n".join(pages))
    except Exception:  # noqa: BLE001 - any parser failure means "no proposal"
        logger.info("PDF text extraction failed", exc_info=True)
        return ""
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _split_header_line(line: str) -> str:
    """Header lines hold the agency on the left and the national motto on the right."""
    folded = fold(line)
    for motto in MOTTO_LINES:
        pos = folded.find(motto)
        if pos >= 0:
            return line[:pos].strip()
    return line.strip()


def _find_issuer(lines: list[str], number_line: int | None) -> str | None:
    """The issuing agency is the last capitalised header line above the number line."""
    end = number_line if number_line is not None else min(len(lines), 6)
    candidates = []
    for line in lines[:end]:
        left = _split_header_line(line)
        if not left or fold(left).startswith("so"):
            continue
        letters = [ch for ch in left if ch.isalpha()]
        if letters and sum(ch.isupper() for ch in letters) / len(letters) > 0.8:
            candidates.append(left)
    if not candidates:
        return None
    return candidates[-1].strip(" -_")


def _find_type_and_subject(lines: list[str], start: int) -> tuple[str | None, str | None]:
    """The type name stands alone in capitals (QUYẾT ĐỊNH); the subject follows it.

    A Công văn has no type line: its subject is the "V/v ..." line under the number.
    """
    folded_types = {fold(name): name for name in DOCUMENT_TYPE_ABBREVIATIONS}
    for index in range(start, min(len(lines), start + 12)):
        line = lines[index]
        vv = _SUBJECT_VV_RE.match(line)
        if vv:
            subject = vv.group("subject").strip()
            # A V/v subject may wrap onto the next line, which then starts in lower case.
            nxt = lines[index + 1] if index + 1 < len(lines) else ""
            if nxt and nxt[0].islower():
                subject = f"{subject} {nxt}"
            return "Công văn", subject
        stripped = line.strip()
        if stripped.isupper() and fold(stripped) in folded_types:
            subject_lines = []
            for follow in lines[index + 1 : index + 4]:
                folded = fold(follow)
                if folded.startswith(("can cu", "kinh gui", "thuc hien", "- ")) or follow.isupper():
                    break
                subject_lines.append(follow)
                if follow.endswith((".", ";")):
                    break
            subject = " ".join(subject_lines).strip() or None
            return folded_types[fold(stripped)], subject
    return None, None


def _type_from_notation(notation: str | None) -> str | None:
    if not notation:
        return None
    head = notation.split("-")[0]
    return _ABBREVIATION_TO_TYPE.get(head) or _FOLDED_ABBREVIATION_TO_TYPE.get(fold(head))


def _find_signer(lines: list[str]) -> str | None:
    """The signer's name is the last line of the signature block, after the position lines."""
    end = len(lines)
    for index, line in enumerate(lines):
        if fold(line).startswith("noi nhan"):
            end = index
            break
    block = lines[:end] if end < len(lines) else lines
    for index in range(len(block) - 1, -1, -1):
        folded = fold(block[index])
        if folded.startswith(SIGNING_AUTHORITY) or folded in (
            "giam doc",
            "pho giam doc",
            "chu tich",
            "pho chu tich",
            "bo truong",
            "thu truong",
            "chanh van phong",
            "truong phong",
        ):
            for candidate in block[index + 1 : index + 4]:
                words = candidate.split()
                if (
                    2 <= len(words) <= 6
                    and all(w[0].isupper() for w in words if w[0].isalpha())
                    and not candidate.isupper()
                    and not fold(candidate).startswith(("giam doc", "pho ", "chu tich", "(da ky"))
                ):
                    return candidate
    return None


def propose_metadata(text: str) -> dict[str, Any]:
    """Turn a document's text into a proposal with every key in PROPOSAL_KEYS (None if unknown)."""
    proposal: dict[str, Any] = dict.fromkeys(PROPOSAL_KEYS)
    lines = _lines(nfc(text or ""))
    if not lines:
        return proposal

    number_line = None
    for index, line in enumerate(lines[:15]):
        match = _NUMBER_RE.search(line)
        if match:
            number_line = index
            proposal["number"] = match.group("number")
            proposal["notation"] = match.group("notation").rstrip(".-/")
            break

    for line in lines[:15]:
        match = _DATE_RE.search(line)
        if match:
            try:
                day = datetime.date(
                    int(match.group("year")), int(match.group("month")), int(match.group("day"))
                )
            except ValueError:
                continue
            place = match.group("place").strip()
            # On the number line the place follows the symbol: "Số: 12/KH-SYT   Đồng Nai".
            number_match = _NUMBER_RE.search(place)
            if number_match:
                place = place[number_match.end() :].strip()
            proposal["place"] = place or None
            proposal["date"] = day.isoformat()
            break

    proposal["issuer"] = _find_issuer(lines, number_line)
    doc_type, subject = _find_type_and_subject(lines, (number_line or 0) + 1)
    proposal["type"] = doc_type or _type_from_notation(proposal["notation"])
    proposal["subject"] = subject
    proposal["signer"] = _find_signer(lines)
    return proposal


def extract_metadata(source: str | Path | IO[bytes]) -> dict[str, Any]:
    """Read a PDF and propose its metadata."""
    return propose_metadata(read_pdf_text(source))
