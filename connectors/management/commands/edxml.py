"""`manage.py edxml parse FILE [--json]` and `manage.py edxml build DOCUMENT_ID`.

parse: exit 0 when the message was read, 2 (one-line reason on stderr) when the file is missing,
too large, not well-formed, not edXML or refused (missing or bad fields, bad attachments).
build: prints the edXML message an issued outgoing document sends; 2 when it sends none.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from connectors.edxml import EdxmlError, Message, parse_message
from connectors.edxml.builder import build_message
from connectors.edxml.outgoing import NotSendable, document_message
from connectors.edxml.parser import max_message_bytes, too_large
from edoc.models import Document

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = "Read an edXML (QCVN 102:2016) message, or print the one an issued document sends."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        parse = actions.add_parser("parse", help="print what an edXML message says")
        parse.add_argument("file", help="the .edxml file")
        parse.add_argument("--json", action="store_true", help="print JSON")
        build = actions.add_parser("build", help="print the message an issued document sends")
        build.add_argument("document_id", type=int)

    def handle(self, *args, **options) -> None:
        if options["action"] == "parse":
            self._parse(Path(options["file"]), as_json=options["json"])
        else:
            self._build(options["document_id"])

    def _parse(self, path: Path, *, as_json: bool) -> None:
        try:
            size = path.stat().st_size
            limit = max_message_bytes()
            if size > limit:
                raise too_large(size, limit)
            message = parse_message(path.read_bytes(), max_bytes=limit)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror},
                returncode=EXIT_REFUSED,
            )
        except EdxmlError as error:
            raise CommandError(f"{error.code}: {error.message}", returncode=EXIT_REFUSED)
        if as_json:
            self.stdout.write(json.dumps(message.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(summary(message)))

    def _build(self, document_id: int) -> None:
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise CommandError(
                _("There is no document %(id)s.") % {"id": document_id}, returncode=EXIT_REFUSED
            )
        try:
            message = document_message(document)
        except NotSendable as error:
            raise CommandError(str(error), returncode=EXIT_REFUSED)
        self.stdout.write(build_message(message).decode("utf-8"), ending="")


def business_label(name: str) -> str:
    return {
        "new": _("new document"),
        "recall": _("recall"),
        "update": _("update"),
        "replace": _("replacement"),
    }[name]


def status_label(meaning: str) -> str:
    return {
        "arrived": _("arrived"),
        "refused": _("refused"),
        "accepted": _("accepted"),
        "assigned": _("assigned"),
        "in_progress": _("in progress"),
        "completed": _("completed"),
        "taken_back": _("taken back by the sender"),
        "change_accepted": _("update or take-back accepted"),
        "change_refused": _("update or take-back refused"),
    }[meaning]


def _organ_line(organ) -> str:
    return f"{organ.organ_name} ({organ.organ_id})" if organ.organ_name else organ.organ_id


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def summary(message: Message) -> list[str]:
    """What the message says, one fact a line, for a person."""
    lines = [_("From: %(organ)s") % {"organ": _organ_line(message.sender)}]
    if message.kind == "status":
        status = message.status
        reply = status.response_for
        return [
            _("edXML status message"),
            *lines,
            _("Status: %(code)s — %(label)s")
            % {"code": status.code, "label": status_label(status.meaning)},
            _("Description: %(text)s") % {"text": status.description or "—"},
            _("Time: %(time)s") % {"time": status.timestamp.strftime("%d/%m/%Y %H:%M:%S")},
            _("About document: %(id)s") % {"id": reply.document_id.value},
            _("Handled by: %(staff)s")
            % {"staff": (status.staff.staff if status.staff else None) or "—"},
        ]
    lines = [
        _("edXML document message"),
        *lines,
        *(_("To: %(organ)s") % {"organ": _organ_line(organ)} for organ in message.to),
        _("Number and notation: %(number)s/%(notation)s")
        % {"number": message.code_number, "notation": message.code_notation},
        _("Issued at %(place)s on %(date)s")
        % {"place": message.promulgation_place or "—", "date": _date(message.promulgation_date)},
        _("Type: %(type)s") % {"type": message.document_type_name or message.document_type or "—"},
        _("Subject: %(subject)s") % {"subject": message.subject},
        _("Signer: %(signer)s")
        % {
            "signer": ", ".join(
                part for part in (message.signer_full_name, message.signer_position) if part
            )
            or "—"
        },
        _("Due date: %(date)s") % {"date": _date(message.due_date)},
        _("Document identifier: %(id)s")
        % {"id": message.document_id.value if message.document_id else "—"},
        _("Steering type: %(value)s") % {"value": message.steering_type or "—"},
    ]
    if message.business:
        lines.append(
            _("Business: %(type)s") % {"type": business_label(message.business.doc_type_name)}
        )
        lines.extend(
            _("Replaces %(id)s at %(organs)s")
            % {"id": item.document_id.value, "organs": ", ".join(item.organ_ids) or "—"}
            for item in message.business.replacements
        )
    lines.extend(
        _("Passed through %(organ)s at %(time)s")
        % {
            "organ": trace.organ_id or "—",
            "time": trace.timestamp.strftime("%d/%m/%Y %H:%M:%S") if trace.timestamp else "—",
        }
        for trace in message.trace_headers
    )
    for attachment in message.attachments:
        line = _(
            "Attachment: %(name)s, %(size)s bytes, declared %(declared)s, actually %(sniffed)s"
        ) % {
            "name": attachment.name,
            "size": attachment.size,
            "declared": attachment.declared_type or "—",
            "sniffed": attachment.sniffed_type,
        }
        if attachment.type_mismatch:
            line += " — " + _("the content is not what the message says it is")
        lines.append(line)
    return lines
