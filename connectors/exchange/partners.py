"""Exchange partners set up by an operator (`manage.py exchange_partner`): the partner's
external organisation with its electronic identifier, and the route to it (address, the HMAC
credentials of both sides, the addresses it calls from). The admin does the same by hand."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connectors.models import ExchangeRoute
from edoc.models import ExternalOrganization
from edoc.services.audit import audit_record
from edoc.text import nfc


@transaction.atomic
def exchange_partner_set(
    *,
    code: str,
    name: str,
    base_url: str,
    our_key_id: str,
    our_secret: str,
    partner_key_id: str,
    partner_secret: str,
    allowed_ips: list[str],
    enabled: bool = True,
) -> tuple[ExchangeRoute, bool]:
    """Create or update the partner with identifier `code` and its route: (route, created).
    An organisation that exists keeps its name unless `name` is given; audited without the
    secrets."""
    code, name = nfc(code).strip(), nfc(name or "").strip()
    if not code:
        raise ValidationError({"code": _("Give the partner's electronic identifier.")})
    organization = ExternalOrganization.objects.filter(code=code).first()
    if organization is None:
        if not name:
            raise ValidationError(
                {
                    "name": _("No organisation has the identifier %(code)s: give its name.")
                    % {"code": code}
                }
            )
        organization = ExternalOrganization(code=code, name=name)
    elif name:
        organization.name = name
    organization.full_clean()
    organization.save()
    route = ExchangeRoute.objects.filter(organization=organization).first()
    created = route is None
    route = route or ExchangeRoute(organization=organization)
    route.base_url = base_url.strip()
    route.our_key_id, route.partner_key_id = our_key_id.strip(), partner_key_id.strip()
    route.our_secret, route.partner_secret = our_secret, partner_secret
    route.allowed_ips = "\n".join(address.strip() for address in allowed_ips if address.strip())
    route.enabled = enabled
    route.full_clean()
    route.save()
    audit_record(
        actor=None,
        action="connectors.partner_set",
        target=route,
        details={
            "code": code,
            "base_url": route.base_url,
            "our_key_id": route.our_key_id,
            "partner_key_id": route.partner_key_id,
            "allowed_ips": route.allowed_ips.splitlines(),
            "enabled": enabled,
            "created": created,
        },
    )
    return route, created
