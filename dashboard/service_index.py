"""The real-time service index of Decision 766/QĐ-TTg (23 June 2022), for the parts eDoc's
data supports.

Decision 766/QĐ-TTg of the Prime Minister approves the "Bộ chỉ số chỉ đạo, điều hành và đánh giá
chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo
thời gian thực trên môi trường điện tử". Its groups of indicators and their maximum points (100
in all) are:

    Công khai, minh bạch (publicity, transparency) ......... 18
    Tiến độ, kết quả giải quyết (timeliness, results) ....... 20
    Số hóa hồ sơ (digitised dossiers) ....................... 22
    Cung cấp dịch vụ trực tuyến (online services, including
    online payment) ......................................... 22
    Mức độ hài lòng (satisfaction) .......................... 18

Sources: the Decision itself (Quyết định số 766/QĐ-TTg ngày 23/6/2022, Appendix), as published by
Sở Nội vụ Nam Định, "Thủ tướng Chính phủ phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất
lượng phục vụ người dân, doanh nghiệp …" (sonoivu.namdinh.gov.vn, with the Decision's full text:
the five groups and their maximum points above), and the summary of baocaotaichinh.vn
("Quyết định 766/QĐ-TTg 2022 …": up to 20 points for the rate of dossiers handled on time; the
satisfaction group scored on the rate of satisfied citizens, 18 points; 4 of the 18 points of
publicity for procedures published on time).

How eDoc scores what it can measure (each rate is a share of 0–1; points = rate × the group's
maximum, the Decision's rule of scoring a rate against its maximum):

- Timeliness (20): dossiers finished in the period by their appointment / all finished in it.
- Online services (22): dossiers submitted online / all received, and dossier fees paid online
  (a payment gateway or a VietQR transfer, not at the counter) / all dossier fees paid.
- Digitised dossiers (22): dossiers received with their papers stored electronically / all
  received, and dossiers finished with an electronic (signed) result document / all finished.
- Satisfaction (18): ratings of 4 or 5 (satisfied, very satisfied) / all ratings given in the
  period on the portal (one question, 1–5, after the result is returned).
- Publicity and transparency (18): not measured — it is about publishing procedures and
  syncing dossiers to the National Public Service Portal, which eDoc's data does not show.

The points of the individual criteria inside the online services and digitised dossiers groups
were not in the sources consulted; where eDoc measures two criteria of a group, they count
equally (the mean of the two rates) and the page says so. The total is given over the maximum
of the groups measured (82 points), never as a score out of 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dashboard.filters import DateRange
from onestop import reports
from onestop.models import Dossier, DossierPaper
from onestop.portal.models import SatisfactionRating
from payments.models import PAID_STATES, PaymentOrder
from payments.services import COUNTER_METHODS


@dataclass(frozen=True)
class Rate:
    label: str
    part: int
    whole: int

    @property
    def value(self) -> Decimal | None:
        """The rate in percent (one decimal); None when nothing was counted."""
        if not self.whole:
            return None
        return (Decimal(self.part * 100) / Decimal(self.whole)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    maximum: int
    rates: tuple[Rate, ...]
    note: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.rates)

    @property
    def points(self) -> Decimal | None:
        """The group's maximum × the mean of its measured rates (two decimals)."""
        values = [rate.value for rate in self.rates if rate.value is not None]
        if not values:
            return None
        mean = sum(values) / Decimal(100 * len(values))
        return (mean * self.maximum).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ServiceIndex:
    groups: tuple[Group, ...]

    @property
    def points(self) -> Decimal | None:
        scored = [group.points for group in self.groups if group.points is not None]
        return sum(scored, Decimal(0)) if scored else None

    @property
    def maximum(self) -> int:
        """The maximum points of the groups that could be scored."""
        return sum(group.maximum for group in self.groups if group.points is not None)


