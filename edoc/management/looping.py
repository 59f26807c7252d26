"""`--loop SECONDS` for the commands an operator runs from cron or next to the server
(`fire_timers`, `connectors_deliver`): run once, or every N seconds until stopped."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management.base import CommandError, CommandParser


def add_loop_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--loop", type=int, metavar="SECONDS", help="Keep running, checking every N seconds."
    )


def run_looping(interval: int | None, step: Callable[[], None]) -> None:
    """Run `step` once (`interval` None) or every `interval` seconds, forever."""
    if interval is not None and interval < 1:
        raise CommandError("--loop needs a number of seconds ≥ 1.")
    while True:
        step()
        if interval is None:
            return
        time.sleep(interval)
