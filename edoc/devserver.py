"""Development server (`manage.py runserver`) support: an autoreloader that survives imports
happening in request threads.

Django's StatReloader lists `sys.modules` by name once a second and then looks each name up
(`django.utils.autoreload.iter_all_python_module_files`). A request that imports a module
lazily (pypdf on the first upload, reportlab on the first PDF, openpyxl on the first export …)
can remove a listed name in between: importlib pops every freshly executed module out of
`sys.modules` and puts it back at the end, and drops the module of a failed import. The lookup
then raises KeyError in the reloader's loop and `runserver` exits (issue 9 #14). Taking one
copy of `sys.modules` (a single C-level dict copy, atomic under the GIL) closes that gap; a
module that is between pop and re-insert is simply watched from the next pass on.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterable
from pathlib import Path

from django.utils import autoreload


def iter_all_python_module_files_safely() -> Iterable[Path]:
    """Django's module-file listing, from one snapshot of `sys.modules`."""
    snapshot = sys.modules.copy()
    modules = tuple(
        snapshot[name]
        for name in sorted(snapshot)
        if not isinstance(snapshot[name], weakref.ProxyTypes)
    )
    return autoreload.iter_modules_and_files(modules, frozenset(autoreload._error_files))


def make_reloader_import_safe(sender: autoreload.BaseReloader, **kwargs) -> None:
    """`autoreload_started` receiver: the reloader lists modules from a snapshot. Connected in
    EdocConfig.ready(); the signal is sent only in runserver's reloading process."""
    autoreload.iter_all_python_module_files = iter_all_python_module_files_safely
