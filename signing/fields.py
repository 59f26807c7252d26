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

import io
import re
from dataclasses import dataclass
from functools import cache

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.form_tools import (
    TextFieldContent,
    annot_width_height,
    find_existing_empty_field,
    get_single_field_annot,
)
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from edoc.fonts import FONT_DIR as SERIF_DIR

NUMBER_FIELD = "edoc_number"
DATE_FIELD = "edoc_issue_date"
SEAL_FIELD = "edoc_seal"
SIGNATURE_PREFIX = "edoc_sig_"
MAIN_FIELD_HINT = "main"  # key of the main signature's place in detect_layout's result

MAIN_WIDTH, MAIN_HEIGHT = 210, 80
SEAL_SIZE = 96  # = signing.stamps.SEAL_SIZE_POINTS
SEAL_BOX_WIDTH = 250
SIDE_WIDTH, SIDE_HEIGHT = 170, 60
NUMBER_FONT_SIZE = 11  # of the placeholder /DA; the filled text uses FILLED_FONTS
#: How the filled fields are set, as in the draft (edoc.pdfgen, Decree 30 Appendix I): the
#: number in the document's serif, the place-and-date line in its italic.
FILLED_FONTS = {
    NUMBER_FIELD: ("LiberationSerif-Regular.ttf", 13),
    DATE_FIELD: ("LiberationSerif-Italic.ttf", 13.5),
}

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


#: Average advance of a character, in ems, to estimate a line's width from its text.
AVERAGE_CHAR_EM = 0.5
#: A number or date field starts this far left of the draft's line it covers.
FIELD_PAD_X = 6


def below_baseline(size: float) -> float:
    """How far below the draft line's baseline its field starts (room for descenders)."""
    return 0.3 * size + 3


def _lines(page) -> list[dict]:
    """The page's text runs as {"text", "x0", "x1", "baseline", "size"} in PDF points (x1
    estimated from the text's length), from pypdf's text visitor: quick, and enough to find
    a header line or a gap."""
    lines: list[dict] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        text = text.replace("\n", "")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size * (tm[0] * cm[0] or 1))
        lines.append(
            {
                "text": text.strip(),
                "x0": x,
                "x1": x + len(text.rstrip()) * size * AVERAGE_CHAR_EM,
                "baseline": y,
                "size": size,
            }
        )

    page.extract_text(visitor_text=visit)
    return lines


def detect_layout(content: bytes) -> dict[str, Placement]:
    """Where the draft itself leaves room: the "Số: …/KH-SYT" line and the "…, ngày … tháng …
    năm …" line of the first page's header (the filled fields cover them), and the gap between
    the signer's title and name on the last page (Decree 30: the signature goes there).
    Whatever is not found keeps its default place."""
    import io as _io

    from pypdf import PdfReader

    found: dict[str, Placement] = {}
    try:
        reader = PdfReader(_io.BytesIO(content), strict=False)
        first = reader.pages[0]
        width, height = float(first.mediabox.width), float(first.mediabox.height)
        if tuple(float(v) for v in first.mediabox.lower_left) != (0, 0):
            return found
        for line in _lines(first):
            if line["baseline"] < height * 0.65:
                continue
            text, size = line["text"], line["size"]
            box = (
                line["x0"] - FIELD_PAD_X,
                line["baseline"] - below_baseline(size),
                line["x1"] + FIELD_PAD_X,
                line["baseline"] + 0.95 * size + 2,
            )
            if NUMBER_FIELD not in found and re.match(r"^Số\s*:", text):
                found[NUMBER_FIELD] = Placement(
                    0, (box[0], box[1], max(box[2], box[0] + 150), box[3])
                )
            elif DATE_FIELD not in found and all(k in text for k in ("ngày", "tháng", "năm")):
                found[DATE_FIELD] = Placement(
                    0, (box[0], box[1], min(max(box[2], box[0] + 230), width - 10), box[3])
                )
        last = reader.pages[-1]
        width = float(last.mediabox.width)
        right = sorted(
            (line for line in _lines(last) if line["x0"] > width * 0.45),
            key=lambda line: line["baseline"],
        )
        if len(right) >= 2:
            name, title = right[0], right[1]
            bottom = name["baseline"] + 0.8 * name["size"] + 2
            top = title["baseline"] - 0.25 * title["size"] - 2
            if top - bottom >= 30:
                centre = sum((line["x0"] + line["x1"]) / 2 for line in (name, title)) / 2
                centre = min(max(centre, 10 + MAIN_WIDTH / 2), width - 10 - MAIN_WIDTH / 2)
                found[MAIN_FIELD_HINT] = Placement(
                    -1, (centre - MAIN_WIDTH / 2, bottom, centre + MAIN_WIDTH / 2, top)
                )
    except Exception:  # noqa: BLE001 - a layout guess must never stop signing
        return found
    return found


