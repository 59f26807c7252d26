"""`python manage.py seed_processes`: install the shipped process definitions (idempotent) and
put the demo's waiting documents on them, so leaders and specialists have tasks to act on."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from edoc.models import Document, Unit, User
from edoc.models.organisation import Role
from workflows.models import ProcessDefinition, ProcessRun
from workflows.services.processes import process_start
from workflows.shipped import (
    INCOMING_KEY,
    LEGAL_GROUP,
    OUTGOING_KEY,
    install_shipped_definitions,
)


class Command(BaseCommand):
    help = "Install the shipped incoming/outgoing process definitions and start demo runs."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        admin = User.objects.filter(role=Role.ADMIN, unit__isnull=False).order_by("pk").first()
        if admin is None:
            raise CommandError("No administrator with a unit: run seed_demo first.")
        office = (
            Unit.objects.filter(agency_id=admin.unit.agency_id, kind="office", short_name="VP")
            .order_by("pk")
            .first()
            or admin.unit
        )
        installed = install_shipped_definitions(admin=admin, office=office)
        legal = Group.objects.get(name=LEGAL_GROUP)
        if not legal.user_set.exists():  # the office's specialist reviews legality in the demo
            reviewer = User.objects.filter(unit=office, role=Role.SPECIALIST).order_by("pk").first()
            if reviewer is not None:
                legal.user_set.add(reviewer)
        self.stdout.write(
            "Process definitions: "
            + (", ".join(d.name for d in installed) + " installed" if installed else "in place")
        )
        started = 0
        for key, queryset in (
            (
                INCOMING_KEY,
                Document.objects.filter(
                    direction="incoming", status="registered", register_book__unit__isnull=True
                ),
            ),
            (OUTGOING_KEY, Document.objects.filter(direction="outgoing", status="draft")),
        ):
            definition = ProcessDefinition.objects.get(key=key)
            for document in queryset.exclude(process_runs__isnull=False).select_related(
                "created_by"
            ):
                process_start(user=document.created_by, definition=definition, document=document)
                started += 1
        self.stdout.write(f"Demo runs started: {started} (total {ProcessRun.objects.count()}).")
