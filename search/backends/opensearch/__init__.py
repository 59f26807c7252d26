"""OpenSearch backend: the same search as the database backend, on an OpenSearch 2.x cluster."""

from .backend import OpenSearchBackend, search_body

__all__ = ["OpenSearchBackend", "search_body"]
