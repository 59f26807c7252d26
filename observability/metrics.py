"""Prometheus metrics (prometheus-client): request latency by view, Celery task outcomes, and
the gauges the apps register (observability.registry), computed when Prometheus scrapes.

Several processes (gunicorn workers, Celery workers) share their counters and histograms
through files in PROMETHEUS_MULTIPROC_DIR when it is set (prometheus-client's multiprocess
mode; the directory must be emptied before the processes start, and gunicorn's config calls
`child_exit` below). Without it each process keeps its own, which suits one process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from observability.registry import gauges

logger = logging.getLogger(__name__)
PREFIX = "edoc_"
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_LATENCY = Histogram(
    "edoc_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (URL name), method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASKS = Counter(
    "edoc_celery_tasks",
    "Celery task runs by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
SCRAPE_ERRORS = Counter(
    "edoc_metrics_gauge_errors",
    "Scrape-time gauges that could not be read (their service was down).",
    ["gauge"],
)


def view_label(request: HttpRequest) -> str:
    """The URL name of the view that answered ("namespace:name"), or the view's dotted path for
    unnamed URLs, or "unresolved" (404s: never the raw path, which has unbounded values)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Times each request; first in the middleware list so that it sees the whole answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(
            view=view_label(request),
            method=request.method if request.method in KNOWN_METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def task_outcome(task_name: str, outcome: str) -> None:
    """Count one task run's outcome."""
    TASKS.labels(task=task_name, outcome=outcome).inc()


class RegisteredGauges(Collector):
    """The registry's metrics, read at scrape time (in the scraped process, from the database:
    the same numbers whichever process answers)."""

    def collect(self) -> Iterator[Metric]:
        for gauge in gauges():
            try:
                value = gauge.read()
            except Exception:  # a service down must not take the other metrics with it
                logger.warning("metrics: gauge %s could not be read", gauge.name, exc_info=True)
                SCRAPE_ERRORS.labels(gauge=gauge.name).inc()
                continue
            family_class = CounterMetricFamily if gauge.kind == "counter" else GaugeMetricFamily
            family = family_class(PREFIX + gauge.name, gauge.documentation, labels=gauge.labels)
            if gauge.labels:
                for label_values, number in value.items():
                    family.add_metric(list(label_values), float(number))
            else:
                family.add_metric([], float(value))
            yield family


def scrape_registry() -> CollectorRegistry:
    """The registry /metrics writes: every process's metrics in multiprocess mode, this
    process's otherwise, plus the registered gauges."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(RegisteredGauges())
    return registry


class _ProcessMetrics(Collector):
    """The default registry's metrics (this process's counters, histograms, process and
    Python information) inside a fresh registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics_response() -> HttpResponse:
    """The Prometheus text exposition of `scrape_registry()`."""
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's `child_exit` hook in multiprocess mode: a stopped worker's live gauges go."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        multiprocess.mark_process_dead(worker.pid)
