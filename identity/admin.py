"""Admin: signed-in sessions an administrator can end (lockouts: axes' "Access attempts")."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from identity.models import UserSession
from identity.sessions import device_label, session_end


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in where; deleting a row (or the action) signs that session out."""

    list_display = ("user", "device", "ip_address", "created_at", "last_seen_at")
    list_filter = ("last_seen_at",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "ip_address")
    readonly_fields = ("user", "device", "ip_address", "created_at", "last_seen_at")
    exclude = ("session_key", "user_agent")
    actions = ["end_sessions"]

    @admin.display(description=_("Device"))
    def device(self, obj: UserSession) -> str:
        return device_label(obj.user_agent)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: UserSession) -> None:
        session_end(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            session_end(row, actor=request.user)

    @admin.action(description=_("End the selected sessions"), permissions=["delete"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for row in queryset:
            session_end(row, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d session was ended.", "%(count)d sessions were ended.", count)
            % {"count": count},
            messages.SUCCESS,
        )
