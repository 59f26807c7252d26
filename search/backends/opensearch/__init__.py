"""OpenSearch backend: the same search as the database backend, on an OpenSearch 2.x cluster.

backend.py is the backend (index management with its alias swap, writes, reads); mapping.py the
index's analysis, mappings and the indexed form of a record; query.py the text query and its
ranking tiers; request.py the whole search request (permissions, filters, facets, highlights);
client.py the pooled client and bulk writes.
"""

from .backend import OpenSearchBackend
from .request import ranked_body, search_body, window_body

__all__ = ["OpenSearchBackend", "ranked_body", "search_body", "window_body"]
