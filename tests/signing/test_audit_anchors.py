# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Issue 9 #24: the audit chain's head is anchored with keys the database does not hold (the
test PKI's RFC 3161 timestamp authority over HTTP; the organisation key on a SoftHSM2 token),
and verify_audit catches, thanks to the anchors only, what someone with database write access
can do to the chain: rewrite an entry and recompute every hash after it, or delete the tail and
rewind the head."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from edoc.db_guards import remove_audit_guard
from edoc.models import AuditAnchor, AuditChainHead, AuditEntry
from edoc.services.audit import GENESIS_HASH, audit_entry_hash, audit_record, audit_verify
from edoc.services.audit_anchors import audit_anchor_create, audit_notaries
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    _no_token_unless_asked,
    org_token,
    softhsm_token,
)


def entries(users, count: int, start: int = 0) -> list[AuditEntry]:
    return [
        audit_record(actor=users["clerk"], action=f"test.action{i}", details={"n": i})
        for i in range(start, start + count)
    ]


def verify_audit() -> tuple[int, str]:
    """Run the command: (exit code, what it said)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


# --- What an attacker with write access to the database does (raw SQL, guard dropped).


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rewrite_entry(pk: int, action: str) -> None:
    """Change one entry, recompute its hash and every later one, move the head."""
    remove_audit_guard(connection)
    _sql("UPDATE edoc_auditentry SET action = %s WHERE id = %s", [action, pk])
    previous = (
        AuditEntry.objects.filter(pk__lt=pk).order_by("-pk").values_list("hash", flat=True).first()
    ) or GENESIS_HASH
    for entry in AuditEntry.objects.filter(pk__gte=pk).order_by("pk"):
        entry.prev_hash = previous
        entry.hash = audit_entry_hash(entry)
        _sql(
            "UPDATE edoc_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [entry.prev_hash, entry.hash, entry.pk],
        )
        previous = entry.hash
    _sql("UPDATE edoc_auditchainhead SET last_hash = %s WHERE id = 1", [previous])


def truncate_from(pk: int) -> None:
    """Delete every entry from `pk` on and rewind the head to the one before."""
    remove_audit_guard(connection)
    _sql("DELETE FROM edoc_auditentry WHERE id >= %s", [pk])
    remaining = AuditEntry.objects.order_by("-pk").first()
    _sql(
        "UPDATE edoc_auditchainhead SET last_hash = %s, length = %s WHERE id = 1",
        [remaining.hash, AuditEntry.objects.count()],
    )


# --- Tests.


@pytest.mark.django_db
def test_anchor_timestamps_the_head_and_verify_audit_checks_it(
    users, trust_root, signing_settings, test_pki, capsys
):
    made = entries(users, 3)
    assert audit_notaries().keys() >= {"timestamp", "seal"}  # registered by the signing app

    call_command("anchor_audit")
    anchor = AuditAnchor.objects.get()
    assert (anchor.sequence, anchor.entry_id, anchor.head_hash) == (3, made[-1].pk, made[-1].hash)
    proof = anchor.proofs["timestamp"]
    assert set(anchor.proofs) == {"timestamp"}  # no token configured
    assert proof["tsa_url"] == test_pki.tsa_url and "Time Stamping Authority" in proof["tsa"]
    assert "anchor #" in capsys.readouterr().out.lower()
    assert any(path.startswith("/edoc-test/tsa") for path in test_pki.server.requests)

    call_command("anchor_audit")  # nothing new since
    assert "Nothing new" in capsys.readouterr().out and AuditAnchor.objects.count() == 1

    entries(users, 2, start=3)
    code, said = verify_audit()
    assert code == 0, said
    assert "5 entries verified" in said and "Anchors: 1 checked" in said
    assert "2 entries since then not anchored yet" in said

    from django.test import Client

    users["clerk"].is_staff = users["clerk"].is_superuser = True
    users["clerk"].save()
    admin = Client()
    admin.force_login(users["clerk"])
    listing = admin.get("/admin/edoc/auditanchor/")
    assert listing.status_code == 200 and "timestamp" in listing.content.decode()


@pytest.mark.django_db
def test_anchors_are_append_only(users, trust_root, signing_settings):
    entries(users, 2)
    anchor = audit_anchor_create()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditAnchor.objects.filter(pk=anchor.pk).update(head_hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditAnchor.objects.filter(pk=anchor.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_rewritten_entry_with_recomputed_hashes_is_caught_by_the_anchor(
    users, trust_root, signing_settings
):
    made = entries(users, 4)
    audit_anchor_create()
    entries(users, 2, start=4)
    audit_anchor_create()

    rewrite_entry(made[1].pk, "document.view")

    assert audit_verify(anchors=False).ok  # the chain alone no longer tells
    code, said = verify_audit()
    assert code == 1
    assert f"entry #{made[0].pk}: entries #{made[0].pk}–#{made[-1].pk} were rewritten" in said
    first_anchor = AuditAnchor.objects.order_by("pk").first()
    assert f"anchor #{first_anchor.pk} of" in said


@pytest.mark.django_db(transaction=True)
def test_rewrite_after_an_anchor_is_named_between_anchors(users, trust_root, signing_settings):
    first = entries(users, 3)
    audit_anchor_create()
    later = entries(users, 3, start=3)
    second = audit_anchor_create()

    rewrite_entry(later[1].pk, "document.download")

    result = audit_verify()
    assert not result.ok and result.first_bad_id == later[0].pk
    assert f"#{later[0].pk}–#{later[-1].pk}" in result.problem
    assert f"anchor #{second.pk}" in result.problem
    assert first[-1].pk < later[0].pk


@pytest.mark.django_db(transaction=True)
def test_deleted_tail_and_rewound_head_are_caught_by_the_anchor(
    users, trust_root, signing_settings
):
    made = entries(users, 5)
    anchor = audit_anchor_create()

    truncate_from(made[3].pk)

    assert audit_verify(anchors=False).ok  # head row rewound: the chain alone looks whole
    code, said = verify_audit()
    assert code == 1
    assert f"entry #{made[-1].pk}: missing: the log was truncated or rewound" in said
    assert f"anchor #{anchor.pk}" in said and "covers 5 entries" in said and "3 remain" in said


@pytest.mark.django_db(transaction=True)
def test_an_anchor_moved_to_the_forged_chain_does_not_verify(users, trust_root, signing_settings):
    made = entries(users, 3)
    anchor = audit_anchor_create()
    rewrite_entry(made[0].pk, "forged")
    forged_head = AuditEntry.objects.order_by("-pk").first().hash
    _sql("UPDATE edoc_auditanchor SET head_hash = %s WHERE id = %s", [forged_head, anchor.pk])

    result = audit_verify()

    assert not result.ok
    assert f"anchor #{anchor.pk}" in result.problem
    assert "timestamp proof does not hold (it covers another chain head)" in result.problem


@pytest.mark.django_db
def test_anchor_trust_roots_can_live_outside_the_database(
    users, trust_root, signing_settings, test_pki, settings
):
    entries(users, 2)
    audit_anchor_create()
    settings.EDOC_AUDIT_ANCHOR_ROOTS = str(test_pki.untrusted_root_pem_path)
    result = audit_verify()
    assert not result.ok and "its signer is not trusted" in result.problem

    settings.EDOC_AUDIT_ANCHOR_ROOTS = str(test_pki.root_pem_path)
    trust_root.delete()  # the database's roots no longer matter
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_seal_on_the_token_anchors_without_a_timestamp_authority(users, test_pki, org_token):
    from signing.models import TrustRoot

    TrustRoot.objects.create(
        name="root",
        certificate_pem=test_pki.root_pem.decode(),
        sha256_fingerprint=test_pki.root_cert.sha256.hex(),
    )
    made = entries(users, 3)
    anchor = audit_anchor_create()
    assert set(anchor.proofs) == {"seal"}
    assert "Sở Y tế Đồng Nai" in anchor.proofs["seal"]["signer"]
    assert audit_verify().ok

    rewrite_entry(made[2].pk, "document.view")
    result = audit_verify()
    assert not result.ok and f"anchor #{anchor.pk}" in result.problem


@pytest.mark.django_db
def test_no_anchor_without_a_key_or_when_the_tsa_is_down(users, trust_root, signing_settings):
    entries(users, 2)
    signing_settings.tsa_url = ""
    signing_settings.save()
    with pytest.raises(CommandError) as error:
        call_command("anchor_audit")
    assert error.value.returncode == 1 and "No anchoring key is configured" in str(error.value)

    signing_settings.tsa_url = "http://127.0.0.1:9/tsa"  # nothing listens there
    signing_settings.save()
    with pytest.raises(CommandError) as error:
        call_command("anchor_audit")
    assert "timestamp: the timestamp authority http://127.0.0.1:9/tsa did not answer" in str(
        error.value
    )
    assert not AuditAnchor.objects.exists()
    code, said = verify_audit()
    assert code == 0 and "No anchor yet" in said


@pytest.mark.django_db
def test_celery_beat_runs_the_anchoring(users, trust_root, signing_settings, settings):
    from edoc.tasks import audit_anchor_task

    schedule = settings.CELERY_BEAT_SCHEDULE["anchor-audit-chain"]
    assert schedule["task"] == "edoc.tasks.audit_anchor_task" and schedule["schedule"] > 0
    entries(users, 2)

    anchor_id = audit_anchor_task.delay().get()

    anchor = AuditAnchor.objects.get()
    assert anchor_id == anchor.pk and anchor.sequence == AuditChainHead.objects.get().length
