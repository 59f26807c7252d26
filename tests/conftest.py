"""Shared fixtures: a small agency with a unit tree, one user per role, catalogs and PDFs.

Service-backed tests: with REQUIRE_SERVICES=1 (CI) a test marked `postgres`/`redis`/`opensearch`/
`tesseract` fails instead of skipping when its service is not configured.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

from edoc.models import (
    Agency,
    Confidentiality,
    DocumentType,
    ExternalOrganization,
    Unit,
    Urgency,
    User,
)
from edoc.models.organisation import Role, UnitKind
from tests.deploy.production_env import production_environment

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_runtest_setup(item):
    """Skip a service-backed test without its service, or fail it when REQUIRE_SERVICES=1."""
    missing = []
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL=postgres://…)")
    if "redis" in item.keywords and not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL=redis://…)")
    if "browser" in item.keywords and not os.path.exists(CHROMIUM):
        missing.append(f"Chromium at {CHROMIUM}")
    if "opensearch" in item.keywords and not os.environ.get("OPENSEARCH_URL"):
        missing.append('OpenSearch (OPENSEARCH_URL=http://…; eval "$(make -s services)")')
    if "tesseract" in item.keywords:
        from edoc.pdftext import tesseract_available

        if not tesseract_available():
            missing.append("Tesseract with Vietnamese data (apt-get install tesseract-ocr-vie)")
    if missing:
        message = "needs " + ", ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {message}", pytrace=False)
        pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Jobs a test queued after its responses (edoc.background: OCR in eager mode) finish
    before its database and files are torn down."""
    from edoc.background import wait_until_idle

    assert wait_until_idle(timeout=600), "background jobs still running after 10 minutes"


