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
