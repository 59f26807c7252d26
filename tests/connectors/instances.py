"""Two eDoc instances exchanging documents, for tests and bench/connectors.py.

Each instance is a real deployment in miniature: its own PostgreSQL database (created and
migrated fresh), its own MEDIA_ROOT, its own `manage.py runserver --noreload` process on a free
127.0.0.1 port, its own Celery worker (`celery -A config worker`) on its own Redis database
(not eager), and instead of beat a `manage.py connectors_deliver --loop N` process (the sweep
beat runs every minute, every N seconds: default 2).
Each is seeded through product commands (`seed_demo --organisation-only`, `seed_signing`,
`exchange_partner add`) and used through its REST API, its pages and its management commands.
With signing, both trust the same test PKI, served (TSA, OCSP, CRLs) by a `tools/testpki/
serve.py` process on a free port, so a signature made on A is verified, revocation included,
on B.

A is the Sở Y tế Đồng Nai (000.00.23.H19), B the UBND tỉnh Đồng Nai (000.00.00.H19); each has
the other as exchange partner. The databases are named after DATABASE_URL's (`<name>_a`,
`<name>_b`, and `<name>_tpl`, migrated once and copied); the Redis databases are
EDOC_TWO_INSTANCE_REDIS_DBS (default "10,11").
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests

BASE_DIR = Path(__file__).resolve().parents[2]
SYT, UBND = "000.00.23.H19", "000.00.00.H19"
PASSWORD = "demo12345"  # noqa: S105 (seed_demo's published demo password)
# What the instances inherit from no test settings: only these of the test run's environment.
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], seconds: float, step: float = 0.2) -> bool:
    """Poll `condition` until it is true or `seconds` passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def missing_services() -> str | None:
    """Why two instances cannot run here (None: they can)."""
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        return "PostgreSQL (DATABASE_URL=postgres://…)"
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        return "Redis (REDIS_URL=redis://…)"
    return None


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def database_name(suffix: str) -> str:
    return urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_" + suffix


def redis_url(db: int) -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{db}"))


