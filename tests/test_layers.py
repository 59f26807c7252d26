"""The apps stay layered (config/layers.py): no app names an app of a higher layer, and the apps
never depend on each other in a circle.

Every .py file of every app is parsed with `ast` (imports at module level and inside functions,
`importlib.import_module("…")`, `apps.get_model`, foreign keys "app.Model", URL names in
`reverse`/`redirect`, `call_command`, template names; a migration's `dependencies`), and every
template of an app (`{% load %}`, `{% include %}`, `{% extends %}`, `{% url %}`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands
from django.template import engines
from django.urls import URLPattern, URLResolver, get_resolver

from config.layers import LAYERS, app_of, may_depend

BASE_DIR = Path(settings.BASE_DIR)

URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url", "HttpResponseRedirect"}
URL_KEYWORDS = {"pattern_name", "url_name", "success_url", "viewname"}
MODEL_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
TEMPLATE_NAME = re.compile(r"^(?P<app>\w+)/[\w./-]+\.(?:html|txt|xml)$")
LOAD_TAG = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
TEMPLATE_TAG = re.compile(r"""{%\s*(?:include|extends)\s+["'](?P<name>[^"']+)["']""")
URL_TAG = re.compile(r"""{%\s*url\s+["'](?P<name>[^"']+)["']""")


@dataclass(frozen=True)
class Edge:
    """`source` names `target` at `where` (file:line) by `how`."""

    source: str
    target: str
    where: str
    how: str

    def __str__(self) -> str:
        return f"{self.where}: {self.source} → {self.target} ({self.how})"


@dataclass(frozen=True)
class Names:
    """Who owns what can be named by a string: app labels, URL namespaces, tag libraries and
    management commands, each mapped to its app."""

    labels: dict[str, str]
    namespaces: dict[str, str]
    libraries: dict[str, str]
    commands: dict[str, str]


def _namespace_owner(resolver: URLResolver) -> str | None:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            owner = _namespace_owner(pattern)
        else:
            view = getattr(pattern.callback, "view_class", pattern.callback)
            owner = app_of(view.__module__)
        if owner:
            return owner
    return None


def _namespaces(resolver: URLResolver) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLPattern):
            continue
        if pattern.namespace:
            owner = _namespace_owner(pattern)
            if owner:
                found[pattern.namespace] = owner
        found.update(_namespaces(pattern))
    return found


def project_names() -> Names:
    labels = {
        config.label: app_of(config.name)
        for config in apps.get_app_configs()
        if app_of(config.name)
    }
    libraries = {
        name: app_of(module)
        for name, module in engines["django"].engine.libraries.items()
        if app_of(module)
    }
    commands = {name: app_of(app) for name, app in get_commands().items() if app_of(app)}
    return Names(labels, _namespaces(get_resolver()), libraries, commands)


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def _call_targets(node: ast.Call, names: Names) -> list[tuple[str | None, str]]:
    """(app, how) of what a call names by string."""
    name = _call_name(node)
    first = _string(node.args[0]) if node.args else None
    keywords = {keyword.arg: _string(keyword.value) for keyword in node.keywords}
    found: list[tuple[str | None, str]] = []
    if name in ("import_module", "__import__") and first:
        found.append((app_of(first), f'{name}("{first}")'))
    if name == "get_model" and first:
        found.append((names.labels.get(first.split(".")[0]), f'get_model("{first}")'))
    if name == "get_app_config" and first:
        found.append((names.labels.get(first), f'get_app_config("{first}")'))
    if name in MODEL_FIELDS:
        target = first or keywords.get("to")
        if target and "." in target:
            found.append((names.labels.get(target.split(".")[0]), f'{name}("{target}")'))
    if name == "call_command" and first:
        found.append((names.commands.get(first), f'call_command("{first}")'))
    url_names = [first] if name in URL_CALLS else []
    url_names += [value for key, value in keywords.items() if key in URL_KEYWORDS]
    for url_name in url_names:
        if url_name and ":" in url_name:
            namespace = url_name.split(":")[0]
            found.append((names.namespaces.get(namespace), f'URL name "{url_name}"'))
    return found


def _migration_dependencies(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, app label) of each `dependencies = [("label", "name"), …]` entry."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "dependencies" for target in node.targets
        ):
            for element in getattr(node.value, "elts", []):
                label = _string(element.elts[0]) if isinstance(element, ast.Tuple) else None
                if label:
                    found.append((element.lineno, label))
    return found


def python_edges(app: str, where: str, source: str, names: Names) -> list[Edge]:
    """What one Python file of `app` names of other apps."""
    tree = ast.parse(source)
    edges: list[Edge] = []

    def add(target: str | None, line: int, how: str) -> None:
        if target and target != app:
            edges.append(Edge(app, target, f"{where}:{line}", how))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(app_of(alias.name), node.lineno, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            add(app_of(node.module), node.lineno, f"from {node.module} import …")
        elif isinstance(node, ast.Call):
            for target, how in _call_targets(node, names):
                add(target, node.lineno, how)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = TEMPLATE_NAME.match(node.value)
            if match:
                add(app_of(match["app"]), node.lineno, f'template "{node.value}"')
    if "migrations" in Path(where).parts:
        for line, label in _migration_dependencies(tree):
            add(names.labels.get(label), line, f'migration dependency on "{label}"')
    return edges


def template_edges(app: str, where: str, text: str, names: Names) -> list[Edge]:
    """What one template of `app` names of other apps."""
    edges: list[Edge] = []

    def add(target: str | None, position: int, how: str) -> None:
        if target and target != app:
            line = text.count("\n", 0, position) + 1
            edges.append(Edge(app, target, f"{where}:{line}", how))

    for match in LOAD_TAG.finditer(text):
        words = match[1].split()
        libraries = words[words.index("from") + 1 :] if "from" in words else words
        for library in libraries:
            add(names.libraries.get(library), match.start(), f"{{% load {library} %}}")
    for match in TEMPLATE_TAG.finditer(text):
        add(app_of(match["name"].split("/")[0]), match.start(), f'template "{match["name"]}"')
    for match in URL_TAG.finditer(text):
        namespace = match["name"].split(":")[0] if ":" in match["name"] else None
        add(names.namespaces.get(namespace), match.start(), f'{{% url "{match["name"]}" %}}')
    return edges


def _app_files(app: str) -> tuple[list[Path], list[Path]]:
    """The app's Python files and its templates (inside the app: the project's templates/ holds
    none of an app's: tests/test_conventions.py)."""
    folder = BASE_DIR / app
    python = [path for path in folder.rglob("*.py") if "__pycache__" not in path.parts]
    templates = [
        path
        for root in folder.rglob("templates")
        if root.is_dir()
        for path in root.rglob("*")
        if path.is_file() and path.suffix in (".html", ".txt", ".xml")
    ]
    return sorted(python), sorted(set(templates))


def all_edges() -> list[Edge]:
    names = project_names()
    edges: list[Edge] = []
    for app in LAYERS:
        python, templates = _app_files(app)
        for path in python:
            where = str(path.relative_to(BASE_DIR))
            edges += python_edges(app, where, path.read_text(encoding="utf-8"), names)
        for path in templates:
            where = str(path.relative_to(BASE_DIR))
            edges += template_edges(app, where, path.read_text(encoding="utf-8"), names)
    return edges


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return all_edges()


def test_every_app_of_the_project_has_a_layer():
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(BASE_DIR)
        and "site-packages" not in Path(config.path).parts  # a virtualenv inside the project
    }
    assert ours, "no app found under the project folder"
    assert ours <= set(LAYERS), f"apps without a layer in config/layers.py: {ours - set(LAYERS)}"


def test_no_app_depends_on_a_higher_layer(edges):
    upward = [edge for edge in edges if not may_depend(edge.source, edge.target)]
    assert not upward, "an app names an app of a higher layer:\n" + "\n".join(map(str, upward))


def test_apps_do_not_depend_on_each_other_in_a_circle(edges):
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)

    def path_back(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            app, path = stack.pop()
            for target in graph.get(app, ()):
                if target == start:
                    return [*path, start]
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
        return None

    circles = {
        " → ".join(path)
        for app in sorted(graph)
        if (path := path_back(app)) and app == min(path)  # each circle once, from its first app
    }
    assert not circles, "apps depend on each other in a circle: " + "; ".join(sorted(circles))


def test_the_scan_sees_every_way_of_naming_an_app():
    """The checks above can fail: each way of naming a higher app is reported."""
    names = project_names()
    source = """
import workflows.models
from search.selectors import visible
from django.apps import apps

def later():
    from onestop import services
    import importlib
    importlib.import_module("signing.services")
    apps.get_model("workflows", "WorkItem")
    models.ForeignKey("onestop.Dossier", on_delete=None)
    reverse("workflows:task", args=[1])
    redirect("portal:lookup")
    call_command("seed_processes")
    render(request, "signing/sign.html")

class Migration:
    dependencies = [("edoc", "0001_initial"), ("workflows", "0001_initial")]
"""
    found = python_edges("edoc", "edoc/migrations/sample.py", source, names)
    lines = sorted(int(edge.where.rsplit(":", 1)[1]) for edge in found)
    assert lines == [2, 3, 7, 9, 10, 11, 12, 13, 14, 15, 18], [str(edge) for edge in found]
    assert {edge.target for edge in found} == {"workflows", "search", "onestop", "signing"}
    template = (
        "{% load i18n workflows_ui %}{% load thing from search_ui %}\n"
        '{% include "signing/verify_panel.html" %}{% extends "edoc/base.html" %}\n'
        "{% url 'designer:list' %}{% url 'edoc:pending' %}"
    )
    found = template_edges("edoc", "edoc/templates/edoc/sample.html", template, names)
    assert [(edge.target, edge.where[-1]) for edge in found] == [
        ("workflows", "1"),
        ("search", "1"),
        ("signing", "2"),
        ("workflows", "3"),
    ]
    assert not [edge for edge in found if may_depend(edge.source, edge.target)]