def placements(
    plan: FieldPlan,
    first_page: tuple[float, float],
    last_page: tuple[float, float],
    hints: dict[str, Placement] | None = None,
) -> dict[str, Placement]:
    """Where each field of the plan goes (boxes in PDF points, lower-left origin): the `hints`
    found in the draft (`detect_layout`), else the default places."""
    hints = hints or {}
    result: dict[str, Placement] = {}
    width, height = first_page
    if plan.numbering:
        top = height - 130
        result[NUMBER_FIELD] = hints.get(NUMBER_FIELD) or Placement(0, (40, top - 20, 290, top))
        result[DATE_FIELD] = hints.get(DATE_FIELD) or Placement(0, (300, top - 20, width - 40, top))
    width, _height = last_page
    main_x2 = width - 45
    default_main = Placement(-1, (main_x2 - MAIN_WIDTH, 150, main_x2, 150 + MAIN_HEIGHT))
    main = (hints.get(MAIN_FIELD_HINT) or default_main).box
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


def add_fields(
    writer: BasePdfFileWriter,
    plan: FieldPlan,
    only: set[str] | None = None,
    hints: dict[str, Placement] | None = None,
) -> None:
    """Add the plan's number, date and signature fields (or `only` those named) to the
    writer's document (no write)."""
    reader = writer.prev if hasattr(writer, "prev") else writer
    first = _page_size(reader, 0)
    last = _page_size(reader, -1)
    existing = field_names(reader)
    for name, placement in placements(plan, first, last, hints).items():
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


class _CoveringTextContent(TextFieldContent):
    """A filled field's appearance: white underneath (it covers the draft's "Số:      /KH-SYT"
    or blank date line), then the text."""

    def render(self) -> bytes:
        text = super().render()
        return b"q 1 1 1 rg 0 0 %g %g re f Q " % (self.box.width, self.box.height) + text


#: PDF glyph space: widths and TJ adjustments are in thousandths of an em.
PDF_GLYPH_UNITS = 1000


class _EmScaledGlyphAccumulator(GlyphAccumulator):
    """pyHanko's GlyphAccumulator writes glyph widths (/W), TJ adjustments and font-descriptor
    metrics in the font's own units, which PDF reads as thousandths of an em: right only for
    fonts with 1000 units per em (Noto Sans), twice too wide for Liberation Serif's 2048. This
    one shapes at 1000 units per em and writes every metric in those units."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._font_units = self.units_per_em
        self.units_per_em = PDF_GLYPH_UNITS
        self.hb_font.scale = (PDF_GLYPH_UNITS, PDF_GLYPH_UNITS)
        descriptor = self.cidfont_obj._font_descriptor
        for key in ("/Ascent", "/Descent", "/CapHeight"):
            descriptor[pdf_name(key)] = generic.NumberObject(self._em(descriptor[key]))
        descriptor[pdf_name("/FontBBox")] = generic.ArrayObject(
            generic.NumberObject(self._em(value)) for value in descriptor["/FontBBox"]
        )

    def _em(self, value: float) -> int:
        return round(float(value) * PDF_GLYPH_UNITS / self._font_units)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        if glyph_id in self._glyphs:
            return self._glyphs[glyph_id]
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = result = (cid, self._em(width))
        return result


@cache
def _font_bytes(filename: str) -> bytes:
    return (SERIF_DIR / filename).read_bytes()


@dataclass(frozen=True)
class _SerifFontFactory(GlyphAccumulatorFactory):
    """Liberation Serif (edoc/fonts, the font of the drafts) for filled form fields."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return _EmScaledGlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


def filled_text_style(name: str) -> TextBoxStyle:
    """How a filled field's text is set: FILLED_FONTS (the serif regular by default), where
    the draft's line starts and on its baseline (the field was placed over that line by
    `detect_layout`), shrunk if it does not fit."""
    filename, size = FILLED_FONTS.get(name, FILLED_FONTS[NUMBER_FIELD])
    return TextBoxStyle(
        font=_SerifFontFactory(font_file=filename, font_size=size),
        font_size=size,
        leading=size,  # one line: pyHanko puts its baseline at the bottom of its box
        text_color=(0, 0, 0),
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=FIELD_PAD_X, bottom=below_baseline(size)),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def fill_text_fields(writer: BasePdfFileWriter, values: dict[str, str]) -> None:
    """Fill empty text fields (read-only afterwards) in the document's serif (the date line in
    italic, FILLED_FONTS), on the line they cover, hiding what the page shows under them. Only
    the fields' values and appearances change (form filling, which the certification
    allows)."""
    for name, text in values.items():
        field_ref = find_existing_empty_field(writer, name, field_type="/Tx")
        field = field_ref.get_object()
        annot = get_single_field_annot(field)
        width, height = annot_width_height(annot)
        content = _CoveringTextContent(
            writer=writer,
            text_content=text,
            text_style=filled_text_style(name),
            box=layout.BoxConstraints(width=width, height=height),
        )
        content.apply_appearance(annot)
        writer.update_container(annot)
        field["/V"] = pdf_string(text)
        field["/Ff"] = generic.NumberObject(int(field.get("/Ff", 0)) | 1)  # read-only
        field.pop("/DA", None)
        writer.mark_update(field_ref)
