"""THE search backend interface. Every backend (database, OpenSearch) implements `SearchBackend`;
the search page, API, CLI and services only talk to it through these types."""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from edoc.text import fold

#: Filter keys accepted in SearchQuery.filters (and as facets in SearchResult.facets).
FILTER_KEYS: tuple[str, ...] = ("type", "year", "issuer", "unit", "urgency", "status", "direction")
SORTS: tuple[str, ...] = ("relevance", "date")
MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 100


class BackendUnavailable(Exception):
    """The external search engine cannot be reached (down, timeout, refused)."""


@dataclass
class SearchQuery:
    """One search request, already validated (see search.forms)."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    prefix: bool = False

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.page_size


@dataclass
class Hit:
    """One ranked document. Highlights: field name → HTML-escaped snippet with <mark>…</mark>."""

    document_id: int
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class FacetBucket:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]]
    backend: str
    notice: str | None = None


@dataclass
class IndexRecord:
    """Everything an engine needs to index, rank, filter, facet and permission-check a document.

    Access facts mirror edoc.selectors.access (see `document_access_facts`); an engine applies
    `edoc.selectors.access.Visibility` to them inside its query.
    """

    id: int
    agency_id: int
    direction: str
    status: str
    symbol: str
    symbol_key: str
    number: str
    notation: str
    subject: str
    issuer: str
    body: str
    type_code: str
    type_label: str
    year: int | None
    date: datetime.date | None
    unit_id: int
    unit_name: str
    urgency: str
    urgency_label: str
    status_label: str
    direction_label: str
    confidentiality_level: int
    # Access facts (edoc.selectors.access.document_access_facts).
    owner_unit_id: int
    participant_user_ids: list[int] = field(default_factory=list)
    participant_unit_ids: list[int] = field(default_factory=list)
    granted_user_ids: list[int] = field(default_factory=list)

    @property
    def folded(self) -> dict[str, str]:
        """Convenience for engines: the folded forms (edoc.text.fold) of the searchable text,
        computed when asked (folding every body cost a rebuild a seventh of its Python time)."""
        return {
            "symbol": fold(self.symbol),
            "subject": fold(self.subject),
            "issuer": fold(self.issuer),
            "body": fold(self.body),
        }

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


class SearchBackend(ABC):
    """A full-text index of documents with permission-safe search."""

    name: str = ""

    @abstractmethod
    def index(self, records: Iterable[IndexRecord]) -> None:
        """Add or replace these documents in the index."""

    @abstractmethod
    def delete(self, ids: Iterable[int]) -> None:
        """Remove these documents from the index (missing ids are ignored)."""

    @abstractmethod
    def search(self, query: SearchQuery, user) -> SearchResult:
        """Ranked hits, total and facet counts over the documents `user` may see only."""

    @abstractmethod
    def reindex(
        self, records: Iterable[IndexRecord], total: int, progress: Callable[[int], None]
    ) -> None:
        """Rebuild the whole index from `records`; call progress(n) after each batch of n."""

    @abstractmethod
    def ping(self) -> bool:
        """Whether the engine answers."""

    def warm_up(self) -> None:  # noqa: B027 - optional, the database needs nothing
        """Prepare the engine for searches once it answers again (nothing by default)."""
