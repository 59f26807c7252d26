"""Fonts for generated PDFs. Liberation Serif (SIL OFL 1.1) is metric-compatible with
Times New Roman, the font Decree 30 prescribes, and covers Vietnamese."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
SERIF = "EdocSerif"
SERIF_BOLD = "EdocSerif-Bold"
SERIF_ITALIC = "EdocSerif-Italic"
SERIF_BOLD_ITALIC = "EdocSerif-BoldItalic"


@cache
def register_fonts() -> str:
    """Register the Vietnamese-capable serif family with reportlab; returns the regular name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = {
        SERIF: "LiberationSerif-Regular.ttf",
        SERIF_BOLD: "LiberationSerif-Bold.ttf",
        SERIF_ITALIC: "LiberationSerif-Italic.ttf",
        SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
    }
    for name, filename in files.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    addMapping(SERIF, 0, 0, SERIF)
    addMapping(SERIF, 1, 0, SERIF_BOLD)
    addMapping(SERIF, 0, 1, SERIF_ITALIC)
    addMapping(SERIF, 1, 1, SERIF_BOLD_ITALIC)
    return SERIF
