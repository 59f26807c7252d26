"""One convention each (issue 10): an app's templates live in the app, the environment is read
through config/env.py only, and pyproject.toml packages every app with its data files."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

from config.env import literal
from config.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(app for app in LAYERS if (ROOT / app / "__init__.py").exists())


def _python_files(*folders: str) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def test_app_templates_live_in_their_app():
    """The project's templates/ is the site's own (base.html, error pages, registration/,
    overrides of third-party templates); an app's templates are in <app>/templates/<app>/."""
    misplaced = sorted(path.name for path in (ROOT / "templates").iterdir() if path.name in LAYERS)
    assert not misplaced, f"app templates outside their app, under templates/: {misplaced}"


def _reads_the_environment(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, what) of each way a module reads the process environment itself. Setting the
    settings module for Django's own start-up (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
    …)` in config/wsgi.py and config/celery.py) is not reading configuration."""
    found = []
    startup = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "DJANGO_SETTINGS_MODULE"
        ):
            startup.add(id(node.func.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            reads = node.value.id == "os" and node.attr in ("environ", "getenv", "environb")
            if reads and id(node) not in startup:
                found.append((node.lineno, f"os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "environ"):
            names = {alias.name for alias in node.names}
            if node.module == "environ" or names & {"environ", "getenv", "environb"}:
                found.append((node.lineno, f"from {node.module} import {', '.join(sorted(names))}"))
        elif isinstance(node, ast.Import) and any(a.name == "environ" for a in node.names):
            found.append((node.lineno, "import environ"))
    return found


def test_only_config_env_reads_the_environment():
    """Settings and deployment values come through config/env.py (django-environ); no app
    module reads os.environ itself."""
    readers = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _python_files("config", *APPS)
        if path != ROOT / "config" / "env.py"
        for line, what in _reads_the_environment(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not readers, "reads the environment outside config/env.py:\n" + "\n".join(readers)


def test_the_environment_scan_sees_each_way_of_reading_it():
    source = (
        'import os\nimport environ\nfrom os import getenv\nos.environ.get("A")\nos.getenv("B")\n'
        'os.environ["C"]\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n'
    )
    lines = [line for line, _what in _reads_the_environment(ast.parse(source))]
    assert sorted(lines) == [2, 3, 4, 5, 6], lines


def test_a_secret_starting_with_a_dollar_is_read_as_written(monkeypatch, settings):
    """django-environ's `env.str("X")` reads "$Y" as the value of Y; a PIN or token is
    taken literally (as signing/conf.py read os.environ before config/env.py)."""
    from signing.conf import pkcs11_settings, remote_settings

    monkeypatch.setenv("EDOC_PKCS11_PIN", "$ecret-1")
    monkeypatch.setenv("EDOC_REMOTE_SIGNER_TOKEN", "$HOME")
    for name in ("EDOC_PKCS11_PIN", "EDOC_REMOTE_SIGNER_TOKEN"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert literal("EDOC_PKCS11_PIN") == "$ecret-1"
    assert pkcs11_settings().pin == "$ecret-1"
    assert remote_settings().token == "$HOME"
    assert literal("EDOC_NOT_SET_ANYWHERE", "fallback") == "fallback"


def _packaging() -> tuple[list[str], dict[str, list[str]]]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    packages = find_namespace_packages(
        where=str(ROOT), include=setuptools["packages"]["find"]["include"]
    )
    return packages, setuptools["package-data"]


def test_every_app_is_packaged():
    packages, _data = _packaging()
    missing = sorted({"config", *APPS} - set(packages))
    assert not missing, f"pyproject.toml [tool.setuptools.packages.find] leaves out {missing}"


def test_every_data_file_of_an_app_is_packaged():
    """A non-editable install ships each app's templates, static files, catalogs and fonts:
    every file under an app that is not Python is matched by a package-data glob of a package
    it is in (globs are relative to that package's folder, as setuptools reads them)."""
    packages, data = _packaging()
    shipped: set[Path] = set()
    for package in packages:
        folder = ROOT / package.replace(".", "/")
        for pattern in [*data.get("*", []), *data.get(package, [])]:
            shipped.update(path for path in folder.glob(pattern) if path.is_file())
    files = {
        path
        for app in ("config", *APPS)
        for path in (ROOT / app).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert files, "no data files found under the apps"
    left_out = sorted(str(path.relative_to(ROOT)) for path in files - shipped)
    assert not left_out, "not in pyproject.toml [tool.setuptools.package-data]:\n" + "\n".join(
        left_out
    )
