"""`manage.py exchange_partner`: an operator sets up the agency it exchanges with (organisation,
route, both secrets from standard input), updates it, lists it without secrets; bad input
changes nothing."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from connectors.models import ExchangeRoute
from edoc.models import AuditEntry, ExternalOrganization

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "") -> str:
    out, saved = io.StringIO(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("exchange_partner", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


ADD = [
    "add",
    "000.00.00.H19",
    "--name",
    "Ủy ban nhân dân tỉnh Đồng Nai",
    "--url",
    "https://edoc.dongnai.gov.vn",
    "--our-key-id",
    "syt-key",
    "--partner-key-id",
    "ubnd-key",
    "--allow-ip",
    "10.0.0.0/24",
    "--allow-ip",
    "127.0.0.1",
]


def test_add_update_and_list_a_partner(agency):
    assert run(*ADD, stdin="our-secret\ntheir-secret\n") == "Đã thêm đối tác 000.00.00.H19.\n"
    route = ExchangeRoute.objects.select_related("organization").get()
    assert route.organization.name == "Ủy ban nhân dân tỉnh Đồng Nai"
    assert (route.our_secret, route.partner_secret) == ("our-secret", "their-secret")
    assert route.allows("10.0.0.7") and not route.allows("10.0.1.7")
    entry = AuditEntry.objects.get(action="connectors.partner_set")
    assert "secret" not in str(entry.details).replace("_key_id", "")

    changed = [*ADD[:5], "http://127.0.0.1:8001", *ADD[6:]]
    assert "Đã cập nhật" in run(*changed, "--disabled", stdin="new\nnewer\n")
    route.refresh_from_db()
    assert (route.base_url, route.our_secret, route.enabled) == (
        "http://127.0.0.1:8001",
        "new",
        False,
    )
    assert ExchangeRoute.objects.count() == ExternalOrganization.objects.count() == 1

    listing = run("list")
    assert listing.split("\t")[:4] == [
        "000.00.00.H19",
        "Ủy ban nhân dân tỉnh Đồng Nai",
        "edoc-https",
        "http://127.0.0.1:8001",
    ]
    assert "new" not in listing.replace("\n", " ").split()


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (ADD, "only-ours\n", "đầu vào chuẩn"),
        (["add", "000.00.01.H19", *ADD[4:]], "a\nb\n", "hãy nhập tên cơ quan"),
        ([*ADD[:5], "not a url", *ADD[6:]], "a\nb\n", "URL"),
        ([*ADD[:-1], "not-an-address"], "a\nb\n", "not-an-address"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(agency, args, stdin, reason):
    with pytest.raises(CommandError) as refused:
        run(*args, stdin=stdin)
    assert refused.value.returncode == 2
    assert reason.lower() in str(refused.value).lower()
    assert ExchangeRoute.objects.count() == ExternalOrganization.objects.count() == 0
