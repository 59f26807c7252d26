"""gunicorn settings of eDoc's web server (systemd unit, container image, CI smoke test).

Each value can be overridden by gunicorn's own GUNICORN_CMD_ARGS or on the command line.
"""

import multiprocessing
import os

bind = os.environ.get("EDOC_BIND", "127.0.0.1:8000")
# 2 × cores + 1 is gunicorn's advice; EDOC_WEB_WORKERS caps it on a shared host.
workers = int(os.environ.get("EDOC_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# Uploads of up to EDOC_MAX_UPLOAD_MB, text extraction and signing run inside the request.
timeout = int(os.environ.get("EDOC_WEB_TIMEOUT", 120))
graceful_timeout = 30
# The reverse proxy (nginx) on the same host sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# A worker restarted after many requests keeps a long-running server's memory flat.
max_requests = 2000
max_requests_jitter = 200
# Idle keep-alive connections are kept this long (seconds); bench/load_clerks.py saw readers'
# connections reset with gunicorn's default of 2 s. Behind nginx this only concerns nginx's pool.
keepalive = int(os.environ.get("EDOC_WEB_KEEPALIVE", 10))


def child_exit(server, worker) -> None:
    """A stopped worker's live Prometheus gauges go (PROMETHEUS_MULTIPROC_DIR, observability)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
