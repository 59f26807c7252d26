"""`manage.py edxml parse FILE [--json]` and `manage.py edxml build DOCUMENT_ID`: exit codes,
the JSON keys (product interface), and the message an issued document sends read back to the
registry's metadata."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from connectors.edxml import parse_message
from connectors.edxml.builder import build_message
from connectors.edxml.outgoing import document_message
from edoc.services.documents import outgoing_issue
from edoc.services.files import file_read_verified
from signing.validation.options import VerificationOptions
from signing.validation.verify import pdf_verify
from tests.connectors.samples import DATA, signed_letter
from tests.edoc.test_registry_services import draft

ROOT = Path(__file__).resolve().parents[2]
TOP_KEYS = {
    "kind",
    "from",
    "to",
    "document_id",
    "code_number",
    "code_notation",
    "promulgation_place",
    "promulgation_date",
    "document_type",
    "document_type_detail",
    "document_type_name",
    "subject",
    "content",
    "signer_competence",
    "signer_position",
    "signer_full_name",
    "due_date",
    "to_places",
    "priority",
    "sphere_of_promulgation",
    "typer_notation",
    "promulgation_amount",
    "page_amount",
    "appendixes",
    "steering_type",
    "response_for",
    "trace_headers",
    "business",
    "attachments",
    "status",
}
ATTACHMENT_KEYS = {
    "name",
    "content_id",
    "description",
    "declared_type",
    "manifest_type",
    "sniffed_type",
    "encoding",
    "inner_name",
    "size",
    "sha256",
    "type_mismatch",
}


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def parsed_json(path: Path) -> dict:
    out = io.StringIO()
    call_command("edxml", "parse", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_parse_exits_0_with_json_and_2_with_a_one_line_reason(tmp_path):
    done = manage("edxml", "parse", str(DATA / "status_arrived.edxml"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"]["code"] == "01"
    broken = tmp_path / "broken.edxml"
    broken.write_bytes(b"1212" + (DATA / "status_arrived.edxml").read_bytes())
    refused = manage("edxml", "parse", str(broken))
    assert refused.returncode == 2 and refused.stdout == ""
    reason = [line for line in refused.stderr.splitlines() if "not_well_formed" in line]
    assert len(reason) == 1 and "XML" in reason[0]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<html/>", "not_edxml"),
        (b"<edXML", "not_well_formed"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "forbidden_xml"),
    ],
)
def test_parse_refuses_with_exit_2(tmp_path, content, code):
    path = tmp_path / "message.edxml"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        call_command("edxml", "parse", str(path))
    assert error.value.returncode == 2 and str(error.value).startswith(f"{code}: ")


def test_a_200_mb_message_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.edxml"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: nothing is written, nothing is read
    with pytest.raises(CommandError) as error:
        call_command("edxml", "parse", str(path))
    assert error.value.returncode == 2 and str(error.value).startswith("too_large: ")
    with pytest.raises(CommandError) as error:
        call_command("edxml", "parse", str(tmp_path / "missing.edxml"))
    assert error.value.returncode == 2


def test_the_json_keys_are_the_documented_interface():
    document = parsed_json(DATA / "document_new_crlf.edxml")
    assert set(document) == TOP_KEYS
    assert list(document)[:2] == ["kind", "from"]
    assert document["from"]["organ_id"] == "000.00.23.H19"
    assert document["to"][1]["organ_name"] == "Bệnh viện Đa khoa Đồng Nai"
    assert document["promulgation_date"] == "2026-11-20"
    assert document["document_id"] == {
        "value": "000.00.23.H19,2026/11/20,45/SYT-VP",
        "organ_id": "000.00.23.H19",
        "date": "2026-11-20",
        "code": "45/SYT-VP",
        "uuid": None,
    }
    assert document["trace_headers"] == [
        {"organ_id": "000.00.23.H19", "timestamp": "2026-11-20T09:30:00+07:00"}
    ]
    assert document["business"]["doc_type_name"] == "new" and document["status"] is None
    [attachment] = document["attachments"]
    assert set(attachment) == ATTACHMENT_KEYS
    assert (attachment["declared_type"], attachment["sniffed_type"], attachment["size"]) == (
        "application/pdf",
        "application/pdf",
        24177,
    )
    replacement = parsed_json(DATA / "document_replace_ns0.edxml")["business"]["replacements"]
    assert replacement[1] == {
        "document_id": {
            "value": "000.00.01.H19,2026/10/09,119/QĐ-UBND",
            "organ_id": "000.00.01.H19",
            "date": "2026-10-09",
            "code": "119/QĐ-UBND",
            "uuid": None,
        },
        "organ_ids": ["000.00.23.H19"],
    }
    status = parsed_json(DATA / "status_arrived.edxml")["status"]
    assert set(status) == {"code", "meaning", "description", "timestamp", "staff", "response_for"}
    assert status["timestamp"] == "2026-11-20T09:31:12+07:00" and status["meaning"] == "arrived"


def test_the_summary_is_vietnamese():
    out = io.StringIO()
    call_command("edxml", "parse", str(DATA / "document_new_crlf.edxml"), stdout=out)
    text = out.getvalue()
    assert "Trích yếu: V/v triển khai liên thông văn bản điện tử năm 2027" in text
    assert "Số, ký hiệu: 45/SYT-VP" in text
    out = io.StringIO()
    call_command("edxml", "parse", str(DATA / "status_arrived.edxml"), stdout=out)
    assert "Trạng thái: 01 — đã đến" in out.getvalue()


@pytest.fixture
def issued_letter(users, catalogs, pdf_bytes):
    letter = draft(users, catalogs, pdf_bytes, "CV", recipient_organizations=[catalogs["ubnd"]])
    return outgoing_issue(user=users["clerk"], document=letter)


@pytest.mark.django_db
def test_build_prints_what_an_issued_document_sends(issued_letter):
    out = io.StringIO()
    call_command("edxml", "build", str(issued_letter.pk), stdout=out)
    message = parse_message(out.getvalue().encode("utf-8"))
    letter = issued_letter
    assert message.kind == "document"
    assert message.sender.organ_id == letter.agency.code == "000.00.23.H19"
    assert [organ.organ_id for organ in message.to] == ["000.00.00.H19"]
    assert (message.code_number, message.code_notation) == (letter.number, letter.notation)
    assert message.promulgation_date == letter.issue_date
    assert message.promulgation_place == letter.place
    assert message.document_type_name == letter.document_type.name == "Công văn"
    assert message.subject == letter.subject
    assert message.signer_full_name == letter.signer_name and letter.signer_name
    assert message.document_id.value == (
        f"{letter.agency.code},{letter.issue_date:%Y/%m/%d},{letter.symbol}"
    )
    assert message.business.doc_type_name == "new"
    assert "Bussiness" in out.getvalue()
    [attachment] = message.attachments
    assert attachment.encoding == "zip" and attachment.sniffed_type == "application/pdf"
    assert attachment.data == file_read_verified(letter.latest_file())
    assert not attachment.type_mismatch
    assert message == parse_message(build_message(document_message(letter)))
    assert message == document_message(letter)  # the round trip loses nothing


@pytest.mark.django_db
def test_build_refuses_what_sends_nothing(users, catalogs, pdf_bytes, issued_letter):
    not_issued = draft(users, catalogs, pdf_bytes, "KH", recipient_organizations=[catalogs["ubnd"]])
    internal_only = outgoing_issue(
        user=users["clerk"], document=draft(users, catalogs, pdf_bytes, "QĐ")
    )
    for document_id, reason in (
        (not_issued.pk, "chỉ gửi văn bản đã ban hành"),
        (internal_only.pk, "không có nơi nhận bên ngoài"),
        (999999, "Không có văn bản"),
    ):
        with pytest.raises(CommandError) as error:
            call_command("edxml", "build", str(document_id), stdout=io.StringIO())
        assert error.value.returncode == 2 and reason in str(error.value)


@pytest.mark.django_db
def test_a_signed_pdf_travels_with_its_signatures_intact(
    users, catalogs, pdf_bytes, pdf_sign, test_pki
):
    letter, signed = signed_letter(users, catalogs, pdf_bytes, pdf_sign)
    letter = outgoing_issue(user=users["clerk"], document=letter)
    out = io.StringIO()
    call_command("edxml", "build", str(letter.pk), stdout=out)
    [attachment] = parse_message(out.getvalue().encode("utf-8")).attachments
    assert attachment.name == "cong_van_da_ky.pdf" and attachment.data == signed
    report = pdf_verify(attachment.data, VerificationOptions(trust_roots=(test_pki.root_cert,)))
    assert report.report["ok"] and len(report.report["signatures"]) == 1
