"""The definitions eDoc ships with (seeded by `seed_demo` / `seed_processes`, editable by admins).

Incoming document: the clerk registers (start) → the director or a deputy assigns → the lead
unit's head passes it to a specialist → the specialist handles it while coordinators give their
opinion in parallel → the unit head approves → complete.

Outgoing document: the specialist drafts → the unit head reviews → legal review when the type
requires it → the director (the signer) approves → sign → the clerk numbers and issues →
distribution.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from edoc.models import Unit, User
from workflows.models import ProcessDefinition
from workflows.services.definitions import definition_create, version_publish

INCOMING_KEY = "incoming-document"
OUTGOING_KEY = "outgoing-document"
LEGAL_GROUP = "Tổ pháp chế"
# Types whose drafts need the legal review (Decree 30: normative and regulating documents).
LEGAL_REVIEW_TYPES = ("NQ", "QĐ", "CT", "QC", "QyĐ")


def _user(step_id, name, action, assignee, *, days=None, hours=None, nxt, allow_return=True):
    deadline = {"days": days} if days is not None else ({"hours": hours} if hours else None)
    return {
        "id": step_id,
        "name": name,
        "type": "user",
        "action": action,
        "assignee": assignee,
        "deadline": deadline,
        "next": nxt,
        "allow_return": allow_return,
    }


def incoming_graph() -> dict[str, Any]:
    return {
        "start": "registry",
        "steps": [
            {
                "id": "registry",
                "name": "Sổ của Sở hay của đơn vị?",
                "type": "branch",
                "branches": [{"condition": 'registry != "agency"', "next": "unit_assign"}],
                "default": "assign",
            },
            _user(
                "assign",
                "Lãnh đạo Sở phân công xử lý",
                "assign",
                {"rule": "role", "role": ["director", "deputy_director"], "unit": "agency"},
                days=1,
                nxt="lead_kind",
                allow_return=False,
            ),
            _user(
                "unit_assign",
                "Lãnh đạo đơn vị phân công xử lý",
                "assign",
                {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
                days=1,
                nxt="lead_kind",
                allow_return=False,
            ),
            {
                "id": "lead_kind",
                "name": "Giao cho đơn vị hay cá nhân?",
                "type": "branch",
                "branches": [{"condition": "lead_is_person", "next": "handle"}],
                "default": "forward",
            },
            _user(
                "forward",
                "Trưởng phòng giao chuyên viên",
                "forward",
                {"rule": "lead_unit_head"},
                hours=4,
                nxt="handle",
                allow_return=False,
            ),
            {
                "id": "handle",
                "name": "Chuyên viên xử lý, đơn vị phối hợp cho ý kiến",
                "type": "parallel",
                "action": "handle",
                "assignees": [{"rule": "lead_handler"}, {"rule": "coordinators"}],
                "join": "all",
                "deadline": {"days": 5},
                "next": "approve",
                "allow_return": False,
            },
            _user(
                "approve",
                "Trưởng phòng duyệt kết quả",
                "complete",
                {"rule": "lead_unit_head"},
                days=1,
                nxt="done",
            ),
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


def outgoing_graph(office: Unit) -> dict[str, Any]:
    clerks = {"rule": "role", "role": "clerk", "unit": office.pk}
    types = ", ".join(f'"{abbreviation}"' for abbreviation in LEGAL_REVIEW_TYPES)
    return {
        "start": "draft",
        "steps": [
            _user(
                "draft",
                "Chuyên viên soạn thảo",
                "submit",
                {"rule": "initiator"},
                days=3,
                nxt="review",
                allow_return=False,
            ),
            _user(
                "review",
                "Lãnh đạo phòng xem xét",
                "approve",
                {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
                days=1,
                nxt="legal",
            ),
            {
                "id": "legal",
                "name": "Cần thẩm định pháp chế?",
                "type": "branch",
                "branches": [{"condition": f"type in ({types},)", "next": "legal_review"}],
                "default": "approve",
            },
            _user(
                "legal_review",
                "Thẩm định pháp chế",
                "approve",
                {"rule": "group", "group": LEGAL_GROUP},
                days=2,
                nxt="approve",
            ),
            _user(
                "approve", "Lãnh đạo Sở duyệt", "approve", {"rule": "signer"}, days=1, nxt="sign"
            ),
            _user(
                "sign",
                "Ký số",
                "sign",
                {"rule": "signer"},
                hours=4,
                nxt="issue",
            ),
            _user(
                "issue",
                "Văn thư cấp số, phát hành",
                "issue",
                clerks,
                hours=4,
                nxt="distribute",
                allow_return=False,
            ),
            _user(
                "distribute",
                "Gửi văn bản đến nơi nhận",
                "distribute",
                clerks,
                days=1,
                nxt="done",
                allow_return=False,
            ),
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


@transaction.atomic
def install_shipped_definitions(*, admin: User, office: Unit) -> list[ProcessDefinition]:
    """Create and publish the shipped definitions where missing (never overwrites an admin's)."""
    Group.objects.get_or_create(name=LEGAL_GROUP)
    installed = []
    for key, name, kind, graph in (
        (INCOMING_KEY, "Xử lý văn bản đến", "incoming", incoming_graph()),
        (
            OUTGOING_KEY,
            "Soạn thảo, trình ký và phát hành văn bản đi",
            "outgoing",
            outgoing_graph(office),
        ),
    ):
        if ProcessDefinition.objects.filter(key=key).exists():
            continue
        definition = definition_create(
            user=admin, key=key, name=name, subject_kind=kind, graph=graph
        )
        version_publish(user=admin, definition=definition)
        ProcessDefinition.objects.filter(pk=definition.pk).update(auto_start=True)
        installed.append(definition)
    return installed
