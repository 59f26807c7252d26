"""`manage.py exchange_partner add CODE --url URL --our-key-id ID --partner-key-id ID
[--name NAME] [--allow-ip ADDRESS ...] [--disabled]` and `manage.py exchange_partner list`.

add: creates or updates the partner agency (its electronic identifier CODE) and the route to it.
The two shared secrets are read from standard input, ours on the first line and the partner's
on the second (prompted for on a terminal), so they appear in no process list or shell
history. Exit 0 done, 2 bad input (the reason on stderr, nothing changed).
list: one line per route (identifier, name, transport, URL, key ids, enabled); no secrets."""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from connectors.exchange.partners import exchange_partner_set
from connectors.models import ExchangeRoute

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Set up or list the agencies this one exchanges documents with (eDoc to eDoc)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="create or update a partner and its route")
        add.add_argument("code", help="the partner's electronic identifier, e.g. 000.00.00.H19")
        add.add_argument("--name", default="", help="its name (needed for a new organisation)")
        add.add_argument("--url", required=True, help="the partner eDoc's base URL")
        add.add_argument("--our-key-id", required=True, help="the key id we sign with")
        add.add_argument("--partner-key-id", required=True, help="the key id it signs with")
        add.add_argument(
            "--allow-ip",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="an address or network it calls from (repeat for more)",
        )
        add.add_argument("--disabled", action="store_true", help="set it up switched off")
        actions.add_parser("list", help="list the partners (no secrets)")

    def handle(self, *args, **options) -> None:
        if options["action"] == "list":
            self._list()
            return
        our_secret, partner_secret = self._secrets()
        try:
            route, created = exchange_partner_set(
                code=options["code"],
                name=options["name"],
                base_url=options["url"],
                our_key_id=options["our_key_id"],
                our_secret=our_secret,
                partner_key_id=options["partner_key_id"],
                partner_secret=partner_secret,
                allowed_ips=options["allow_ip"],
                enabled=not options["disabled"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=EXIT_BAD_INPUT)
        self.stdout.write(
            (_("Partner %(code)s added.") if created else _("Partner %(code)s updated."))
            % {"code": route.organization.code}
        )

    def _secrets(self) -> tuple[str, str]:
        if sys.stdin.isatty():
            ours = getpass.getpass(_("Our secret: "))
            theirs = getpass.getpass(_("The partner's secret: "))
        else:
            lines = sys.stdin.read().splitlines()
            ours, theirs = (lines + ["", ""])[:2]
        if not ours.strip() or not theirs.strip():
            raise CommandError(
                _("Give both secrets on standard input: ours, then the partner's."),
                returncode=EXIT_BAD_INPUT,
            )
        return ours.strip(), theirs.strip()

    def _list(self) -> None:
        routes = ExchangeRoute.objects.select_related("organization").order_by("organization__code")
        for route in routes:
            self.stdout.write(
                "\t".join(
                    [
                        route.organization.code or "",
                        route.organization.name,
                        route.transport,
                        route.base_url,
                        route.our_key_id,
                        route.partner_key_id,
                        "enabled" if route.enabled else "disabled",
                    ]
                )
            )
