"""The demo documents, created through the services as the demo users would.

Documents are created once, on a database whose agency has none yet. Every document is
generated as a Decree 30 PDF and goes through the services (registration, assignment,
forwarding, completion, drafting, submission, issuance), so register numbers, file hashes and
audit entries are real.

Two adjustments the services do not offer, both for demo realism and documented here:
- deadlines in the past: `document_assign` refuses them, so documents are assigned with a valid
  deadline which is then moved back (queryset update) to "received + N days";
- timestamps: the handling events, assignments and outgoing issue times are dated along each
  document's own timeline (received in 2023 → handled in 2023) instead of "now". The audit log
  is left untouched: it records when the seed really ran.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from edoc.demo.builders import IncomingSpec, build_incoming, build_outgoing, fill, incoming_notation
from edoc.demo.issuers import ISSUERS
from edoc.demo.organisation import Org
from edoc.demo.topics import FIELD_LEAD_UNIT, OUTGOING_TOPICS, TOPICS, TOPICS_BY_KEY
from edoc.extraction import DOCUMENT_TYPE_ABBREVIATIONS, extract_metadata
from edoc.models import (
    Assignment,
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentType,
    ExternalOrganization,
    Urgency,
)
from edoc.models.organisation import Role
from edoc.pdfgen import render_pdf
from edoc.services.documents import (
    document_grant,
    incoming_register,
    outgoing_create,
    outgoing_issue,
    outgoing_submit,
)
from edoc.services.documents.common import handling_facts_store
from edoc.services.files import pdf_validate
from edoc.services.handling import (
    assignment_complete,
    assignment_forward,
    assignment_return,
    document_assign,
    document_comment,
)
from edoc.text import fold

# Who among the demo users (edoc.demo.organisation.USERS) takes on a department's work.
SPECIALIST_OF_UNIT = {"NVY": "chuyenvien", "VP": "chuyenvien_vp", "NVD": "chuyenvien_duoc"}
DRAFTER_OF_UNIT = {**SPECIALIST_OF_UNIT, "TCCB": "truongphong_tccb"}
POSITION_TITLES = {
    "CHỦ TỊCH": "Chủ tịch",
    "PHÓ CHỦ TỊCH": "Phó Chủ tịch",
    "THỨ TRƯỞNG": "Thứ trưởng",
    "GIÁM ĐỐC": "Giám đốc",
    "PHÓ GIÁM ĐỐC": "Phó Giám đốc",
    "PHÓ CỤC TRƯỞNG": "Phó Cục trưởng",
    "PHÓ CHÁNH VĂN PHÒNG": "Phó Chánh Văn phòng",
}
TYPE_WEIGHTS = {"Công văn": 6, "Kế hoạch": 2, "Quyết định": 2, "Báo cáo": 1, "Thông báo": 1}
DIRECTIVES = (
    "Giao {unit} chủ trì tham mưu, báo cáo kết quả.",
    "Chuyển {unit} nghiên cứu, tham mưu văn bản triển khai.",
    "{unit} chủ trì, phối hợp các đơn vị liên quan thực hiện đúng thời hạn.",
    "Đề nghị {unit} tham mưu Giám đốc Sở chỉ đạo thực hiện.",
)


def _aware(day: datetime.date, hour: float) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(int(hour), int(hour % 1 * 60)))
    return timezone.make_aware(naive)


def _previous_working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _add_working_days(day: datetime.date, days: int) -> datetime.date:
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


class DocumentSeeder:
    """Creates the demo documents through the services, as the demo users would."""

    def __init__(self, org: Org, *, count: int, seed: int) -> None:
        self.org = org
        self.rng = random.Random(seed)
        self.count = count
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.types = {t.name: t for t in DocumentType.objects.all()}
        self.urgency = {u.code: u for u in Urgency.objects.all()}
        self.confidentiality = {c.code: c for c in Confidentiality.objects.all()}
        self.stats: Counter = Counter()
        self.corrections: Counter = Counter()
        self.pending: Counter = Counter()
        self.user = org.users.__getitem__

    # -- incoming --

    def incoming_specs(self, total: int) -> list[IncomingSpec]:
        rng = self.rng
        start = datetime.date(2023, 1, 3)
        recent_from = self.today - datetime.timedelta(days=60)
        issuers = list(ISSUERS)
        weights = [issuer.weight for issuer in issuers]
        specs: list[IncomingSpec] = []
        # The province's own 2023 digital-transformation plan (Kế hoạch số 49/KH-UBND).
        ubnd = next(i for i in ISSUERS if i.key == "ubnd")
        specs.append(
            IncomingSpec(
                issuer=ubnd,
                topic=TOPICS_BY_KEY["cds-tinh"],
                type_name="Kế hoạch",
                issue_date=datetime.date(2023, 3, 1),
                number="49",
                notation="KH-UBND",
                signer=ubnd.signers[0],
            )
        )
        confidential_left = max(3, total // 25)
        while len(specs) < total:
            # Most documents spread over 2023 until two months ago; the rest are recent, so
            # that leaders, unit heads and specialists have work waiting.
            roll = rng.random()
            if roll < 0.7:
                span = (recent_from - start).days
                day = start + datetime.timedelta(days=rng.randint(0, span))
            elif roll < 0.9:
                day = self.today - datetime.timedelta(days=rng.randint(12, 59))
            else:
                day = self.today - datetime.timedelta(days=rng.randint(1, 11))
            day = _previous_working_day(day)
            issuer = rng.choices(issuers, weights)[0]
            topics = [t for t in TOPICS if issuer.key in t.issuers]
            if confidential_left and issuer.key in ("snv", "ubnd") and rng.random() < 0.3:
                topic = TOPICS_BY_KEY["quy-hoach-can-bo"]
            else:
                topic = rng.choice([t for t in topics if not t.confidential] or topics)
            names = list(topic.subjects)
            type_name = rng.choices(names, [TYPE_WEIGHTS.get(n, 1) for n in names])[0]
            spec = IncomingSpec(issuer=issuer, topic=topic, type_name=type_name, issue_date=day)
            spec.confidential = topic.confidential
            confidential_left -= spec.confidential
            specs.append(spec)
        self._number(specs)
        for spec in specs:
            spec.subject = fill(spec.topic.subjects[spec.type_name], spec.issue_date)
            spec.signer = spec.signer or rng.choice(spec.issuer.signers)
            roll = rng.random()
            spec.urgent = roll < 0.18
            spec.extra["urgency"] = (
                "flash" if roll < 0.01 else "very-urgent" if roll < 0.05 else "urgent"
            )
            lag = rng.randint(1, 4 if spec.issuer.place == "Hà Nội" else 2)
            received = min(_add_working_days(spec.issue_date, lag), self.today)
            hour = rng.uniform(7.5, 16.5)
            if received == self.today:
                received, hour = self._arrived_today(hour)
            spec.extra["received_at"] = _aware(received, hour)
        specs.sort(key=lambda s: s.extra["received_at"])
        for spec in specs[-2:]:  # the latest arrivals always wait for the leaders
            spec.extra["plan"] = "registered"
        return specs

    def _number(self, specs: list[IncomingSpec]) -> None:
        """Numbers grow through each issuer's year, as in its own outgoing register."""
        rng = self.rng
        taken: set[tuple[str, int, str]] = {
            (s.issuer.key, s.issue_date.year, s.number) for s in specs if s.number
        }
        last: dict[tuple[str, int], int] = {}
        for spec in sorted(specs, key=lambda s: s.issue_date):
            if spec.number:
                continue
            year = spec.issue_date.year
            per_day = spec.issuer.yearly_volume / 365
            day_of_year = spec.issue_date.timetuple().tm_yday
            number = int(day_of_year * per_day) + rng.randint(0, max(1, int(per_day)))
            number = max(number, last.get((spec.issuer.key, year), 0) + 1)
            while (spec.issuer.key, year, str(number)) in taken:
                number += 1
            taken.add((spec.issuer.key, year, str(number)))
            last[(spec.issuer.key, year)] = number
            spec.number = str(number)
            spec.notation = incoming_notation(spec.issuer, spec.type_name, rng)

    def register(self, spec: IncomingSpec) -> Document:
        """The clerk uploads the PDF, reads the proposal, confirms or corrects it, registers."""
        spec.document = build_incoming(spec, self.rng)
        content = render_pdf(spec.document)
        name = f"{spec.number}-{spec.notation}.pdf".replace("/", "-")
        pdf = pdf_validate(_Upload(content), name=name)
        proposal = extract_metadata(pdf.stream())
        expected = {
            "number": spec.number,
            "notation": spec.notation,
            "issuer": spec.issuer.header.replace("\n", " "),
            "place": spec.issuer.place,
            "date": spec.issue_date.isoformat(),
            "type": spec.type_name,
            "subject": spec.subject,
            "signer": spec.signer.name,
        }
        for key, value in expected.items():
            if proposal.get(key) != value:
                self.corrections[key] += 1
        issuer_org = self._match_organization(proposal.get("issuer")) or self.org.organizations.get(
            spec.issuer.key
        )
        document = incoming_register(
            user=self.user("vanthu"),
            subject=spec.subject,
            urgency=self.urgency[spec.extra["urgency"] if spec.urgent else "normal"],
            confidentiality=self.confidentiality["confidential" if spec.confidential else "normal"],
            pdf=pdf,
            document_type=self.types[spec.type_name],
            number=spec.number,
            notation=spec.notation,
            issuer="" if issuer_org else spec.issuer.name,
            issuer_organization=issuer_org,
            place=spec.issuer.place,
            issue_date=spec.issue_date,
            signer_name=spec.signer.name,
            signer_position=POSITION_TITLES.get(spec.signer.position, spec.signer.position),
            field=self.org.fields[spec.topic.field],
            received_at=spec.extra["received_at"],
            extraction_proposal=proposal,
        )
        self.stats["incoming"] += 1
        self.stats["confidential"] += spec.confidential
        return document

    def _match_organization(self, issuer: str | None) -> ExternalOrganization | None:
        """What the clerk picks in the issuer list for the printed agency name."""
        if not issuer:
            return None
        printed = fold(issuer)
        for org in self.org.organizations.values():
            if fold(org.name) == printed or fold(org.name).startswith(printed + " tinh"):
                return org
        return None

    def handle_incoming(self, document: Document, spec: IncomingSpec) -> None:
        """Move the document along: assign, forward, complete, return — by its age."""
        rng = self.rng
        received = timezone.localdate(spec.extra["received_at"])
        age = (self.today - received).days
        roll = rng.random()
        if age > 60:
            plan = "completed"
        elif age > 10:
            plan = "completed" if roll < 0.35 else "specialist" if roll < 0.7 else "unit"
            if self.stats["returned"] < 2 and roll > 0.9:
                plan = "returned"
        else:
            plan = "registered" if roll < 0.6 else "unit" if roll < 0.8 else "specialist"
        plan = spec.extra.get("plan", plan)
        unit_short = FIELD_LEAD_UNIT[spec.topic.field]
        if plan in ("specialist", "unit", "completed") and 0 < age <= 60:
            # Every department with a specialist gets a few tasks waiting at both levels.
            if unit_short in SPECIALIST_OF_UNIT and self.pending[unit_short, "specialist"] < 3:
                plan = "specialist"
            elif self.pending[unit_short, "unit"] < 2:
                plan = "unit"
        if plan in ("specialist", "unit"):
            self.pending[unit_short, plan] += 1
        if plan == "registered":
            self.stats["awaiting assignment"] += 1
            return

        unit = self.org.units[unit_short]
        head = unit.members.filter(role=Role.UNIT_HEAD).first()
        specialist_name = SPECIALIST_OF_UNIT.get(unit_short)
        specialist = self.user(specialist_name) if specialist_name else None
        leader = self.user("giamdoc" if rng.random() < 0.35 else "phogiamdoc")
        # Deadline the leader gives, counted from the day the document arrived.
        deadline = _add_working_days(
            received, rng.choice((5, 7, 10, 15) if plan == "completed" else (7, 10, 20, 30, 40))
        )
        valid_deadline = max(deadline, self.today + datetime.timedelta(days=1))
        directive = rng.choice(DIRECTIVES).format(unit=unit.name)

        if spec.confidential:
            document_grant(
                user=self.user("vanthu"),
                document=document,
                grantee=leader,
                reason="Trình lãnh đạo Sở cho ý kiến chỉ đạo",
            )
            lead = dict(lead_user=head)
        else:
            lead = dict(lead_unit=unit)
        extra: dict = {}
        if not spec.confidential and rng.random() < 0.3:
            others = [u for u in ("KHTC", "VP", "NVD", "NVY") if u != unit_short]
            extra["coordinator_units"] = [self.org.units[rng.choice(others)]]
        if (
            not spec.confidential
            and plan != "completed"
            and unit_short != "VP"
            and rng.random() < 0.3
        ):
            extra["information_units"] = [self.org.units["VP"]]
        assignments = document_assign(
            user=leader,
            document=document,
            deadline=valid_deadline,
            directive=directive,
            **lead,
            **extra,
        )
        lead_assignment = assignments[0]
        task = lead_assignment
        if plan in ("completed", "specialist") and specialist is not None and not spec.confidential:
            task = assignment_forward(
                user=head,
                assignment=lead_assignment,
                to_user=specialist,
                directive=f"Đề nghị đ/c {specialist.get_full_name()} nghiên cứu, tham mưu.",
            )
        if plan == "completed":
            for coordinator in assignments[1:]:
                if coordinator.role == Assignment.Role.COORDINATOR:
                    assignment_complete(
                        user=coordinator.unit.members.filter(role=Role.UNIT_HEAD).first(),
                        assignment=coordinator,
                        comment="Đã phối hợp, có ý kiến gửi phòng chủ trì.",
                    )
            assignment_complete(
                user=task.user if task.user_id else head,
                assignment=task,
                comment=rng.choice(
                    (
                        "Đã tham mưu văn bản triển khai, trình lãnh đạo Sở ký ban hành.",
                        "Đã tổng hợp, gửi báo cáo đúng thời hạn.",
                        "Đã triển khai đến các đơn vị trực thuộc.",
                        "Lưu hồ sơ, theo dõi.",
                    )
                ),
            )
            self.stats["completed"] += 1
        elif plan == "returned":
            assignment_return(
                user=head,
                assignment=lead_assignment,
                reason="Nội dung văn bản không thuộc lĩnh vực phòng phụ trách, đề nghị trình "
                "lãnh đạo Sở phân công lại.",
            )
            self.stats["returned"] += 1
        else:
            if plan == "specialist" and specialist is not None and rng.random() < 0.4:
                document_comment(
                    user=specialist,
                    document=document,
                    comment="Đang phối hợp với các đơn vị liên quan dự thảo văn bản triển khai.",
                )
            self.stats["in progress"] += 1
            if deadline < self.today:
                self.stats["overdue"] += 1
        if deadline != valid_deadline:
            # Past deadline, refused by the service: set after the fact (see module docstring).
            Assignment.objects.filter(document=document, deadline=valid_deadline).update(
                deadline=deadline
            )
            Document.objects.filter(pk=document.pk).update(deadline=deadline)
        self._backdate(document, spec.extra["received_at"])

    def _arrived_today(self, hour: float) -> tuple[datetime.date, float]:
        """A time before now for a document that arrives today at `hour` of the working day
        (7.5-16.5): the working day squeezed into the hours already past, or into yesterday
        evening before 8:00. Squeezed, not cut: the arrivals keep their order whatever the time
        of the seed, and with it the documents' numbers and plans."""
        share = (hour - 7.5) / 9.0
        local = timezone.localtime(self.now)
        past = local.hour + local.minute / 60 - 0.5
        if past > 8.0:
            return self.today, 7.5 + share * (past - 7.5)
        return self.today - datetime.timedelta(days=1), 17.0 + share * 6.0

    def _backdate(self, document: Document, start: datetime.datetime) -> None:
        """Date events and assignments along the document's own timeline (see docstring)."""
        rng = self.rng
        moment = start
        ceiling = self.now - datetime.timedelta(minutes=5)
        Document.objects.filter(pk=document.pk).update(created_at=start)
        for event in document.events.order_by("pk"):
            if event.action != DocumentEvent.Action.REGISTERED:
                moment = min(moment + datetime.timedelta(hours=rng.uniform(2, 30)), ceiling)
            DocumentEvent.objects.filter(pk=event.pk).update(created_at=moment)
            if event.action == DocumentEvent.Action.ASSIGNED:
                Assignment.objects.filter(document=document, parent__isnull=True).update(
                    created_at=moment
                )
            elif event.action == DocumentEvent.Action.FORWARDED and event.assignment_id:
                child = Assignment.objects.get(pk=event.assignment_id)
                Assignment.objects.filter(pk=child.pk).update(created_at=moment)
                Assignment.objects.filter(pk=child.parent_id).update(closed_at=moment)
            elif event.action == DocumentEvent.Action.COMPLETED and event.assignment_id:
                Assignment.objects.filter(pk=event.assignment_id).update(closed_at=moment)
            elif event.action == DocumentEvent.Action.RETURNED:
                Assignment.objects.filter(document=document, closed_at__gt=moment).update(
                    closed_at=moment
                )
        Document.objects.filter(pk=document.pk).update(updated_at=moment)
        # The handling facts stored on the document follow the dates just set.
        handling_facts_store(document)

    # -- outgoing --

    def outgoing_specs(self, total: int) -> list[dict]:
        rng = self.rng
        specs = []
        for topic in OUTGOING_TOPICS:
            for year in topic.years:
                first = datetime.date(year, 1, 5)
                last = min(datetime.date(year, 12, 28), self.today - datetime.timedelta(days=1))
                if last < first:
                    continue
                if "Tết" in topic.subject:
                    day = datetime.date(year, 1, rng.randint(8, 20))
                elif topic.subject.startswith("Chuyển đổi số ngành"):
                    day = datetime.date(year, rng.choice((2, 3)), rng.randint(1, 25))
                else:
                    day = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
                day = min(_previous_working_day(day), last)
                specs.append({"topic": topic, "date": day, "subject": fill(topic.subject, day)})
        rng.shuffle(specs)
        specs = sorted(specs[:total], key=lambda s: s["date"])
        # The newest are still drafts or await issuance; the rest were issued on their date.
        pending = min(len(specs) // 4, 15)
        for index, spec in enumerate(specs):
            from_end = len(specs) - index
            spec["state"] = (
                "draft"
                if from_end <= pending * 0.6
                else "ready"
                if from_end <= pending
                else "issued"
            )
        # At least one issued Công văn goes to Trung tâm Y tế thành phố Biên Hòa.
        for spec in specs:
            if spec["state"] == "issued" and "TTYT-BH" in spec["topic"].recipients_units:
                break
        else:
            for spec in specs:
                if spec["state"] == "issued":
                    spec["extra_units"] = ("TTYT-BH",)
                    break
        return specs

    def create_outgoing(self, spec: dict) -> Document:
        rng = self.rng
        topic = spec["topic"]
        drafter = self.user(DRAFTER_OF_UNIT.get(topic.unit, "chuyenvien"))
        important = topic.type_name in ("Quyết định", "Kế hoạch", "Tờ trình")
        signer = self.user("giamdoc" if important or rng.random() < 0.25 else "phogiamdoc")
        units = [self.org.units[s] for s in topic.recipients_units + spec.get("extra_units", ())]
        organizations = [self.org.organizations[k] for k in topic.recipients_orgs]
        abbreviation = DOCUMENT_TYPE_ABBREVIATIONS.get(topic.type_name, "")
        notation = f"{abbreviation}-SYT" if abbreviation else f"SYT-{drafter.unit.short_name}"
        printed = build_outgoing(
            topic,
            spec["subject"],
            None,
            signer_name=signer.get_full_name(),
            signer_position=signer.position,
            unit_short=drafter.unit.short_name,
            recipient_names=[o.name for o in organizations] + [u.name for u in units],
            rng=rng,
            today=spec["date"],
        )
        printed.notation = notation
        pdf = pdf_validate(
            _Upload(render_pdf(printed)), name=f"du-thao-{notation}-{spec['date']:%Y%m%d}.pdf"
        )
        document = outgoing_create(
            user=drafter,
            subject=spec["subject"],
            document_type=self.types[topic.type_name],
            urgency=self.urgency["urgent" if rng.random() < 0.15 else "normal"],
            confidentiality=self.confidentiality[
                "confidential" if topic.confidential else "normal"
            ],
            field=self.org.fields[topic.field],
            signer=signer,
            recipient_units=units,
            recipient_organizations=organizations,
            pdf=pdf,
        )
        self.stats["outgoing"] += 1
        drafted = _aware(spec["date"] - datetime.timedelta(days=3), 9.0)
        if spec["state"] in ("ready", "issued"):
            outgoing_submit(user=drafter, document=document, comment="Kính trình lãnh đạo ký.")
        if spec["state"] == "issued":
            document = outgoing_issue(
                user=self.user("vanthu"), document=document, issue_date=spec["date"]
            )
            issued_at = _aware(spec["date"], rng.uniform(14, 16.5))
            Document.objects.filter(pk=document.pk).update(issued_at=issued_at)
            self.stats["issued"] += 1
            self.stats["internal copies"] += document.internal_copies.count()
            for copy in document.internal_copies.all():
                self._backdate(copy, issued_at + datetime.timedelta(minutes=30))
            self._backdate(document, drafted)
            document.events.filter(action=DocumentEvent.Action.ISSUED).update(created_at=issued_at)
        else:
            self.stats[spec["state"]] += 1
            self._backdate(document, min(drafted, self.now - datetime.timedelta(days=1)))
        return document

    def run(self) -> None:
        n_out = max(1, round(self.count * 0.3))
        n_in = max(1, self.count - n_out)
        for spec in self.incoming_specs(n_in):
            document = self.register(spec)
            self.handle_incoming(document, spec)
        for spec in self.outgoing_specs(n_out):
            self.create_outgoing(spec)

    def summary(self) -> list[str]:
        """What was created, and what the clerk had to correct in the extraction proposals."""
        stats = self.stats
        wrong = sum(self.corrections.values())
        return [
            "Documents: {incoming} incoming ({completed} completed, {progress} in progress "
            "of which {overdue} overdue, {waiting} awaiting assignment, {returned} returned, "
            "{confidential} confidential); {outgoing} outgoing ({issued} issued, {ready} "
            "awaiting issuance, {draft} drafts) and {copies} internal copies.".format(
                incoming=stats["incoming"],
                completed=stats["completed"],
                progress=stats["in progress"],
                overdue=stats["overdue"],
                waiting=stats["awaiting assignment"],
                returned=stats["returned"],
                confidential=stats["confidential"],
                outgoing=stats["outgoing"],
                issued=stats["issued"],
                ready=stats["ready"],
                draft=stats["draft"],
                copies=stats["internal copies"],
            ),
            f"Extraction proposals: {stats['incoming']} read, "
            + (
                "all confirmed unchanged."
                if not wrong
                else "corrected by the clerk: "
                + ", ".join(f"{k} ×{n}" for k, n in self.corrections.items())
            ),
            "Past deadlines and handling dates were set after the service calls, for demo "
            "realism (see edoc/demo/documents.py).",
        ]


class _Upload:
    """In-memory file for pdf_validate (what an upload looks like to the service)."""

    def __init__(self, content: bytes) -> None:
        import io

        self._buffer = io.BytesIO(content)
        self.size = len(content)

    def read(self, *args) -> bytes:
        return self._buffer.read(*args)

    def seek(self, *args) -> int:
        return self._buffer.seek(*args)


def seed_documents(org: Org, *, count: int, seed: int) -> DocumentSeeder | None:
    """About `count` demo documents (30 % outgoing) from the random `seed`, in one transaction,
    on an agency without documents; None, creating nothing, when it already has some."""
    if Document.objects.filter(agency=org.agency).exists():
        return None
    seeder = DocumentSeeder(org, count=count, seed=seed)
    # Eager Celery logs every text-extraction task; one line per file is noise here.
    task_log = logging.getLogger("celery.app.trace")
    level = task_log.level
    task_log.setLevel(logging.WARNING)
    try:
        with transaction.atomic():
            seeder.run()
    finally:
        task_log.setLevel(level)
    return seeder
