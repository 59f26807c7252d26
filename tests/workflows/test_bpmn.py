"""BPMN 2.0 export (with diagram interchange) and import of the same subset, safely parsed."""

from __future__ import annotations

import copy

import pytest
from defusedxml.ElementTree import fromstring
from django.utils import translation

from edoc.models.organisation import Role
from workflows import shipped
from workflows.bpmn import (
    BPMN,
    BPMNDI,
    DC,
    DI,
    XSI,
    BpmnError,
    export_bpmn,
    graph_to_bpmn,
    import_bpmn,
)
from workflows.graph import parse
from workflows.services.definitions import definition_create

NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "exclusiveGateway",
    "parallelGateway",
    "complexGateway",
)


def graph(join="all") -> dict:
    return {
        "start": "draft",
        "steps": [
            {
                "id": "draft",
                "name": "Soạn thảo & <kiểm tra>",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "deadline": {"days": 0.5},
                "next": "opinions",
            },
            {
                "id": "opinions",
                "name": "Lấy ý kiến",
                "type": "parallel",
                "action": "approve",
                "assignees": [
                    {"rule": "user", "user": 7},
                    {"rule": "role", "role": ["unit_head", "deputy_director"], "unit": 3},
                    {"rule": "group", "group": "Tổ pháp chế"},
                ],
                "join": join,
                "deadline": {"hours": 4},
                "next": "route",
                "allow_return": False,
            },
            {
                "id": "route",
                "name": "Theo độ mật",
                "type": "branch",
                "branches": [
                    {"condition": "confidential", "next": "director"},
                    {"condition": 'type in ("QĐ", "QC") and urgency != "normal"', "next": "done"},
                ],
                "default": "deputy",
            },
            {
                "id": "director",
                "name": "Giám đốc duyệt",
                "type": "user",
                "assignee": {"rule": "role", "role": "director", "unit": "agency"},
                "next": "done",
            },
            {
                "id": "deputy",
                "name": "Phó Giám đốc duyệt",
                "type": "user",
                "assignee": {"rule": "lead_unit_head"},
                "next": "done",
            },
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


@pytest.fixture
def version_of(db, users, units):
    from edoc.models import User

    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)

    def build(data: dict):
        definition = definition_create(user=admin, key="lay-y-kien", name="Lấy ý kiến", graph=data)
        return definition.draft_version()

    return build


def same(a: dict, b: dict) -> bool:
    return parse(copy.deepcopy(a)).to_dict() == parse(copy.deepcopy(b)).to_dict()


@pytest.mark.django_db
def test_export_is_well_formed_bpmn_with_di_for_every_node_and_flow(version_of):
    xml = export_bpmn(version_of(graph(join="any")))
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = fromstring(xml)
    assert root.tag == f"{{{BPMN}}}definitions"
    for prefix in ("bpmn", "bpmndi", "dc", "di"):
        assert f"xmlns:{prefix}=".encode() in xml
    (process,) = root.findall("bpmn:process", NS)
    assert process.get("name") == "Lấy ý kiến"
    nodes = [el for el in process if el.tag.split("}")[1] in FLOW_NODES]
    flows = process.findall("bpmn:sequenceFlow", NS)
    kinds = [el.tag.split("}")[1] for el in nodes]
    assert kinds.count("startEvent") == 1 and kinds.count("endEvent") == 1
    assert kinds.count("userTask") == 3 + 3  # three user steps, one task per parallel rule
    assert kinds.count("parallelGateway") == 1 and kinds.count("complexGateway") == 1
    assert kinds.count("exclusiveGateway") == 1

    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == process.get("id")
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert set(shapes) == {el.get("id") for el in nodes}
    assert set(edges) == {flow.get("id") for flow in flows}
    for shape in shapes.values():
        bounds = shape.find("dc:Bounds", NS)
        assert int(bounds.get("width")) > 0 and int(bounds.get("height")) > 0
    for edge in edges.values():
        assert len(edge.findall("di:waypoint", NS)) >= 2

    ids = {el.get("id") for el in nodes}
    for flow in flows:
        assert flow.get("sourceRef") in ids and flow.get("targetRef") in ids
    gateway = process.find("bpmn:exclusiveGateway", NS)
    default = gateway.get("default")
    conditions = []
    for flow in flows:
        if flow.get("sourceRef") == "route" and flow.get("id") != default:
            expression = flow.find("bpmn:conditionExpression", NS)
            assert expression.get(f"{{{XSI}}}type") == "bpmn:tFormalExpression"
            conditions.append(expression.text)
    assert conditions == ["confidential", 'type in ("QĐ", "QC") and urgency != "normal"']
    assert {f.get("id") for f in flows if f.get("sourceRef") == "route"} >= {default}
    join = process.find("bpmn:complexGateway/bpmn:activationCondition", NS)
    assert join.text == "completed >= 1"
    task = process.find("bpmn:userTask[@id='draft']", NS)
    assert task.get("name") == "Soạn thảo & <kiểm tra>"
    assert task.find("bpmn:documentation", NS).text  # assignee and deadline in words


@pytest.mark.django_db
@pytest.mark.parametrize("join", ["all", "any", 2])
def test_export_then_import_gives_the_same_graph(version_of, join):
    data = graph(join=join)
    assert same(import_bpmn(export_bpmn(version_of(data))), data)


@pytest.mark.django_db
def test_the_shipped_definitions_round_trip(units):
    for data in (shipped.incoming_graph(), shipped.outgoing_graph(units["office"])):
        assert same(import_bpmn(graph_to_bpmn(data, key="shipped")), data)


def modeler_file(body: str, extra_ns: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:xsi="{XSI}"{extra_ns} id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="false">{body}</bpmn:process>
</bpmn:definitions>""".encode()


def test_import_reads_a_file_drawn_in_a_modeler():
    xml = modeler_file(
        """
        <bpmn:startEvent id="StartEvent_1"/>
        <bpmn:task id="Activity_0x1" name="Chuyên viên xử lý"/>
        <bpmn:exclusiveGateway id="Gateway_1" name="Khẩn?" default="f4"/>
        <bpmn:userTask id="Activity_0x2" name="Lãnh đạo duyệt"/>
        <bpmn:endEvent id="Event_9" name="Xong"/>
        <bpmn:sequenceFlow id="f1" sourceRef="StartEvent_1" targetRef="Activity_0x1"/>
        <bpmn:sequenceFlow id="f2" sourceRef="Activity_0x1" targetRef="Gateway_1"/>
        <bpmn:sequenceFlow id="f3" sourceRef="Gateway_1" targetRef="Activity_0x2">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
            >urgency_level &gt;= 2</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="f4" sourceRef="Gateway_1" targetRef="Event_9"/>
        <bpmn:sequenceFlow id="f5" sourceRef="Activity_0x2" targetRef="Event_9"/>
        """
    )
    result = import_bpmn(xml)
    assert result["start"] == "activity_0x1"
    steps = {s["id"]: s for s in result["steps"]}
    assert steps["activity_0x1"]["next"] == "gateway_1"
    assert steps["gateway_1"]["branches"] == [
        {"condition": "urgency_level >= 2", "next": "activity_0x2"}
    ]
    assert steps["gateway_1"]["default"] == "event_9"
    assert steps["event_9"] == {"id": "event_9", "name": "Xong", "type": "end"}
    assert steps["activity_0x2"]["assignee"] is None  # to be chosen in the designer


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol4;</bpmn:definitions>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;</bpmn:definitions>"""


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (BILLION_LAUGHS, "refused for safety"),
        (EXTERNAL_ENTITY, "refused for safety"),
        (b"<bpmn:definitions><unclosed>", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body>not bpmn</body></html>", "not BPMN 2.0"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        (modeler_file('<bpmn:scriptTask id="s"/>'), "not supported"),
        (modeler_file('<bpmn:endEvent id="e"/>'), "exactly one start event"),
        (
            modeler_file(
                '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>'
            ),
            "do not exist",
        ),
    ],
)
def test_import_refuses_malformed_or_hostile_files_with_a_clear_message(content, words):
    with translation.override("en"), pytest.raises(BpmnError) as error:
        import_bpmn(content)
    assert words in str(error.value)


def test_the_messages_are_in_vietnamese_by_default():
    with translation.override("vi"), pytest.raises(BpmnError) as error:
        import_bpmn(BILLION_LAUGHS)
    assert "bị từ chối để bảo đảm an toàn" in str(error.value)
