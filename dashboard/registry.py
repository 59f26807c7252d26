"""The dashboard's panels. The three built in are registered by `dashboard.panels`; another
panel (the health records' one) is added by calling `register_panel` from the dashboard's own
code once its selectors exist, with a function computing its context and its template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any  # a lazy translation
    template_name: str
    context: Callable[..., dict | None]  # (user, filters) → context, None: not for this user
    xlsx: Callable[[dict], list[tuple[str, list[str], list[list[Any]]]]]  # context → tables
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    """Add (or replace) a panel of the dashboard."""
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))


def panel_get(key: str) -> Panel | None:
    return _panels.get(key)
