"""Where apps above onestop plug into its pages; onestop names none of them (config/layers.py).

Panels of a dossier's staff page: an upper app registers a template from its
`AppConfig.ready()`; the page renders it, with the page's context (`dossier`, `request` …),
in the main column under the dossier's details. The template decides itself whether it has
anything to show (e.g. the public-service portal's sync state, in `connectors`).

Panels of the citizen portal's tracking page work the same way
(`register_portal_dossier_panel`), e.g. the payments app's "Thanh toán".
"""

from __future__ import annotations

_dossier_panels: dict[str, int] = {}


def register_dossier_panel(template_name: str, *, order: int = 100) -> None:
    """Show `template_name` on every dossier's staff page, panels by `order`."""
    _dossier_panels[template_name] = order


def dossier_panels() -> list[str]:
    """Template names of the registered panels, in order."""
    return sorted(_dossier_panels, key=lambda name: (_dossier_panels[name], name))


# Panels of the citizen portal's tracking page (the session's dossier): rendered with the
# page's context (`dossier`, `request` …) under the dossier's status, e.g. paying its fee.
_portal_dossier_panels: dict[str, int] = {}


def register_portal_dossier_panel(template_name: str, *, order: int = 100) -> None:
    """Show `template_name` on the citizen's tracking page, panels by `order`."""
    _portal_dossier_panels[template_name] = order


def portal_dossier_panels() -> list[str]:
    """Template names of the registered portal panels, in order."""
    return sorted(_portal_dossier_panels, key=lambda name: (_portal_dossier_panels[name], name))
