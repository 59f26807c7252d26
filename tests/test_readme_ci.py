"""Issue 9 #25: the README's test instructions are what CI runs, line for line; one command
starts every service the suite needs; the Debian packages live in one list that the install
script reads and the README names."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CI_RUN = (ROOT / ".ci" / "run").read_text()


def _commands(text: str) -> list[str]:
    """Shell lines without comments and blank lines, whitespace collapsed."""
    lines = (re.sub(r"(^|\s)#.*$", "", line) for line in text.splitlines())
    return [" ".join(line.split()) for line in lines if line.strip()]


def _readme_section() -> str:
    start = README.index("### Tests with every service")
    return README[start : README.index("\n### ", start + 1)]


def _packages() -> list[str]:
    return _commands((ROOT / ".ci" / "packages.txt").read_text())


def test_readme_test_commands_are_what_ci_runs():
    block = re.search(r"```sh\n(.*?)```", _readme_section(), re.S)
    assert block, "the README's test section has no sh block"
    marked = re.search(
        r"# README test commands: begin\n(.*?)# README test commands: end", CI_RUN, re.S
    )
    assert marked, ".ci/run has no README-marked command block"
    assert _commands(block.group(1)) == _commands(marked.group(1))
    # Outside the marked block .ci/run only sets the shell up: nothing is installed or started
    # that the README does not say.
    outside = _commands(CI_RUN.replace(marked.group(0), ""))
    assert outside == ["set -euo pipefail", 'cd "$(dirname "$0")/.."'], outside


def test_the_debian_packages_are_one_list_that_deps_installs_and_the_readme_names():
    packages = _packages()
    for needed in ("postgresql", "redis-server", "chromium", "softhsm2", "opensc"):
        assert needed in packages
    for needed in ("tesseract-ocr-vie", "openjdk-17-jdk-headless", "maven"):
        assert needed in packages
    deps = (ROOT / ".ci" / "deps.sh").read_text()
    assert ".ci/packages.txt" in deps
    for script in (deps, CI_RUN, (ROOT / ".ci" / "services.sh").read_text()):
        installs = [line for line in _commands(script) if line.startswith("apt-get install")]
        assert all("PACKAGES" in line for line in installs), installs  # never a second list
    section = _readme_section()
    missing = [name for name in packages if not re.search(rf"\b{re.escape(name)}\b", section)]
    assert not missing, f"the README's test section does not name {missing}"
    for fact in ("54329", "63799", "9201", "CHROMIUM_PATH", "root", "PyPI", "Maven Central"):
        assert fact in section, fact


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.opensearch
def test_make_services_starts_every_service_and_prints_the_exports():
    """`make -s services` (idempotent: the services the suite runs on are already up) prints an
    export for each service, and each answers at its address."""
    environment = {k: v for k, v in os.environ.items() if k != "CI"}  # CI=true would wipe indices
    result = subprocess.run(
        ["make", "-s", "services"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    exports = dict(re.findall(r"^export (\w+)=(\S+)$", result.stdout, re.M))
    assert set(exports) == {"DATABASE_URL", "REDIS_URL", "OPENSEARCH_URL", "SEARCH_BACKEND"}
    assert (
        exports["DATABASE_URL"].startswith("postgres://") and ":54329/" in exports["DATABASE_URL"]
    )
    assert exports["REDIS_URL"].startswith("redis://") and ":63799/" in exports["REDIS_URL"]
    assert exports["OPENSEARCH_URL"].endswith(":9201")

    import psycopg
    import redis

    with psycopg.connect(exports["DATABASE_URL"], connect_timeout=10) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
    assert redis.Redis.from_url(exports["REDIS_URL"]).ping()
    with urlopen(exports["OPENSEARCH_URL"] + "/_cluster/health", timeout=10) as response:  # noqa: S310
        assert response.status == 200
