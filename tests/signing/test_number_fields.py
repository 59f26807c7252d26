"""The number and the place-and-date line filled in at issuance (issue 9 #9) are set like the
rest of the document: Decree 30 (Appendix I) wants Times New Roman or an equivalent Unicode
serif, the place-and-date line in italics. They were filled in Noto Sans, upright. Filling stays
form filling, which the director's certification allows: the signatures stay valid."""

from __future__ import annotations

import dataclasses
import io
import re

from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc.fonts import FONT_DIR
from edoc.pdfgen import render_pdf, sample_document
from signing import fields as pdf_fields
from signing.validation.options import VerificationOptions
from signing.validation.verify import pdf_verify
from tests.fresh_process_pdfs import signed
from tests.signing.conftest import test_pki  # noqa: F401 (session fixture)

FONT_FILES = {
    pdf_fields.NUMBER_FIELD: "LiberationSerif-Regular.ttf",
    pdf_fields.DATE_FIELD: "LiberationSerif-Italic.ttf",
}


def issued(test_pki, tmp_path) -> bytes:  # noqa: F811
    """A Decree 30 draft signed by the director, numbered and dated, then sealed."""
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(render_pdf(dataclasses.replace(sample_document(), number="", date=None)))
    director, org = test_pki.signers["director"], test_pki.signers["org"]
    return signed(str(director.pkcs12_path), str(org.pkcs12_path), director.passphrase, str(draft))


def appearance_fonts(content: bytes) -> dict[str, tuple[str, dict, bytes]]:
    """field name → (BaseFont of the font its filled appearance uses, that font, the stream)."""
    reader = PdfFileReader(io.BytesIO(content))
    result = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        name = str(field["/T"])
        if name not in FONT_FILES:
            continue
        stream = field["/AP"]["/N"].get_object()
        data = stream.data
        [used] = set(re.findall(rb"/(\S+) [\d.]+ Tf", data))
        font = stream["/Resources"]["/Font"]["/" + used.decode()].get_object()
        result[name] = (str(font["/BaseFont"]), font, data)
    return result


def test_number_and_date_are_filled_in_the_documents_serif(test_pki, tmp_path):  # noqa: F811
    content = issued(test_pki, tmp_path)
    fonts = appearance_fonts(content)
    assert set(fonts) == set(FONT_FILES)
    number_font, _font, _data = fonts[pdf_fields.NUMBER_FIELD]
    date_font, _font, _data = fonts[pdf_fields.DATE_FIELD]
    assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif-Identity-H", number_font), number_font
    assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif-Italic-Identity-H", date_font), date_font


def test_glyph_widths_are_in_thousandths_of_an_em(test_pki, tmp_path):  # noqa: F811
    """Liberation Serif has 2048 units per em; PDF widths are in 1000ths of an em (pyHanko
    wrote font units, which spaces the text twice too wide)."""
    fonts = appearance_fonts(issued(test_pki, tmp_path))
    for name, (_base, font, _data) in fonts.items():
        tt = TTFont(str(FONT_DIR / FONT_FILES[name]))
        upem = tt["head"].unitsPerEm
        widths = list(font["/DescendantFonts"][0]["/W"])
        checked = 0
        for first, chunk in zip(widths[::2], widths[1::2], strict=True):
            for offset, width in enumerate(chunk):
                glyph = tt.getGlyphName(int(first) + offset)  # CIDs are glyph ids
                assert int(width) == round(tt["hmtx"][glyph][0] * 1000 / upem), glyph
                checked += 1
        assert checked >= 10


def test_signatures_stay_valid_after_the_filling(test_pki, tmp_path):  # noqa: F811
    content = issued(test_pki, tmp_path)
    report = pdf_verify(content, VerificationOptions(trust_roots=(test_pki.root_cert,))).report
    assert report["ok"], report["summary_en"]
    director, seal = report["signatures"]
    assert director["kind"] == "certification"
    assert director["intact"] and director["valid"] and director["trusted"]
    assert director["modification_level"] == "FORM_FILLING"
    assert seal["field"] == pdf_fields.SEAL_FIELD and seal["intact"] and seal["valid"]
