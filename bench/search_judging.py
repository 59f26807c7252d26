"""The judged query set (bench/search_judgements.json) and the measures computed on it.

Shared by bench/search_quality.py (the report) and tests/search/test_quality_judgements.py (the
file's integrity and a floor on the database backend). See the "about" lines of the JSON file for
how documents are identified and graded.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JUDGEMENTS = Path(__file__).resolve().with_name("search_judgements.json")
RULE_KEYS = {"type", "direction", "subject", "symbol", "text"}
FORMS = ("slash", "folded", "spaces")


def normalise(text: str) -> str:
    """NFC, case-folded, whitespace collapsed: how rules and documents are compared."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def fold(text: str) -> str:
    """Without diacritics, đ → d (as edoc.text.fold, kept here so the file loads without Django)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


@dataclass(frozen=True)
class Rule:
    """Documents matching every given attribute get `grade`."""

    grade: int
    where: dict[str, str]
    optional: bool = False

    def matches(self, doc: CorpusDocument) -> bool:
        for key, wanted in self.where.items():
            if key == "type" and doc.type_name != wanted:
                return False
            if key == "direction" and doc.direction != wanted:
                return False
            if key == "symbol" and doc.symbol != wanted:
                return False
            if key == "subject" and normalise(wanted) not in normalise(doc.subject):
                return False
            if key == "text" and normalise(wanted) not in doc.text:
                return False
        return True


@dataclass
class JudgedQuery:
    id: str
    tags: list[str]
    rules: list[Rule]
    query: str = ""
    prefix: bool = False
    symbol_of: Rule | None = None
    form: str = ""

    def text_for(self, corpus: Sequence[CorpusDocument]) -> str:
        """The query as typed; a `symbol_of` query is built from its document's symbol."""
        if self.symbol_of is None:
            return self.query
        target = self.target(corpus)
        if target is None:
            return ""
        symbol = target.symbol
        if self.form == "folded":
            return fold(symbol)
        if self.form == "spaces":
            return re.sub(r"[/-]+", " ", symbol)
        return symbol

    def target(self, corpus: Sequence[CorpusDocument]) -> CorpusDocument | None:
        """The earliest numbered document matching `symbol_of` (stable for a given corpus)."""
        candidates = [
            doc for doc in corpus if doc.symbol and self.symbol_of and self.symbol_of.matches(doc)
        ]
        return min(candidates, key=lambda doc: (doc.issue_date or "", doc.id), default=None)

    def grades(self, corpus: Sequence[CorpusDocument]) -> dict[int, int]:
        """Document id → grade (> 0) of every judged document of the corpus."""
        grades: dict[int, int] = {}
        if self.symbol_of is not None:
            target = self.target(corpus)
            if target is not None:
                for doc in corpus:
                    if doc.symbol == target.symbol:
                        grades[doc.id] = 3
            return grades
        for doc in corpus:
            grade = max((rule.grade for rule in self.rules if rule.matches(doc)), default=0)
            if grade:
                grades[doc.id] = grade
        return grades


@dataclass(frozen=True)
class CorpusDocument:
    """What the rules look at: catalog type name, direction, subject, symbol, file text."""

    id: int
    type_name: str
    direction: str
    subject: str
    symbol: str
    text: str  # normalised
    issue_date: str = ""
    visible: bool = True


def _rule(data: dict[str, Any]) -> Rule:
    where = {key: value for key, value in data.items() if key in RULE_KEYS}
    unknown = set(data) - RULE_KEYS - {"grade", "optional"}
    if unknown or not where:
        raise ValueError(f"bad rule {data!r}")
    grade = int(data.get("grade", 3))
    if grade not in (1, 2, 3):
        raise ValueError(f"grade must be 1, 2 or 3: {data!r}")
    return Rule(grade=grade, where=where, optional=bool(data.get("optional")))


def load_judgements(path: Path = JUDGEMENTS) -> list[JudgedQuery]:
    """Every judged query, `same_as` resolved; raises ValueError on a malformed file."""
    raw = json.loads(path.read_text(encoding="utf-8"))["queries"]
    by_id = {item["id"]: item for item in raw}
    if len(by_id) != len(raw):
        raise ValueError("duplicate query ids")
    queries = []
    for item in raw:
        source = by_id[item["same_as"]] if "same_as" in item else item
        if "same_as" in source:
            raise ValueError(f"{item['id']}: same_as must name a query with its own rules")
        symbol_of = _rule({**item["symbol_of"], "grade": 3}) if "symbol_of" in item else None
        if symbol_of is None and not item.get("query", "").strip():
            raise ValueError(f"{item['id']}: no query text")
        if symbol_of is not None and item.get("form") not in FORMS:
            raise ValueError(f"{item['id']}: form must be one of {FORMS}")
        rules = [_rule(rule) for rule in source.get("relevant", [])]
        if symbol_of is None and not rules:
            raise ValueError(f"{item['id']}: no relevant documents judged")
        queries.append(
            JudgedQuery(
                id=item["id"],
                tags=list(item.get("tags", [])),
                rules=rules,
                query=item.get("query", ""),
                prefix=bool(item.get("prefix")),
                symbol_of=symbol_of,
                form=item.get("form", ""),
            )
        )
    return queries