def make_pdf(
    lines: list[str] | None = None, *, pages: int = 1, encrypt_with: str | None = None
) -> bytes:
    """A small real PDF with a Vietnamese text layer (reportlab + the bundled serif font)."""
    from reportlab.pdfgen import canvas

    from edoc.fonts import register_fonts

    font = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt_with, invariant=True)
    lines = lines or ["SỞ Y TẾ", "Số: 12/KH-SYT", "KẾ HOẠCH", "Về việc thử nghiệm"]
    for page in range(pages):
        pdf.setFont(font, 12)
        y = 800
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.drawString(60, 40, f"Trang {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def spool(tmp_path, monkeypatch):
    """Every upload is treated as large (kept in a temporary file, as one above
    IN_MEMORY_BYTES is), and temporary files go to a folder of the test's own: the test can
    check that none is left behind."""
    from edoc.services import files

    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(files, "IN_MEMORY_BYTES", 1024)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """A STATIC_ROOT filled by `manage.py collectstatic --noinput` in the production profile,
    once per run (minutes of compression): tests/test_settings.py and tests/deploy/ share it."""
    static_root = tmp_path_factory.mktemp("static-root")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR,
        env=production_environment(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return static_root


@pytest.fixture
def pdf_bytes() -> Callable[..., bytes]:
    return make_pdf


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(
        name="Sở Y tế Đồng Nai",
        short_name="SYT",
        code="000.00.23.H19",
        parent_name="UBND TỈNH ĐỒNG NAI",
        place_name="Đồng Nai",
    )


@pytest.fixture
def units(agency) -> dict[str, Unit]:
    board = Unit.objects.create(
        agency=agency, name="Ban Giám đốc Sở", short_name="BGĐ", kind=UnitKind.BOARD
    )
    office = Unit.objects.create(
        agency=agency, name="Văn phòng Sở", short_name="VP", kind=UnitKind.OFFICE
    )
    medical = Unit.objects.create(
        agency=agency, name="Phòng Nghiệp vụ Y", short_name="NVY", kind=UnitKind.OFFICE
    )
    pharmacy = Unit.objects.create(
        agency=agency, name="Phòng Nghiệp vụ Dược", short_name="NVD", kind=UnitKind.OFFICE
    )
    centre = Unit.objects.create(
        agency=agency,
        name="Trung tâm Y tế thành phố Biên Hòa",
        short_name="TTYTBH",
        kind=UnitKind.HEALTH_CENTRE,
    )
    station = Unit.objects.create(
        agency=agency,
        parent=centre,
        name="Trạm Y tế phường Tân Phong",
        short_name="TYTTP",
        kind=UnitKind.COMMUNE_STATION,
    )
    return {
        "board": board,
        "office": office,
        "medical": medical,
        "pharmacy": pharmacy,
        "centre": centre,
        "station": station,
    }


def _user(username: str, unit: Unit, role: str, position: str, first: str, last: str) -> User:
    user = User.objects.create_user(
        username=username,
        password="pw-" + username,
        unit=unit,
        role=role,
        position=position,
        first_name=first,
        last_name=last,
    )
    return user


@pytest.fixture
def users(units) -> dict[str, User]:
    return {
        "clerk": _user("vanthu", units["office"], Role.CLERK, "Văn thư", "Lan", "Nguyễn Thị"),
        "director": _user("giamdoc", units["board"], Role.DIRECTOR, "Giám đốc", "Hùng", "Trần Văn"),
        "deputy": _user(
            "phogiamdoc", units["board"], Role.DEPUTY_DIRECTOR, "Phó Giám đốc", "Minh", "Lê Quang"
        ),
        "head": _user(
            "truongphong", units["medical"], Role.UNIT_HEAD, "Trưởng phòng", "Hoa", "Phạm Thị"
        ),
        "specialist": _user(
            "chuyenvien", units["medical"], Role.SPECIALIST, "Chuyên viên", "Nam", "Võ Thành"
        ),
        "other_specialist": _user(
            "chuyenvien_duoc", units["pharmacy"], Role.SPECIALIST, "Chuyên viên", "Tú", "Đỗ Anh"
        ),
        "other_head": _user(
            "truongphong_duoc", units["pharmacy"], Role.UNIT_HEAD, "Trưởng phòng", "Bình", "Hồ Văn"
        ),
        "centre_clerk": _user(
            "vanthu_ttyt", units["centre"], Role.CLERK, "Văn thư", "Mai", "Trương Thị"
        ),
        "centre_head": _user(
            "giamdoc_ttyt", units["centre"], Role.UNIT_HEAD, "Giám đốc Trung tâm", "Sơn", "Lý Văn"
        ),
    }


@pytest.fixture
def catalogs(db) -> dict:
    """The legal catalogs seeded by migration 0002, plus one external issuer."""
    return {
        "types": {t.abbreviation or "CV": t for t in DocumentType.objects.all()},
        "normal": Urgency.objects.get(code="normal"),
        "urgent": Urgency.objects.get(code="urgent"),
        "public": Confidentiality.objects.get(code="normal"),
        "secret": Confidentiality.objects.get(code="confidential"),
        "ubnd": ExternalOrganization.objects.create(
            name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", code="000.00.00.H19"
        ),
    }


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path_factory):
    """Each test stores files in a fresh folder: blobs are content-addressed, so a test that
    tampers with a stored file must not corrupt the same bytes stored by a later test."""
    if not settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        yield
        return
    media = str(tmp_path_factory.mktemp("media"))
    storages = {name: dict(conf) for name, conf in settings.STORAGES.items()}
    storages["default"]["OPTIONS"] = {**storages["default"].get("OPTIONS", {}), "location": media}
    settings.MEDIA_ROOT = media
    settings.STORAGES = storages
    yield
    shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(autouse=True)
def _audit_guard_around_transactional_tests(request):
    """Transactional tests (live server, concurrency) flush tables afterwards: lift the
    append-only guard for that flush and put it back for the next test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    from edoc.db_guards import install_audit_guard, remove_audit_guard
    from edoc.legal_catalogs import ensure_legal_catalogs

    request.getfixturevalue("transactional_db")
    install_audit_guard(connection)
    ensure_legal_catalogs()  # a previous transactional test's flush removed migration data
    yield
    remove_audit_guard(connection)


# --- Headless Debian Chromium driven by Playwright against Django's live server (shared by every
# folder: Playwright's sync API allows one instance per session).

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; the ORM calls made
    # by fixtures and assertions in that thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# Every securitypolicyviolation event of a page (or of its frames) is written to the console,
# where watch_csp() collects it with Chromium's own "Refused to …" messages.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + JSON.stringify({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample, page: document.location.href
  }));
}, true);
"""


def watch_csp(context) -> list[str]:
    """Collect the Content-Security-Policy violations of every page of a browser context."""
    violations: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if text.startswith("CSP violation: ") or "Content Security Policy" in text:
            violations.append(text)

    context.add_init_script(CSP_LISTENER)
    context.on("page", lambda page: page.on("console", on_console))
    return violations


def assert_no_csp_violations(violations: list[str]) -> None:
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, live_server):
    """A desktop page in Vietnamese; the test fails if any page it opened broke the
    Content-Security-Policy (issue 9 #20)."""
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1400, "height": 1000}
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert_no_csp_violations(violations)


@pytest.fixture
def screenshots():
    """Where a failing browser test leaves its screenshots."""
    path = os.environ.get("EDOC_SCREENSHOTS", tempfile.gettempdir())
    os.makedirs(path, exist_ok=True)
    return path
