"""Form and signature fields placed in an outgoing document before its first signature.

The first signature certifies the document with DocMDP "fill forms and sign": afterwards only
filling existing form fields and signing existing signature fields keep earlier signatures
valid. So before the first signature this module adds, in the same incremental update:

- the number field (Số, ký hiệu) and the issue date field (ngày ban hành) on the first page,
  which the clerk fills at issuance, after the director has signed;
- one signature field per planned signer, in signing order, the last one being the main
  signer's (the signature block on the right of the last page);
- the organisation seal field, overlapping the left third of the main signer's field.

Positions follow the Decree 30 layout of an A4 page; they are computed from each page's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.form_tools import (
    annot_width_height,
    get_single_field_annot,
    populate_static_text_field,
)
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from signing.stamps import text_box_style

NUMBER_FIELD = "edoc_number"
DATE_FIELD = "edoc_issue_date"
SEAL_FIELD = "edoc_seal"
SIGNATURE_PREFIX = "edoc_sig_"

MAIN_WIDTH, MAIN_HEIGHT = 210, 80
SEAL_SIZE = 96  # = signing.stamps.SEAL_SIZE_POINTS
SEAL_BOX_WIDTH = 250
SIDE_WIDTH, SIDE_HEIGHT = 170, 60
NUMBER_FONT_SIZE = 11

Box = tuple[float, float, float, float]


def signature_field_name(slot: str) -> str:
    """The field of one planned signature ("sign" → "edoc_sig_sign")."""
    return SIGNATURE_PREFIX + re.sub(r"[^A-Za-z0-9_-]", "_", slot)


@dataclass(frozen=True)
class FieldPlan:
    """The signatures a document will carry: personal slots in signing order (the last is the
    main signer) and whether the organisation seal and the number fields follow."""

    slots: tuple[str, ...] = ("sign",)
    seal: bool = True
    numbering: bool = True

    @property
    def signature_fields(self) -> list[str]:
        return [signature_field_name(slot) for slot in self.slots]

    @property
    def main_field(self) -> str:
        return self.signature_fields[-1]


@dataclass(frozen=True)
class Placement:
    page: int  # index; negative counts from the end
    box: Box


def _page_size(reader, index: int) -> tuple[float, float]:
    """Width and height of a page (its MediaBox, inherited from the page tree if need be)."""
    node = reader.find_page_for_modification(index)[0].get_object()
    while node is not None and "/MediaBox" not in node:
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    media = node["/MediaBox"] if node is not None else [0, 0, 595, 842]
    x1, y1, x2, y2 = (float(value) for value in media)
    return abs(x2 - x1), abs(y2 - y1)


def placements(
    plan: FieldPlan, first_page: tuple[float, float], last_page: tuple[float, float]
) -> dict[str, Placement]:
    """Where each field of the plan goes (boxes in PDF points, lower-left origin)."""
    result: dict[str, Placement] = {}
    width, height = first_page
    if plan.numbering:
        top = height - 130
        result[NUMBER_FIELD] = Placement(0, (40, top - 20, 290, top))
        result[DATE_FIELD] = Placement(0, (300, top - 20, width - 40, top))
    width, _height = last_page
    main_x2 = width - 45
    main = (main_x2 - MAIN_WIDTH, 150, main_x2, 150 + MAIN_HEIGHT)
    result[plan.main_field] = Placement(-1, main)
    if plan.seal:
        # The seal covers about a third of the main signature, on its left.
        seal_x2 = main[0] + MAIN_WIDTH / 3
        centre_y = (main[1] + main[3]) / 2
        result[SEAL_FIELD] = Placement(
            -1,
            (
                seal_x2 - SEAL_BOX_WIDTH,
                centre_y - SEAL_SIZE / 2,
                seal_x2,
                centre_y + SEAL_SIZE / 2,
            ),
        )
    for index, name in enumerate(plan.signature_fields[:-1]):
        row, column = divmod(index, 3)
        x1 = 40 + column * (SIDE_WIDTH + 10)
        y1 = 60 if row == 0 else 250 + (row - 1) * (SIDE_HEIGHT + 5)
        result[name] = Placement(-1, (x1, y1, x1 + SIDE_WIDTH, y1 + SIDE_HEIGHT))
    return result


def _acroform(writer: BasePdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    if "/AcroForm" not in root:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    form = root["/AcroForm"]
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
    if "/DR" not in form:
        helvetica = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            }
        )
        form[pdf_name("/DR")] = generic.DictionaryObject(
            {
                pdf_name("/Font"): generic.DictionaryObject(
                    {pdf_name("/Helv"): writer.add_object(helvetica)}
                )
            }
        )
        form[pdf_name("/DA")] = pdf_string("/Helv 0 Tf 0 g")
    form_ref = root.raw_get("/AcroForm")
    if isinstance(form_ref, generic.IndirectObject):
        writer.mark_update(form_ref)
    else:
        writer.update_root()
    return form


def _add_text_field(
    writer: BasePdfFileWriter, name: str, placement: Placement, tooltip: str
) -> None:
    form = _acroform(writer)
    page_ref = writer.find_page_for_modification(placement.page)[0]
    field = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/TU"): pdf_string(tooltip),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(value) for value in placement.box]
            ),
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/P"): page_ref,
            pdf_name("/Q"): generic.NumberObject(1),  # centred
            pdf_name("/DA"): pdf_string(f"/Helv {NUMBER_FONT_SIZE} Tf 0 g"),
        }
    )
    field_ref = writer.add_object(field)
    form["/Fields"].append(field_ref)
    writer.register_annotation(page_ref, field_ref)


def field_names(reader: PdfFileReader) -> dict[str, bool]:
    """Every form field of the document: name → filled (has a value)."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    result: dict[str, bool] = {}
    for ref in fields:
        field = ref.get_object()
        name = field.get("/T")
        if name is not None:
            result[str(name)] = field.get("/V") is not None
    return result


