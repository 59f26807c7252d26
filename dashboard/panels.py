"""The built-in panels of the dashboard: what each shows, its chart data and its XLSX tables."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard import selectors
from dashboard.filters import Filters
from dashboard.registry import Panel, register_panel
from edoc.models import User
from onestop.reports import COLUMNS

Table = tuple[str, list[str], list[list[Any]]]


def _number(value: Any) -> Any:
    """Decimals as floats for charts and workbooks."""
    return float(value) if value is not None and not isinstance(value, int) else value


# --- Documents


def documents_context(user: User, filters: Filters) -> dict[str, Any]:
    data = selectors.documents_panel(user, filters)
    data["chart"] = {
        "units": {
            "labels": [row.label for row in data["by_unit"]],
            "series": [
                {"label": _("Handled on time"), "data": [row.on_time for row in data["by_unit"]]},
                {"label": _("Handled late"), "data": [row.late for row in data["by_unit"]]},
                {"label": _("Overdue now"), "data": [row.overdue for row in data["by_unit"]]},
                {"label": _("Open, not overdue"), "data": [row.open for row in data["by_unit"]]},
            ],
        },
        "per_day": {
            "labels": [f"{day:%d/%m}" for day, _count in data["per_day"]],
            "series": [
                {
                    "label": _("Incoming documents received"),
                    "data": [count for _day, count in data["per_day"]],
                }
            ],
        },
        "states": {
            "labels": [str(item["label"]) for item in data["by_state"]],
            "data": [item["count"] for item in data["by_state"]],
        },
    }
    return data


def documents_tables(data: dict[str, Any]) -> list[Table]:
    current = data["current"]
    headline = [
        [_("Documents received"), current["received"]],
        [_("Electronic share of documents exchanged (%)"), _number(current["electronic_share"])],
        [_("Exchanged electronically"), current["exchanged_electronic"]],
        [_("Exchanged in all"), current["exchanged"]],
        [_("Handled on time"), current["on_time"]],
        [_("Handled late"), current["late"]],
        [_("Overdue now"), current["overdue"]],
        [_("Median handling time (days)"), _number(current["median_days"])],
        [_("Issued documents"), current["issued"]],
        [_("Digitally signed share of issued documents (%)"), _number(current["signed_share"])],
    ]
    handling_header = [
        _("Handled on time"),
        _("Handled late"),
        _("Overdue now"),
        _("Open, not overdue"),
    ]

    def handling(rows: list) -> list[list[Any]]:
        return [[row.label, row.on_time, row.late, row.overdue, row.open] for row in rows]

    partner_keys = (
        "sent",
        "delivered",
        "waiting",
        "failed",
        "delivery_days",
        "received",
        "unanswered",
        "answer_days",
    )
    return [
        (_("Documents"), [_("Indicator"), _("Value")], headline),
        (
            _("By state"),
            [_("State"), _("Documents")],
            [[str(item["label"]), item["count"]] for item in data["by_state"]],
        ),
        (_("By unit"), [_("Handling unit"), *handling_header], handling(data["by_unit"])),
        (_("By leader"), [_("Assigned by"), *handling_header], handling(data["by_leader"])),
        (
            _("Partner agencies"),
            [
                _("Partner agency"),
                _("Documents sent"),
                _("Delivered to the partner"),
                _("Waiting"),
                _("Failed"),
                _("Average delivery delay (days)"),
                _("Received from the partner"),
                _("Not answered yet"),
                _("Average answer delay (days)"),
            ],
            [
                [row["partner"], *[_number(row[key]) for key in partner_keys]]
                for row in data["partners"]
            ],
        ),
    ]


# --- Public services


def services_context(user: User, filters: Filters) -> dict[str, Any] | None:
    data = selectors.services_panel(user, filters)
    if data is None:
        return None
    levels = data["groups"]["level"]
    data["chart"] = {
        "levels": {
            "labels": [row["label"] for row in levels],
            "series": [
                {"label": _("Received online"), "data": [row["received_online"] for row in levels]},
                {
                    "label": _("Received at the counter"),
                    "data": [row["received_counter"] for row in levels],
                },
            ],
        },
        "outcomes": {
            "labels": [
                _("Resolved on time"),
                _("Resolved late"),
                _("In progress"),
                _("Overdue now"),
            ],
            "data": [data["current"][key] for key in ("on_time", "late", "in_progress", "overdue")],
        },
    }
    return data


def services_tables(data: dict[str, Any]) -> list[Table]:
    header = [title for _key, title in COLUMNS]

    def rows(group: str) -> list[list[Any]]:
        return [[row["label"], *[row[key] for key, _t in COLUMNS]] for row in data["groups"][group]]

    return [
        (_("Procedure"), [_("Procedure"), *header], rows("procedure")),
        (_("Field"), [_("Field"), *header], rows("field")),
        (_("Online level"), [_("Online level"), *header], rows("level")),
        (
            _("Apology letters"),
            [_("State"), _("Letters")],
            [[str(item["label"]), item["count"]] for item in data["apologies"]],
        ),
    ]


# --- Payments


def payments_context(user: User, filters: Filters) -> dict[str, Any] | None:
    data = selectors.payments_panel(user, filters)
    if data is None:
        return None
    providers = data["report"].providers
    data["chart"] = {
        "methods": {
            "labels": [str(row.label) for row in providers],
            "data": [row.amount for row in providers],
        }
    }
    return data


def payments_tables(data: dict[str, Any]) -> list[Table]:
    header = [
        _("Number paid"),
        _("Amount paid"),
        _("Cashless amount"),
        _("Provider fees"),
        _("Refunded"),
        _("Net"),
    ]

    def rows(items: list) -> list[list[Any]]:
        return [
            [
                str(row.label),
                row.count,
                row.amount,
                row.cashless_amount,
                row.fee,
                row.refunded,
                row.net,
            ]
            for row in items
        ]

    report = data["report"]
    return [
        (_("By method"), [_("Method"), *header], rows([*report.providers, report.total])),
        (_("By procedure"), [_("Procedure"), *header], rows(report.procedures)),
    ]


register_panel(
    Panel(
        "documents",
        gettext_lazy("Documents"),
        "dashboard/panel_documents.html",
        documents_context,
        documents_tables,
        order=10,
    )
)
register_panel(
    Panel(
        "services",
        gettext_lazy("Public services"),
        "dashboard/panel_services.html",
        services_context,
        services_tables,
        order=20,
    )
)
register_panel(
    Panel(
        "payments",
        gettext_lazy("Payments"),
        "dashboard/panel_payments.html",
        payments_context,
        payments_tables,
        order=30,
    )
)
