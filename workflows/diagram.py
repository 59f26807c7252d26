"""A definition's graph drawn as inline SVG, server-side (static/js/diagram_zoom.js adds zoom and
pan on the page; without it the frame scrolls).

The layout is layered left to right: a step's column is the longest path to it from the start
(edges that close a loop are set aside and drawn as dashed "back" edges below the diagram),
edges that skip columns pass through invisible waypoints, the order within a column follows the
neighbours (barycentre sweeps) and each node sits level with its predecessors where it can.
`layered_layout` is generic: the BPMN export places its shapes with the same function.

Readable at its natural size (one SVG unit = one CSS pixel): labels are 12–13 px, steps show
their names (ids only in `data-step`), branch conditions are written out in words.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workflows.graph import BRANCH, END, PARALLEL, Graph, GraphError, Step, parse
from workflows.wording import deadline_label, describer

ROOT = "^start"  # the start circle; never a valid step id
FONT = 'system-ui, "Noto Sans", "Segoe UI", Roboto, "DejaVu Sans", sans-serif'
MONO = 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace'

# Sizes of the SVG shapes and texts (px at 100 %).
BOX_W, BOX_H = 210, 84
DIAMOND = 46
CIRCLE_R = 17
SLOT_W = 168  # column room of a diamond or circle, for its label underneath
LABEL_H = 34  # room for two label lines, kept above and below so the shape stays centred
NAME_SIZE, TEXT_SIZE = 13, 12  # step names; every other text
NAME_CHARS = 23  # characters of a step name per line (bold 13 px in a box)
LINE_H = 16  # line height of step names
EDGE_LABEL_GAP = 240  # room after a branch for its conditions
EDGE_LABEL_CHARS, EDGE_LABEL_LINES = 28, 3

# Colours (the staff UI's palette).
INK = "#1d2733"
MUTED = "#5d6b7a"
LINE = "#7b8794"
PRIMARY = "#0b5a8a"
CURRENT_FILL, CURRENT_STROKE = "#fff4e0", "#d48806"
DONE_FILL, DONE_STROKE = "#e7f5ec", "#1e7a3c"


# --- Layout -----------------------------------------------------------------------------------


@dataclass
class Box:
    """A node placed by the layout: (x, y) is its centre."""

    id: str
    width: float
    height: float
    layer: int = 0
    x: float = 0.0
    y: float = 0.0
    dummy: bool = False

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass
class Route:
    """The polyline of one edge; `index` is its position in the edges given to the layout."""

    index: int
    source: str
    target: str
    points: list[tuple[float, float]]
    back: bool = False
    label_at: tuple[float, float] | None = None


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float
    layers: list[list[str]] = field(default_factory=list)


def _back_edges(order: list[str], succ: Mapping[str, list[str]], root: str | None) -> set:
    """Edges (u, v) that close a cycle in a depth-first walk from the root, then the rest."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[tuple[str, str]] = set()
    for origin in ([root] if root in succ else []) + order:
        if origin in state:
            continue
        state[origin] = 1
        stack = [(origin, iter(succ[origin]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))
    return back


def _ordered_layers(
    boxes: dict[str, Box], forward: list[tuple[str, str]], order: list[str]
) -> list[list[str]]:
    """Nodes per layer, first in discovery order, then improved by barycentre sweeps."""
    count = max((box.layer for box in boxes.values()), default=0) + 1
    rank = {node: i for i, node in enumerate(order)}
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in sorted(boxes, key=lambda n: (boxes[n].layer, rank.get(n, len(rank)))):
        layers[boxes[node].layer].append(node)
    preds: dict[str, list[str]] = {node: [] for node in boxes}
    succs: dict[str, list[str]] = {node: [] for node in boxes}
    for u, v in forward:
        preds[v].append(u)
        succs[u].append(v)

    def sweep(indices: Iterable[int], neighbours: dict[str, list[str]]) -> None:
        for i in indices:
            position = {}
            for layer in layers:
                for j, node in enumerate(layer):
                    position[node] = j
            current = layers[i]

            def key(node: str, current: list[str] = current, position: dict = position) -> float:
                near = [position[n] for n in neighbours[node]]
                return sum(near) / len(near) if near else float(current.index(node))

            layers[i] = sorted(current, key=key)

    for _round in range(3):
        sweep(range(1, count), preds)
        sweep(range(count - 2, -1, -1), succs)
    sweep(range(1, count), preds)
    return layers


def layered_layout(
    nodes: list[tuple[str, float, float]],
    edges: list[tuple[str, str]],
    root: str | None,
    *,
    gap_x: float = 56,
    label_gap_x: float = EDGE_LABEL_GAP,
    labelled: Iterable[str] = (),
    gap_y: float = 34,
    margin: float = 24,
) -> Layout:
    """Place `nodes` (id, width, height) in columns from `root`; route `edges` (source, target).

    Columns after a node in `labelled` are wider, so the labels of its edges fit.
    Edges whose ends are unknown are left out of the routes.
    """
    boxes = {node_id: Box(node_id, width, height) for node_id, width, height in nodes}
    order = [node_id for node_id, _w, _h in nodes]
    valid = [(i, u, v) for i, (u, v) in enumerate(edges) if u in boxes and v in boxes]
    succ: dict[str, list[str]] = {node: [] for node in boxes}
    for _i, u, v in valid:
        if v not in succ[u]:
            succ[u].append(v)
    back = _back_edges(order, succ, root)
    forward_pairs = [(u, v) for u in order for v in succ[u] if (u, v) not in back]

    # Longest-path layering over the acyclic rest (Kahn's order).
    incoming = {node: 0 for node in boxes}
    for _u, v in forward_pairs:
        incoming[v] += 1
    ready = [node for node in order if incoming[node] == 0]
    has_root = root in boxes
    for node in ready:
        boxes[node].layer = 0 if (node == root or not has_root) else 1
    topological = []
    while ready:
        node = ready.pop(0)
        topological.append(node)
        for child in succ[node]:
            if (node, child) in back:
                continue
            boxes[child].layer = max(boxes[child].layer, boxes[node].layer + 1)
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)

    # Waypoints for edges that skip columns.
    chains: dict[tuple[str, str], list[str]] = {}
    dag_edges: list[tuple[str, str]] = []
    for u, v in forward_pairs:
        chain = [u]
        for layer in range(boxes[u].layer + 1, boxes[v].layer):
            dummy = f"{u}>{v}#{layer}"
            boxes[dummy] = Box(dummy, 12, 12, layer=layer, dummy=True)
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        dag_edges += list(zip(chain, chain[1:], strict=False))
    layers = _ordered_layers(boxes, dag_edges, order)

    # Columns: x from the widest node of each column; wider gaps after labelled nodes.
    labelled = set(labelled)
    x = margin
    column_left, column_right = [], []
    for layer in layers:
        width = max((boxes[node].width for node in layer), default=0)
        column_left.append(x)
        column_right.append(x + width)
        for node in layer:
            boxes[node].x = x + width / 2
        wide = any(node in labelled for node in layer)
        x += width + (label_gap_x if wide else gap_x)

    # Rows: level with the predecessors where possible, without overlaps.
    preds: dict[str, list[str]] = {node: [] for node in boxes}
    for u, v in dag_edges:
        preds[v].append(u)
    for layer in layers:
        wanted = []
        for node in layer:
            near = [boxes[p].y for p in preds[node]]
            wanted.append(sum(near) / len(near) if near else None)
        positions: list[float] = []
        for i, node in enumerate(layer):
            target = wanted[i]
            if i == 0:
                positions.append(target if target is not None else 0.0)
                continue
            previous = boxes[layer[i - 1]]
            lowest = positions[-1] + previous.height / 2 + gap_y + boxes[node].height / 2
            positions.append(max(target, lowest) if target is not None else lowest)
        deltas = [p - w for p, w in zip(positions, wanted, strict=True) if w is not None]
        shift = -sum(deltas) / len(deltas) if deltas else 0.0
        for node, position in zip(layer, positions, strict=True):
            boxes[node].y = position + shift
    top = min((box.top for box in boxes.values()), default=0.0)
    for box in boxes.values():
        box.y += margin - top
    bottom = max((box.bottom for box in boxes.values()), default=0.0)

    # Routes: orthogonal, bending in the gaps between columns; back edges run below everything.
    routes: list[Route] = []
    back_lane = bottom + 22
    for index, u, v in valid:
        source, target = boxes[u], boxes[v]
        if (u, v) in back:
            lane = back_lane
            back_lane += 12
            points = [
                (source.x, source.bottom),
                (source.x, lane),
                (target.x, lane),
                (target.x, target.bottom),
            ]
            routes.append(Route(index, u, v, points, back=True, label_at=(source.x + 4, lane - 4)))
            continue
        chain = [boxes[node] for node in chains[(u, v)]]
        points = [(source.right, source.y)]
        label_at = None
        for a, b in zip(chain, chain[1:], strict=False):
            gap_start = column_right[a.layer]
            gap_end = column_left[b.layer]
            bend = gap_start + 14 if a.id in labelled else (gap_start + gap_end) / 2
            if a.dummy:
                points.append((a.x, a.y))
            if abs(a.y - b.y) > 0.5:
                points += [(bend, a.y), (bend, b.y)]
            if label_at is None:
                label_at = (bend + 6, b.y - 6)
            if b.dummy:
                continue
            points.append((b.left, b.y))
        routes.append(Route(index, u, v, _simplified(points), label_at=label_at))
    width = max((box.right for box in boxes.values()), default=0.0) + margin
    height = max(back_lane - 10, bottom + margin)
    return Layout(
        boxes={k: b for k, b in boxes.items() if not b.dummy},
        routes=routes,
        width=width,
        height=height,
        layers=[[n for n in layer if not boxes[n].dummy] for layer in layers],
    )


