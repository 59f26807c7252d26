"""The health records panel: the plan's first table (records managed, updated with vaccinations,
updated with medical visits) by district at the end of the range, its change over the range, the
share of the population (administrators enter the population per unit and year: "Dân số theo
đơn vị hành chính"), and the clean-up progress (the plan's second table). Read through the
health app's access selector: only users with a health role see it, over their area."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.filters import Filters
from dashboard.registry import Panel, register_panel
from dashboard.selectors import change
from edoc.models import User
from health import access, reports, selectors

Table = tuple[str, list[str], list[list[Any]]]


def _share(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def health_context(user: User, filters: Filters) -> dict[str, Any] | None:
    """None for users without a health role (the panel then says whose it is)."""
    if not access.has_health_role(user):
        return None
    on = filters.range.date_to
    before = filters.range.date_from - datetime.timedelta(days=1)
    table = reports.district_table(user, on)
    previous = reports.district_table(user, before)
    population = reports.populations({row.key for row in table.rows if row.key}, on.year)
    rows = [
        {
            "label": row.label,
            "managed": row.managed,
            "vaccinated": row.vaccinated,
            "visited": row.visited,
            "population": population.get(row.key),
            "share": _share(row.managed, population.get(row.key)),
        }
        for row in table.rows
    ]
    counted = sum(population.get(row.key, 0) for row in table.rows if row.key in population)
    managed_counted = sum(row.managed for row in table.rows if row.key in population)
    cleanup_rows, cleanup_total = selectors.cleanup_report(user, "district")
    total, last = table.total, previous.total
    return {
        "on": on,
        "rows": rows,
        "total": total,
        "population": counted or None,
        "share": _share(managed_counted, counted),
        "changes": {
            "managed": change(total.managed, last.managed),
            "vaccinated": change(total.vaccinated, last.vaccinated),
            "visited": change(total.visited, last.visited),
        },
        "cleanup": cleanup_rows,
        "cleanup_total": cleanup_total,
        "link": reverse("health:reports") + "?" + urlencode({"on": on, "grouping": "district"}),
        "cleanup_link": reverse("health:cleanup"),
        "chart": {
            "labels": [row.label for row in table.rows],
            "series": [
                {"label": str(title), "data": [getattr(row, column) for row in table.rows]}
                for column, title in reports.COLUMNS
            ],
        },
    }


def health_tables(data: dict[str, Any]) -> list[Table]:
    header = [_("District"), *[str(title) for _column, title in reports.COLUMNS]]
    rows = [
        [row["label"], row["managed"], row["vaccinated"], row["visited"], row["population"],
         float(row["share"]) if row["share"] is not None else None]
        for row in data["rows"]
    ]  # fmt: skip
    total = data["total"]
    rows.append([_("Total"), total.managed, total.vaccinated, total.visited, data["population"],
                 float(data["share"]) if data["share"] is not None else None])  # fmt: skip
    cleanup = [
        [row.place or _("Undetermined"), row.checked, row.fixed, row.merged, row.doubtful]
        for row in [*data["cleanup"], data["cleanup_total"]]
    ]
    return [
        (_("Health records"), [*header, _("Population"), _("Share of the population (%)")], rows),
        (
            _("Data clean-up"),
            [_("District"), _("Checked"), _("Fixed"), _("Merged"), _("Still doubtful")],
            cleanup,
        ),
    ]


register_panel(
    Panel(
        "health",
        gettext_lazy("Health records"),
        "dashboard/panel_health.html",
        health_context,
        health_tables,
        order=40,
    )
)
