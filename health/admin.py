"""Administration of the health app: health roles (who sees which records) and the catalogues.
Records themselves are not edited here: their pages go through the access selector and audit."""

from django.contrib import admin

from health.models import (
    AdminUnit,
    Facility,
    HealthAssignment,
    Icd10Code,
    PopulationFigure,
    UnitSuccession,
    Vaccine,
)


@admin.register(HealthAssignment)
class HealthAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "scope", "area", "facility", "can_export", "can_merge")
    list_filter = ("scope", "can_export", "can_merge")
    autocomplete_fields = ("user", "area", "facility")
    search_fields = ("user__username", "user__last_name", "area__name", "facility__name")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "edition", "parent", "valid_from", "valid_to")
    list_filter = ("edition", "level")
    search_fields = ("code", "name", "name_folded")


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "commune")
    search_fields = ("code", "name")
    autocomplete_fields = ("commune",)


@admin.register(Icd10Code)
class Icd10CodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "edition")
    search_fields = ("code", "name_vi", "name_en")


@admin.register(Vaccine)
class VaccineAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "doses_in_schedule", "edition")
    search_fields = ("code", "name")


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    """Old→new communes, as loaded from the package (read only: reload to change them)."""

    list_display = ("old", "new", "is_default", "source")
    list_filter = ("is_default",)
    search_fields = ("old__name", "old__code", "new__name", "new__code")
    list_select_related = ("old", "new")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    """Population per unit and year (the dashboard's share of the population)."""

    list_display = ("unit", "year", "population", "source")
    list_filter = ("year", "unit__edition", "unit__level")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)
