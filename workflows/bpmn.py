"""BPMN 2.0 XML export and import of definition graphs (the subset eDoc runs).

Export maps a graph onto standard elements that bpmn.io and Camunda Modeler open and draw:

    start            startEvent "StartEvent" → the start step
    user step        userTask (id = step id)
    parallel step    parallelGateway split (id = step id) → one userTask per assignee rule
                     (`<id>-task-<n>`) → join: parallelGateway for "all", complexGateway with an
                     activationCondition for "any" / N (`<id>-join`)
    branch           exclusiveGateway with conditionExpression (bpmn:tFormalExpression) flows
                     and a `default` flow
    end step         endEvent

What BPMN cannot say (assignee rule, deadline, action, returns, completion) travels in
`extensionElements` in the eDoc namespace, and in words in `documentation`. The diagram
interchange (shapes and edges) uses the same layered layout as the SVG diagram.

Import reads that subset back (parsed with defusedxml: no DTD, no entities, no network).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - used to build XML only; parsing is defusedxml
from decimal import Decimal, InvalidOperation
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils.translation import gettext as _

from workflows.diagram import layered_layout
from workflows.graph import BRANCH, END, PARALLEL, STEP_ID, USER, Graph, Step, parse

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EDOC = "urn:edoc:workflows:bpmn:1"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "edoc": EDOC}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
START_ID = "StartEvent"
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "userTask": (110, 80),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
    "complexGateway": (50, 50),
}


class BpmnError(ValueError):
    """The file is not BPMN that eDoc can read; the message says why, in plain words."""


def _q(prefix: str, tag: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{tag}"


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


# --- Export ------------------------------------------------------------------------------------


def _rule_words(rule: dict[str, Any] | None) -> str:
    if not rule:
        return _("no assignee rule")
    kind = rule.get("rule")
    if kind == "user":
        return _("user #%(id)s") % {"id": rule.get("user")}
    if kind == "role":
        role = rule.get("role")
        role = " | ".join(role) if isinstance(role, list) else role
        return _("role %(role)s in %(unit)s") % {"role": role, "unit": rule.get("unit")}
    if kind == "lead_unit_head":
        return _("head of the lead unit")
    if kind == "initiator":
        return _("the initiator")
    if kind == "lead_handler":
        return _("the lead handler")
    if kind == "coordinators":
        return _("each coordinator")
    if kind == "signer":
        return _("the signer")
    if kind == "group":
        return _("group %(group)s") % {"group": rule.get("group")}
    return str(kind)


def _deadline_words(step: Step) -> str:
    if not step.deadline:
        return ""
    parts = []
    if step.deadline.get("days") not in (None, ""):
        parts.append(_("%(n)s working days") % {"n": _number(step.deadline["days"])})
    if step.deadline.get("hours") not in (None, ""):
        parts.append(_("%(n)s working hours") % {"n": _number(step.deadline["hours"])})
    return " + ".join(parts)


def _documentation(parent: ET.Element, text: str) -> None:
    if text:
        ET.SubElement(parent, _q("bpmn", "documentation")).text = text


def _extensions(
    parent: ET.Element, step: Step, rule: dict[str, Any] | None = None, *, with_rule: bool = False
) -> None:
    ext = ET.SubElement(parent, _q("bpmn", "extensionElements"))
    attrs = {
        "type": step.type,
        "action": step.action,
        "allowReturn": str(step.allow_return).lower(),
    }
    if step.type == PARALLEL:
        attrs["join"] = str(step.join)
    ET.SubElement(ext, _q("edoc", "step"), attrs)
    if step.deadline:
        ET.SubElement(
            ext,
            _q("edoc", "deadline"),
            {
                k: _number(v)
                for k, v in step.deadline.items()
                if k in ("days", "hours") and v not in (None, "")
            },
        )
    if with_rule and rule is not None:
        ET.SubElement(ext, _q("edoc", "assignee")).text = json.dumps(
            rule, ensure_ascii=False, sort_keys=True
        )


class _Builder:
    """Collects flow nodes and sequence flows, then writes them with their DI."""

    def __init__(self, process: ET.Element) -> None:
        self.process = process
        self.nodes: list[tuple[str, str, ET.Element]] = []  # (id, kind, element)
        self.flows: list[tuple[str, str, str, ET.Element]] = []  # (id, source, target, element)
        self.elements: dict[str, ET.Element] = {}

    def node(self, kind: str, node_id: str, name: str = "") -> ET.Element:
        element = ET.SubElement(self.process, _q("bpmn", kind), {"id": node_id})
        if name:
            element.set("name", name)
        self.nodes.append((node_id, kind, element))
        self.elements[node_id] = element
        return element

    def flow(self, source: str, target: str, *, name: str = "", condition: str = "") -> str:
        flow_id = f"Flow-{len(self.flows) + 1}"
        element = ET.Element(_q("bpmn", "sequenceFlow"), {"id": flow_id})
        element.set("sourceRef", source)
        element.set("targetRef", target)
        if name:
            element.set("name", name)
        if condition:
            expression = ET.SubElement(element, _q("bpmn", "conditionExpression"))
            expression.set(_q("xsi", "type"), "bpmn:tFormalExpression")
            expression.text = condition
        self.flows.append((flow_id, source, target, element))
        return flow_id

    def finish(self) -> None:
        """incoming/outgoing references inside each node (after documentation/extensions,
        before loop characteristics), then the flows themselves."""
        for node_id, _kind, element in self.nodes:
            refs = [("incoming", f) for f, _s, t, _e in self.flows if t == node_id] + [
                ("outgoing", f) for f, s, _t, _e in self.flows if s == node_id
            ]
            position = len(
                [
                    c
                    for c in element
                    if c.tag in (_q("bpmn", "documentation"), _q("bpmn", "extensionElements"))
                ]
            )
            for offset, (tag, flow_id) in enumerate(refs):
                ref = ET.Element(_q("bpmn", tag))
                ref.text = flow_id
                element.insert(position + offset, ref)
        for _f, _s, _t, element in self.flows:
            self.process.append(element)


def graph_to_bpmn(graph: Graph | dict[str, Any], *, key: str = "process", name: str = "") -> bytes:
    """BPMN 2.0 XML (UTF-8) of a graph."""
    if not isinstance(graph, Graph):
        graph = parse(graph)
    process_id = "Process-" + re.sub(r"[^A-Za-z0-9_.-]", "-", key or "process")
    root = ET.Element(
        _q("bpmn", "definitions"),
        {
            "id": "Definitions-" + process_id,
            "targetNamespace": f"urn:edoc:process:{key}",
            "exporter": "eDoc",
            "exporterVersion": "1.0",
        },
    )
    process = ET.SubElement(
        root, _q("bpmn", "process"), {"id": process_id, "isExecutable": "false"}
    )
    if name:
        process.set("name", name)
    builder = _Builder(process)
    steps: dict[str, Step] = {}
    for step in graph.steps:
        steps.setdefault(step.id, step)
    builder.node("startEvent", START_ID, _("Start"))
    if graph.start in steps:
        builder.flow(START_ID, graph.start)
    labelled: set[str] = set()

    for step in steps.values():
        label = step.name or step.id
        if step.type == END:
            builder.node("endEvent", step.id, label)
        elif step.type == BRANCH:
            gateway = builder.node("exclusiveGateway", step.id, label)
            _extensions(gateway, step)
            labelled.add(step.id)
            for branch in step.branches:
                if branch.get("next") in steps:
                    condition = branch.get("condition", "")
                    builder.flow(step.id, branch["next"], name=condition, condition=condition)
            if step.default in steps:
                gateway.set("default", builder.flow(step.id, step.default))
        elif step.type == PARALLEL:
            split = builder.node("parallelGateway", step.id, label)
            words = [_("Completion: %(join)s") % {"join": step.join}, _deadline_words(step)]
            _documentation(split, "; ".join(w for w in words if w))
            _extensions(split, step)
            join_id = f"{step.id}-join"
            if step.join == "all":
                builder.node("parallelGateway", join_id)
            else:
                join = builder.node("complexGateway", join_id)
                needed = 1 if step.join == "any" else step.join
                condition = ET.SubElement(join, _q("bpmn", "activationCondition"))
                condition.set(_q("xsi", "type"), "bpmn:tFormalExpression")
                condition.text = f"completed >= {needed}"
            for index, rule in enumerate(step.assignees):
                task_id = f"{step.id}-task-{index + 1}"
                task = builder.node("userTask", task_id, f"{label} ({index + 1})")
                _documentation(task, _("Assignee: %(rule)s") % {"rule": _rule_words(rule)})
                _extensions(task, step, rule, with_rule=True)
                builder.flow(step.id, task_id)
                builder.flow(task_id, join_id)
            if step.next in steps:
                builder.flow(join_id, step.next)
        else:
            task = builder.node("userTask", step.id, label)
            words = [_("Assignee: %(rule)s") % {"rule": _rule_words(step.assignee)}]
            words.append(_deadline_words(step))
            _documentation(task, "; ".join(w for w in words if w))
            _extensions(task, step, step.assignee, with_rule=step.assignee is not None)
            if step.next in steps:
                builder.flow(step.id, step.next)
    builder.finish()
    _diagram(root, process_id, builder, labelled)
    ET.indent(root, space="  ")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()
    )


def export_bpmn(definition_version) -> bytes:
    """BPMN 2.0 XML of a DefinitionVersion, named after its definition."""
    definition = definition_version.definition
    return graph_to_bpmn(
        definition_version.graph,
        key=f"{definition.key}-v{definition_version.number}",
        name=definition.name,
    )


def _diagram(root: ET.Element, process_id: str, builder: _Builder, labelled: set[str]) -> None:
    kinds = {node_id: kind for node_id, kind, _e in builder.nodes}
    layout = layered_layout(
        [(node_id, *SIZES[kind]) for node_id, kind, _e in builder.nodes],
        [(source, target) for _f, source, target, _e in builder.flows],
        START_ID,
        gap_x=50,
        label_gap_x=190,
        labelled=labelled,
        gap_y=40,
        margin=40,
    )
    diagram = ET.SubElement(root, _q("bpmndi", "BPMNDiagram"), {"id": "BPMNDiagram-1"})
    plane = ET.SubElement(
        diagram, _q("bpmndi", "BPMNPlane"), {"id": "BPMNPlane-1", "bpmnElement": process_id}
    )
    for node_id, box in layout.boxes.items():
        attrs = {"id": f"{node_id}-di", "bpmnElement": node_id}
        if kinds[node_id] == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = ET.SubElement(plane, _q("bpmndi", "BPMNShape"), attrs)
        _bounds(shape, box.left, box.top, box.width, box.height)
        if kinds[node_id] != "userTask" and builder.elements[node_id].get("name"):
            label = ET.SubElement(shape, _q("bpmndi", "BPMNLabel"))
            _bounds(label, box.x - 50, box.bottom + 5, 100, 27)
    stacked: dict[tuple[str, str], int] = {}
    for route in layout.routes:
        flow_id, source, target, element = builder.flows[route.index]
        edge = ET.SubElement(
            plane, _q("bpmndi", "BPMNEdge"), {"id": f"{flow_id}-di", "bpmnElement": flow_id}
        )
        for x, y in route.points:
            ET.SubElement(edge, _q("di", "waypoint"), {"x": _coordinate(x), "y": _coordinate(y)})
        if element.get("name") and route.label_at:
            label = ET.SubElement(edge, _q("bpmndi", "BPMNLabel"))
            shift = 16 * stacked.get((source, target), 0)
            stacked[(source, target)] = stacked.get((source, target), 0) + 1
            _bounds(label, route.label_at[0], route.label_at[1] - 14 - shift, 170, 14)


def _coordinate(value: float) -> str:
    return str(round(value))


def _bounds(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(
        parent,
        _q("dc", "Bounds"),
        {
            "x": _coordinate(x),
            "y": _coordinate(y),
            "width": _coordinate(width),
            "height": _coordinate(height),
        },
    )


# --- Import ------------------------------------------------------------------------------------

_TASKS = ("userTask", "task", "manualTask")
_KNOWN = {
    "startEvent",
    "endEvent",
    "exclusiveGateway",
    "parallelGateway",
    "complexGateway",
    "sequenceFlow",
    *_TASKS,
}
_IGNORED = {"extensionElements", "documentation", "laneSet", "textAnnotation", "association"}


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _sep, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def _scalar(text: str) -> int | float | str:
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    if not number.is_finite():
        return text
    return int(number) if number == number.to_integral() else float(number)


class _Reader:
    def __init__(self, process: ET.Element) -> None:
        self.nodes: dict[str, tuple[str, ET.Element]] = {}
        self.order: list[str] = []
        self.flows: dict[str, tuple[str, str, ET.Element]] = {}
        for child in process:
            uri, kind = _local(child.tag)
            if uri != BPMN or kind in _IGNORED:
                continue
            node_id = child.get("id")
            if kind not in _KNOWN:
                raise BpmnError(
                    _("The element “%(kind)s” (%(id)s) is not supported by eDoc processes.")
                    % {"kind": kind, "id": node_id or "?"}
                )
            if not node_id:
                raise BpmnError(_("A “%(kind)s” element has no id.") % {"kind": kind})
            if kind == "sequenceFlow":
                self.flows[node_id] = (
                    child.get("sourceRef", ""),
                    child.get("targetRef", ""),
                    child,
                )
            else:
                self.nodes[node_id] = (kind, child)
                self.order.append(node_id)
        for flow_id, (source, target, _e) in self.flows.items():
            if source not in self.nodes or target not in self.nodes:
                raise BpmnError(
                    _("The sequence flow “%(id)s” connects elements that do not exist.")
                    % {"id": flow_id}
                )

    def outgoing(self, node_id: str) -> list[tuple[str, str, ET.Element]]:
        return [(f, t, e) for f, (s, t, e) in self.flows.items() if s == node_id]

    def kind(self, node_id: str) -> str:
        return self.nodes[node_id][0]

    def element(self, node_id: str) -> ET.Element:
        return self.nodes[node_id][1]

    def single_next(self, node_id: str) -> str | None:
        out = self.outgoing(node_id)
        if len(out) > 1:
            raise BpmnError(
                _("“%(name)s” has more than one outgoing flow; use a gateway to split.")
                % {"name": self.label(node_id)}
            )
        return out[0][1] if out else None

    def label(self, node_id: str) -> str:
        return self.element(node_id).get("name") or node_id


def _edoc(element: ET.Element, tag: str) -> ET.Element | None:
    ext = element.find(_q("bpmn", "extensionElements"))
    return ext.find(_q("edoc", tag)) if ext is not None else None


def _read_rule(element: ET.Element) -> dict[str, Any] | None:
    node = _edoc(element, "assignee")
    if node is None or not (node.text or "").strip():
        return None
    try:
        rule = json.loads(node.text)
    except ValueError:
        raise BpmnError(_("An assignee rule in the file is not valid JSON."))
    if not isinstance(rule, dict):
        raise BpmnError(_("An assignee rule in the file is not valid JSON."))
    return rule


def _read_step_attrs(element: ET.Element) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    node = _edoc(element, "step")
    if node is not None:
        attrs["action"] = node.get("action") or "generic"
        attrs["allow_return"] = node.get("allowReturn", "true") != "false"
        if node.get("join"):
            join = node.get("join")
            attrs["join"] = int(join) if join.isdigit() else join
    deadline = _edoc(element, "deadline")
    if deadline is not None:
        values = {k: _scalar(deadline.get(k)) for k in ("days", "hours") if deadline.get(k)}
        attrs["deadline"] = values or None
    return attrs


def import_bpmn(xml_bytes: bytes) -> dict[str, Any]:
    """The graph dict of a BPMN file in eDoc's subset; BpmnError says what is wrong."""
    if len(xml_bytes) > MAX_IMPORT_BYTES:
        raise BpmnError(_("The file is larger than 2 MB."))
    try:
        root = safe_fromstring(xml_bytes, forbid_dtd=True)
    except DefusedXmlException:
        raise BpmnError(_("The file declares a DTD or entities, which are refused for safety."))
    except (ET.ParseError, ValueError) as exc:
        raise BpmnError(_("The file is not well-formed XML: %(error)s") % {"error": exc})
    if root.tag != _q("bpmn", "definitions"):
        raise BpmnError(_("The file is not BPMN 2.0 (no bpmn:definitions root element)."))
    processes = root.findall(_q("bpmn", "process"))
    if len(processes) != 1:
        raise BpmnError(_("The file must contain exactly one process."))
    reader = _Reader(processes[0])

    starts = [n for n in reader.order if reader.kind(n) == "startEvent"]
    if len(starts) != 1:
        raise BpmnError(_("The process must have exactly one start event."))
    inner: set[str] = set()  # tasks and joins inside parallel steps
    steps: list[dict[str, Any]] = []
    joins: dict[str, str] = {}

    for node_id in reader.order:
        kind, element = reader.nodes[node_id]
        if kind == "parallelGateway" and len(reader.outgoing(node_id)) > 1:
            step, tasks, join = _parallel_step(reader, node_id)
            inner.update(tasks)
            inner.add(join)
            joins[join] = node_id
            steps.append(step)
    by_split = {step["id"]: step for step in steps}
    ids = _step_ids(reader, skip=inner | set(starts))
    result: list[dict[str, Any]] = []

    def target(node_id: str | None) -> str | None:
        if node_id is None:
            return None
        if node_id in joins or node_id in inner:
            raise BpmnError(
                _("Only the tasks of a parallel split may lead into its join (“%(name)s”).")
                % {"name": reader.label(node_id)}
            )
        if reader.kind(node_id) == "startEvent":
            raise BpmnError(_("No flow may lead back to the start event."))
        return ids[node_id]

    for node_id in reader.order:
        kind, element = reader.nodes[node_id]
        if node_id in inner or kind == "startEvent":
            continue
        name = element.get("name") or ""
        if node_id in by_split:
            step = by_split[node_id]
            join = next(j for j, split in joins.items() if split == node_id)
            step["next"] = target(reader.single_next(join))
            step["id"] = ids[node_id]
            result.append(step)
        elif kind in _TASKS:
            step = {"id": ids[node_id], "name": name, "type": USER, "assignee": _read_rule(element)}
            step.update(_read_step_attrs(element))
            step["next"] = target(reader.single_next(node_id))
            result.append(step)
        elif kind == "exclusiveGateway":
            default_flow = element.get("default")
            branches, default = [], None
            for flow_id, to, flow in reader.outgoing(node_id):
                expression = flow.find(_q("bpmn", "conditionExpression"))
                condition = (expression.text or "").strip() if expression is not None else ""
                if flow_id == default_flow or (not condition and default is None):
                    default = target(to)
                elif not condition:
                    raise BpmnError(
                        _("Branch “%(name)s” has more than one flow without a condition.")
                        % {"name": reader.label(node_id)}
                    )
                else:
                    branches.append({"condition": condition, "next": target(to)})
            result.append(
                {
                    "id": ids[node_id],
                    "name": name,
                    "type": BRANCH,
                    "branches": branches,
                    "default": default,
                }
            )
        elif kind == "endEvent":
            result.append({"id": ids[node_id], "name": name, "type": END})
        else:
            raise BpmnError(
                _("The gateway “%(name)s” is neither a branch nor a parallel split.")
                % {"name": reader.label(node_id)}
            )
    first = reader.single_next(starts[0])
    return {"start": target(first) if first else None, "steps": result}


