"""Smoke test of a running eDoc over HTTP, for operators after an install or upgrade and for CI
(tests/deploy/test_smoke.py).

    EDOC_SMOKE_PASSWORD=… python deploy/smoke.py https://edoc.soyte.example.gov.vn --username vanthu

Steps, each printed as "OK <step> (<seconds>)" or "FAILED <step>: <why>" (exit status 1):
liveness (/healthz), readiness (/readyz: every service's check "ok"; the login page on an
installation without /readyz), log in (POST /api/auth/token/), with --expect-document find a
document that was there before (e.g. one from the restored backup) by search and download its
file (SHA-256 equal to --expect-sha256), register an incoming document with a one-page PDF
(POST /api/documents/incoming/; its subject carries a unique word), find it by that word
(GET /api/search/, waits for the Celery worker to index it), download its file and compare the
SHA-256, with --s3-bucket find the same bytes in the bucket (boto3 with the AWS_* variables of
the environment, as eDoc's own), and when EDOC_METRICS_TOKEN is set read /metrics with it and
check eDoc's metric families are there and no gauge failed to read. The document stays
registered (a clerk can see it: subject "Kiểm tra vận hành <word>"); run it against a test
registry book or note the number it prints.
Against a server without the TLS proxy (gunicorn on 127.0.0.1), --forwarded-proto https and
--host make the requests look as the proxy's do.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import io
import os
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

import requests

TIMEOUT = 60
# Metric families every installation exposes (README "Operations endpoints").
METRIC_FAMILIES = (
    "edoc_http_request_duration_seconds",
    "edoc_outbox_pending",
    "edoc_search_index_queue_length",
    "edoc_workflow_tasks_overdue",
    "edoc_failed_jobs_waiting",
    "edoc_signing_failures",
)


class SmokeFailure(Exception):
    """A step did not give the expected answer."""


def one_page_pdf(text: str) -> bytes:
    """A small PDF whose text layer holds `text` (reportlab, an eDoc dependency)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("Helvetica", 14)
    pdf.drawString(72, 760, "SO Y TE - KIEM TRA VAN HANH")
    pdf.drawString(72, 730, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class Smoke:
    def __init__(self, base_url: str, *, host: str = "", forwarded_proto: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if host:
            self.session.headers["Host"] = host
        if forwarded_proto:
            self.session.headers["X-Forwarded-Proto"] = forwarded_proto

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(
            method, self.base_url + path, timeout=TIMEOUT, allow_redirects=False, **kwargs
        )

    def expect(
        self, response: requests.Response, status: int, *, json: bool = True
    ) -> dict[str, Any]:
        if response.status_code != status:
            raise SmokeFailure(
                f"{response.request.method} {response.url} answered {response.status_code} "
                f"(expected {status}): {response.text[:500]}"
            )
        return response.json() if json and response.content else {}

    def liveness(self) -> str:
        response = self.request("GET", "/healthz")
        if response.status_code == 404:
            return "no /healthz here"
        if self.expect(response, 200).get("status") != "ok":
            raise SmokeFailure(f"/healthz answered {response.text[:300]}")
        return "/healthz: ok"

    def readiness(self) -> str:
        response = self.request("GET", "/readyz")
        if response.status_code == 404:
            response = self.request("GET", "/accounts/login/")
            self.expect(response, 200, json=False)
            return "no /readyz here; the login page answers"
        try:
            checks = response.json().get("checks", {})
        except ValueError:
            checks = {}
        failing = [
            f"{name} {check.get('status')} {check.get('error', '')}".rstrip()
            for name, check in checks.items()
            if check.get("status") != "ok"
        ]
        if response.status_code != 200 or failing or not checks:
            raise SmokeFailure(
                f"/readyz answered {response.status_code}: "
                + (", ".join(failing) or response.text[:300])
            )
        return "/readyz: " + ", ".join(
            f"{name} ok {check.get('latency_ms')} ms" for name, check in checks.items()
        )

    def metrics(self, token: str, families: list[str]) -> str:
        """/metrics read with the scraper's token: every family in `families` is there and no
        scrape-time gauge failed to read (its service was down)."""
        from prometheus_client.parser import text_string_to_metric_families

        response = self.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            raise SmokeFailure(f"/metrics answered {response.status_code}: {response.text[:300]}")
        found = {family.name: family for family in text_string_to_metric_families(response.text)}
        missing = [name for name in families if name not in found]
        if missing:
            raise SmokeFailure(f"/metrics lacks {', '.join(missing)}")
        errors = found.get("edoc_metrics_gauge_errors")
        failed = [s.labels.get("gauge") for s in (errors.samples if errors else []) if s.value]
        if failed:
            raise SmokeFailure(f"/metrics could not read the gauges {', '.join(map(str, failed))}")
        gauges = [
            f"{sample.name} {sample.value:g}"
            for name in families
            for sample in found[name].samples
            if found[name].type == "gauge" and not sample.labels
        ]
        return f"{len(found)} families; " + ", ".join(gauges)

    def login(self, username: str, password: str) -> str:
        answer = self.expect(
            self.request(
                "POST", "/api/auth/token/", json={"username": username, "password": password}
            ),
            200,
        )
        self.session.headers["Authorization"] = f"Token {answer['token']}"
        return f"as {username}"

    def register(self, word: str, pdf: bytes) -> dict[str, Any]:
        response = self.request(
            "POST",
            "/api/documents/incoming/",
            data={
                "subject": f"Kiểm tra vận hành {word}",
                "issuer": "Kiểm tra vận hành",
                "number": str(secrets.randbelow(9000) + 1000),
                "notation": "KTVH",
                "confirm_duplicate": "true",
            },
            files={"file": (f"{word}.pdf", pdf, "application/pdf")},
        )
        return self.expect(response, 201)

    def search(self, word: str, document_id: int, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while True:
            answer = self.expect(self.request("GET", "/api/search/", params={"q": word}), 200)
            if any(row.get("id") == document_id for row in answer["results"]):
                return f"backend {answer['backend']}"
            if time.monotonic() > deadline:
                raise SmokeFailure(f"document {document_id} not found by {word!r}: {answer}")
            time.sleep(0.5)

    def find_document(self, query: str, sha256: str, seconds: float) -> dict[str, Any]:
        """A document found by `query` (with a file of that SHA-256 when given) and its
        details; waits up to `seconds` for the index."""
        deadline = time.monotonic() + seconds
        while True:
            answer = self.expect(self.request("GET", "/api/search/", params={"q": query}), 200)
            for row in answer["results"]:
                document = self.expect(self.request("GET", f"/api/documents/{row['id']}/"), 200)
                if not sha256 or any(f["sha256"] == sha256 for f in document["files"]):
                    return document
            if time.monotonic() > deadline:
                raise SmokeFailure(f"no document found by {query!r} with SHA-256 {sha256!r}")
            time.sleep(0.5)

    def download(self, file: dict[str, Any], sha256: str) -> str:
        """Download `file` and compare its SHA-256 with `sha256` and the one eDoc recorded."""
        response = self.request("GET", file["download_url"].replace(self._origin(file), ""))
        if response.status_code != 200:
            raise SmokeFailure(f"download answered {response.status_code}: {response.text[:300]}")
        digest = hashlib.sha256(response.content).hexdigest()
        if digest != sha256 or digest != file["sha256"]:
            raise SmokeFailure(f"downloaded SHA-256 {digest} differs from the expected {sha256}")
        return f"{len(response.content)} bytes, SHA-256 {digest[:12]}…"

    def _origin(self, file: dict[str, Any]) -> str:
        url = file["download_url"]
        return url[: url.index("/api/")] if url.startswith("http") else ""


def find_in_bucket(bucket: str, pdf: bytes) -> str:
    """The key of the object in `bucket` holding exactly `pdf` (AWS_* settings as eDoc's)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_S3_REGION_NAME") or None,
    )
    wanted = hashlib.sha256(pdf).hexdigest()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if item["Size"] != len(pdf):
                continue
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if hashlib.sha256(body).hexdigest() == wanted:
                return item["Key"]
    raise SmokeFailure(f"no object in bucket {bucket!r} holds the uploaded file")


def step(name: str, action: Callable[[], Any]) -> Any:
    started = time.monotonic()
    try:
        result = action()
    except (SmokeFailure, requests.RequestException) as error:
        print(f"FAILED {name}: {error}", flush=True)
        raise SystemExit(1) from error
    detail = result if isinstance(result, str) else ""
    print(f"OK {name} ({time.monotonic() - started:.2f} s) {detail}".rstrip(), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. https://edoc.soyte.example.gov.vn")
    parser.add_argument("--username", required=True, help="a clerk who registers incoming mail")
    parser.add_argument(
        "--password-env",
        default="EDOC_SMOKE_PASSWORD",
        help="environment variable holding the password (asked for when unset)",
    )
    parser.add_argument("--host", default="", help="Host header (when base_url is an address)")
    parser.add_argument("--forwarded-proto", default="", help="X-Forwarded-Proto header")
    parser.add_argument("--s3-bucket", default="", help="check the file is stored in this bucket")
    parser.add_argument(
        "--search-seconds", type=float, default=60.0, help="how long to wait for the index"
    )
    parser.add_argument(
        "--expect-document",
        default="",
        metavar="QUERY",
        help="words that find a document already there (e.g. restored from a backup)",
    )
    parser.add_argument(
        "--expect-sha256", default="", help="the SHA-256 of that document's file, as backed up"
    )
    parser.add_argument(
        "--metrics-token-env",
        default="EDOC_METRICS_TOKEN",
        help="environment variable holding the /metrics token (the step is skipped when unset)",
    )
    parser.add_argument(
        "--expect-metric",
        action="append",
        default=[],
        metavar="FAMILY",
        help="a metric family /metrics must have besides eDoc's own (repeatable)",
    )
    args = parser.parse_args(argv)
    password = os.environ.get(args.password_env) or getpass.getpass(f"{args.username}'s password: ")

    smoke = Smoke(args.base_url, host=args.host, forwarded_proto=args.forwarded_proto)
    word = f"kiemtra{secrets.token_hex(5)}"
    pdf = one_page_pdf(f"Ma kiem tra {word}")
    step("liveness", smoke.liveness)
    step("readiness", smoke.readiness)
    step("login", lambda: smoke.login(args.username, password))
    if args.expect_document:
        query = args.expect_document
        found = step(
            "existing document",
            lambda: smoke.find_document(query, args.expect_sha256, args.search_seconds),
        )
        print(f"   document {found['id']}: {found.get('registration_number', '')}", flush=True)
        files = [f for f in found["files"] if f["sha256"] == args.expect_sha256] or found["files"]
        sha256 = args.expect_sha256 or files[0]["sha256"]
        step("existing download", lambda: smoke.download(files[0], sha256))
    document = step("register", lambda: smoke.register(word, pdf))
    print(f"   document {document['id']}: {document.get('registration_number', '')}", flush=True)
    step("search", lambda: smoke.search(word, document["id"], args.search_seconds))
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    step("download", lambda: smoke.download(document["files"][0], pdf_sha256))
    if args.s3_bucket:
        step("stored in S3", lambda: "key " + find_in_bucket(args.s3_bucket, pdf))
    token = os.environ.get(args.metrics_token_env, "")
    if token:
        families = [*METRIC_FAMILIES, *args.expect_metric]
        step("metrics", lambda: smoke.metrics(token, families))
    print("smoke test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
