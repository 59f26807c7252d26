"""What the apps above contribute to the operations endpoints, registered in their
`AppConfig.ready()`: readiness checks (`/readyz`) and gauges computed at scrape time (`/metrics`).

A readiness check is a callable that returns normally when its service answers and raises when
it does not; a gauge is a callable returning a number, or a mapping of label values to numbers
when it has labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

ReadinessCheck = Callable[[], None]
GaugeValue = float | int | Mapping[tuple[str, ...], float | int]


@dataclass(frozen=True)
class Gauge:
    """One metric family read from the database (or elsewhere) when Prometheus scrapes."""

    name: str
    documentation: str
    read: Callable[[], GaugeValue]
    labels: tuple[str, ...] = ()
    kind: str = "gauge"  # "counter" for totals that only grow (kept elsewhere, e.g. the audit log)


_checks: dict[str, ReadinessCheck] = {}
_gauges: dict[str, Gauge] = {}


def register_readiness_check(name: str, check: ReadinessCheck) -> None:
    """Add (or replace) the readiness check called `name` (a key of /readyz's "checks")."""
    _checks[name] = check


def readiness_checks() -> dict[str, ReadinessCheck]:
    """The registered checks by name, in registration order."""
    return dict(_checks)


def register_gauge(
    name: str,
    documentation: str,
    read: Callable[[], GaugeValue],
    *,
    labels: tuple[str, ...] = (),
    kind: str = "gauge",
) -> None:
    """Add (or replace) a metric computed at scrape time; `name` without the "edoc_" prefix."""
    if kind not in {"gauge", "counter"}:
        raise ValueError(f"unknown metric kind {kind!r}")
    _gauges[name] = Gauge(name, documentation, read, labels, kind)


def gauges() -> list[Gauge]:
    """The registered scrape-time metrics."""
    return list(_gauges.values())
