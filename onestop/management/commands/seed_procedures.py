"""`python manage.py seed_procedures`: the shipped one-stop procedures, their internal processes,
the apology approval process and the one-stop group (idempotent; see onestop/shipped.py)."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from edoc.models import User
from edoc.models.organisation import Role
from onestop.models import ONESTOP_GROUP, Procedure
from onestop.shipped import install_procedures


class Command(BaseCommand):
    help = "Install the shipped Department of Health procedures and their processes."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--demo-dossiers",
            action="store_true",
            help="Also create a few demo dossiers (once, when the agency has none).",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        admin = User.objects.filter(role=Role.ADMIN, unit__isnull=False).order_by("pk").first()
        if admin is None:
            raise CommandError("No administrator with a unit: run seed_demo first.")
        agency = admin.unit.agency
        created = install_procedures(admin=admin, agency=agency)
        group = Group.objects.get(name=ONESTOP_GROUP)
        if not group.user_set.exists():  # the demo's office specialist sits at the counter
            officer = (
                User.objects.filter(
                    unit__agency=agency, unit__short_name="VP", role=Role.SPECIALIST
                )
                .order_by("pk")
                .first()
            )
            if officer is not None:
                group.user_set.add(officer)
                self.stdout.write(f"One-stop officer: {officer.username}")
        self.stdout.write(
            f"Procedures: {len(created)} installed, "
            f"{Procedure.objects.filter(agency=agency).count()} in the catalogue."
        )
        officer = group.user_set.filter(unit__agency=agency).order_by("pk").first()
        if options.get("demo_dossiers") and officer is not None:
            from onestop.demo import seed_demo_dossiers

            dossiers = seed_demo_dossiers(agency=agency, officer=officer)
            self.stdout.write(f"Demo dossiers: {len(dossiers)} created.")
