"""What every portal view shares: Vietnamese whatever the browser asks, the agency named in
the header, and the privacy headers of pages that show a dossier."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_noop

from edoc.models import Agency

PORTAL_LANGUAGE = "vi"

# Labels of the one-stop models the portal shows, listed so that the portal's own catalogue
# carries their Vietnamese names: the national public-service portal's status names, the fee
# states and the online levels.
MODEL_LABELS = (
    gettext_noop("Newly registered"),
    gettext_noop("Accepted"),
    gettext_noop("Not accepted"),
    gettext_noop("Processing"),
    gettext_noop("Supplement requested"),
    gettext_noop("Financial obligation requested"),
    gettext_noop("Withdrawn by the citizen"),
    gettext_noop("Processing stopped"),
    gettext_noop("Processed"),
    gettext_noop("Result returned"),
    gettext_noop("No fee"),
    gettext_noop("Unpaid"),
    gettext_noop("Paid"),
    gettext_noop("Exempt"),
    gettext_noop("Full online"),
    gettext_noop("Partial online"),
)


def portal_agency() -> Agency | None:
    """The agency this portal serves: EDOC_AGENCY_CODE's, else the first one."""
    return (
        Agency.objects.filter(code=settings.EDOC_AGENCY_CODE).first()
        or Agency.objects.order_by("pk").first()
    )


def agency_context() -> dict[str, str]:
    """Names for the header."""
    agency = portal_agency()
    if agency is None:
        return {
            "portal_agency_name": "Sở Y tế",
            "portal_agency_parent": "",
            "portal_agency_place": "",
        }
    return {
        "portal_agency_name": agency.name,
        "portal_agency_parent": agency.parent_name,
        "portal_agency_place": agency.place_name,
    }


def portal_view(*, private: bool = False) -> Callable:
    """Decorate a portal view: Vietnamese (the portal does not follow Accept-Language), a
    referrer policy, and with `private=True` (pages and files of one dossier, draft links)
    `Cache-Control: no-store`.

    Referrer policy: a response may set its own (the tracking-link redirect, files and pages
    without a form send `no-referrer`); otherwise `same-origin`: nothing ever goes to another
    site, but a page with a form still lets the browser send its real Origin on POST —
    under `no-referrer` browsers send `Origin: null`, which Django's CSRF check refuses."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            translation.activate(PORTAL_LANGUAGE)
            request.LANGUAGE_CODE = PORTAL_LANGUAGE
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response["Content-Language"] = PORTAL_LANGUAGE
            if private:
                response["Cache-Control"] = "no-store"
                response["Pragma"] = "no-cache"
            return response

        return wrapper

    return decorator


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a portal template with the header's agency names."""
    return render(request, template, {**agency_context(), **(context or {})}, status=status)
