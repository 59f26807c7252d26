"""With PROMETHEUS_MULTIPROC_DIR (several gunicorn and Celery workers), /metrics adds up every
process's counters, not only those of the process that answers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, sys
    import django
    django.setup()
    from prometheus_client.parser import text_string_to_metric_families
    from observability.metrics import scrape_registry, task_outcome
    from prometheus_client import generate_latest

    def work(n):
        for _ in range(n):
            task_outcome("demo.task", "succeeded")

    children = [multiprocessing.get_context("fork").Process(target=work, args=(n,)) for n in (2, 3)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    text = generate_latest(scrape_registry()).decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "edoc_celery_tasks_total" and sample.labels["task"] == "demo.task":
                print(int(sample.value))
    """
)


def test_metrics_of_all_processes_are_added_up(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # only the counters are checked (a gauge that fails is skipped)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["5"]  # 2 + 3 from two worker processes, none from the parent
    assert list(tmp_path.glob("counter_*.db"))
