"""Reads for data retention: documents due for transfer to the historical archive or for
destruction under their type's retention rule (edoc.models.retention)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateField, QuerySet
from django.db.models.functions import Cast, Coalesce, ExtractYear

from edoc.models import Agency, DestructionRequest, Document, RetentionRule

DESTROY = "destroy"
TRANSFER = "transfer"


def _with_record_year(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """The year a record's retention counts from: its issue date, else when it was received,
    else registered (the year its work ended is not recorded; this is the closest)."""
    return queryset.annotate(
        record_date=Coalesce(
            "issue_date",
            Cast("received_at", DateField()),
            Cast("created_at", DateField()),
        )
    ).annotate(record_year=ExtractYear("record_date"))


@dataclass(frozen=True)
class DueRecord:
    document: Document
    rule: RetentionRule
    due_on: datetime.date  # 1 January of the year after the period ends


def retention_due(agency: Agency, kind: str, *, today: datetime.date) -> list[DueRecord]:
    """The agency's documents due on `today`: `kind` DESTROY — a limited period has run out
    (counted in whole years after the record's year); TRANSFER — a permanent record's
    `transfer_after_years` have. Destroyed documents and those in an open request are left out."""
    rules = RetentionRule.objects.select_related("document_type")
    if kind == DESTROY:
        rules = rules.filter(years__isnull=False)
    else:
        rules = rules.filter(years__isnull=True, transfer_after_years__isnull=False)
    open_requests = DestructionRequest.objects.filter(
        status__in=(DestructionRequest.Status.REQUESTED, DestructionRequest.Status.APPROVED)
    )
    base = _with_record_year(
        Document.objects.filter(agency=agency, tombstone__isnull=True)
        .exclude(destruction_requests__in=open_requests)
        .select_related("document_type")
    )
    due: list[DueRecord] = []
    for rule in rules:
        years = rule.years if kind == DESTROY else rule.transfer_after_years
        last_year = today.year - years - 1  # a 2015 record kept 10 years is due from 2026
        for document in base.filter(
            document_type=rule.document_type, record_year__lte=last_year
        ).order_by("record_date", "pk"):
            due.append(
                DueRecord(document, rule, datetime.date(document.record_year + years + 1, 1, 1))
            )
    due.sort(key=lambda record: (record.due_on, record.document.pk))
    return due


def destruction_requests(agency: Agency) -> QuerySet[DestructionRequest]:
    return DestructionRequest.objects.filter(agency=agency).select_related(
        "requested_by", "decided_by", "executed_by"
    )


def destroyable(agency: Agency, document_ids: list[int], *, today: datetime.date) -> set[int]:
    """Which of these documents are due for destruction today (for a request's check)."""
    due = {record.document.pk for record in retention_due(agency, DESTROY, today=today)}
    return due & set(document_ids)
