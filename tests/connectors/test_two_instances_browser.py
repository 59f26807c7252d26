"""Issue 11, done when: two eDoc instances exchange a signed document and all its statuses,
through the browser. On A (Sở Y tế) a Công văn to the UBND goes through A's outgoing process
and is signed by the director with his key file (the signing service's sign step); in Chromium
A's clerk issues it; on B (UBND) the clerk sees the arrival with its signature verified and
registers it, B's director assigns the handling (a lead and a coordinator), both complete it;
A's document page shows 01, 03, 04, 05 and 06 from B. No page breaks the Content-Security-
Policy. The pair may already hold other tests' documents."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser_support import login, submit
from tests.conftest import assert_no_csp_violations, make_pdf, watch_csp
from tests.connectors.instances import PASSWORD, UBND, Instance

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

SUBJECT = "V/v liên thông văn bản điện tử giữa Sở Y tế và UBND tỉnh"

# Run inside A (manage.py shell): the draft, its review and approval, and the director's
# signature with his test key file, through the process's services; prints the ids.
SIGNED_DRAFT = """
import io, json
from edoc.models import Confidentiality, DocumentType, ExternalOrganization, Urgency, User
from edoc.services.documents import outgoing_create, outgoing_submit
from edoc.services.files import pdf_validate
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete

users = {u.username: u for u in User.objects.all()}
pdf = open(%(pdf)r, "rb").read()
draft = outgoing_create(
    user=users["chuyenvien"],
    subject=%(subject)r,
    document_type=DocumentType.objects.get(abbreviation=""),
    urgency=Urgency.objects.order_by("pk").first(),
    confidentiality=Confidentiality.objects.order_by("pk").first(),
    signer=users["giamdoc"],
    recipient_organizations=[ExternalOrganization.objects.get(code=%(to)r)],
    pdf=pdf_validate(io.BytesIO(pdf), "cong-van.pdf"),
)
outgoing_submit(user=users["chuyenvien"], document=draft)

def item(step):
    return WorkItem.objects.get(document=draft, step_id=step, status="open")

work_item_complete(user=users["truongphong"], work_item=item("review"))
work_item_complete(user=users["giamdoc"], work_item=item("approve"))
key = open(%(key)r, "rb").read()
work_item_complete(
    user=users["giamdoc"],
    work_item=item("sign"),
    data={"method": "pkcs12", "pkcs12_data": key, "passphrase": "edoc-test"},
)
draft.refresh_from_db()
print(json.dumps({"document": draft.pk, "issue": item("issue").pk, "status": draft.status,
                  "signatures": draft.signature_records.count()}))
"""


@pytest.fixture
def with_outgoing_process(two_instances):
    """A's shipped processes installed (seed_processes); their automatic start switched off
    again afterwards, for the tests that issue through A's REST API without a process."""
    a = two_instances.a
    a.manage("seed_processes")
    yield a
    a.python(
        "from workflows.models import ProcessDefinition\n"
        "print(ProcessDefinition.objects.update(auto_start=False))"
    )


@pytest.fixture
def pages(browser, two_instances):
    """A page on A and a page on B (Vietnamese, desktop); fails on a CSP violation."""
    contexts, violations = [], []
    made = {}
    for instance in two_instances:
        context = browser.new_context(
            base_url=instance.url, locale="vi-VN", viewport={"width": 1400, "height": 1000}
        )
        context.set_default_timeout(20_000)
        violations.append(watch_csp(context))
        contexts.append(context)
        made[instance.key] = context.new_page()
    yield made
    for context in contexts:
        context.close()
    for seen in violations:
        assert_no_csp_violations(seen)


def user_id(instance: Instance, username: str) -> str:
    return str(instance.query("select id from edoc_user where username = %s", (username,))[0][0])


def test_a_signed_document_and_all_its_statuses_between_two_instances(
    two_instances, with_outgoing_process, pages, screenshots
):
    a, b = two_instances
    pdf = a.home / "cong-van.pdf"
    pdf.write_bytes(make_pdf(["SỞ Y TẾ", "Số:      /SYT-VP", "V/v liên thông văn bản điện tử"]))
    key = str(two_instances.key_file("giamdoc"))
    draft = a.python(SIGNED_DRAFT % {"pdf": str(pdf), "subject": SUBJECT, "to": UBND, "key": key})
    assert (draft["status"], draft["signatures"]) == ("ready", 1)

    # A's clerk numbers and issues it (the process's issue task).
    on_a, on_b = pages["a"], pages["b"]
    login(on_a, "vanthu", PASSWORD)
    on_a.goto(f"/workflows/tasks/{draft['issue']}/")
    submit(on_a, "#btn-complete-task")
    [(symbol,)] = a.query(
        "select number || '/' || notation from edoc_document where id = %s", (draft["document"],)
    )
    assert two_instances.idle(60)

    # B's clerk: the arrival, its signature verified on arrival, registered.
    login(on_b, "vanthu", PASSWORD)
    expect(on_b.locator("#nav-arrivals-count")).to_have_text("1")
    on_b.click("#nav-arrivals")
    on_b.click(f"text={SUBJECT}")
    expect(on_b.locator("#arrival-signatures")).to_contain_text("1 chữ ký hợp lệ")
    expect(on_b.locator("#arrival-signatures .badge-success")).to_be_visible()
    expect(on_b.locator("input[name=notation]")).to_have_value(symbol.split("/", 1)[1])
    on_b.screenshot(path=os.path.join(screenshots, "two-instances-arrival.png"), full_page=True)
    [(last,)] = b.query(
        "select coalesce(max(book_number), 0) from edoc_document where direction = 'incoming'"
    )
    submit(on_b, "#btn-register")
    expect(on_b.locator("#incoming-number")).to_have_text(str(last + 1))
    [(document,)] = b.query(
        "select document_id from connectors_arrival where subject = %s", (SUBJECT,)
    )

    # B's director assigns the handling; the specialist completes it.
    login(on_b, "giamdoc", PASSWORD)
    on_b.goto("/")
    on_b.click(f"#inbox-to-assign a[href='/documents/{document}/']")
    on_b.select_option("#assign-form select[name=lead_user]", user_id(b, "chuyenvien"))
    coordinator = f"#field-coordinator_users input[value='{user_id(b, 'chuyenvien_duoc')}']"
    on_b.locator(coordinator).check()
    on_b.fill("#assign-form textarea[name=directive]", "Giao chuyên viên tham mưu trả lời.")
    submit(on_b, "#btn-assign")
    for handler in ("chuyenvien_duoc", "chuyenvien"):  # the coordinator (05), then the lead (06)
        login(on_b, handler, PASSWORD)
        on_b.goto("/")
        on_b.click(f"#inbox-tasks a[href='/documents/{document}/']")
        submit(on_b, "#btn-complete")
    assert two_instances.idle(60)

    # A's document page: B's answers, in order.
    on_a.goto(f"/documents/{draft['document']}/")
    timeline = on_a.locator("#exchange .exchange-status")
    expect(timeline).to_have_count(5)
    for index, line in enumerate(
        [
            "01 — Đã đến",
            "03 — Đã tiếp nhận",
            "04 — Đã phân công xử lý",
            "05 — Đang xử lý",
            "06 — Hoàn thành",
        ]
    ):
        expect(timeline.nth(index)).to_contain_text(line)
    on_a.screenshot(path=os.path.join(screenshots, "two-instances-timeline.png"), full_page=True)
    arrived = b.query(
        "select signature_count, signatures_valid from connectors_arrival where subject = %s",
        (SUBJECT,),
    )
    assert arrived == [(1, True)]
