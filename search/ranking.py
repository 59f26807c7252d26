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
- PAIRS: proximity when the whole phrase is not there: PAIRS shared among the adjacent pairs of
  unquoted words (`adjacent_pairs`, syllable bigrams: "bệnh án", "án điện", "điện tử"), a share
  for each pair found adjacent (diacritics ignored). "bệnh án điện tử Bộ Y tế" thus ranks the
  documents on electronic medical records above those holding "giấy báo tử", "dự án", "điện tử"
  and "Bộ Y tế".

Each tier weighs more than every tier below it together with the relevance (each pair at least
one point), so hits are ordered by symbol, then tones, then phrase, then name, then pairs found,
then relevance. Documents matching only without diacritics are still found (OCR text and
records typed without diacritics lose them), after every document that has the words as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from edoc.text import fold

from .text import ParsedQuery

SYMBOL = 128.0
TONES = 64.0
PHRASE = 32.0
NAMED = 16.0
PAIRS = 8.0
#: Adjacent pairs checked at most (each is one more phrase lookup), one point each at least.
MAX_PAIRS = 8


@dataclass(frozen=True)
class Pair:
    """Two neighbouring query words (folded); `prefix`: the second is a word's beginning."""

    first: str
    second: str
    prefix: bool = False

    @property
    def words(self) -> list[str]:
        return [self.first, self.second]


def proximity_words(parsed: ParsedQuery) -> list[str]:
    """The unquoted words, folded, whose adjacency is rewarded (none for a single word)."""
    words = [fold(term) for term in parsed.terms]
    return words if len(words) > 1 else []


def adjacent_pairs(parsed: ParsedQuery) -> list[Pair]:
    """Neighbouring unquoted words, at most MAX_PAIRS; none below three words (two words are
    the whole phrase)."""
    words = proximity_words(parsed)
    if len(words) < 3:
        return []
    pairs = [
        Pair(first, second, prefix=parsed.prefix and index == len(words) - 2)
        for index, (first, second) in enumerate(zip(words, words[1:], strict=False))
    ]
    return pairs[:MAX_PAIRS]


def pair_weight(parsed: ParsedQuery) -> float:
    """What each adjacent pair found adjacent adds (PAIRS shared among the pairs)."""
    pairs = adjacent_pairs(parsed)
    return PAIRS / len(pairs) if pairs else 0.0
