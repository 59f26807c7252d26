"""How PostgreSQL answers visible_documents (issue 16, search at 100,000 documents).

With `id IN (subquery)` inside the OR of the access rules, PostgreSQL could only apply them in a
sequential scan of every document (hashed subplans as a filter: 11 ms at 20,000 documents for a
unit's specialist, paid by the page and by the facets statement of each search), and it guessed
that most documents were visible, so a search for a common word read every matching entry
before dropping those the specialist may not see (373 ms for "thuốc" at 20,000). Each rule is
now an index condition: a BitmapOr of the owner-unit, creator, signer and primary-key indexes.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from edoc.selectors.access import visible_documents


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


@pytest.mark.django_db
@pytest.mark.parametrize("user_key", ["specialist", "head", "clerk"])
def test_a_users_visible_documents_are_found_through_indexes(users, user_key):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan (SQLite answers IN (subquery) from its own index)")
    sql, params = visible_documents(users[user_key]).values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # The test tables are tiny (a sequential or full index scan is cheapest there): ask
        # for a bitmap scan, which exists only if every rule can be an index condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    scans = [n for n in plan_nodes(plan[0]["Plan"]) if n.get("Relation Name") == "edoc_document"]
    assert scans
    for scan in scans:
        assert "SubPlan" not in scan.get("Filter", ""), scan
        assert scan["Node Type"] == "Bitmap Heap Scan", scan
    kinds = {n["Node Type"] for n in plan_nodes(plan[0]["Plan"])}
    assert "BitmapOr" in kinds
