"""The definition diagram: server-side SVG with a layered layout, escaped text and state classes;
readable labels, step names (never ids) and conditions in words (issue 9, item 12)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from workflows.diagram import ROOT, graph_layout, layered_layout, render_svg
from workflows.graph import parse

SVG = "{http://www.w3.org/2000/svg}"

# Branch labels name the catalogs' document types and urgency levels.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def sample_graph() -> dict:
    return {
        "start": "draft",
        "steps": [
            {
                "id": "draft",
                "name": "Soạn thảo <script>alert('x')</script> & “trích yếu”",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "next": "opinions",
            },
            {
                "id": "opinions",
                "name": "Lấy ý kiến các phòng",
                "type": "parallel",
                "assignees": [{"rule": "initiator"}, {"rule": "lead_unit_head"}],
                "join": 2,
                "next": "route",
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
            {"id": "director", "name": "Giám đốc duyệt", "type": "user", "next": "done"},
            {"id": "deputy", "name": "Phó Giám đốc duyệt", "type": "user", "next": "done"},
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


def nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return {g.get("data-step"): g for g in root.iter(f"{SVG}g") if g.get("data-step")}


def texts(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(f"{SVG}text"))


def test_the_svg_is_well_formed_and_names_every_step_escaped():
    svg = render_svg(sample_graph())
    assert svg.startswith("<svg") and "<script>" not in svg
    assert "&lt;script&gt;" in svg
    found = nodes(svg)
    assert set(found) == {ROOT, "draft", "opinions", "route", "director", "deputy", "done"}
    # The full name is in the tooltip; the drawn lines carry the same (wrapped) words.
    assert found["draft"].find(f"{SVG}title").text.startswith("Soạn thảo <script>")
    for step in sample_graph()["steps"][1:]:
        assert step["name"] in (found[step["id"]].find(f"{SVG}title").text or "")
        assert step["name"].split()[0] in texts(found[step["id"]])
    assert 'font-family="system-ui, &quot;Noto Sans&quot;' in svg


def test_shapes_follow_the_step_types():
    found = nodes(render_svg(sample_graph()))
    assert found["route"].find(f"{SVG}polygon") is not None  # diamond
    assert found["done"].find(f"{SVG}circle") is not None
    assert found[ROOT].find(f"{SVG}circle") is not None
    assert len(found["opinions"].findall(f"{SVG}rect")) == 2  # double-lined box
    assert len(found["draft"].findall(f"{SVG}rect")) == 1
    assert "wf-parallel" in found["opinions"].get("class")


def test_condition_labels_are_on_the_branch_edges():
    svg = render_svg(sample_graph())
    root = ET.fromstring(svg)  # noqa: S314
    edges = {(e.get("data-from"), e.get("data-to")): e for e in root.iter(f"{SVG}polyline")}
    assert "wf-edge-branch" in edges[("route", "director")].get("class")
    assert "wf-edge-default" in edges[("route", "deputy")].get("class")
    labels = {
        g.find(f"{SVG}title").text: texts(g)
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "wf-edge-label"
    }
    assert set(labels) == {
        "Văn bản mật",
        "Loại văn bản là Quyết định hoặc Quy chế và độ khẩn khác Thường",
        "trường hợp còn lại",
    }
    # Long conditions are wrapped over lines, not cut: every word is drawn.
    sentence = "Loại văn bản là Quyết định hoặc Quy chế và độ khẩn khác Thường"
    assert labels[sentence].split() == sentence.split(" ")
    assert "type in (" not in svg and "urgency" not in svg
    assert all(e.get("marker-end", "").startswith("url(#wf-arrow") for e in edges.values())


def test_steps_show_names_and_deadlines_never_ids():
    graph = sample_graph()
    graph["steps"][3]["deadline"] = {"days": 0.5}
    found = nodes(render_svg(graph))
    for step_id in ("draft", "opinions", "route", "director", "deputy", "done"):
        assert step_id not in texts(found[step_id]), step_id
        assert step_id not in found[step_id].find(f"{SVG}title").text
    assert "Giám đốc duyệt" in texts(found["director"])
    assert "hạn 0,5 ngày làm việc" in texts(found["director"])


def test_every_label_is_at_least_12_px_at_natural_size():
    root = ET.fromstring(render_svg(sample_graph()))  # noqa: S314
    viewbox_width = float(root.get("viewBox").split()[2])
    assert float(root.get("width")) == viewbox_width  # one unit is one CSS pixel
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 12


def test_highlight_and_done_classes():
    found = nodes(render_svg(sample_graph(), highlight={"route"}, done={"draft", "opinions"}))
    assert "is-current" in found["route"].get("class")
    assert "is-done" in found["draft"].get("class") and "is-done" in found["opinions"].get("class")
    assert "is-current" not in found["director"].get("class")
    assert "is-done" not in found["director"].get("class")


def test_layers_grow_from_the_start_by_longest_path():
    layout, _edges = graph_layout(parse(sample_graph()))
    layer = {node: box.layer for node, box in layout.boxes.items()}
    assert layer[ROOT] == 0 and layer["draft"] == 1 and layer["opinions"] == 2
    assert layer["route"] == 3 and layer["director"] == layer["deputy"] == 4
    assert layer["done"] == 5  # after the longest path, not the short branch route → done
    x = {node: box.x for node, box in layout.boxes.items()}
    assert x[ROOT] < x["draft"] < x["opinions"] < x["route"] < x["director"] < x["done"]
    # No two boxes of a column overlap.
    for column in layout.layers:
        boxes = sorted((layout.boxes[n] for n in column), key=lambda b: b.y)
        for upper, lower in zip(boxes, boxes[1:], strict=False):
            assert upper.bottom <= lower.top


def test_loops_are_drawn_as_back_edges_and_unreachable_steps_still_appear():
    graph = sample_graph()
    graph["steps"][3]["next"] = "draft"  # the director sends it back to drafting
    graph["steps"].append({"id": "orphan", "name": "Mồ côi", "type": "user", "next": "done"})
    svg = render_svg(graph)
    root = ET.fromstring(svg)  # noqa: S314
    back = [e for e in root.iter(f"{SVG}polyline") if e.get("stroke-dasharray")]
    assert [(e.get("data-from"), e.get("data-to")) for e in back] == [("director", "draft")]
    assert "orphan" in nodes(svg)


def test_routes_are_orthogonal_and_end_at_their_nodes():
    layout = layered_layout(
        [("a", 40, 40), ("b", 40, 40), ("c", 40, 40), ("d", 40, 40)],
        [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("a", "d")],
        "a",
    )
    for route in layout.routes:
        source, target = layout.boxes[route.source], layout.boxes[route.target]
        assert route.points[0] == (source.right, source.y)
        assert route.points[-1] == (target.left, target.y)
        for (x1, y1), (x2, y2) in zip(route.points, route.points[1:], strict=False):
            assert x1 == x2 or y1 == y2


@pytest.mark.parametrize("graph", [{}, {"start": None, "steps": []}, {"steps": "nonsense"}])
def test_empty_or_malformed_graphs_give_a_message_not_an_error(graph):
    svg = render_svg(graph)
    assert svg.startswith("<svg") and "wf-empty" in svg
    ET.fromstring(svg)  # noqa: S314
