"""The audit log is append-only and hash-chained; verify_audit finds the first altered entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from edoc.models import AuditEntry
from edoc.services.audit import audit_record, audit_verify


@pytest.fixture
def three_entries(users):
    return [
        audit_record(
            actor=users["clerk"], action=f"test.action{i}", details={"n": i, "text": "Sở Y tế"}
        )
        for i in range(3)
    ]


def _drop_append_only_guard() -> None:
    """What an attacker with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE edoc_auditentry DISABLE TRIGGER edoc_audit_no_change")
        else:
            cursor.execute("DROP TRIGGER edoc_audit_no_update")
            cursor.execute("DROP TRIGGER edoc_audit_no_delete")


@pytest.mark.django_db
def test_chain_links_each_entry_to_the_previous(three_entries, capsys):
    assert three_entries[1].prev_hash == three_entries[0].hash
    assert audit_verify().ok
    call_command("verify_audit")
    assert "3 entries verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_secrets_never_reach_the_log(users):
    entry = audit_record(
        actor=users["clerk"], action="test.secret", details={"passphrase": "hunter2"}
    )
    entry.refresh_from_db()
    assert entry.details == {"passphrase": "***"}


@pytest.mark.django_db
def test_database_refuses_updates_and_deletes(three_entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=three_entries[0].pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=three_entries[0].pk).delete()


@pytest.mark.django_db(transaction=True)
def test_verify_audit_names_the_first_altered_entry(users):
    entries = [audit_record(actor=users["clerk"], action=f"a{i}") for i in range(4)]
    _drop_append_only_guard()
    AuditEntry.objects.filter(pk=entries[2].pk).update(action="document.view")
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    assert f"#{entries[2].pk}" in str(error.value)
    assert error.value.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_verify_audit_detects_removed_and_truncated_entries(users):
    entries = [audit_record(actor=users["clerk"], action=f"a{i}") for i in range(4)]
    _drop_append_only_guard()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    result = audit_verify()
    assert not result.ok and result.first_bad_id == entries[2].pk
    AuditEntry.objects.filter(pk__gte=entries[1].pk).delete()
    result = audit_verify()
    assert not result.ok and "truncated" in result.problem


@pytest.mark.django_db
def test_a_batch_of_entries_is_chained_in_order_with_one_turn_of_the_head(
    users, django_assert_max_num_queries
):
    """An import's batch appends its entries at once; the chain reads as one entry at a time."""
    from edoc.models import AuditChainHead
    from edoc.services.audit import AuditRecord, audit_record_many

    first = audit_record(actor=users["clerk"], action="test.before")
    records = [
        AuditRecord(actor=users["clerk"], action="test.batch", details={"n": i, "pin": "1234"})
        for i in range(50)
    ]
    with django_assert_max_num_queries(6):
        entries = audit_record_many(records)
    stored = list(AuditEntry.objects.order_by("pk"))
    assert [entry.pk for entry in stored[1:]] == [entry.pk for entry in entries]
    assert stored[1].prev_hash == first.hash
    assert [entry.details["n"] for entry in stored[1:]] == list(range(50))
    assert all(entry.details["pin"] == "***" for entry in stored[1:])
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_hash == entries[-1].hash
    assert audit_verify().ok and audit_verify().checked == 51


@pytest.mark.django_db(transaction=True)
def test_a_batch_rolled_back_leaves_neither_entries_nor_a_moved_head(users):
    from edoc.models import AuditChainHead
    from edoc.services.audit import AuditRecord, audit_record_many

    audit_record(actor=users["clerk"], action="test.before")
    head = AuditChainHead.objects.get(pk=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record_many([AuditRecord(actor=users["clerk"], action="test.batch")] * 3)
        raise RuntimeError("the import's batch failed")
    assert AuditEntry.objects.count() == 1
    assert AuditChainHead.objects.get(pk=1).last_hash == head.last_hash
    assert audit_verify().ok
