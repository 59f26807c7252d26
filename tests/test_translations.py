"""Everything a user sees is Vietnamese: our catalogs are complete, every marked string of our
code and templates is in them, and the admin (third-party sections included) speaks Vietnamese.

"Untranslated" is measured the way a user meets it: a text that reads the same in Vietnamese
and in English.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path, label_for_field
from django.test import RequestFactory
from django.utils import translation
from django.utils.encoding import force_str

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = (
    "config",
    "edoc",
    "workflows",
    "signing",
    "search",
    "onestop",
    "connectors",
    "payments",
    "health",
    "dashboard",
    "observability",
)
SKIPPED_DIRS = {".venv", "var", "tests", "node_modules", ".git", "__pycache__", "bench", "tools"}
# xgettext only extracts these names (Django's makemessages keywords and Python's defaults).
GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Texts that read the same in both languages on purpose.
SAME_IN_BOTH = {"ID", "Email", "URL", "JSON", "PDF", "SHA-256", "OCSP", "CRL", "BPMN"}
VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


@pytest.fixture(autouse=True)
def _language_as_before():
    """Requests activate their language on the test thread; leave it as it was."""
    before = translation.get_language()
    yield
    translation.activate(before)


def catalogs(root: Path = ROOT) -> list[Path]:
    """Every Vietnamese catalog of the project (not of the virtualenv)."""
    found = []
    for folder in ("locale", "locale_thirdparty", *OUR_APPS):
        for path in (root / folder).rglob("vi/LC_MESSAGES/django.po"):
            if not SKIPPED_DIRS & set(path.relative_to(root).parts):
                found.append(path)
    return sorted(found)


def untranslated(path: Path) -> list[str]:
    po = polib.pofile(str(path))
    problems = [f"fuzzy: {e.msgid!r}" for e in po if "fuzzy" in e.flags and not e.obsolete]
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        if not all(s.strip() for s in strings):
            problems.append(f"empty: {entry.msgid!r}")
    return problems


def test_the_project_has_its_catalogs():
    names = {str(p.relative_to(ROOT)) for p in catalogs()}
    assert "locale/vi/LC_MESSAGES/django.po" in names
    assert "locale_thirdparty/vi/LC_MESSAGES/django.po" in names
    assert len(names) >= 5


@pytest.mark.parametrize("path", catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalog_entry_has_a_vietnamese_translation(path):
    assert untranslated(path) == []


@pytest.mark.parametrize("path", catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalog_matches_its_source(path):
    """A .po edited without `compilemessages` would not reach users."""
    source = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if e.translated()}
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(path.with_suffix(".mo")))}
    stale = [key for key in source if key not in compiled]
    assert stale == [], "run: manage.py compilemessages --ignore=.venv"
    changed = [key for key, e in source.items() if compiled[key].msgstr != e.msgstr]
    assert changed == [], "run: manage.py compilemessages --ignore=.venv"


def _sources(suffix: str) -> Iterator[Path]:
    for app in OUR_APPS:
        for path in (ROOT / app).rglob(f"*{suffix}"):
            if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                yield path


def test_translation_functions_keep_names_that_makemessages_extracts():
    """`gettext_lazy as _lazy` hides every string marked with it from makemessages."""
    hidden = []
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    if alias.asname and alias.asname not in GETTEXT_NAMES:
                        hidden.append(f"{path.relative_to(ROOT)}: {alias.name} as {alias.asname}")
    assert hidden == []


def test_no_translated_string_hides_inside_an_f_string():
    """xgettext does not look inside f-strings: f"{_('Start')}" reaches the catalog only if the
    same text is marked somewhere else too."""
    known = {e.msgid for path in catalogs() for e in polib.pofile(str(path)) if e.translated()}
    hidden = []
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_NAMES
                    and isinstance(inner.args[0], ast.Constant)
                    and inner.args[0].value not in known
                ):
                    hidden.append(
                        f"{path.relative_to(ROOT)}:{inner.lineno} {inner.args[0].value!r}"
                    )
    assert hidden == []


def test_every_marked_string_of_our_code_is_translated(tmp_path):
    """makemessages over a copy of the sources: nothing new, nothing fuzzy, nothing empty."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(*SKIPPED_DIRS, "*.mo", "*.pyc", "static", "media"),
        symlinks=True,
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    environment["PYTHONPATH"] = str(copy)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    problems = {}
    for path in catalogs(copy):
        found = untranslated(path)
        if found:
            problems[str(path.relative_to(copy))] = found
    assert problems == {}


