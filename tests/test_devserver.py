"""Issue 9 #14: the development server's autoreloader survives a module imported while it lists
`sys.modules` (it died with `KeyError: 'pypdf.xmp'` on the first upload).

The race, reproduced deterministically with trace functions instead of timing: the reloader
lists the names in `sys.modules`; meanwhile a request thread imports a module, and importlib
pops the module out of `sys.modules` and puts it back ("move to the end") once it has run; the
reloader looks the name up in that gap. Django's own listing (`sorted(sys.modules)`, then
`sys.modules[name]`) raises KeyError there, and an exception in the reloader's loop ends
`runserver`.
"""

from __future__ import annotations

import sys
import threading

import pytest
from django.utils import autoreload

PROBE = "edoc_lazy_import_probe"
WAIT = 10  # seconds; every wait has a timeout so that a broken interleaving fails, not hangs


@pytest.fixture
def reloader(monkeypatch, tmp_path):
    """A StatReloader announced the way runserver announces it (`autoreload_started`), with
    Django's module listing restored afterwards; and a fresh module to import lazily."""
    monkeypatch.setattr(
        autoreload, "iter_all_python_module_files", autoreload.iter_all_python_module_files
    )
    (tmp_path / f"{PROBE}.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, PROBE, raising=False)
    instance = autoreload.StatReloader()
    autoreload.autoreload_started.send(sender=instance)
    yield instance
    sys.modules.pop(PROBE, None)


def _importer(gates: dict[str, threading.Event], errors: list[BaseException]) -> None:
    """Import PROBE; stop inside importlib right before it pops the executed module out of
    sys.modules (until the reloader has listed it) and right after (until the reloader is
    done)."""

    def in_load(frame, event, arg):
        if event != "line":
            return in_load
        spec, module = frame.f_locals.get("spec"), frame.f_locals.get("module")
        if spec is None or spec.name != PROBE or not getattr(module, "LOADED", False):
            return in_load
        if sys.modules.get(PROBE) is module and not gates["module_run"].is_set():
            gates["module_run"].set()  # executed, still listed: the pop comes next
            gates["listed"].wait(WAIT)
        elif PROBE not in sys.modules and not gates["popped"].is_set():
            gates["popped"].set()  # popped, not yet put back
            gates["reloader_done"].wait(WAIT)
        return in_load

    def tracer(frame, event, arg):
        if frame.f_code.co_name == "_load_unlocked" and "importlib" in frame.f_code.co_filename:
            return in_load
        return None

    sys.settrace(tracer)
    try:
        __import__(PROBE)
    except BaseException as error:
        errors.append(error)
    finally:
        sys.settrace(None)


def _reloader_pass(reloader, gates, errors: list[BaseException], files: list, waits: list) -> None:
    """One pass of the reloader's file scan, paused after the first statement of its module
    listing (Django's: `keys = sorted(sys.modules)`) until the importer has popped PROBE."""
    listing = autoreload.iter_all_python_module_files.__code__
    lines_seen = 0

    def in_listing(frame, event, arg):
        nonlocal lines_seen
        if event == "line":
            lines_seen += 1
            if lines_seen == 2:
                gates["listed"].set()
                waits.append(gates["popped"].wait(WAIT))
        return in_listing

    def tracer(frame, event, arg):
        return in_listing if frame.f_code is listing else None

    gates["module_run"].wait(WAIT)
    sys.settrace(tracer)
    try:
        files.extend(path for path, _ in reloader.snapshot_files())
    except BaseException as error:
        errors.append(error)
    finally:
        sys.settrace(None)
        gates["listed"].set()
        gates["reloader_done"].set()


def test_reloader_survives_a_module_imported_while_it_lists_sys_modules(reloader):
    gates = {name: threading.Event() for name in ("module_run", "listed", "popped")}
    gates["reloader_done"] = threading.Event()
    import_errors: list[BaseException] = []
    reloader_errors: list[BaseException] = []
    files: list = []
    waits: list[bool] = []
    threads = [
        threading.Thread(target=_importer, args=(gates, import_errors)),
        threading.Thread(
            target=_reloader_pass, args=(reloader, gates, reloader_errors, files, waits)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * WAIT)

    # The interleaving really happened: listed while present, looked up while popped.
    assert all(gate.is_set() for gate in gates.values()), {k: v.is_set() for k, v in gates.items()}
    assert waits == [True], "the reloader did not wait inside its listing for the pop"
    assert not import_errors
    assert reloader_errors == [], f"the reloader's scan raised {reloader_errors!r}"
    assert any(str(path).endswith("edoc/apps.py") for path in files)
    # The probe came back into sys.modules: a later pass watches it.
    assert PROBE in sys.modules
    later = {str(path) for path, _ in reloader.snapshot_files()}
    assert any(path.endswith(f"{PROBE}.py") for path in later)