def _admin_sql(*statements: str) -> None:
    """Statements outside a transaction on the server's `postgres` database."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@dataclass
class Instance:
    """One eDoc deployment: database, storage, server and worker processes."""

    key: str
    code: str
    agency_name: str
    short_name: str
    redis_db: int
    home: Path
    settings: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    sweep_seconds: int = 2
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    sweeper: subprocess.Popen | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> str:
        return database_name(self.key)

    def environment(self) -> dict[str, str]:
        passed = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
        return {
            **passed,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url(self.database),
            "REDIS_URL": redis_url(self.redis_db),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(self.home / "media"),
            "STATIC_ROOT": str(self.home / "static"),
            "EMAIL_FILE_PATH": str(self.home / "mail"),
            "EDOC_AGENCY_CODE": self.code,
            "EDOC_PUBLIC_BASE_URL": self.url,
            "SEARCH_BACKEND": "database",
            # The seeded signers (seed_signing) fall under the second-factor policy; these
            # instances test document exchange, not sign-in: the policy is off, as in the suite.
            "EDOC_2FA_POLICY": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }

    # --- Commands.

    def manage(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        """`manage.py ARGS` in this instance: its standard output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.environment(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{self.key}: manage.py {' '.join(args)}: {done.stderr[-3000:]}")
        return done.stdout

    def python(self, code: str) -> object:
        """Run `code` in this instance's Django (manage.py shell); the JSON it prints last."""
        out = self.manage("shell", "--no-imports", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(database_url(self.database)) as connection:
            return connection.execute(sql, params).fetchall()

    # --- Processes.

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.home / f"{name}.log", "ab")  # noqa: SIM115 (the process keeps it)
        return subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_server(self) -> None:
        self.server = self._spawn(
            "server",
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--insecure",  # static files without collectstatic (DEBUG is off)
                f"127.0.0.1:{self.port}",
            ],
        )

        def answers() -> bool:
            try:
                return requests.get(self.url + "/accounts/login/", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(answers, 60), f"{self.key}: the server did not start ({self.log('server')})"

    def start_worker(self) -> None:
        self.worker = self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--hostname",
                f"{self.key}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
        )
        assert wait_for(lambda: " ready." in self.log("worker"), 60), (
            f"{self.key}: the worker did not start ({self.log('worker')[-2000:]})"
        )

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_sweeper(self) -> None:
        self.sweeper = self._spawn(
            "sweeper",
            [sys.executable, "manage.py", "connectors_deliver", "--loop", str(self.sweep_seconds)],
        )

    def start(self) -> None:
        if self.server is None:
            self.start_server()
        if self.worker is None:
            self.start_worker()
        if self.sweeper is None:
            self.start_sweeper()

    @property
    def running(self) -> bool:
        return self.server is not None

    def stop(self, *, kill: bool = False, only: tuple[str, ...] = ()) -> None:
        """Stop the server, the worker and the sweep (or `only` those named): SIGTERM (a
        worker finishes its task), or SIGKILL (`kill`: a crash, mid-request or mid-task)."""
        for name in only or ("server", "worker", "sweeper"):
            process = getattr(self, name)
            if process is None:
                continue
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            setattr(self, name, None)

    def restart(self) -> None:
        self.stop()
        self.start()

    # --- The REST API.

    def token(self, username: str) -> str:
        if username not in self._tokens:
            answer = requests.post(
                self.url + "/api/auth/token/",
                json={"username": username, "password": PASSWORD},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            self._tokens[username] = answer.json()["token"]
        return self._tokens[username]

    def api(self, username: str, method: str, path: str, **kwargs) -> dict:
        answer = requests.request(
            method,
            self.url + "/api/" + path.lstrip("/"),
            headers={"Authorization": f"Token {self.token(username)}"},
            timeout=60,
            **kwargs,
        )
        assert answer.status_code in (200, 201), f"{method} {path}: {answer.text[:2000]}"
        return answer.json()

    def draft(
        self,
        subject: str,
        pdf: bytes,
        *,
        to: str,
        drafter: str = "chuyenvien",
        signer: str = "giamdoc",
    ) -> int:
        """An outgoing plan to the organisation with code `to`, drafted and submitted through
        the REST API (ready to issue where no approval process governs it): its id."""
        catalogs = self.api(drafter, "GET", "catalogs/")
        plan = next(t for t in catalogs["document_types"] if t["abbreviation"] == "KH")
        organisation = next(o for o in catalogs["external_organizations"] if o["code"] == to)
        signer_id = next(u for u in catalogs["users"] if u["username"] == signer)["id"]
        draft = self.api(
            drafter,
            "POST",
            "documents/outgoing/",
            data={
                "subject": subject,
                "document_type": plan["id"],
                "signer": signer_id,
                "recipient_organizations": [organisation["id"]],
            },
            files={"file": ("du-thao.pdf", io.BytesIO(pdf), "application/pdf")},
        )
        self.api(drafter, "POST", f"documents/{draft['id']}/submit/", json={})
        return draft["id"]

    def issue_draft(self, document_id: int, clerk: str = "vanthu") -> dict:
        """The clerk numbers and issues a ready document (REST API): its details."""
        return self.api(clerk, "POST", f"documents/{document_id}/issue/", json={})

    def issue(self, subject: str, pdf: bytes, *, to: str) -> dict:
        """Draft, submit and issue an outgoing plan to `to` (REST API): its details."""
        return self.issue_draft(self.draft(subject, pdf, to=to))


@dataclass
class Pair:
    """Instances A (Sở Y tế) and B (UBND), each the other's exchange partner; with signing,
    the test PKI's TSA/OCSP/CRL server (tools/testpki/serve.py) both check signatures against."""

    a: Instance
    b: Instance
    pki_dir: Path | None = None
    pki: subprocess.Popen | None = None

    def __iter__(self):
        return iter((self.a, self.b))

    def key_file(self, username: str) -> Path:
        """A demo signer's PKCS#12 file (passphrase "edoc-test"), written by seed_signing."""
        return self.pki_dir / "demo" / f"{username}.p12"

    def stop(self) -> None:
        for instance in self:
            instance.stop()
        if self.pki is not None:
            self.pki.terminate()
            self.pki.wait(timeout=20)
            self.pki = None

    def idle(self, seconds: float = 60) -> bool:
        """Wait until neither outbox has a message waiting to be delivered (True), or time is
        up (False)."""

        def settled() -> bool:
            return not any(
                instance.query(
                    "select count(*) from connectors_outboxmessage where state = 'pending'"
                )[0][0]
                for instance in self
            )

        return wait_for(settled, seconds, step=0.3)


def pair_create(home: Path, *, signing: bool = True, **settings: str) -> Pair:
    """Create, migrate and seed both instances (not started: `start()` each); `signing`: the
    test PKI's signers registered and its root trusted on both (`seed_signing`)."""
    tags = [int(db) for db in os.environ.get("EDOC_TWO_INSTANCE_REDIS_DBS", "10,11").split(",")]
    a = Instance("a", SYT, "Sở Y tế Đồng Nai", "SYT", tags[0], home / "a", dict(settings))
    b = Instance(
        "b", UBND, "Ủy ban nhân dân tỉnh Đồng Nai", "UBND", tags[1], home / "b", dict(settings)
    )
    template = database_name("tpl")
    _admin_sql(
        f'drop database if exists "{template}" with (force)', f'create database "{template}"'
    )
    Instance("tpl", SYT, "", "", tags[0], home / "tpl").manage("migrate", "--no-input")
    for instance in (a, b):
        shutil.rmtree(instance.home, ignore_errors=True)
        (instance.home / "media").mkdir(parents=True)
        redis.Redis.from_url(redis_url(instance.redis_db)).flushdb()
        _admin_sql(
            f'drop database if exists "{instance.database}" with (force)',
            f'create database "{instance.database}" template "{template}"',
        )
    _admin_sql(f'drop database if exists "{template}" with (force)')
    pair = Pair(a, b)
    if signing:
        pair.pki_dir, pki_port = home / "testpki", free_port()
        log = home / "testpki.log"
        with open(log, "wb") as output:
            pair.pki = subprocess.Popen(
                [sys.executable, "tools/testpki/serve.py", "--port", str(pki_port)]
                + ["--dir", str(pair.pki_dir)],
                cwd=BASE_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        assert wait_for(lambda: "stops." in log.read_text(errors="replace"), 120), log.read_text(
            errors="replace"
        )[-2000:]
    pki = threading.Lock()  # seed_signing writes the PKI's files once at a time

    def seed(ours: Instance, theirs: Instance) -> None:
        ours.manage(
            "seed_demo",
            "--organisation-only",
            "--agency-name",
            ours.agency_name,
            "--agency-short-name",
            ours.short_name,
        )
        if signing:
            with pki:  # the test PKI's signers registered, its root trusted
                ours.manage(
                    "seed_signing",
                    "--dir",
                    str(pair.pki_dir),
                    "--base-url",
                    f"http://127.0.0.1:{pki_port}",
                )
        ours.manage(
            "exchange_partner",
            "add",
            theirs.code,
            "--name",
            theirs.agency_name,
            "--url",
            theirs.url,
            "--our-key-id",
            f"{ours.key}-key",
            "--partner-key-id",
            f"{theirs.key}-key",
            "--allow-ip",
            "127.0.0.1",
            stdin=f"secret-of-{ours.key}\nsecret-of-{theirs.key}\n",
        )

    try:
        with ThreadPoolExecutor(2) as pool:
            for done in [pool.submit(seed, a, b), pool.submit(seed, b, a)]:
                done.result()
    except BaseException:
        pair.stop()
        raise
    return pair


def pair_drop(pair: Pair) -> None:
    pair.stop()
    for instance in pair:
        _admin_sql(f'drop database if exists "{instance.database}" with (force)')
        redis.Redis.from_url(redis_url(instance.redis_db)).flushdb()
