"""How every backend orders hits: ranking tiers first, the engine's own relevance within a tier.

Vietnamese writes each syllable as a separate word ("bệnh án điện tử" is two words of two
syllables each) and most syllables are common on their own, so a document holding them scattered
("giấy báo tử", "dự án", "điện tử") is rarely about the query. A document symbol ("01/SYT-NVY")
shares every word but its number with its siblings (02/, 15/SYT-NVY), whose dates are full of
"01". And a query typed with diacritics names one word where its folded form names several
("dược", pharmacy; "được", can). So each backend adds to its own relevance, squashed into
[0, 1) as 1 - s / (s + relevance) for a typical relevance s, the weight of these tiers:

- SYMBOL: the document's symbol is one of those typed;
- TONES: the query has diacritics and the document has every word with them;
- PHRASE: the unquoted words, adjacent and in this order (diacritics ignored);
- NAMED: the document is named so, its title (type and subject, "Kế hoạch Chuyển đổi số …")
  begins with these words ("kế hoạch chuyển đổi số" ranks the plans above the letters about
  the plan);
- RUN: proximity when the whole phrase is not there: the longest run of neighbouring unquoted
  words found adjacent (`adjacent_runs`; syllable bigrams "bệnh án", "điện tử", trigrams …),
  one point per adjacent pair in it (diacritics ignored). "bệnh án điện tử Bộ Y tế" thus ranks
  the documents on electronic medical records (a run of four) above those holding "giấy báo
  tử", "dự án", "điện tử" and "Bộ Y tế" (three). The longest run, not the number of pairs
  found: a pair straddling two words ("hành thuốc" of "lưu hành | thuốc") says little.

Each tier weighs more than every tier below it together with the relevance (a run at most five
points, apart by one; the relevance below one), so hits are ordered by symbol, then tones, then
phrase, then name, then longest run, then relevance. Documents matching only without
diacritics are still found (OCR text and records typed without diacritics lose them), after
every document that has the words as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from edoc.text import fold

from .text import ParsedQuery

SYMBOL = 128.0
TONES = 64.0
PHRASE = 32.0
NAMED = 16.0
#: Query words whose runs are looked for (each run is one more phrase lookup: 15 at most).
MAX_RUN_WORDS = 6


@dataclass(frozen=True)
class Run:
    """Neighbouring query words (folded); `prefix`: the last one is a word's beginning."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def weight(self) -> float:
        """One point per adjacent pair in it: a longer run outranks any shorter one."""
        return float(len(self.words) - 1)


def proximity_words(parsed: ParsedQuery) -> list[str]:
    """The unquoted words, folded, whose adjacency is rewarded (none for a single word)."""
    words = [fold(term) for term in parsed.terms]
    return words if len(words) > 1 else []


def adjacent_runs(parsed: ParsedQuery) -> list[Run]:
    """Every run of two or more neighbouring unquoted words shorter than the whole phrase,
    longest first, among the first MAX_RUN_WORDS words; none below three words (two words are
    the whole phrase). A document scores its longest run found (RUN)."""
    words = proximity_words(parsed)
    if len(words) < 3:
        return []
    window = words[:MAX_RUN_WORDS]
    longest = len(window) - 1 if len(window) == len(words) else len(window)
    return [
        Run(
            tuple(window[start : start + size]), prefix=parsed.prefix and start + size == len(words)
        )
        for size in range(longest, 1, -1)
        for start in range(len(window) - size + 1)
    ]
