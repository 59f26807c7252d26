"""Locust users of bench/load_clerks.py (not run on its own): clerks registering incoming
documents with a scanned PDF through the API, and readers listing their tasks and searching.

The API tokens come from the JSON file named by EDOC_LOAD_TOKENS ({"clerks": [...],
"readers": [...]}), minted by the bench with identity's token service; each simulated user
takes the next one."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import sys
import threading
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_memory import one_page_pdf  # noqa: E402

TOKENS = json.loads(Path(os.environ["EDOC_LOAD_TOKENS"]).read_text(encoding="utf-8"))
_next = {"clerks": itertools.count(), "readers": itertools.count()}
_lock = threading.Lock()
WORDS = ("kế hoạch", "tiêm chủng", "báo cáo", "bệnh viện", "dược", "ngân sách", "phòng chống")


def _token(kind: str) -> str:
    with _lock:
        return TOKENS[kind][next(_next[kind]) % len(TOKENS[kind])]


def scanned_pdf(serial: str) -> bytes:
    return one_page_pdf(
        ["UBND TINH DONG NAI", f"So: {serial}/UBND-VX", f"V/v trien khai ke hoach y te {serial}"]
    )


class Clerk(HttpUser):
    """Registers one incoming document after another (1–2 s apart, as at a busy desk)."""

    fixed_count = int(os.environ.get("EDOC_LOAD_CLERKS", "50"))
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {_token('clerks')}"

    @task
    def register(self) -> None:
        serial = f"{random.randrange(10**9)}"
        self.client.post(
            "/api/documents/incoming/",
            data={
                "subject": f"Triển khai kế hoạch y tế số {serial}",
                "number": serial[:8],
                "notation": "UBND-VX",
                "issuer": "UBND tỉnh Đồng Nai",
                "issue_date": datetime.date.today().isoformat(),
            },
            files={"file": (f"cv-{serial}.pdf", scanned_pdf(serial), "application/pdf")},
            name="POST /api/documents/incoming/",
        )


class Reader(HttpUser):
    """Reads their task list and searches, every 2–5 s."""

    fixed_count = int(os.environ.get("EDOC_LOAD_READERS", "200"))
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {_token('readers')}"

    @task(2)
    def inbox(self) -> None:
        self.client.get("/api/tasks/", name="GET /api/tasks/")

    @task(1)
    def search(self) -> None:
        self.client.get(
            "/api/search/", params={"q": random.choice(WORDS)}, name="GET /api/search/?q=…"
        )
