"""What a process runs on (its subject), the fields branch conditions may read, and how task
lists, the API and notifications name it (`SubjectSummary`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.models import Document

# Field names a condition may use, with a short description (shown in the designer).
SUBJECT_FIELDS: dict[str, Any] = {
    "type": gettext_lazy("document type abbreviation, e.g. QĐ, KH (empty for a Công văn)"),
    "type_name": gettext_lazy("document type name, e.g. Quyết định, Công văn"),
    "urgency": gettext_lazy("urgency code: normal, urgent, very-urgent, flash"),
    "urgency_level": gettext_lazy("urgency level 0–3"),
    "confidentiality": gettext_lazy(
        "confidentiality code: normal, confidential, secret, top-secret"
    ),
    "confidential": gettext_lazy("True for Mật and above"),
    "direction": gettext_lazy("incoming or outgoing"),
    "unit": gettext_lazy("abbreviation of the owning unit, e.g. NVY"),
    "field": gettext_lazy("field (lĩnh vực) code"),
    "amount": gettext_lazy("an amount of money where the subject has one (fees), else None"),
    "registry": gettext_lazy(
        "agency when registered in the agency's books, else the unit's abbreviation"
    ),
    "lead_is_person": gettext_lazy(
        "True when the lead handler was assigned as a person, not a unit"
    ),
    "procedure": gettext_lazy("administrative procedure code of a one-stop dossier, e.g. 1.004616"),
    "channel": gettext_lazy("how a dossier came in: online or counter (empty for documents)"),
}


@dataclass(frozen=True)
class SubjectWorkspace:
    """What a task page shows of a non-document subject: `template` rendered with `context`
    in the page's document column, and `document`, a document of the subject to show in the
    viewer (a dossier's result under review), already checked visible to the user."""

    template: str
    context: dict[str, Any]
    document: Document | None = None


@dataclass(frozen=True)
class SubjectSummary:
    """What a task list, the tasks API and a notification say about a task's subject.

    `kind`: "document" or the registered kind (e.g. "dossier"); `code`: the document's symbol
    or the dossier's code; `title`: what it is about (the document's subject, the dossier's
    procedure name); `applicant` and `procedure` for one-stop subjects ("" otherwise); `url`:
    the staff page; `kind_label`: the kind in words, for sentences."""

    kind: str
    id: int
    code: str
    title: str
    applicant: str = ""
    procedure: str = ""
    url: str = ""
    kind_label: str = ""

    @property
    def label(self) -> str:
        """One line: "Hồ sơ 000.00.23.H19-260420-0001 (Nguyễn Văn An): Cấp chứng chỉ …"."""
        head = " ".join(part for part in (self.kind_label, self.code) if part)
        if self.applicant:
            head = f"{head} ({self.applicant})" if head else self.applicant
        return f"{head}: {self.title}" if head and self.title else head or self.title


@dataclass(frozen=True)
class SubjectAdapter:
    """How the engine treats another kind of subject than a document (e.g. a one-stop dossier).

    `fields(subject)` gives the SUBJECT_FIELDS values; `on_finished(run, subject)` runs when a
    process on it reaches its end; `url(subject)` is the staff page shown on task pages;
    `workspace(subject, user)` is what the task page shows of it to that user (None when the
    user may not see it);
    `before_complete(work_item, subject)` runs before any task of a process on it is completed
    and raises ValidationError when the subject may not move on yet; `summary(subject)` names
    it wherever a task is listed.
    """

    label: str  # "app_label.modelname"
    fields: Callable[[Any], dict[str, Any]]
    on_finished: Callable[[Any, Any], None] | None = None
    url: Callable[[Any], str] | None = None
    workspace: Callable[[Any, Any], SubjectWorkspace | None] | None = None
    before_complete: Callable[[Any, Any], None] | None = None
    # How task lists, the API and notifications name the subject; `related` is what loading
    # many subjects at once joins (select_related) for it.
    summary: Callable[[Any], SubjectSummary] | None = None
    related: tuple[str, ...] = ()


SUBJECT_ADAPTERS: dict[str, SubjectAdapter] = {}


def register_subject(adapter: SubjectAdapter) -> None:
    SUBJECT_ADAPTERS[adapter.label] = adapter


def subject_ref(subject: Any) -> dict[str, Any] | None:
    """What a run stores to find a non-document subject again."""
    if subject is None or isinstance(subject, Document):
        return None
    return {"model": subject._meta.label_lower, "pk": subject.pk}


def subject_load(ref: dict[str, Any] | None) -> Any:
    """The subject a stored reference points at (None when it is gone)."""
    if not ref or ref.get("model") not in SUBJECT_ADAPTERS:
        return None
    model = apps.get_model(ref["model"])
    return model._default_manager.filter(pk=ref["pk"]).first()


def adapter_for(subject: Any) -> SubjectAdapter | None:
    if subject is None or isinstance(subject, Document):
        return None
    return SUBJECT_ADAPTERS.get(subject._meta.label_lower)


def subject_step_check(work_item: Any) -> None:
    """Let the run's registered subject hold a task back (its adapter's `before_complete`)."""
    run = work_item.run
    if run.document_id is not None:
        return
    subject = subject_load(run.process.data.get("subject"))
    adapter = adapter_for(subject)
    if adapter is not None and adapter.before_complete is not None:
        adapter.before_complete(work_item, subject)


def _registry(document: Document) -> str:
    book = document.register_book
    if book is None or book.unit_id is None:
        return "agency"
    return book.unit.short_name or str(book.unit_id)


def _lead_is_person(document: Document) -> bool:
    from edoc.models import Assignment

    lead = (
        Assignment.objects.filter(document=document, role=Assignment.Role.LEAD, parent__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return bool(lead and lead.user_id)


def subject_fields(subject: Any) -> dict[str, Any]:
    """The values of SUBJECT_FIELDS for a subject (a Document, a registered subject such as a
    dossier, or None for a bare test run)."""
    if isinstance(subject, Document):
        doc_type = subject.document_type
        return {
            "type": doc_type.abbreviation if doc_type else "",
            "type_name": doc_type.name if doc_type else "",
            "urgency": subject.urgency.code,
            "urgency_level": subject.urgency.level,
            "confidentiality": subject.confidentiality.code,
            "confidential": subject.confidentiality.level > 0,
            "direction": subject.direction,
            "unit": subject.owner_unit.short_name,
            "field": subject.field.code if subject.field_id else "",
            "amount": None,
            "registry": _registry(subject),
            "lead_is_person": _lead_is_person(subject),
            "procedure": "",
            "channel": "",
        }
    adapter = adapter_for(subject)
    if adapter is not None:
        return {**dict.fromkeys(SUBJECT_FIELDS), **adapter.fields(subject)}
    return dict.fromkeys(SUBJECT_FIELDS)


def subject_link(run: Any) -> tuple[str, str] | None:
    """(label, staff URL) of a run's non-document subject, for task and process pages."""
    if run is None or run.document_id is not None:
        return None
    subject = subject_load(run.process.data.get("subject"))
    adapter = adapter_for(subject)
    if adapter is None:
        return None
    summary = subject_summary(subject)
    label = summary.label if summary is not None else str(subject)
    return label, adapter.url(subject) if adapter.url else ""


def subject_workspace(run: Any, user: Any) -> SubjectWorkspace | None:
    """The task page's view of a run's non-document subject for `user` (None for documents,
    unknown kinds, or when the subject's app says the user may not see it)."""
    if run is None or run.document_id is not None:
        return None
    subject = subject_load(run.process.data.get("subject"))
    adapter = adapter_for(subject)
    if adapter is None or adapter.workspace is None:
        return None
    return adapter.workspace(subject, user)


def document_summary(document: Document) -> SubjectSummary:
    return SubjectSummary(
        kind="document",
        id=document.pk,
        code=document.symbol,
        title=document.subject,
        url=reverse("edoc:document_detail", args=[document.pk]),
        kind_label=_("Document"),
    )


def subject_summary(subject: Any) -> SubjectSummary | None:
    """The summary of a document or of a registered subject (None for anything else)."""
    if isinstance(subject, Document):
        return document_summary(subject)
    adapter = adapter_for(subject)
    if adapter is None or adapter.summary is None:
        return None
    return adapter.summary(subject)


def run_summaries(runs: Iterable[Any]) -> dict[int, SubjectSummary]:
    """Summaries of many runs' subjects keyed by run id, with one query per kind of subject
    (the runs' `process` and `document` should be loaded with them)."""
    runs = list(runs)
    wanted: dict[str, dict[int, list[int]]] = {}  # model label → subject pk → run ids
    summaries: dict[int, SubjectSummary] = {}
    for run in runs:
        if run.document_id is not None:
            summaries[run.pk] = document_summary(run.document)
            continue
        ref = run.process.data.get("subject") if run.process.data else None
        if ref and ref.get("model") in SUBJECT_ADAPTERS:
            wanted.setdefault(ref["model"], {}).setdefault(ref["pk"], []).append(run.pk)
    for label, by_pk in wanted.items():
        adapter = SUBJECT_ADAPTERS[label]
        if adapter.summary is None:
            continue
        model = apps.get_model(label)
        queryset = model._default_manager.filter(pk__in=list(by_pk))
        if adapter.related:
            queryset = queryset.select_related(*adapter.related)
        for subject in queryset:
            summary = adapter.summary(subject)
            for run_id in by_pk[subject.pk]:
                summaries[run_id] = summary
    return summaries


def work_item_summaries(work_items: Iterable[Any]) -> dict[int, SubjectSummary]:
    """Summaries of the tasks' subjects keyed by task id (their `run__process` and `document`
    loaded with them)."""
    items = list(work_items)
    summaries = {item.pk: document_summary(item.document) for item in items if item.document_id}
    others = [item for item in items if not item.document_id]
    by_run = run_summaries({item.run_id: item.run for item in others}.values())
    summaries.update({item.pk: by_run[item.run_id] for item in others if item.run_id in by_run})
    return summaries
