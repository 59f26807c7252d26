"""Register books and their gapless number counters."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from edoc.models import Agency, RegisterBook, Unit
from edoc.models.organisation import UnitKind

# Units with their own clerk and register books; offices of the agency itself use its books.
SELF_REGISTERING_KINDS = (
    UnitKind.AFFILIATED,
    UnitKind.HOSPITAL,
    UnitKind.HEALTH_CENTRE,
    UnitKind.COMMUNE_STATION,
)


def registry_unit_for(unit: Unit) -> Unit | None:
    """The nearest unit at or above `unit` that keeps its own books; None for the agency."""
    node: Unit | None = unit
    while node is not None:
        if node.kind in SELF_REGISTERING_KINDS:
            return node
        node = node.parent
    return None


def _book_name(kind: str, is_confidential: bool, unit: Unit | None) -> str:
    """Stored names are written in the site's language, whoever's request created the book."""
    with translation.override(settings.LANGUAGE_CODE):
        return _localised_book_name(kind, is_confidential, unit)


def _localised_book_name(kind: str, is_confidential: bool, unit: Unit | None) -> str:
    base = _("Incoming register") if kind == RegisterBook.Kind.INCOMING else _("Outgoing register")
    if is_confidential:
        base = _("%(book)s (confidential)") % {"book": base}
    return f"{base} — {unit.name}" if unit else base


def register_book_get_or_create(
    *, agency: Agency, unit: Unit | None, kind: str, year: int, is_confidential: bool
) -> RegisterBook:
    """The book of one series for one year, created on first use."""
    lookup = {
        "agency": agency,
        "unit": unit,
        "kind": kind,
        "year": year,
        "is_confidential": is_confidential,
    }
    book = RegisterBook.objects.filter(**lookup).first()
    if book:
        return book
    try:
        with transaction.atomic():
            return RegisterBook.objects.create(
                **lookup, name=_book_name(kind, is_confidential, unit)
            )
    except IntegrityError:  # another clerk created it a moment ago
        return RegisterBook.objects.get(**lookup)


def register_book_take_number(book: RegisterBook) -> int:
    """Take the next number of the book. Must run inside the transaction that uses it.

    The UPDATE locks the book's row until commit, so concurrent registrations queue up and a
    rolled-back registration gives its number back: numbers are unique and gapless.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("register_book_take_number must run inside a transaction")
    updated = RegisterBook.objects.filter(pk=book.pk, is_closed=False).update(
        last_number=F("last_number") + 1
    )
    if not updated:
        raise RegisterBookClosed(book)
    book.refresh_from_db(fields=["last_number"])
    return book.last_number


class RegisterBookClosed(Exception):
    def __init__(self, book: RegisterBook):
        super().__init__(_("The register book “%(book)s” is closed.") % {"book": book})
        self.book = book
