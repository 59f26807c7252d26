"""Writes on in-app notifications (the bell): marking them read.

Notifications are created by `workflows.engine.notify`. Marking one's own notices as read
changes nothing anyone else sees and is not audited.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from edoc.models import User
from workflows.models import Notification


def notifications_mark_read(*, user: User, notification_ids: Iterable[int]) -> int:
    """Mark these notifications of `user` as read (others' are left alone); how many changed."""
    ids = [pk for pk in notification_ids if pk]
    if not ids or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
