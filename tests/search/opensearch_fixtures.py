"""OpenSearch fixtures, loaded by the OpenSearch test modules with
`pytest_plugins = ["tests.search.opensearch_fixtures"]` (tests/search/conftest.py is the search
core's; these names start with os_ so they never shadow its fixtures).

Every test gets its own alias (`edoc-test-<random>`) on the node at OPENSEARCH_URL and drops it
afterwards; the settings point the application's search at that alias too, so documents saved by
the services during the test are indexed there and nowhere else.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.search.opensearch_support import (
    NODE_DIR,
    Corpus,
    OwnNode,
    build_corpus,
    free_port,
    index_corpus,
    new_backend,
)


@pytest.fixture
def os_backend(settings):
    """An OpenSearch backend on a fresh alias; the application's settings point at it."""
    backend = new_backend()
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = backend.url
    settings.OPENSEARCH_INDEX = backend.alias
    yield backend
    backend.drop()


@pytest.fixture
def os_corpus(users, units, catalogs) -> Corpus:
    return build_corpus(users, units, catalogs)


@pytest.fixture
def os_indexed(os_backend, os_corpus) -> Corpus:
    """The corpus in a fresh OpenSearch index."""
    index_corpus(os_backend, os_corpus)
    return os_corpus


@pytest.fixture
def os_own_node(tmp_path_factory):
    """A separate node (own directory and port), stopped afterwards: the suite's node stays up."""
    subprocess.run(
        ["bash", str(NODE_DIR / "build.sh")], check=True, capture_output=True, timeout=600
    )
    node = OwnNode(tmp_path_factory.mktemp("opensearch-node"), free_port())
    node.start()
    yield node
    node.stop()
