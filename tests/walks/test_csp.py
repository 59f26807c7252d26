"""Issue 9 #20 in Chromium: no page breaks the Content-Security-Policy.

On the demo data (seed_demo), each demo role logs in and walks the site the way a user would:
the main menu's links, then the links of every page it reaches, one page per URL shape
(`/documents/12/` and `/documents/40/` are one shape), plus a list of pages no menu links to;
the administrator also walks /admin/; a citizen walks the public pages and the portal. Every
HTML page must carry the policy, and the test fails on any violation a page reports (the
`page` fixture collects securitypolicyviolation events and Chromium's console messages). The
walk is generic: pages added later are visited as soon as a menu or a page links to them.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo12345"  # noqa: S105 (the documented demo password)
STAFF = {
    "vanthu": "clerk",
    "giamdoc": "director",
    "truongphong": "unit head",
    "chuyenvien": "specialist",
    "chuyenvien_vp": "one-stop officer",
    "admin": "administrator",
}
# Pages that no menu links to (or only a form leads to).
STAFF_PAGES = ["/search/?q=y+t%E1%BA%BF", "/api/docs/", "/khong-co-trang-nay/"]
PUBLIC_PAGES = [
    "/accounts/login/",
    "/verify/",
    "/portal/",
    "/portal/tra-cuu/",
    "/portal/khong-co-trang-nay/",
    "/api/docs/",
]
# Links that are not pages to look at: leaving, switching language, destructive admin screens.
SKIP = re.compile(r"/logout/|/i18n/|/admin/.*(/delete/|/history/|/r/\d|/password/)|/admin/jsi18n/")
PAGES_PER_ROLE = 40
ADMIN_PAGES = 90


def url_shape(path: str) -> str:
    """One shape for all pages that differ only by ids: `/documents/#/files/#/`."""
    return re.sub(r"\d+", "#", path)


def walk(page, start: list[str], shapes: set[str], *, limit: int, admin: bool = False) -> list:
    """Visit the pages of `start`, then the same-site links found on each page whose shape no
    earlier page (of any role) had; return the HTML pages visited. Fails on a page without
    the policy."""
    origin = urlsplit(page.url).netloc
    always = {urlsplit(url).path for url in start}
    queue, seen, visited = deque(start), set(), []
    while queue and len(visited) < limit:
        parts = urlsplit(queue.popleft())
        shape = url_shape(parts.path)
        if (
            (parts.netloc and parts.netloc != origin)
            or shape in seen
            or (shape in shapes and parts.path not in always)
            or SKIP.search(parts.path)
            or parts.path.startswith("/admin/") != admin
        ):
            continue
        seen.add(shape)
        shapes.add(shape)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a file download instead of a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, (path, policy)
        # Staff pages load parts with htmx after the page; admin pages have none.
        page.wait_for_load_state("load" if admin else "networkidle")
        visited.append(path)
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.href)"
        )
        queue.extend(link.split("#")[0] for link in links if link.startswith("http"))
    return visited


def _menu(page) -> list[str]:
    return page.eval_on_selector_all(
        "#sidebar a[href], #topbar a[href]", "links => links.map(link => link.href)"
    )


def test_no_page_breaks_the_content_security_policy(page, live_server):
    call_command("seed_demo", "--count", "20", stdout=open("/dev/null", "w"))  # noqa: SIM115
    shapes: set[str] = set()
    visited = {}
    for username, role in STAFF.items():
        login(page, username, DEMO_PASSWORD)
        assert "/accounts/login/" not in page.url, f"the {role} could not log in"
        visited[role] = walk(page, [*_menu(page), *STAFF_PAGES], shapes, limit=PAGES_PER_ROLE)
        assert len(visited[role]) >= 8, (role, visited[role])
    visited["admin pages"] = walk(page, ["/admin/"], shapes, limit=ADMIN_PAGES, admin=True)
    page.context.clear_cookies()
    visited["citizen"] = walk(page, PUBLIC_PAGES, shapes, limit=30)

    assert {"/verify/", "/portal/", "/api/docs/"} <= set(visited["citizen"])
    assert len(visited["admin pages"]) >= 20
    walked = " ".join(path for pages in visited.values() for path in pages)
    for shape in (r"/documents/\d+/", r"/workflows/tasks/\d+/", r"/onestop/dossiers/\d+/"):
        assert re.search(shape, walked), f"no page like {shape} was reached"
    # The `page` fixture then fails the test on any violation these pages reported.
