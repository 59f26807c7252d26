"""The layers of eDoc's apps: an app depends only on apps of lower layers.

    1  edoc (documents, organisation, audit, stored files, text, API/view helpers, middleware:
       the shared core), identity, observability (health and readiness checks, metrics, request
       ids in logs, failed background jobs; depends on edoc)
    2  signing
    3  workflows
    4  search, onestop
    5  connectors, payments, health
    6  dashboard

"Depends" means any way one app names another: a Python import (at module level or inside a
function, `importlib.import_module("…")`), a model reference (`apps.get_model`, a foreign key
"app.Model"), a URL name (`reverse("ns:…")`, `{% url 'ns:…' %}`), a management command
(`call_command`), a template (`{% load %}` of its tag library, `{% include %}`/`{% extends %}`
of its templates, a template name in code) and a migration's dependencies. Apps of one layer
may depend on each other only one way (the app graph has no cycle).

When a lower app must tell an upper one something, it sends a signal or offers a registry the
upper app fills in its `AppConfig.ready()`: `edoc.hooks` (deadline wording, document page
panels, demo data), `edoc.signals`, `signing.steps` (whose signing step it is),
`workflows.subjects`/`workflows.actions` (what a process works on and what its steps do),
`onestop.payments` (who collects a dossier's fee), `observability.registry` (readiness checks
and scrape-time gauges of the apps above).

Templates outside an app's folder (`templates/base.html`, the error pages, `registration/`,
`django/`, `admin/`, `drf_spectacular/`) are the site's own, like `config/urls.py`: they sit
above every app. `tests/test_layers.py` checks every app against this table; a new app gets
its line here before its first module.
"""

from __future__ import annotations

LAYERS: dict[str, int] = {
    "edoc": 1,
    "identity": 1,
    "observability": 1,
    "signing": 2,
    "workflows": 3,
    "search": 4,
    "onestop": 4,
    "connectors": 5,
    "payments": 5,
    "health": 5,
    "dashboard": 6,
}


def app_of(name: str) -> str | None:
    """The app a dotted module path (or a template path "app/…") belongs to, None outside them."""
    top = name.replace("/", ".").split(".", 1)[0]
    return top if top in LAYERS else None


def may_depend(app: str, on: str) -> bool:
    """Whether `app` may name `on` at all (the same app, or a lower or equal layer)."""
    return app == on or LAYERS[on] <= LAYERS[app]
