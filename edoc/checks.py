"""System checks of a deployment (`manage.py check --deploy`)."""

from __future__ import annotations

import os

from django.apps import apps
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks


def collected_static_names() -> set[str]:
    """Every static file name `collectstatic` collects (the finders with its ignore patterns)."""
    ignore_patterns = apps.get_app_config("staticfiles").ignore_patterns
    names = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            names.add((os.path.join(prefix, path) if prefix else path).replace(os.sep, "/"))
    return names


def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With a manifest storage (the production profile) every page needs `staticfiles.json`
    in STATIC_ROOT, listing every static file: without it each `{% static %}` raises and the
    page answers 500."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    hint = "Run `python manage.py collectstatic --noinput` with these settings."
    if staticfiles_storage.read_manifest() is None:
        return [
            checks.Error(
                f"The static files manifest {staticfiles_storage.manifest_name} is missing "
                f"from STATIC_ROOT ({staticfiles_storage.location}): every page would "
                "answer 500.",
                hint=hint,
                id="edoc.E001",
            )
        ]
    listed, _ = staticfiles_storage.load_manifest()
    missing = sorted(collected_static_names() - set(listed))
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        return [
            checks.Error(
                f"The static files manifest lacks {len(missing)} static file(s): {shown}; "
                "pages using them would answer 500.",
                hint=hint,
                id="edoc.E002",
            )
        ]
    return []