# --- The admin, third-party sections included -----------------------------------------------


def _in(language: str, text: object) -> str:
    with translation.override(language):
        return force_str(text)


def _reads_the_same(text: object) -> bool:
    english = _in("en", text)
    if not english.strip() or english in SAME_IN_BOTH or VIETNAMESE_LETTERS & set(english.lower()):
        return False
    return _in("vi", text) == english


class _Superuser:
    is_active = is_staff = is_superuser = is_authenticated = True
    pk = id = 0

    def has_perm(self, *args: object) -> bool:
        return True

    def has_perms(self, *args: object) -> bool:
        return True

    def has_module_perms(self, *args: object) -> bool:
        return True


def _admin_texts(model, model_admin) -> Iterator[tuple[str, object]]:
    """What the admin shows of a model: section and model names, columns, filters, actions,
    fieldset titles, form labels, help texts and choices."""
    request = RequestFactory().get("/admin/")
    request.user = _Superuser()
    meta = model._meta
    yield "section", meta.app_config.verbose_name
    yield "model", meta.verbose_name
    yield "models", meta.verbose_name_plural
    for name in model_admin.get_list_display(request):
        if name != "__str__" and name != "action_checkbox":
            yield f"column {name}", label_for_field(name, model, model_admin)
    for list_filter in model_admin.get_list_filter(request):
        if isinstance(list_filter, str):
            yield f"filter {list_filter}", get_fields_from_path(model, list_filter)[-1].verbose_name
        elif isinstance(list_filter, type):
            yield f"filter {list_filter.__name__}", list_filter.title
        else:  # (field, FieldListFilter subclass)
            field_path, filter_class = list_filter
            title = getattr(filter_class, "title", None)
            yield (
                f"filter {field_path}",
                title or get_fields_from_path(model, field_path)[-1].verbose_name,
            )
    for name, (_func, _name, description) in model_admin.get_actions(request).items():
        yield f"action {name}", description
    for obj in (None, model()):
        for title, _options in model_admin.get_fieldsets(request, obj):
            if title:
                yield "fieldset", title
        readonly = set(model_admin.get_readonly_fields(request, obj))
        for name in flatten_fieldsets(model_admin.get_fieldsets(request, obj)):
            if name in readonly and isinstance(name, str):
                yield f"field {name}", label_for_field(name, model, model_admin)
        form = model_admin.get_form(request, obj)
        for name, field in form.base_fields.items():
            yield f"field {name}", field.label or name
            if field.help_text:
                yield f"help {name}", field.help_text
            if name == "timezone" or hasattr(field, "queryset"):
                continue  # place names; database rows
            for value, label in getattr(field, "choices", ()):
                if value not in ("", None) and not isinstance(label, list | tuple):
                    yield f"choice {name}={value}", label
        for inline in model_admin.get_inline_instances(request, obj):
            yield "inline", inline.verbose_name_plural or inline.model._meta.verbose_name_plural


@pytest.mark.django_db
def test_every_admin_section_and_label_is_vietnamese():
    untranslated_texts = []
    for model, model_admin in admin.site._registry.items():
        for where, text in _admin_texts(model, model_admin):
            if _reads_the_same(text):
                untranslated_texts.append(f"{model._meta.label} {where}: {_in('en', text)!r}")
    assert sorted(set(untranslated_texts)) == []


@pytest.fixture
def superuser(users):
    user = users["clerk"]
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.mark.django_db
def test_admin_index_names_every_section_in_vietnamese(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Django" not in page
    for english in ("Periodic Tasks", "Auth Token", "Workflow", "Process list", "Tokens"):
        assert f">{english}<" not in page
    for vietnamese in ("Tác vụ định kỳ", "Mã truy cập API", "Công cụ quy trình (viewflow)"):
        assert vietnamese in page
    assert "Quản trị hệ thống eDoc" in page


def test_a_certificate_subject_is_not_called_trich_yeu():
    from signing.models import TrustRoot

    label = _in("vi", TrustRoot._meta.get_field("subject").verbose_name)
    assert label != "trích yếu"
    assert "chủ thể" in label


@pytest.mark.django_db
def test_every_admin_page_still_opens(client, superuser):
    """The overridden third-party admins (viewflow, Celery beat) keep working."""
    from django.urls import reverse

    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        page = client.get(reverse("admin:{}_{}_changelist".format(*info)), follow=True)
        assert page.status_code == 200, info
        request = RequestFactory().get("/admin/")
        request.user = superuser
        if model_admin.has_add_permission(request):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info
