"""The access facts + Visibility (what external engines evaluate) agree with visible_documents."""

from __future__ import annotations

import pytest

from edoc.models import Document
from edoc.selectors.access import document_access_facts, visibility_for, visible_documents


@pytest.mark.django_db
def test_visibility_mirrors_visible_documents_for_every_user_and_document(corpus):
    documents = list(Document.objects.select_related("confidentiality"))
    users = list(corpus.users.values())
    inactive = corpus.users["other_specialist"]
    inactive.is_active = False
    checked = 0
    for user in [*users, inactive]:
        visible = set(visible_documents(user).values_list("pk", flat=True))
        visibility = visibility_for(user)
        for document in documents:
            facts = document_access_facts(document)
            assert visibility.allows(facts) == (document.pk in visible), (
                user.username,
                document.subject,
            )
            checked += 1
    assert checked == (len(users) + 1) * len(documents)


@pytest.mark.django_db
def test_the_cases_the_mirror_covers(corpus):
    """The fixture really contains each rule's case (so the mirror test cannot pass vacuously)."""
    docs, users = corpus.docs, corpus.users

    def sees(user_key: str, doc_key: str) -> bool:
        return visible_documents(users[user_key]).filter(pk=docs[doc_key].pk).exists()

    assert sees("specialist", "granted") and not sees("specialist", "confidential")
    assert not sees("director", "confidential")  # confidential needs a grant, even for directors
    assert sees("director", "other_unit") and not sees("specialist", "other_unit")
    assert sees("head", "other_unit")  # delegated by the pharmacy head
    assert sees("specialist", "assigned_to_medical")  # through a unit assignment
    assert sees("clerk", "clerk_desk") and not sees("clerk", "pharmacy_draft")  # issuance desk
