"""Where the apps above edoc plug into it; edoc names none of them (config/layers.py).

Each app registers here from its `AppConfig.ready()`:

- the wording of a deadline's working days left ("còn 3 ngày làm việc"): the working-day
  calendar belongs to `workflows`; without it, pages show the date alone;
- panels of the document page: a template rendered with the page's context at a place of the
  page (`DOCUMENT_PANEL_SLOTS`), e.g. the document's processes, its signatures;
- demo data: the commands `seed_demo` runs after the registry's own demo data, in `order`.

Domain events go the other way through `edoc.signals`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DaysLeftText = Callable[[datetime.date], str]

_days_left_text: DaysLeftText | None = None


def register_days_left_text(function: DaysLeftText) -> None:
    """Called once at start-up by the app that owns the working-day calendar."""
    global _days_left_text
    _days_left_text = function


def days_left_text(deadline: datetime.date | None) -> str:
    """ "còn 3 ngày làm việc" for a date deadline ("" without one or without a calendar)."""
    if deadline is None or _days_left_text is None:
        return ""
    return _days_left_text(deadline)


# --- Panels of the document page.

# Under the document's details; inside the "Files and versions" card, under the list; after it.
DOCUMENT_PANEL_SLOTS = ("after_details", "files", "after_files")


@dataclass(frozen=True)
class DocumentPanel:
    slot: str
    template_name: str
    order: int


_document_panels: dict[str, DocumentPanel] = {}


def register_document_panel(slot: str, template_name: str, *, order: int = 100) -> None:
    """Show `template_name` on every document page at `slot`, panels of a slot by `order`.
    The template gets the page's context (`document`, `files`, `request` …) and decides itself
    whether it has anything to show."""
    if slot not in DOCUMENT_PANEL_SLOTS:
        raise ValueError(f"unknown document page slot {slot!r}; one of {DOCUMENT_PANEL_SLOTS}")
    _document_panels[template_name] = DocumentPanel(slot, template_name, order)


def document_panels(slot: str) -> list[str]:
    """Template names of the panels registered at `slot`, in order."""
    panels = [panel for panel in _document_panels.values() if panel.slot == slot]
    return [panel.template_name for panel in sorted(panels, key=lambda panel: panel.order)]


# --- Demo data.


@dataclass(frozen=True)
class DemoCommand:
    """A management command `seed_demo` runs after the registry's own demo data."""

    name: str
    args: tuple[str, ...]
    options: dict[str, Any]
    order: int


_demo_commands: dict[str, DemoCommand] = {}


def register_demo_command(name: str, *args: str, order: int, **options: Any) -> None:
    """`seed_demo` runs `name` with these arguments (an app's demo data, idempotent like
    `seed_demo` itself) once the registry's demo data is in place; lower `order` first."""
    _demo_commands[name] = DemoCommand(name, args, options, order)


def demo_commands() -> list[DemoCommand]:
    """The registered demo commands, in the order they run."""
    return sorted(_demo_commands.values(), key=lambda command: command.order)


# --- REST API tokens.

ApiTokenIssuer = Callable[[Any], str]

_api_token_issuer: ApiTokenIssuer | None = None


def register_api_token_issuer(issuer: ApiTokenIssuer) -> None:
    """Called once at start-up by the app that keeps the API tokens (identity): `issuer(user)`
    creates a token and returns its key."""
    global _api_token_issuer
    _api_token_issuer = issuer


def api_token_issue(user: Any) -> str:
    """A new API token's key for `user` (/api/auth/token/)."""
    if _api_token_issuer is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("No app registered an API token issuer (identity).")
    return _api_token_issuer(user)
