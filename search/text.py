"""Vietnamese text for the index and for queries: words, folded forms, symbols, highlights.

Every backend indexes the same words: `words()` splits on anything that is not a letter or digit,
so "123/QĐ-UBND" gives "123 qđ ubnd"; `fold` (edoc.text) removes diacritics with đ → d. A document
symbol is also indexed as one compact token (`symbol_key`: "123qdubnd") so that "123/QĐ-UBND",
"123/QD-UBND" and "123 QĐ UBND" all find it first. The tone mark of "oa", "oe" and "uy" is written
on either vowel ("hòa" or "hoà", "khỏe" or "khoẻ", "thủy" or "thuỷ", as the writer's keyboard is
set): the engines compare words with diacritics after `tone_placement`, which puts it on the
first, so that both spellings are one word (what users see keeps its spelling).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from edoc.text import fold

from .backends.base import MAX_QUERY_CHARS

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# A number followed by a notation: "123/QĐ-UBND", "123 QD UBND", "15/KH-SYT".
SYMBOL_RE = re.compile(
    r"\b(\d{1,7})\s*[/\s]\s*([^\W\d_]{1,12}(?:\s*[-–\s]\s*[^\W\d_]{1,12}){0,3})\b"
)
SNIPPET_CHARS = 220
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
#: "oà" → "òa" …: the tone mark moved onto the first vowel of "oa", "oe", "uy" (lower case).
TONE_PLACEMENT: dict[str, str] = {
    first + unicodedata.normalize("NFC", second + tone): unicodedata.normalize("NFC", first + tone)
    + second
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in TONE_MARKS
}
# Everywhere, as OpenSearch's mapping char filter does: "hoàn" becomes "hòan" on both sides of
# the search (index and query), and a type-ahead "hoà" still begins it.
TONE_PLACEMENT_RE = re.compile("|".join(TONE_PLACEMENT))


def nfc_lower(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").lower()


def tone_placement(value: str) -> str:
    """Lower-case NFC text with the tone of "oa", "oe", "uy" on the first vowel (hoà → hòa):
    how the exact words are indexed and queried."""
    return TONE_PLACEMENT_RE.sub(lambda match: TONE_PLACEMENT[match.group()], value)


def words(value: str) -> list[str]:
    """Lower-cased NFC words of `value` (letters and digits only)."""
    return WORD_RE.findall(nfc_lower(value))


def index_text(value: str) -> tuple[str, str]:
    """The exact (tones placed alike) and the folded word streams of `value`, space-separated."""
    exact = " ".join(words(value))
    return tone_placement(exact), fold(exact)


def symbol_key(number: str, notation: str = "") -> str:
    """Compact token of a document symbol: ("123", "QĐ-UBND") → "123qdubnd"; "" without number."""
    if not number:
        return ""
    return "".join(fold(part) for part in words(f"{number} {notation}"))


def aligned_fold(value: str) -> str:
    """`fold` with positions in the result matching positions in `value` (NFC text folds one
    character to one almost always; the rare exceptions are folded character by character)."""
    folded = fold(value)
    if len(folded) == len(value):
        return folded
    out = []
    for char in value:
        folded = fold(char)
        out.append(folded if len(folded) == 1 else char.lower()[:1] or char)
    return "".join(out)


@dataclass
class ParsedQuery:
    """A query reduced to safe words: no engine syntax survives parsing."""

    terms: list[str] = field(default_factory=list)  # exact lower-case words outside quotes
    phrases: list[list[str]] = field(default_factory=list)  # quoted word sequences
    symbol_keys: list[str] = field(default_factory=list)
    prefix: bool = False  # the last term is a prefix (type-ahead)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.symbol_keys)

    @property
    def all_words(self) -> list[str]:
        return [*self.terms, *(word for phrase in self.phrases for word in phrase)]

    @property
    def has_diacritics(self) -> bool:
        return any(fold(word) != word for word in self.all_words)


def parse_query(text: str, *, prefix: bool = False) -> ParsedQuery:
    """Split a user query into words and quoted phrases; unbalanced quotes and operators are
    ignored, the query is cut at MAX_QUERY_CHARS."""
    text = unicodedata.normalize("NFC", text or "")[:MAX_QUERY_CHARS]
    text = text.replace("“", '"').replace("”", '"').replace("„", '"')
    parsed = ParsedQuery(prefix=prefix)
    for match in SYMBOL_RE.finditer(text):
        # "123 QĐ UBND ngày 5": where the notation ends is unknown, so every length is a candidate.
        parts = words(match.group(2))
        for length in range(1, len(parts) + 1):
            key = symbol_key(match.group(1), " ".join(parts[:length]))
            if key not in parsed.symbol_keys:
                parsed.symbol_keys.append(key)
    parts = text.split('"')
    if len(parts) % 2 == 0:  # unbalanced: the last quote opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    for position, part in enumerate(parts):
        found = words(part)
        if not found:
            continue
        if position % 2 == 1 and len(found) > 1:
            parsed.phrases.append(found)
        else:
            parsed.terms.extend(found)
    parsed.prefix = prefix and bool(parsed.terms) and not text.rstrip().endswith('"')
    return parsed


def highlight(value: str, parsed: ParsedQuery, *, max_chars: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped snippet of `value` around the first match, matches in <mark>…</mark>;
    "" when nothing matches. Matching ignores diacritics, like the search."""
    if not value or parsed.is_empty:
        return ""
    value = unicodedata.normalize("NFC", value)
    haystack = aligned_fold(value)
    needles = sorted({fold(word) for word in parsed.all_words if word}, key=len, reverse=True)
    if not needles:
        return ""
    pattern = "|".join(re.escape(needle) for needle in needles)
    tail = r"\w*" if parsed.prefix else ""
    regex = re.compile(
        rf"(?<!\w)(?:{pattern}){tail}(?!\w)" if not tail else rf"(?<!\w)(?:{pattern}){tail}"
    )
    spans = [match.span() for match in regex.finditer(haystack)]
    if not spans:
        return ""
    first = spans[0][0]
    start = 0 if len(value) <= max_chars or first < max_chars // 3 else first - max_chars // 3
    if start:
        space = value.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(value), start + max_chars)
    out = ["…" if start else ""]
    cursor = start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        out.append(html.escape(value[cursor:begin]))
        out.append(f"<mark>{html.escape(value[begin:finish])}</mark>")
        cursor = finish
    out.append(html.escape(value[cursor:end]))
    out.append("…" if end < len(value) else "")
    return " ".join("".join(out).split())


def highlights_for(fields: dict[str, str], parsed: ParsedQuery) -> dict[str, str]:
    """Snippets for every field that matches."""
    found = {}
    for name, value in fields.items():
        snippet = highlight(value, parsed)
        if snippet:
            found[name] = snippet
    return found