def _simplified(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight run."""
    result: list[tuple[float, float]] = []
    for point in points:
        if result and abs(result[-1][0] - point[0]) < 0.01 and abs(result[-1][1] - point[1]) < 0.01:
            continue
        if len(result) >= 2:
            (x1, y1), (x2, y2) = result[-2], result[-1]
            if (abs(x1 - x2) < 0.01 and abs(x2 - point[0]) < 0.01) or (
                abs(y1 - y2) < 0.01 and abs(y2 - point[1]) < 0.01
            ):
                result[-1] = point
                continue
        result.append(point)
    return result


# --- The graph's nodes and edges --------------------------------------------------------------


def graph_edges(graph: Graph) -> list[tuple[str, str, str, str]]:
    """(source, target, kind, label) of every edge; kind is next, branch or default."""
    edges: list[tuple[str, str, str, str]] = []
    if graph.start:
        edges.append((ROOT, graph.start, "next", ""))
    for step in graph.steps:
        if step.type == BRANCH:
            for branch in step.branches:
                if branch.get("next"):
                    edges.append((step.id, branch["next"], "branch", branch.get("condition", "")))
            if step.default:
                edges.append((step.id, step.default, "default", ""))
        elif step.type != END and step.next:
            edges.append((step.id, step.next, "next", ""))
    return edges


def _size(step: Step) -> tuple[float, float]:
    if step.type == BRANCH:
        return SLOT_W, DIAMOND + 2 * LABEL_H
    if step.type == END:
        return SLOT_W, 2 * CIRCLE_R + 2 * LABEL_H
    return BOX_W, BOX_H


def _shape_half(step: Step | None) -> float | None:
    """Half the width of the drawn shape when it is narrower than its layout box."""
    if step is None:  # the start circle
        return CIRCLE_R
    if step.type == BRANCH:
        return DIAMOND / 2
    if step.type == END:
        return CIRCLE_R
    return None


def graph_layout(graph: Graph) -> tuple[Layout, list[tuple[str, str, str, str]]]:
    """The SVG layout of a graph and its edges (the start circle is the node `ROOT`)."""
    unique: dict[str, Step] = {}
    for step in graph.steps:
        unique.setdefault(step.id, step)
    nodes = [(ROOT, 64, 2 * CIRCLE_R + 2 * LABEL_H)] + [
        (step.id, *_size(step)) for step in unique.values()
    ]
    edges = graph_edges(graph)
    layout = layered_layout(
        nodes,
        [(u, v) for u, v, _k, _l in edges],
        ROOT,
        labelled={s.id for s in unique.values() if s.type == BRANCH},
    )
    return layout, edges


# --- SVG ---------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(text: str, width: int, count: int) -> list[str]:
    """`text` in at most `count` lines of at most `width` characters, of even lengths (no lone
    last word); the last line ends with … when the text is longer."""
    text = " ".join(str(text).split())
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = _shorten(lines[-1] + " …", width)
        return lines
    for narrower in range(width - 1, 0, -1):
        tried = textwrap.wrap(text, narrower)
        if len(tried) > len(lines) or any(len(line) > narrower for line in tried):
            break
        lines = tried
    return lines


def _join_text(step: Step) -> str:
    if step.join == "all":
        return _("all must finish")
    if step.join == "any":
        return _("any one finishes")
    return _("%(n)s must finish") % {"n": step.join}


def _text(x: float, y: float, content: str, *, size: float = 12, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}"{extra}>'
        f"{escape(content)}</text>"
    )


def _label_below(x: float, shape_bottom: float, label: str) -> list[str]:
    return [
        _text(
            x,
            shape_bottom + 15 + i * 15,
            line,
            size=TEXT_SIZE,
            text_anchor="middle",
            fill=INK,
            font_weight="600",
        )
        for i, line in enumerate(_lines(label, 22, 2))
    ]


def _footer(step: Step) -> str:
    """The small line under a step's name: how a parallel step ends, or the deadline."""
    deadline = deadline_label(step.deadline)
    if step.type == PARALLEL:
        text = f"∥ {_join_text(step)} · {len(step.assignees)}"
        return f"{text} · {deadline}" if deadline else text
    return _("within %(deadline)s") % {"deadline": deadline} if deadline else ""


def _step_svg(step: Step, box: Box, state: str) -> str:
    fill, stroke, width = "#ffffff", "#5d6b7a", 1.4
    if state == "current":
        fill, stroke, width = CURRENT_FILL, CURRENT_STROKE, 3
    elif state == "done":
        fill, stroke, width = DONE_FILL, DONE_STROKE, 1.8
    label = step.name or step.id
    classes = f"wf-node wf-{escape(step.type)}" + (f" is-{state}" if state else "")
    parts = [
        f'<g class="{classes}" data-step="{escape(step.id)}">',
        f"<title>{escape(label)}</title>",
    ]
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{_fmt(width)}"'
    if step.type == BRANCH:
        half = DIAMOND / 2
        points = " ".join(
            f"{_fmt(px)},{_fmt(py)}"
            for px, py in (
                (box.x, box.y - half),
                (box.x + half, box.y),
                (box.x, box.y + half),
                (box.x - half, box.y),
            )
        )
        parts.append(f'<polygon points="{points}" {paint}/>')
        parts.append(
            _text(
                box.x, box.y + 6, "?", size=16, text_anchor="middle", fill=MUTED, font_weight="700"
            )
        )
        parts += _label_below(box.x, box.y + half, label)
    elif step.type == END:
        parts.append(
            f'<circle cx="{_fmt(box.x)}" cy="{_fmt(box.y)}" r="{_fmt(CIRCLE_R)}" fill="{fill}" '
            f'stroke="{stroke if state else INK}" stroke-width="{_fmt(max(width, 3.5))}"/>'
        )
        parts += _label_below(box.x, box.y + CIRCLE_R, label)
    else:
        x, y = box.left, box.top
        parts.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(box.width)}" '
            f'height="{_fmt(box.height)}" rx="8" {paint}/>'
        )
        if step.type == PARALLEL:
            parts.append(
                f'<rect x="{_fmt(x + 4)}" y="{_fmt(y + 4)}" width="{_fmt(box.width - 8)}" '
                f'height="{_fmt(box.height - 8)}" rx="5" fill="none" stroke="{stroke}" '
                f'stroke-width="1.2"/>'
            )
        footer = _lines(_footer(step), 30, 2) if _footer(step) else []
        lines = _lines(label, NAME_CHARS, 3 if len(footer) < 2 else 2)
        block = (len(lines) + len(footer)) * LINE_H
        first = box.y - block / 2 + LINE_H - 4
        for i, line in enumerate(lines):
            parts.append(
                _text(
                    box.x,
                    first + i * LINE_H,
                    line,
                    size=NAME_SIZE,
                    text_anchor="middle",
                    fill=INK,
                    font_weight="600",
                )
            )
        for i, line in enumerate(footer):
            parts.append(
                _text(
                    box.x,
                    first + (len(lines) + i) * LINE_H + 1,
                    line,
                    size=TEXT_SIZE,
                    text_anchor="middle",
                    fill=MUTED,
                )
            )
        if state == "done":
            parts.append(
                _text(
                    box.right - 13,
                    box.bottom - 9,
                    "✓",
                    size=13,
                    fill=DONE_STROKE,
                    text_anchor="middle",
                    font_weight="700",
                )
            )
    parts.append("</g>")
    return "".join(parts)


