from django.contrib import admin

from identity.models import ExternalAccount, SignInProfile


@admin.register(SignInProfile)
class SignInProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "citizen_id", "password_disabled"]
    list_filter = ["password_disabled"]
    search_fields = ["user__username", "user__last_name", "citizen_id"]
    autocomplete_fields = ["user"]


@admin.register(ExternalAccount)
class ExternalAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "linked_by", "linked_at", "last_used_at"]
    list_filter = ["issuer", "linked_by"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["issuer", "subject", "linked_by", "linked_at", "last_used_at"]
    autocomplete_fields = ["user"]