def _parallel_step(reader: _Reader, split: str) -> tuple[dict[str, Any], list[str], str]:
    element = reader.element(split)
    tasks, joins = [], set()
    for _flow, task, _e in reader.outgoing(split):
        if reader.kind(task) not in _TASKS:
            raise BpmnError(
                _("Each path of the parallel split “%(name)s” must be one task.")
                % {"name": reader.label(split)}
            )
        tasks.append(task)
        after = reader.single_next(task)
        if after is None:
            raise BpmnError(
                _("A task of the parallel split “%(name)s” does not lead to a join.")
                % {"name": reader.label(split)}
            )
        joins.add(after)
    if len(joins) != 1:
        raise BpmnError(
            _("The tasks of the parallel split “%(name)s” must all lead to the same join.")
            % {"name": reader.label(split)}
        )
    join = joins.pop()
    if reader.kind(join) not in ("parallelGateway", "complexGateway"):
        raise BpmnError(
            _("The parallel split “%(name)s” must end in a parallel or complex gateway.")
            % {"name": reader.label(split)}
        )
    step: dict[str, Any] = {
        "id": split,
        "name": element.get("name") or "",
        "type": PARALLEL,
        "assignees": [_read_rule(reader.element(task)) or {} for task in tasks],
        "join": "all",
    }
    step.update(_read_step_attrs(element))
    if "join" not in _read_step_attrs(element) and reader.kind(join) == "complexGateway":
        condition = reader.element(join).find(_q("bpmn", "activationCondition"))
        found = re.search(r"(\d+)", condition.text or "") if condition is not None else None
        needed = int(found.group(1)) if found else 1
        step["join"] = "any" if needed == 1 else needed
    if "deadline" not in step:  # a modeler may have put it on the tasks
        deadline = _read_step_attrs(reader.element(tasks[0])).get("deadline")
        if deadline:
            step["deadline"] = deadline
    return step, tasks, join


def _step_ids(reader: _Reader, *, skip: set[str]) -> dict[str, str]:
    """A valid, unique step id for every BPMN element that becomes a step (eDoc's own ids
    are kept)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node_id in sorted(
        (n for n in reader.order if n not in skip), key=lambda n: not STEP_ID.match(n)
    ):
        candidate = node_id if STEP_ID.match(node_id) else _slug(node_id)
        base, n = candidate, 2
        while candidate in taken:
            suffix = f"_{n}"
            candidate = base[: 50 - len(suffix)] + suffix
            n += 1
        taken.add(candidate)
        ids[node_id] = candidate
    return ids


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "step_" + slug
    return slug[:50]
