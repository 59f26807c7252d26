"""OpenSearchBackend: the same search as the database backend, on an OpenSearch 2.x cluster.

Index layout: `settings.OPENSEARCH_INDEX` is an alias over one physical index
`<alias>-<UTC timestamp>`. `reindex` builds a new physical index beside the live one, loads it,
then swaps the alias in one atomic request and drops the old index, so searches never stop.
While it loads, the new index also carries the alias `<alias>.building` and every `index()`/
`delete()` writes to it too. Documents carry an external version (microseconds since the epoch):
the loaded copies the moment the load started, writes the moment they are made, so a copy read
before a concurrent update never overwrites that update.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from opensearchpy import OpenSearch
from opensearchpy.exceptions import (
    ConnectionError as OpenSearchConnectionError,
)
from opensearchpy.exceptions import (
    NotFoundError,
    OpenSearchException,
    TransportError,
)

from edoc.selectors.access import visibility_for

from ..base import BackendUnavailable, Hit, IndexRecord, SearchBackend, SearchQuery, SearchResult
from .client import BULK_CHUNK, bulk, client_for, unavailable
from .mapping import INDEX_SETTINGS, MAPPINGS, SCHEMA, document_source
from .query import squashed
from .request import parse_facets, ranked_body, search_body, window_body

logger = logging.getLogger(__name__)

#: Seconds for index management requests and bulk loads (searches use OPENSEARCH_TIMEOUT).
ADMIN_TIMEOUT = 60.0
BULK_TIMEOUT = 120.0
#: A rebuild's bulk requests refused with 429 are sent again up to this many times (2 s, 4 s …
#: 60 s apart: about 4 minutes in all) before the rebuild gives up and removes its new index.
REINDEX_RETRIES = 8


def _version() -> int:
    """External document version: microseconds since the epoch (monotonic enough per host)."""
    return time.time_ns() // 1000


class OpenSearchBackend(SearchBackend):
    """Full-text search on OpenSearch (settings.OPENSEARCH_URL, alias settings.OPENSEARCH_INDEX)."""

    name = "opensearch"

    def __init__(
        self, url: str | None = None, alias: str | None = None, timeout: float | None = None
    ):
        self.url = url or settings.OPENSEARCH_URL
        self.alias = alias or settings.OPENSEARCH_INDEX
        self.timeout = float(timeout or settings.OPENSEARCH_TIMEOUT)
        # Index management (create, refresh, alias swap, delete) may take longer than a search.
        self.admin_timeout = max(self.timeout, ADMIN_TIMEOUT)
        if not self.url:
            raise BackendUnavailable("OPENSEARCH_URL is not set")

    @property
    def client(self) -> OpenSearch:
        return client_for(self.url, self.timeout)

    @property
    def building_alias(self) -> str:
        return f"{self.alias}.building"

    # --- Index management.

    def physical_indices(self) -> list[str]:
        """The physical indices behind the alias (normally exactly one)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _live_schemas(self) -> dict[str, str | None]:
        """Physical index behind the alias → the schema fingerprint it was built with."""
        try:
            mappings = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return {}
        return {
            name: (data.get("mappings", {}).get("_meta") or {}).get("edoc_schema")
            for name, data in mappings.items()
        }

    def _new_index_name(self) -> str:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-{stamp}"

    def _create_index(
        self, name: str, *, loading: bool = False, aliases: dict[str, Any] | None = None
    ) -> None:
        index_settings = dict(INDEX_SETTINGS)
        if loading:
            index_settings["refresh_interval"] = "-1"
        mappings = {**MAPPINGS, "_meta": {"edoc_schema": SCHEMA}}
        body: dict[str, Any] = {"settings": index_settings, "mappings": mappings}
        if aliases:
            body["aliases"] = aliases
        self.client.indices.create(
            index=name,
            body=body,
            params={"wait_for_active_shards": "1"},
            request_timeout=self.admin_timeout,
        )

    def ensure_index(self) -> str:
        """The live physical index, created with the alias when there is none yet.

        Index and alias are created in one request, the alias as the write index: when two
        processes race, OpenSearch refuses the second (one write index per alias) and that
        process uses the first one's index."""
        try:
            live = self._live_schemas()
            if live:
                name = sorted(live)[-1]
                if live[name] != SCHEMA:
                    raise BackendUnavailable(
                        f"The OpenSearch index {self.alias} was built with other mappings: "
                        "run `python manage.py search_reindex` (updates wait in the queue)."
                    )
                return name
            name = self._new_index_name()
            try:
                self._create_index(name, aliases={self.alias: {"is_write_index": True}})
            except TransportError as exc:
                if isinstance(exc, OpenSearchConnectionError):
                    raise
                indices = self.physical_indices()
                if not indices:
                    raise
                return indices[-1]
            return name
        except (OpenSearchConnectionError, TransportError) as exc:
            raise unavailable(exc)

    def refresh(self) -> None:
        """Make every write so far searchable now (tests, benchmarks; NRT refreshes each second)."""
        try:
            self.client.indices.refresh(index=self.alias, request_timeout=self.admin_timeout)
        except OpenSearchException as exc:
            raise unavailable(exc)

    def drop(self) -> None:
        """Delete the alias and every physical index behind it (tests)."""
        try:
            for alias in (self.alias, self.building_alias):
                try:
                    names = list(self.client.indices.get_alias(name=alias))
                except NotFoundError:
                    continue
                for name in names:
                    self.client.indices.delete(
                        index=name,
                        params={"ignore_unavailable": "true"},
                        request_timeout=self.admin_timeout,
                    )
        except OpenSearchException as exc:
            raise unavailable(exc)

    # --- Writes.

    def _write_targets(self) -> list[str]:
        targets = [self.alias]
        if self.client.indices.exists_alias(name=self.building_alias):
            targets.append(self.building_alias)
        return targets

    def index(self, records: Iterable[IndexRecord]) -> None:
        try:
            self.ensure_index()
            targets = self._write_targets()

            def actions() -> Iterator[dict[str, Any]]:
                for record in records:
                    version = _version()
                    source = document_source(record)
                    for target in targets:
                        yield {
                            "_op_type": "index",
                            "_index": target,
                            "_id": str(record.id),
                            "version": version,
                            "version_type": "external_gte",
                            "_source": source,
                        }

            bulk(self.client, actions(), timeout=self.timeout)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise unavailable(exc)

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        try:
            if not self.physical_indices():
                return
            targets = self._write_targets()
            version = _version()
            actions = (
                {
                    "_op_type": "delete",
                    "_index": target,
                    "_id": str(pk),
                    "version": version,
                    "version_type": "external_gte",
                }
                for pk in ids
                for target in targets
            )
            bulk(self.client, actions, timeout=self.timeout)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise unavailable(exc)

    def reindex(
        self, records: Iterable[IndexRecord], total: int, progress: Callable[[int], None]
    ) -> None:
        """Zero-downtime rebuild: load a new physical index, swap the alias atomically, drop
        the old index. Searches keep hitting the old index until the swap."""
        new = self._new_index_name()
        # Every loaded copy carries the version of the moment the load started, before any record
        # is read: a document written by index()/delete() meanwhile has a newer version and wins.
        loaded_version = _version()
        try:
            self._create_index(new, loading=True)
            self.client.indices.put_alias(
                index=new, name=self.building_alias, request_timeout=self.admin_timeout
            )
            pending = 0

            def actions() -> Iterator[dict[str, Any]]:
                nonlocal pending
                for record in records:
                    pending += 1
                    if pending >= BULK_CHUNK:
                        progress(pending)
                        pending = 0
                    yield {
                        "_op_type": "index",
                        "_index": new,
                        "_id": str(record.id),
                        "version": loaded_version,
                        "version_type": "external_gte",
                        "_source": document_source(record),
                    }

            bulk(
                self.client,
                actions(),
                timeout=max(self.timeout, BULK_TIMEOUT),
                retries=REINDEX_RETRIES,
            )
            if pending:
                progress(pending)
            self.client.indices.put_settings(
                index=new,
                body={"index": {"refresh_interval": None}},
                request_timeout=self.admin_timeout,
            )
            self.client.indices.refresh(index=new, request_timeout=self.admin_timeout)
            self._swap_alias(new)
        except (OpenSearchConnectionError, TransportError, BackendUnavailable) as exc:
            try:
                self.client.indices.delete(
                    index=new,
                    params={"ignore_unavailable": "true"},
                    request_timeout=self.admin_timeout,
                )
            except OpenSearchException:
                logger.warning("Could not remove the half-built index %s", new)
            if isinstance(exc, BackendUnavailable):
                raise
            raise unavailable(exc)

    def _swap_alias(self, new: str) -> None:
        old = [name for name in self.physical_indices() if name != new]
        actions: list[dict[str, Any]] = [{"remove": {"index": new, "alias": self.building_alias}}]
        if self.client.indices.exists(index=self.alias) and not self.client.indices.exists_alias(
            name=self.alias
        ):
            # A concrete index squats on the alias name (created before aliases were used).
            actions.append({"remove_index": {"index": self.alias}})
        actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(
            body={"actions": actions}, request_timeout=self.admin_timeout
        )
        for name in old:
            self.client.indices.delete(
                index=name,
                params={"ignore_unavailable": "true"},
                request_timeout=self.admin_timeout,
            )

    # --- Reads.

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.client.search(index=self.alias, body=body)
        except NotFoundError as exc:
            raise BackendUnavailable(
                f"OpenSearch index {self.alias} does not exist (run search_reindex): {exc}"[:500]
            )
        except (OpenSearchConnectionError, TransportError) as exc:
            raise unavailable(exc)

    def search(self, query: SearchQuery, user) -> SearchResult:
        """One request, or two for a page ranked by relevance (request.window_body: the
        matches, total and facets, then the page ranked among the best candidates)."""
        visibility = visibility_for(user)
        first = window_body(query, visibility)
        if first is None:
            response = page = self._send(search_body(query, visibility))
        else:
            response = self._send(first)
            ids = [raw["_id"] for raw in response["hits"]["hits"]]
            page = (
                self._send(ranked_body(query, visibility, ids))
                if ids and query.offset < len(ids)
                else {"hits": {"hits": []}}
            )
        hits = []
        for raw in page["hits"]["hits"]:
            highlights = {
                # Lucene's HTML encoder also escapes "/" (symbols read better without it).
                name.removesuffix(".folded"): " ".join(
                    " … ".join(fragments).replace("&#x2F;", "/").split()
                )
                for name, fragments in raw.get("highlight", {}).items()
            }
            hits.append(
                Hit(
                    document_id=int(raw["_id"]),
                    score=round(float(raw.get("_score") or 0.0), 4),
                    highlights=highlights,
                )
            )
        return SearchResult(
            total=response["hits"]["total"]["value"],
            hits=hits,
            facets=parse_facets(response.get("aggregations", {})),
            backend=self.name,
        )

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except OpenSearchException:
            return False

    def warm_up(self) -> None:
        """Have the node compile the ranking's script now, not in a user's search: a node just
        started takes about a second for it (more under load) on its first search, near
        OPENSEARCH_TIMEOUT. One empty search; an engine still not ready is left alone."""
        body = {"size": 0, "query": squashed({"match_all": {}})}
        try:
            self.client.search(index=self.alias, body=body, request_timeout=self.admin_timeout)
        except OpenSearchException as exc:
            logger.info("OpenSearch warm-up search failed: %s", exc)