def _attach(route: Route, layout: Layout, by_id: dict[str, Step]) -> None:
    """Move the ends of a route from the layout box to the drawn diamond or circle."""
    ends = ((0, route.source, 1), (-1, route.target, -1))
    for position, node, sign in ends:
        half = _shape_half(by_id.get(node))
        if half is None:
            continue
        box = layout.boxes[node]
        x, y = route.points[position]
        if route.back:
            route.points[position] = (x, box.y + half)
        else:
            route.points[position] = (box.x + sign * half, y)


def _empty_svg(message: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text is escaped
        '<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram wf-empty" width="420" '
        f'height="60" viewBox="0 0 420 60" role="img" aria-label="{escape(message)}" '
        f'font-family="{escape(FONT)}">' + _text(12, 34, message, size=13, fill=MUTED) + "</svg>"
    )


def render_svg(
    graph: Graph | Mapping[str, Any],
    *,
    highlight: Iterable[str] = frozenset(),
    done: Iterable[str] = frozenset(),
    in_words: Callable[[str], str] | None = None,
) -> SafeString:
    """The graph as an inline `<svg>`; `highlight` marks current steps, `done` finished ones.

    Nodes are `<g class="wf-node wf-<type> [is-current|is-done]" data-step="<id>">`; branch
    conditions are labelled by `in_words` (default: `workflows.wording`, catalog names).
    """
    if not isinstance(graph, Graph):
        try:
            graph = parse(graph)
        except GraphError as exc:
            return _empty_svg(str(exc))
    if not graph.steps:
        return _empty_svg(_("No steps yet."))
    highlight, done = set(highlight), set(done)
    in_words = in_words or describer()
    layout, edges = graph_layout(graph)
    by_id: dict[str, Step] = {}
    for step in graph.steps:
        by_id.setdefault(step.id, step)
    stamp = json.dumps([graph.to_dict(), sorted(highlight), sorted(done)], sort_keys=True)
    uid = hashlib.sha1(stamp.encode(), usedforsecurity=False).hexdigest()[:8]
    arrow, arrow_done = f"wf-arrow-{uid}", f"wf-arrow-done-{uid}"

    width = layout.width
    label = _("Process diagram")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram" '
        f'width="{_fmt(width)}" height="{_fmt(layout.height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(layout.height)}" role="img" '
        f'aria-label="{escape(label)}" font-family="{escape(FONT)}">',
        "<defs>",
        f'<marker id="{arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{LINE}"/></marker>',
        f'<marker id="{arrow_done}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{DONE_STROKE}"/></marker>',
        "</defs>",
    ]
    # Edges first, so that shapes cover their ends.
    labels = []
    stacked: dict[tuple[str, str], int] = {}  # lines already drawn above an edge's label point
    for route in layout.routes:
        source, target, kind, condition = edges[route.index]
        _attach(route, layout, by_id)
        walked = (source in done or source == ROOT and (done or highlight)) and (
            target in done or target in highlight
        )
        colour = DONE_STROKE if walked else LINE
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in route.points)
        dash = ' stroke-dasharray="5 4"' if route.back else ""
        out.append(
            f'<polyline class="wf-edge wf-edge-{kind}" data-from="{escape(source)}" '
            f'data-to="{escape(target)}" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="{1.8 if walked else 1.4}"{dash} '
            f'marker-end="url(#{arrow_done if walked else arrow})"/>'
        )
        if kind in ("branch", "default") and route.label_at:
            words = in_words(condition) if kind == "branch" else _("otherwise")
            lines = _lines(words, EDGE_LABEL_CHARS, EDGE_LABEL_LINES)
            lx, ly = route.label_at
            above = stacked.get((source, target), 0)
            stacked[(source, target)] = above + len(lines)
            last = ly - 15 * above
            labels.append(
                f'<g class="wf-edge-label"><title>{escape(words)}</title>'
                + "".join(
                    _text(
                        lx,
                        last - 15 * (len(lines) - 1 - i),
                        line,
                        size=TEXT_SIZE,
                        fill=PRIMARY if kind == "branch" else MUTED,
                        font_style="normal" if kind == "branch" else "italic",
                        paint_order="stroke",
                        stroke="#ffffff",
                        stroke_width="3",
                    )
                    for i, line in enumerate(lines)
                )
                + "</g>"
            )
    out += labels
    for node_id, box in layout.boxes.items():
        if node_id == ROOT:
            started = bool(done or highlight)
            out.append(
                f'<g class="wf-node wf-start" data-step="{ROOT}">'
                f"<title>{escape(_('Start'))}</title>"
                f'<circle cx="{_fmt(box.x)}" cy="{_fmt(box.y)}" r="{_fmt(CIRCLE_R)}" '
                f'fill="{DONE_FILL if started else "#ffffff"}" '
                f'stroke="{DONE_STROKE if started else INK}" stroke-width="1.6"/>'
                + _text(
                    box.x,
                    box.y + CIRCLE_R + 15,
                    _("Start"),
                    size=TEXT_SIZE,
                    text_anchor="middle",
                    fill=MUTED,
                )
                + "</g>"
            )
            continue
        state = "current" if node_id in highlight else "done" if node_id in done else ""
        out.append(_step_svg(by_id[node_id], box, state))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