def _of_dossiers(rows: QuerySet, dossiers: QuerySet[Dossier]) -> QuerySet:
    """The `rows` (payment orders, ratings: few in a range) of one of `dossiers`. The dossiers
    are narrowed to those of `rows` first: with `dossier__in=dossiers` alone the planner read
    every dossier a unit head sees (120,000 at the issue's volumes) and probed the orders of
    each (1.5-2 s)."""
    return rows.filter(dossier__in=dossiers.filter(pk__in=rows.values("dossier_id")).values("pk"))


def service_index(
    dossiers: QuerySet[Dossier], date_range: DateRange, totals: dict[str, int] | None = None
) -> ServiceIndex:
    """The index over `dossiers` (those a user may see, or an agency's public ones) for the
    range, from aggregate queries; `totals`: the report's totals of the same dossiers and range
    (`onestop.reports.report_totals`) when the caller has them already."""
    bounds = date_range.bounds
    if totals is None:
        totals = reports.report_totals(
            reports.dossier_report(
                None,
                date_from=date_range.date_from,
                date_to=date_range.date_to,
                group_by="level",
                dossiers=dossiers,
            )
        )
    received_q = Q(submitted_at__gte=bounds.start, submitted_at__lt=bounds.end)
    finished_q = Q(finished_at__gte=bounds.start, finished_at__lt=bounds.end)
    digital = (
        dossiers.filter(received_q | finished_q)
        .annotate(has_papers=Exists(DossierPaper.objects.filter(dossier=OuterRef("pk"))))
        .aggregate(
            received=Count("pk", filter=received_q),
            with_papers=Count("pk", filter=received_q & Q(has_papers=True)),
            finished=Count("pk", filter=finished_q),
            electronic_result=Count("pk", filter=finished_q & Q(result__isnull=False)),
        )
    )
    payments = _of_dossiers(
        PaymentOrder.objects.filter(
            state__in=PAID_STATES, paid_at__gte=bounds.start, paid_at__lt=bounds.end
        ),
        dossiers,
    ).aggregate(paid=Count("pk"), online=Count("pk", filter=~Q(provider__in=COUNTER_METHODS)))
    ratings = _of_dossiers(
        SatisfactionRating.objects.filter(rated_at__gte=bounds.start, rated_at__lt=bounds.end),
        dossiers,
    ).aggregate(given=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)))
    received = totals["received_online"] + totals["received_counter"]
    equal_note = str(
        _(
            "Its measured criteria count equally "
            "(their points are not published in the sources used)."
        )
    )
    return ServiceIndex(
        (
            Group(
                "publicity",
                str(_("Publicity and transparency")),
                18,
                (),
                str(
                    _(
                        "Not measured: procedures published and dossiers synchronised to the "
                        "National Public Service Portal are not in eDoc's data."
                    )
                ),
            ),
            Group(
                "timeliness",
                str(_("Timeliness of handling")),
                20,
                (
                    Rate(
                        str(_("Dossiers resolved on time")),
                        totals["on_time"],
                        totals["on_time"] + totals["late"],
                    ),
                ),
            ),
            Group(
                "digitisation",
                str(_("Digitised dossiers")),
                22,
                (
                    Rate(
                        str(_("Dossiers received with their papers stored electronically")),
                        digital["with_papers"],
                        digital["received"],
                    ),
                    Rate(
                        str(_("Dossiers resolved with an electronic result")),
                        digital["electronic_result"],
                        digital["finished"],
                    ),
                ),
                equal_note,
            ),
            Group(
                "online",
                str(_("Online services and payment")),
                22,
                (
                    Rate(str(_("Dossiers submitted online")), totals["received_online"], received),
                    Rate(str(_("Fees paid online")), payments["online"], payments["paid"]),
                ),
                equal_note,
            ),
            Group(
                "satisfaction",
                str(_("Satisfaction")),
                18,
                (
                    Rate(
                        str(_("Ratings of 4 or 5 out of 5")),
                        ratings["satisfied"],
                        ratings["given"],
                    ),
                ),
            ),
        )
    )
