"""Dossier statistics per procedure or handling unit for a period, counted by the database.

For a period [date_from, date_to] (local dates, both included):
- received online / at the counter: dossiers registered (submitted) in the period;
- resolved on time / late: dossiers finished in the period, by or after their appointment;
- in progress: dossiers open now (registered, accepted, processing, waiting for a supplement or a
  payment), registered by the end of the period, not overdue;
- overdue now: those open dossiers whose appointment has passed (for a paused dossier: passed
  before the pause).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from edoc.models import User
from onestop import access
from onestop.models import Channel, Dossier, OnlineLevel
from workflows.calendar import VN_TZ

COLUMNS = (
    ("received_online", "Tiếp nhận trực tuyến"),
    ("received_counter", "Tiếp nhận trực tiếp"),
    ("on_time", "Giải quyết đúng hạn"),
    ("late", "Giải quyết quá hạn"),
    ("in_progress", "Đang giải quyết"),
    ("overdue", "Quá hạn hiện tại"),
)
OPEN_STATUSES = (Dossier.Status.NEW, *Dossier.OPEN)


@dataclass(frozen=True)
class Period:
    start: datetime.datetime
    end: datetime.datetime  # exclusive

    @classmethod
    def of(cls, date_from: datetime.date, date_to: datetime.date) -> Period:
        return cls(
            datetime.datetime.combine(date_from, datetime.time.min, VN_TZ),
            datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, VN_TZ
            ),
        )


OUTCOMES = ("received_online", "received_counter", "on_time", "late", "in_progress", "overdue")


def outcome_conditions(period: Period, now: datetime.datetime) -> dict[str, Q]:
    """The condition of each column of COLUMNS for `period` (the definitions above)."""
    submitted = Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
    finished = Q(finished_at__gte=period.start, finished_at__lt=period.end)
    is_open = Q(status__in=OPEN_STATUSES, submitted_at__lt=period.end)
    overdue = is_open & (
        Q(paused_at__isnull=True, due_at__lt=now)
        | Q(paused_at__isnull=False, paused_at__gt=F("due_at"))
    )
    return {
        "received_online": submitted & Q(channel=Channel.ONLINE),
        "received_counter": submitted & Q(channel=Channel.COUNTER),
        "on_time": finished & Q(finished_at__lte=F("due_at")),
        "late": finished & Q(finished_at__gt=F("due_at")),
        "in_progress": is_open & ~overdue,
        "overdue": overdue,
    }


# Per grouping: the key (its value is each row's "key") and the columns naming it.
GROUPINGS = {
    "procedure": ["procedure_id", "procedure__code", "procedure__name"],
    "unit": ["procedure__handling_unit_id", "procedure__handling_unit__name"],
    "field": ["procedure__field_id", "procedure__field__name"],
    "level": ["procedure__online_level"],
}


def public_dossiers(agency_id: int) -> QuerySet[Dossier]:
    """Every submitted dossier of the agency: what the public service indicators count (no
    dossier is shown, only numbers)."""
    return Dossier.objects.filter(agency_id=agency_id).exclude(status=Dossier.Status.DRAFT)


def concerned(period: Period) -> Q:
    """The dossiers a report of `period` can count: submitted or finished in it, or open (the
    union of the conditions of `outcome_conditions`). Bounding the query by it lets the
    database read them through indexes instead of every dossier of the agency."""
    return (
        Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
        | Q(finished_at__gte=period.start, finished_at__lt=period.end)
        | Q(status__in=OPEN_STATUSES, submitted_at__lt=period.end)
    )


def _sort_key(value: object) -> tuple[bool, object]:
    return (value is None, value)  # as the database orders: empty values last


def dossier_reports(
    user: User | None,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    group_bys: tuple[str, ...] = ("procedure",),
    now: datetime.datetime | None = None,
    unit_ids: set[int] | None = None,
    dossiers: QuerySet[Dossier] | None = None,
) -> dict[str, list[dict]]:
    """Per grouping of `group_bys` (procedure, handling unit, field, online level), one row per
    group with the counts of COLUMNS, from one query grouped per procedure (a procedure has one
    unit, field and level), over the dossiers `user` may see (or `dossiers`, e.g.
    `public_dossiers`); `unit_ids`: only procedures handled by these units."""
    period = Period.of(date_from, date_to)
    conditions = outcome_conditions(period, now or timezone.now())
    if dossiers is None:
        dossiers = access.visible_dossiers(user)
    if unit_ids is not None:
        dossiers = dossiers.filter(procedure__handling_unit_id__in=unit_ids)
    keys = ["procedure_id", *(key for group_by in group_bys for key in GROUPINGS[group_by])]
    per_procedure = (
        dossiers.filter(concerned(period))
        .values(*dict.fromkeys(keys))
        .annotate(**{key: Count("pk", filter=conditions[key]) for key in OUTCOMES})
        .order_by()
    )
    levels = dict(OnlineLevel.choices)
    reports: dict[str, list[dict]] = {}
    for group_by in group_bys:
        names = GROUPINGS[group_by]
        groups: dict[object, dict] = {}
        for row in per_procedure:
            group = groups.setdefault(
                row[names[0]],
                {"order": tuple(_sort_key(row[name]) for name in names[1:] or names), "row": row}
                | dict.fromkeys(OUTCOMES, 0),
            )
            for key in OUTCOMES:
                group[key] += row[key]
        result = []
        for key, group in sorted(groups.items(), key=lambda item: item[1]["order"]):
            row = group["row"]
            if group_by == "procedure":
                label = f"{row['procedure__code']} – {row['procedure__name']}"
            elif group_by == "level":
                label = str(levels.get(row["procedure__online_level"], ""))
            else:
                label = row[names[1]] or "—"
            counts = {name: group[name] for name, _title in COLUMNS}
            if any(counts.values()):
                result.append({"label": label, "key": key, **counts})
        reports[group_by] = result
    return reports


def dossier_report(
    user: User | None,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    group_by: str = "procedure",
    now: datetime.datetime | None = None,
    unit_ids: set[int] | None = None,
    dossiers: QuerySet[Dossier] | None = None,
) -> list[dict]:
    """One row per procedure (or handling unit, field, online level) with the counts of
    COLUMNS, in one query (`dossier_reports`)."""
    return dossier_reports(
        user,
        date_from=date_from,
        date_to=date_to,
        group_bys=(group_by,),
        now=now,
        unit_ids=unit_ids,
        dossiers=dossiers,
    )[group_by]


def procedure_levels(user: User) -> list[dict]:
    """Active procedures of the user's agency per online level (full / partial / counter)."""
    from onestop.models import Procedure

    if not user.unit_id:
        return []
    counts = dict(
        Procedure.objects.filter(agency_id=user.unit.agency_id, active=True)
        .values_list("online_level")
        .annotate(count=Count("pk"))
    )
    return [
        {"level": level, "label": label, "count": counts.get(level, 0)}
        for level, label in OnlineLevel.choices
    ]


def report_totals(rows: list[dict]) -> dict[str, int]:
    return {key: sum(row[key] for row in rows) for key, _title in COLUMNS}


def report_xlsx(
    rows: list[dict], *, date_from: datetime.date, date_to: datetime.date, group_by: str
) -> bytes:
    """The report as an Excel workbook (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bao cao mot cua"
    sheet.append([f"Tình hình giải quyết hồ sơ từ {date_from:%d/%m/%Y} đến {date_to:%d/%m/%Y}"])
    sheet["A1"].font = Font(bold=True, size=13)
    header = ["Thủ tục" if group_by == "procedure" else "Đơn vị xử lý"] + [t for _k, t in COLUMNS]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append([row["label"]] + [row[key] for key, _t in COLUMNS])
    totals = report_totals(rows)
    sheet.append(["Tổng cộng"] + [totals[key] for key, _t in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 70
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
