"""Working-day calendar data: the administrators' yearly changes to the default holidays.

The default rule (weekends, the Labour Code holidays, compensatory days) lives in
`workflows.calendar`; these rows only record what the Government announced for a given year.
Write them through `workflows.services` so every change is audited and the calendar cache
is refreshed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.calendar import MAX_YEAR, MIN_YEAR


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Working day")


class CalendarDay(models.Model):
    """One date whose status the administrators set; it always wins over the default rule."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=DayKind.choices,
        help_text=_(
            "Day off: a compensatory day, a bridge day or an exact holiday day. Working day: "
            "a make-up working day (e.g. a Saturday) or a default holiday that is cancelled."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=150,
        help_text=_("Shown in calendars, e.g. “Nghỉ bù Quốc khánh” or “Làm bù cho ngày 02/5”."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("e.g. the announcement that decided this day.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[DayKind.DAY_OFF, DayKind.WORKING_DAY]),
                name="calendarday_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.date and not MIN_YEAR <= self.date.year <= MAX_YEAR:
            raise ValidationError(
                {
                    "date": _("The calendar covers the years %(min)s to %(max)s.")
                    % {"min": MIN_YEAR, "max": MAX_YEAR}
                }
            )


class HolidayYear(models.Model):
    """Per-year settings: which default holiday groups the administrators' entries replace.

    Article 112(3) of the Labour Code lets the Prime Minister fix the exact Tết days and the
    day next to Quốc khánh each year. When a flag is set, the default days of that group
    (and their compensatory days) are dropped and the year's calendar days of kind "day off"
    are the only ones; 2 September itself always stays a holiday.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    tet_from_entries = models.BooleanField(
        _("Tết days are set by calendar days"),
        default=False,
        help_text=_(
            "Tick when the year's Tết days have been entered as calendar days: the default "
            "Tết (the last day of the lunar year and the first four days of the new year) "
            "and its compensatory days are then ignored."
        ),
    )
    national_day_from_entries = models.BooleanField(
        _("National Day days are set by calendar days"),
        default=False,
        help_text=_(
            "Tick when the day next to 2 September (and any compensatory day) has been "
            "entered as calendar days: the default choice is then ignored. 2 September "
            "itself is always a holiday."
        ),
    )
    announcement = models.CharField(
        _("announcement"),
        max_length=255,
        blank=True,
        help_text=_("The announcement of the year's holidays, e.g. its number and date."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