# --- Measures --------------------------------------------------------------------------------


def precision_at(ranked: Sequence[int], grades: dict[int, int], k: int = 5) -> float:
    """Share of the first k results that are relevant (any grade); k in the denominator."""
    return sum(1 for doc_id in ranked[:k] if grades.get(doc_id, 0) > 0) / k


def dcg(gains: Iterable[int]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg_at(ranked: Sequence[int], grades: dict[int, int], k: int = 10) -> float:
    """Normalised DCG (gain 2^grade - 1, log2 discount) against the ideal order of `grades`."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(grades.get(doc_id, 0) for doc_id in ranked[:k]) / ideal


@dataclass
class QueryScore:
    query: JudgedQuery
    text: str
    ranked: list[int]
    grades: dict[int, int]
    precision: float
    ndcg: float
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def score(
    query: JudgedQuery, text: str, ranked: list[int], grades: dict[int, int], seconds: float = 0.0
) -> QueryScore:
    return QueryScore(
        query=query,
        text=text,
        ranked=ranked,
        grades=grades,
        precision=precision_at(ranked, grades),
        ndcg=ndcg_at(ranked, grades),
        seconds=seconds,
    )


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# --- With Django: the corpus and the runs ----------------------------------------------------


def corpus_from_database(user: Any) -> list[CorpusDocument]:
    """Every document of the database; `visible` says whether `user` may see it."""
    from edoc.models import Document, DocumentFile
    from edoc.selectors.access import visible_documents

    visible = set(visible_documents(user).values_list("pk", flat=True))
    texts: dict[int, str] = {}
    for document_id, text in DocumentFile.objects.order_by("document_id", "version").values_list(
        "document_id", "file_text__pdf_text"
    ):
        texts[document_id] = text or ""  # the latest version wins
    corpus = []
    for doc in Document.objects.select_related("document_type").order_by("pk"):
        corpus.append(
            CorpusDocument(
                id=doc.pk,
                type_name=doc.document_type.name if doc.document_type else "",
                direction=doc.direction,
                subject=doc.subject,
                symbol=doc.symbol,
                text=normalise(texts.get(doc.pk, "")),
                issue_date=doc.issue_date.isoformat() if doc.issue_date else "",
                visible=doc.pk in visible,
            )
        )
    return corpus


def visible_grades(query: JudgedQuery, corpus: Sequence[CorpusDocument]) -> dict[int, int]:
    """Judged documents the searching user may see (the others cannot be expected)."""
    shown = {doc.id for doc in corpus if doc.visible}
    return {doc_id: grade for doc_id, grade in query.grades(corpus).items() if doc_id in shown}


def run_queries(
    backend: Any, user: Any, queries: Sequence[JudgedQuery], corpus: Sequence[CorpusDocument]
) -> list[QueryScore]:
    """Each query through `backend.search` as `user`: first page of 10, relevance order."""
    import time

    from search.backends import SearchQuery

    scores = []
    for query in queries:
        text = query.text_for(corpus)
        request = SearchQuery(text=text, prefix=query.prefix, page=1, page_size=10)
        started = time.perf_counter()
        result = backend.search(request, user)
        elapsed = time.perf_counter() - started
        ranked = [hit.document_id for hit in result.hits]
        scores.append(score(query, text, ranked, visible_grades(query, corpus), elapsed))
    return scores


def demo_vocabulary() -> tuple[list[str], str]:
    """The subject templates the demo seed fills ({year} and the like left in) and, as one
    normalised text, every sentence its documents are built from."""
    from edoc.demo.topics import OUTGOING_TOPICS, TOPICS

    subjects = [subject for topic in TOPICS for subject in topic.subjects.values()]
    subjects += [topic.subject for topic in OUTGOING_TOPICS]
    sentences = list(subjects)
    for topic in TOPICS:
        sentences += [topic.purpose, *topic.details, *topic.basis]
    for topic in OUTGOING_TOPICS:
        sentences += list(topic.details)
    return [normalise(subject) for subject in subjects], normalise(" \n ".join(sentences))


def rule_problems(rule: Rule, subjects: list[str], sentences: str) -> list[str]:
    """Why a rule cannot match anything the demo seed generates (empty: it can)."""
    problems = []
    subject = rule.where.get("subject")
    if subject and not any(normalise(subject) in template for template in subjects):
        problems.append(f"subject fragment {subject!r} is in no demo subject template")
    text = rule.where.get("text")
    if text and normalise(text) not in sentences:
        problems.append(f"text fragment {text!r} is in no demo sentence")
    return problems
