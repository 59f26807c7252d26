"""What each payment provider charges the agency per transaction, from the
`EDOC_PAYMENT_FEES` setting: "vnpay=1.1%+1650,momo=1.5%,vietqr=0,pos=0.8%" — per method key a
percentage of the amount and/or a fixed amount in VND, joined by "+".

Rounding: the percentage part is rounded half up to whole VND per transaction, then the fixed
part is added (1.5% of 100.100 đ = 1.501,5 → 1.502 đ). A method without an entry costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

EXAMPLE = "vnpay=1.1%+1650,momo=1.5%,vietqr=0,pos=0.8%"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_PERCENT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)%$")
_FIXED = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class Fee:
    """A provider's charge per transaction: `percent` of the amount plus `fixed` VND."""

    percent: Decimal = Decimal(0)
    fixed: int = 0

    def of(self, amount: int) -> int:
        """The fee of one transaction of `amount` VND, in whole VND."""
        share = (Decimal(amount) * self.percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return int(share) + self.fixed


def _refuse(value: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"EDOC_PAYMENT_FEES {why} in {value!r}; write it like {EXAMPLE!r} "
        "(per method: a percentage and/or a fixed amount in VND, joined by '+')."
    )


def parse_fees(value: str) -> dict[str, Fee]:
    """The fees of `value` by method key; `ImproperlyConfigured` saying what is wrong."""
    fees: dict[str, Fee] = {}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        key, equals, expression = (text.strip() for text in entry.partition("="))
        if not equals or not _KEY.match(key):
            raise _refuse(value, f"has no 'method=fee' in {entry!r}")
        if key in fees:
            raise _refuse(value, f"names {key!r} twice")
        percent, fixed = Decimal(0), 0
        for term in (term.strip() for term in expression.split("+")):
            if match := _PERCENT.match(term):
                percent += Decimal(match.group(1))
            elif _FIXED.match(term):
                fixed += int(term)
            else:
                raise _refuse(value, f"has {term!r} for {key!r}: not a percentage or an amount")
        if percent > 100:
            raise _refuse(value, f"charges more than 100% for {key!r}")
        fees[key] = Fee(percent, fixed)
    return fees


def payment_fees() -> dict[str, Fee]:
    """The configured fees (the setting is checked at start-up: payments.checks)."""
    return parse_fees(getattr(settings, "EDOC_PAYMENT_FEES", ""))
