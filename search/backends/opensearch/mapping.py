"""The OpenSearch index: analysis, mappings and the indexed form of a record.

Vietnamese text (analysis-common only, no ICU): words are split like `search.text.words` (letters
and digits), each text field is indexed lower-cased with its diacritics (`subject`) and again
folded (`subject.folded`: lowercase + asciifolding, đ → d); the exact words have the tone of
"oa", "oe", "uy" on the first vowel, as search.text.tone_placement writes them (a mapping char
filter).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...text import TONE_PLACEMENT
from ..base import IndexRecord

#: Deepest page OpenSearch serves without a scroll (index.max_result_window).
MAX_RESULT_WINDOW = 10_000

# Words as search.text.words splits them: runs of letters, combining marks and digits.
WORD_SPLIT = r"[^\p{L}\p{M}\p{N}]+"


def _tone_placement_mappings() -> list[str]:
    """search.text.TONE_PLACEMENT for a mapping char filter, which runs before lower-casing:
    every case of the two letters ("oà", "Oà", "oÀ", "OÀ" → "òa", "Òa", "òA", "ÒA")."""
    cases = (str.lower, str.upper)
    return [
        f"{one(new[0])}{two(new[1])} => {one(old[0])}{two(old[1])}"
        for new, old in TONE_PLACEMENT.items()
        for one in cases
        for two in cases
    ]


INDEX_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "max_result_window": MAX_RESULT_WINDOW,
    "analysis": {
        "char_filter": {
            "vi_tone_placement": {"type": "mapping", "mappings": _tone_placement_mappings()}
        },
        "tokenizer": {"vi_words": {"type": "pattern", "pattern": WORD_SPLIT}},
        "analyzer": {
            "vi_exact": {
                "type": "custom",
                "char_filter": ["vi_tone_placement"],
                "tokenizer": "vi_words",
                "filter": ["lowercase"],
            },
            "vi_folded": {
                "type": "custom",
                "tokenizer": "vi_words",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    },
}


def _folded_field() -> dict[str, Any]:
    # Offsets in the postings: highlighting reads them instead of analysing the text again,
    # so a 300-page file is highlighted quickly and past index.highlight.max_analyzed_offset
    # (1,000,000 characters, beyond which OpenSearch refuses to highlight).
    return {"type": "text", "analyzer": "vi_folded", "index_options": "offsets"}


def _text_field() -> dict[str, Any]:
    return {"type": "text", "analyzer": "vi_exact", "fields": {"folded": _folded_field()}}


MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "agency_id": {"type": "long"},
        "direction": {"type": "keyword"},
        "status": {"type": "keyword"},
        "symbol": _text_field(),
        "symbol_key": {"type": "keyword"},
        "number": {"type": "keyword"},
        "notation": {"type": "keyword"},
        "subject": _text_field(),
        # The way a document is named aloud: its type, then its subject ("Kế hoạch Chuyển đổi
        # số …"). Only scored (words in order), so "kế hoạch …" ranks plans first.
        "title": _text_field(),
        "issuer": {
            **_text_field(),
            "fields": {
                "folded": _folded_field(),
                "raw": {"type": "keyword", "ignore_above": 1024},
            },
        },
        "body": _text_field(),
        "type_code": {"type": "keyword"},
        "year": {"type": "keyword"},
        "date": {"type": "date", "format": "strict_date"},
        "unit_id": {"type": "keyword"},
        "urgency": {"type": "keyword"},
        "confidentiality_level": {"type": "integer"},
        # Access facts (edoc.selectors.access.document_access_facts).
        "owner_unit_id": {"type": "long"},
        "participant_user_ids": {"type": "long"},
        "participant_unit_ids": {"type": "long"},
        "granted_user_ids": {"type": "long"},
    },
}

#: Fingerprint of the settings and mappings, kept in each index's _meta: an index built by an
#: older version of this module takes no writes (they wait in the queue) until search_reindex.
SCHEMA = hashlib.sha256(
    json.dumps([INDEX_SETTINGS, MAPPINGS], sort_keys=True).encode()
).hexdigest()[:16]


def document_source(record: IndexRecord) -> dict[str, Any]:
    """The indexed form of one record (the folded copies are the analyzers' job)."""
    return {
        "id": record.id,
        "agency_id": record.agency_id,
        "direction": record.direction,
        "status": record.status,
        "symbol": record.symbol,
        "symbol_key": record.symbol_key,
        "number": record.number,
        "notation": record.notation,
        "subject": record.subject,
        "title": f"{record.type_label} {record.subject}".strip(),
        "issuer": record.issuer,
        "body": record.body,
        "type_code": record.type_code,
        "year": str(record.year) if record.year else None,
        "date": record.date.isoformat() if record.date else None,
        "unit_id": str(record.unit_id),
        "urgency": record.urgency,
        "confidentiality_level": record.confidentiality_level,
        "owner_unit_id": record.owner_unit_id,
        "participant_user_ids": list(record.participant_user_ids),
        "participant_unit_ids": list(record.participant_unit_ids),
        "granted_user_ids": list(record.granted_user_ids),
    }
