"""`python manage.py import_documents DIR [--kind incoming|outgoing] [--book BOOK] [--as USER]
[--workers N]`.

Registers every PDF of a folder tree (recursively, in sorted order) or of a ZIP archive with
the metadata the extractor proposes; see edoc/services/importing.py for what is recorded and
why. Files already stored for the agency (same SHA-256) are skipped, so the command can be
interrupted (Ctrl-C stops after the current file; a second Ctrl-C stops at once, rolling the
current file back) and run again. Exit status: 0 when every file was imported or skipped, 1
when some failed or the run was interrupted, 2 for bad arguments.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from edoc.services.importing import (
    FAILED,
    IMPORTED,
    INCOMING,
    KINDS,
    ImportOutcome,
    ImportSetupError,
    ImportSummary,
    import_book_get,
    import_candidates,
    import_documents,
    import_user_get,
)

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class _StopAfterCurrentFile:
    """SIGINT handler: the first Ctrl-C asks to stop between files, the second interrupts."""

    def __init__(self, write) -> None:
        self.requested = False
        self.write = write
        self.previous: Any = None

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.write("Stopping after the current file (Ctrl-C again to stop now)…")

    def __enter__(self) -> _StopAfterCurrentFile:
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self.previous)


@contextlib.contextmanager
def _quiet_libraries():
    """Eager Celery logs every task and pypdf every recoverable quirk: one line per file is
    noise under a progress bar (failures are reported in the summary)."""
    levels = {}
    for name, level in (("celery.app.trace", logging.WARNING), ("pypdf", logging.ERROR)):
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(level)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = (
        "Register every PDF of a folder tree as a document with the metadata read from it; "
        "skips files already imported (same SHA-256), reports failed files and goes on. "
        "Exit status 0: all imported or skipped; 1: some failed or interrupted; 2: bad arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            metavar="DIR",
            help="Folder to import (recursively), or a ZIP archive (its members are read one "
            "at a time, never extracted to disk).",
        )
        parser.add_argument(
            "--kind",
            choices=KINDS,
            default=INCOMING,
            help="incoming (default): received documents, numbered in an incoming register "
            "book; outgoing: documents the agency already issued, kept with their printed "
            "number and date.",
        )
        parser.add_argument(
            "--book",
            metavar="BOOK",
            help="Incoming register book, by id or name (default: this year's book of the "
            "clerk's registry). A confidential book imports the documents as confidential.",
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="The clerk who registers the documents (default: the first clerk of the "
            "agency's office). Audit entries are in their name.",
        )
        parser.add_argument(
            "--start-processes",
            action="store_true",
            help="Start the incoming handling process on each imported document (default: "
            "none; an archive was handled before eDoc, and its documents would flood the "
            "leaders' task lists).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            metavar="N",
            help="Worker processes that read, check and propose the files ahead while this "
            "process registers them in order (default 1: all in this process). About the "
            "number of CPU cores.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs, CI)."
        )

    def handle(self, *args, **options) -> None:
        root = Path(options["directory"])
        kind = options["kind"]
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.", returncode=EXIT_USAGE)
        try:
            user = import_user_get(options["username"], kind)
            book = import_book_get(user, kind, options["book"])
            files = import_candidates(root)
        except ImportSetupError as error:
            raise CommandError(str(error), returncode=EXIT_USAGE)

        self.stdout.write(
            f"Importing {len(files)} file(s) from {root} as {kind} documents, registered by "
            f"{user.username}" + (f" in “{book.name}” ({book.year})" if book else "") + "."
        )
        bar = tqdm(
            total=len(files),
            unit="file",
            disable=options["no_progress"] or not files,
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def progress(outcome: ImportOutcome) -> None:
            bar.update(1)
            if outcome.status == FAILED:
                bar.write(f"failed: {outcome.path}: {outcome.reason}", file=sys.stderr)

        with _StopAfterCurrentFile(bar.write) as stop, _quiet_libraries():
            summary = import_documents(
                root,
                user=user,
                kind=kind,
                book=book,
                files=files,
                progress=progress,
                stop_requested=stop,
                start_processes=options["start_processes"],
                workers=options["workers"],
            )
        bar.close()
        self._report(summary)
        if summary.failed or summary.interrupted:
            raise CommandError(
                "Some files were not imported (see above).", returncode=EXIT_FAILURES
            )

    def _report(self, summary: ImportSummary) -> None:
        write = self.stdout.write
        write("")
        write(
            f"Imported {len(summary.of(IMPORTED))}, skipped {len(summary.skipped)} "
            f"(already imported), failed {len(summary.failed)}"
            + (f", not reached {summary.not_reached}" if summary.not_reached else "")
            + f" — {summary.found} file(s) found."
        )
        if summary.failed:
            write("Failed files:")
            for outcome in summary.failed:
                write(f"  {outcome.path}: {outcome.reason}")
        if summary.interrupted:
            write(
                self.style.WARNING(
                    "Interrupted: run the same command again to import the remaining files "
                    "(those already imported are skipped)."
                )
            )
        elif not summary.failed:
            write(self.style.SUCCESS("Done."))