def field_width(handler, name: str) -> float | None:
    """Width in points of the named field's widget (None when the field is not there)."""
    try:
        fields = handler.root["/AcroForm"]["/Fields"]
    except KeyError:
        return None
    for ref in fields:
        field = ref.get_object()
        if str(field.get("/T", "")) == name:
            width, _height = annot_width_height(get_single_field_annot(field))
            return float(width)
    return None


def empty_signature_fields(reader: PdfFileReader) -> list[str]:
    return [name for name, value, _ref in enumerate_sig_fields(reader) if value is None]


def add_fields(writer: BasePdfFileWriter, plan: FieldPlan, only: set[str] | None = None) -> None:
    """Add the plan's number, date and signature fields (or `only` those named) to the
    writer's document (no write)."""
    reader = writer.prev if hasattr(writer, "prev") else writer
    first = _page_size(reader, 0)
    last = _page_size(reader, -1)
    existing = field_names(reader)
    for name, placement in placements(plan, first, last).items():
        if name in existing or (only is not None and name not in only):
            continue
        if name == NUMBER_FIELD:
            _add_text_field(writer, name, placement, "Số, ký hiệu văn bản")
        elif name == DATE_FIELD:
            _add_text_field(writer, name, placement, "Địa danh, ngày ban hành")
        else:
            page_count = int(reader.root["/Pages"]["/Count"])
            page = placement.page if placement.page >= 0 else page_count + placement.page
            append_signature_field(
                writer,
                SigFieldSpec(
                    sig_field_name=name,
                    on_page=page,
                    box=tuple(round(value) for value in placement.box),
                    readable_field_name="Chữ ký số"
                    if name != SEAL_FIELD
                    else "Chữ ký số của cơ quan",
                ),
            )


def fill_text_fields(writer: BasePdfFileWriter, values: dict[str, str]) -> None:
    """Fill empty text fields (read-only afterwards) with Noto Sans text, centred."""
    style = replace(
        text_box_style(NUMBER_FONT_SIZE),
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )
    for name, text in values.items():
        populate_static_text_field(writer, name, style, text)
