"""`manage.py health_import KIND FILE [--user USERNAME] [--chunk-size N]` and
`manage.py health_import --resume JOB_ID`: import a record template (KIND `records`), a QĐ 130
XML file (`qd130`) or a vaccination export (`vaccinations`) as an import job, in this process,
printing the progress after each chunk and the report at the end. The job is the same as a
browser upload's (listed under /health/imports/). With --user the uploader's health role limits
what may be imported; without it the operator imports everything. A job that stopped is resumed
from its cursor with --resume."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from edoc.models import User
from health import imports
from health.models import ImportJob

PROBLEMS_PRINTED = 20


class Command(BaseCommand):
    help = "Import health records, QĐ 130 visits or vaccinations from a file (or resume a job)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", nargs="?", choices=list(ImportJob.Kind.values))
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--user", help="the uploader (their health role limits the import)")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="resume a stopped job")
        parser.add_argument("--chunk-size", type=int, default=imports.CHUNK_SIZE)

    def handle(self, *args, **options) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        user = self._user(options["user"])
        try:
            job = self._resume(options["resume"], user) if options["resume"] else self._start(
                options["kind"], options["file"], user
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Job {job.pk}: {job.get_kind_display()} · {job.file_name}")
        job = imports.import_run(job.pk, options["chunk_size"], progress=self._progress)
        self._report(job)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(
                f"Job {job.pk} stopped ({job.status}): {job.error}. "
                f"Resume it with: manage.py health_import --resume {job.pk}"
            )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        return user

    def _start(self, kind: str | None, path: Path | None, user: User | None) -> ImportJob:
        if not kind or not path:
            raise CommandError("Give KIND and FILE (or --resume JOB_ID).")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as handle:
            validated = imports.import_validate(kind, handle, path.name)
        return imports.import_start(actor=user, validated=validated, run=False)

    def _resume(self, job_id: int, user: User | None) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No import job {job_id}.")
        return imports.import_resume(actor=user, job=job, run=False)

    def _progress(self, job: ImportJob) -> None:
        self.stdout.write(f"  {job.processed}/{job.total_rows} rows ({job.percent}%)")

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(
            f"{job.get_status_display()}: {job.total_rows or 0} rows, {job.created_count} created, "
            f"{job.updated_count} updated, {job.unchanged_count} unchanged, "
            f"{job.rejected_count} rejected."
        )
        for problem in job.problems.all()[:PROBLEMS_PRINTED]:
            self.stdout.write(f"  line {problem.line}: {problem.reason}")
        if job.rejected_count > PROBLEMS_PRINTED:
            self.stdout.write(
                f"  … {job.rejected_count - PROBLEMS_PRINTED} more at /health/imports/{job.pk}/"
            )
