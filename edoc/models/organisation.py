"""The agency, its unit tree, users with roles, and delegation."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

organisation_code_validator = RegexValidator(
    regex=r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$",
    message=_("Organisation code must look like 000.00.00.H19."),
)


class Agency(models.Model):
    """A state agency that issues documents under its own number series (e.g. Sở Y tế)."""

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("abbreviation"), max_length=20, help_text=_("Used in document notations, e.g. SYT.")
    )
    code = models.CharField(
        _("organisation code"), max_length=20, unique=True, validators=[organisation_code_validator]
    )
    parent_name = models.CharField(
        _("governing body"), max_length=255, blank=True, help_text=_("e.g. UBND TỈNH ĐỒNG NAI")
    )
    place_name = models.CharField(
        _("place name"), max_length=100, help_text=_("Place used in dates, e.g. Đồng Nai")
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    BOARD = "board", _("Board of directors")
    OFFICE = "office", _("Office or department")
    AFFILIATED = "affiliated", _("Affiliated unit")
    HOSPITAL = "hospital", _("Hospital")
    HEALTH_CENTRE = "health_centre", _("District health centre")
    COMMUNE_STATION = "commune_station", _("Commune health station")


class Unit(models.Model):
    """A node of the agency's organisation tree."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("abbreviation"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(
        _("organisation code"),
        max_length=20,
        blank=True,
        validators=[organisation_code_validator],
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    SPECIALIST = "specialist", _("Specialist")
    UNIT_HEAD = "unit_head", _("Unit head")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    DIRECTOR = "director", _("Director")
    ADMIN = "admin", _("System administrator")


LEADER_ROLES = (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)
ASSIGNING_ROLES = (Role.DIRECTOR, Role.DEPUTY_DIRECTOR, Role.UNIT_HEAD)


class User(AbstractUser):
    """A member of staff, placed in one unit with one role and a position title."""

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPECIALIST)
    position = models.CharField(
        _("position"), max_length=150, blank=True, help_text=_("e.g. Phó Giám đốc")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names, then the given name (Nguyễn Thị Lan)."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES

    @property
    def can_assign(self) -> bool:
        return self.role in ASSIGNING_ROLES

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK

    @property
    def agency_id(self) -> int | None:
        return self.unit.agency_id if self.unit_id else None


class DelegationQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date | None = None) -> DelegationQuerySet:
        day = day or timezone.localdate()
        return self.filter(revoked_at__isnull=True, start_date__lte=day, end_date__gte=day)


class Delegation(models.Model):
    """A leader hands their document handling to another user for a date range (ủy quyền)."""

    delegator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegator"),
    )
    delegate = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("delegate"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="delegation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.start_date}–{self.end_date})"
