"""Who may see which health records, decided here in one place (Decree 13/2023/NĐ-CP: health
data is sensitive personal data).

Only users with a `HealthAssignment` (health role, set by administrators) see anything, and
only within their assignments: a province officer the people living in the province, a district
officer those of the district (2008 districts: the plan's tables), a commune officer those of
the commune, a facility officer the people registered at the facility or seen there. Every list,
page and export asks `visible_people`; a person outside it is answered "not found" (404), never
"forbidden", so the existence of a record is not disclosed. Lists show citizen IDs and phone
numbers masked (`mask`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from health.models import (
    AdminUnit,
    DuplicateCandidate,
    HealthAssignment,
    ImportJob,
    MergeRecord,
    Person,
)


def _assignments(user) -> list[HealthAssignment]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_health_assignments", None)
    if cached is None:
        cached = list(HealthAssignment.objects.filter(user=user).select_related("area", "facility"))
        user._health_assignments = cached
    return cached


def has_health_role(user) -> bool:
    """Whether `user` holds any health role (the menu entry and the pages' first check)."""
    return bool(_assignments(user))


def _scope_filter(assignment: HealthAssignment) -> Q:
    scope = assignment.scope
    if scope == HealthAssignment.Scope.FACILITY:
        return Q(insurance_facility_id=assignment.facility_id) | Q(
            visits__facility_id=assignment.facility_id
        )
    area = assignment.area
    if scope == HealthAssignment.Scope.PROVINCE:
        return Q(province_code=area.province_code)
    if scope == HealthAssignment.Scope.DISTRICT:
        return Q(district_id=area.pk)
    return Q(commune_id=area.pk)


def visible_people(user) -> QuerySet[Person]:
    """The people whose records `user` may see; none without a health role. Records merged
    into another one (inactive aliases) are never shown: their rows live on the survivor."""
    assignments = _assignments(user)
    if not assignments:
        return Person.objects.none()
    condition = Q()
    for assignment in assignments:
        condition |= _scope_filter(assignment)
    people = Person.objects.filter(condition, merged_into__isnull=True)
    if any(a.scope == HealthAssignment.Scope.FACILITY for a in assignments):
        people = Person.objects.filter(pk__in=people.values("pk"))  # the visit join repeats
    return people


def area_condition(user) -> Q | None:
    """The condition on the place fields (`province_code`, `district_id`, `commune_id`) that
    selects `user`'s records, the same as `visible_people`'s, for the aggregates kept per place
    (`health.aggregates`); None when that cannot be said by place: a facility assignment (the
    records seen at a facility) or no health role — the reports then count the records."""
    assignments = _assignments(user)
    if not assignments or any(a.scope == HealthAssignment.Scope.FACILITY for a in assignments):
        return None
    condition = Q()
    for assignment in assignments:
        condition |= _scope_filter(assignment)
    return condition


def communes_for(user) -> QuerySet[AdminUnit]:
    """The communes in which `user` may create records: those of their areas — for a province
    officer the communes of both maps (a record of a 2025 commune gets its 2008 district only
    when unambiguous, and the province officer sees it either way); for a district officer the
    2008 communes of the district; for a commune officer their commune. None for facility
    officers and users without a health role."""
    condition = Q()
    for assignment in _assignments(user):
        area = assignment.area
        if assignment.scope == HealthAssignment.Scope.PROVINCE:
            condition |= Q(province_code=area.province_code)
        elif assignment.scope == HealthAssignment.Scope.DISTRICT:
            condition |= Q(parent_id=area.pk)
        elif assignment.scope == HealthAssignment.Scope.COMMUNE:
            condition |= Q(pk=area.pk)
    if not condition:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(condition, level=AdminUnit.Level.COMMUNE).select_related(
        "parent"
    )


def report_units(user, level: str) -> QuerySet[AdminUnit]:
    """The units the reports list (with zero rows where nobody lives yet) for `user`'s areas:
    `level` "district" — the 2008 districts of a province officer's province, a district
    officer's district, a commune officer's district; "commune_2025" — the 2025 communes of
    the province, or those the area's 2008 communes went into. None for facility officers."""
    condition = Q()
    for assignment in _assignments(user):
        area = assignment.area
        if area is None:
            continue
        if level == "district":
            if assignment.scope == HealthAssignment.Scope.PROVINCE:
                condition |= Q(province_code=area.province_code)
            elif assignment.scope == HealthAssignment.Scope.DISTRICT:
                condition |= Q(pk=area.pk)
            else:
                condition |= Q(pk=area.parent_id)
        elif assignment.scope == HealthAssignment.Scope.PROVINCE:
            condition |= Q(province_code=area.province_code)
        elif assignment.scope == HealthAssignment.Scope.DISTRICT:
            condition |= Q(predecessions__old__parent=area.pk)
        else:
            condition |= Q(predecessions__old=area.pk) | Q(pk=area.pk)
    if not condition:
        return AdminUnit.objects.none()
    if level == "district":
        units = AdminUnit.objects.filter(condition, edition="2008", level="district")
    else:
        units = AdminUnit.objects.filter(condition, edition="2025", level="commune")
    return units.distinct()


def can_view_person(user, person: Person) -> bool:
    """Whether `user` may open `person`'s record."""
    return visible_people(user).filter(pk=person.pk).exists()


def person_or_404(user, pk: int) -> Person:
    """The person `pk` if `user` may see it, else Http404 (also for people that exist)."""
    person = visible_people(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def can_edit(user, person: Person) -> bool:
    """Whether `user` may edit `person`'s history (part II) and add visits and vaccinations by
    hand: every health officer — province, district, commune (the commune health station keeps
    the records) and facility (it examines the people it sees) — for the people of their scope,
    that is the people `visible_people` gives them."""
    return can_view_person(user, person)


def can_edit_administrative(user, person: Person) -> bool:
    """Whether `user` may change `person`'s administrative part (part I): area officers only
    (province, district, commune), for people living in their area; the commune chosen is one
    of `communes_for(user)`. Facility officers do not change where a person lives."""
    return can_view_person(user, person) and communes_for(user).exists()


def can_export(user) -> bool:
    """Whether `user` may export records (a health role with the export right)."""
    return any(a.can_export for a in _assignments(user))


def can_merge(user) -> bool:
    """Whether `user` may merge or separate duplicate records."""
    return any(a.can_merge for a in _assignments(user))


def reviewable_pairs(user) -> QuerySet[DuplicateCandidate]:
    """Duplicate pairs `user` may decide: both records visible to them (a district officer
    sees the pairs of their district), for users with the merge right; none otherwise."""
    if not can_merge(user):
        return DuplicateCandidate.objects.none()
    visible = visible_people(user).values("pk")
    return DuplicateCandidate.objects.filter(first__in=visible, second__in=visible)


def reviewable_merges(user) -> QuerySet[MergeRecord]:
    """Merges whose kept record `user` may see, for users with the merge right (the history
    and its undo)."""
    if not can_merge(user):
        return MergeRecord.objects.none()
    return MergeRecord.objects.filter(survivor__in=visible_people(user).values("pk"))


def mask(value: str, keep_start: int = 4, keep_end: int = 2) -> str:
    """A citizen ID or phone number as lists show it: "079123456789" → "0791******89"."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


# Imports. Province officers import every kind of file, anywhere; district officers the record
# template and vaccination exports for the people of their district (rows of other districts
# are rejected, row by row); facility officers the QĐ 130 XML of their own facility (visits of
# other facilities are rejected). Commune officers do not import.
IMPORT_KINDS = {
    HealthAssignment.Scope.PROVINCE: {"records", "qd130", "vaccinations"},
    HealthAssignment.Scope.DISTRICT: {"records", "vaccinations"},
    HealthAssignment.Scope.FACILITY: {"qd130"},
}


def import_kinds(user) -> set[str]:
    """The kinds of file (ImportJob.Kind values) `user` may import."""
    kinds: set[str] = set()
    for assignment in _assignments(user):
        kinds |= IMPORT_KINDS.get(assignment.scope, set())
    return kinds


def imports_everywhere(user) -> bool:
    """Whether `user`'s imports are not limited to an area or a facility (a province officer;
    `None`, an operator's command without --user)."""
    if user is None:
        return True
    return any(a.scope == HealthAssignment.Scope.PROVINCE for a in _assignments(user))


def import_facility_codes(user) -> set[str]:
    """The facilities whose QĐ 130 files `user` may import (a facility officer's own)."""
    return {
        a.facility.code
        for a in _assignments(user)
        if a.scope == HealthAssignment.Scope.FACILITY and a.facility_id
    }


def visible_jobs(user) -> QuerySet[ImportJob]:
    """The import jobs `user` may follow: a province officer all of them, others their own
    uploads; none without a health role."""
    if not _assignments(user):
        return ImportJob.objects.none()
    if imports_everywhere(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(uploaded_by=user)


def job_or_404(user, pk: int) -> ImportJob:
    """The import job `pk` if `user` may see it, else Http404."""
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
