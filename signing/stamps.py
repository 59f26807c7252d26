"""What a signature looks like on the page: the personal stamp and the organisation seal stamp.

Both stamps are drawn by pyHanko inside the signature field's appearance stream, with their text
set in Noto Sans (bundled in `signing/fonts/`, SIL OFL 1.1). Noto Sans has 1000 units per em,
which pyHanko's glyph widths assume: fonts with 2048 units (DejaVu, Liberation, Times New Roman)
come out with mis-spaced Vietnamese text.

- Personal stamp (chữ ký số cá nhân): optional signature image on the left; the certificate
  holder's name, position and organisation (read from the signing certificate, never from
  the user account) and the signing time on the right.
- Organisation seal stamp (chữ ký số của cơ quan): the red round seal (drawn here with Pillow,
  the agency's name around the ring) on the right of its box, which overlaps the left third of
  the main signer's field; agency name and signing time (ISO 8601, Vietnam time) on its left.

Texts are rendered in Vietnamese whatever the user's interface language: the stamp is part of
the document.
"""

from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import x509
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from signing.certificates import holder_name, name_attribute

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "NotoSans-Regular.ttf"
FONT_BOLD = FONT_DIR / "NotoSans-Bold.ttf"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP_LANGUAGE = "vi"

SEAL_RED = (200, 16, 32)
TEXT_COLOUR = (0.0, 0.0, 0.0)
SEAL_TEXT_COLOUR = (0.78, 0.06, 0.12)
STAMP_FONT_SIZE = 7
#: Size of the seal on the page (about 34 mm), in points.
SEAL_SIZE_POINTS = 96
#: Pixels of the generated seal image (drawn at 300 dpi-ish for a ~30 mm seal).
SEAL_PIXELS = 420


def vietnam_iso(moment: datetime.datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: 2026-03-05T09:30:00+07:00."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def _escape(text: str) -> str:
    """pyHanko interpolates stamp texts with %; ours are final."""
    return text.replace("%", "%%")


@cache
def _text_font(size: int, bold: bool = False) -> GlyphAccumulatorFactory:
    return GlyphAccumulatorFactory(str(FONT_BOLD if bold else FONT_REGULAR), font_size=size)


def text_box_style(size: int = STAMP_FONT_SIZE, *, colour=TEXT_COLOUR) -> TextBoxStyle:
    """Noto Sans text in a stamp or a filled form field."""
    return TextBoxStyle(
        font=_text_font(size), font_size=size, leading=round(size * 1.35), text_color=colour
    )


@dataclass(frozen=True)
class PersonalStamp:
    """The visible part of one person's signature."""

    name: str
    position: str
    signed_at: datetime.datetime
    image: bytes | None = None  # PNG/JPEG of the handwritten signature, optional
    organisation: str = ""

    @classmethod
    def for_certificate(
        cls, certificate: x509.Certificate, *, signed_at: datetime.datetime, image: bytes | None
    ) -> PersonalStamp:
        """The stamp of whoever holds the signing certificate: its common name, title and
        organisation (as /verify/ will name the signer)."""
        return cls(
            name=holder_name(certificate),
            position=name_attribute(certificate, "title"),
            organisation=name_attribute(certificate, "organization_name"),
            signed_at=signed_at,
            image=image,
        )

    def lines(self) -> list[str]:
        with translation.override(STAMP_LANGUAGE):
            lines = [_("Signed by: %(name)s") % {"name": self.name}]
            if self.position:
                lines.append(_("Position: %(position)s") % {"position": self.position})
            if self.organisation:
                lines.append(
                    _("Organisation: %(organisation)s") % {"organisation": self.organisation}
                )
            lines.append(_("Signed at: %(time)s") % {"time": vietnam_iso(self.signed_at)})
        return lines

    def style(self, box_width: float = 210, *, main: bool = False) -> TextStampStyle:
        """The stamp for a field `box_width` points wide. The main signer's text starts after
        the left third, which the organisation seal will cover (with the signature image under
        it, when there is one)."""
        background = None
        text_left = box_width / 3 if main else 4
        if self.image:
            background = PdfImage(signature_image_load(self.image))
            text_left = max(text_left, box_width * 0.42)
        return TextStampStyle(
            stamp_text=_escape("\n".join(self.lines())),
            text_box_style=text_box_style(),
            border_width=0,
            background=background,
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(
                    left=2, right=round(box_width - text_left + 2), top=2, bottom=2
                ),
            ),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(left=round(text_left), right=2, top=3, bottom=3),
            ),
        )


@dataclass(frozen=True)
class SealStamp:
    """The visible part of the organisation's signature: the red seal and its text."""

    agency_name: str
    signed_at: datetime.datetime
    parent_name: str = ""

    def lines(self) -> list[str]:
        with translation.override(STAMP_LANGUAGE):
            return [
                _("Signed by: %(agency)s") % {"agency": self.agency_name},
                _("Signed at: %(time)s") % {"time": vietnam_iso(self.signed_at)},
            ]

    def style(self, box_width: float = 215, *, main: bool = False) -> TextStampStyle:
        seal = seal_image(self.agency_name, self.parent_name)
        return TextStampStyle(
            stamp_text=_escape("\n".join(self.lines())),
            text_box_style=text_box_style(colour=SEAL_TEXT_COLOUR),
            border_width=0,
            background=PdfImage(seal),
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(),
            ),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(left=0, right=SEAL_SIZE_POINTS + 6, top=2, bottom=2),
            ),
        )


def signature_image_load(content: bytes) -> Image.Image:
    """A signature picture as RGBA, white made transparent so it does not hide the page."""
    picture = Image.open(io.BytesIO(content))
    picture.load()
    picture = picture.convert("RGBA")
    picture.thumbnail((600, 300))
    pixels = picture.getdata()
    picture.putdata(
        [(r, g, b, 0) if r > 235 and g > 235 and b > 235 else (r, g, b, a) for r, g, b, a in pixels]
    )
    return picture


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float, fill) -> None:
    cx, cy = centre
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        r = radius if index % 2 == 0 else radius * 0.4
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=fill)


def _ring_text(
    image: Image.Image, text: str, *, radius: float, font: ImageFont.FreeTypeFont, fill
) -> None:
    """Write `text` clockwise along the top of a circle, centred on 12 o'clock."""
    size = image.width
    centre = size / 2
    widths = [font.getlength(char) for char in text]
    total_angle = sum(widths) / radius  # radians
    total_angle = min(total_angle, math.radians(300))
    scale = total_angle / (sum(widths) / radius) if widths else 1
    angle = -math.pi / 2 - total_angle / 2  # start left of the top
    ascent, descent = font.getmetrics()
    for char, width in zip(text, widths, strict=True):
        step = width / radius * scale
        middle = angle + step / 2
        if char.strip():
            box = int(max(width, ascent + descent) * 2) + 4
            glyph = Image.new("RGBA", (box, box), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((box / 2, box / 2), char, font=font, fill=fill, anchor="mm")
            rotated = glyph.rotate(-math.degrees(middle + math.pi / 2), resample=Image.BICUBIC)
            x = centre + radius * math.cos(middle) - box / 2
            y = centre + radius * math.sin(middle) - box / 2
            image.alpha_composite(rotated, (round(x), round(y)))
        angle += step


@cache
def seal_image(agency_name: str, parent_name: str = "", pixels: int = SEAL_PIXELS) -> Image.Image:
    """The agency's red round seal: double ring, its name around the top, a star below, the
    governing body (if any) across the middle. Transparent outside the ink."""
    image = Image.new("RGBA", (pixels, pixels), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (*SEAL_RED, 255)
    outer = pixels / 2 - 4
    draw.ellipse((4, 4, pixels - 4, pixels - 4), outline=red, width=round(pixels * 0.028))
    inner = outer * 0.70
    c = pixels / 2
    draw.ellipse(
        (c - inner, c - inner, c + inner, c + inner), outline=red, width=round(pixels * 0.01)
    )
    ring_font = ImageFont.truetype(str(FONT_BOLD), round(pixels * 0.075))
    _ring_text(
        image,
        agency_name.upper(),
        radius=(outer + inner) / 2 - pixels * 0.012,
        font=ring_font,
        fill=red,
    )
    _star(draw, (c, c + (outer + inner) / 2), pixels * 0.045, red)
    _star(draw, (c, c - inner * 0.45), pixels * 0.09, red)
    if parent_name:
        middle_font = ImageFont.truetype(str(FONT_BOLD), round(pixels * 0.05))
        words = parent_name.upper().split()
        half = (len(words) + 1) // 2
        for offset, text in ((0.05, " ".join(words[:half])), (0.2, " ".join(words[half:]))):
            if text:
                draw.text(
                    (c, c + inner * offset * 2), text, font=middle_font, fill=red, anchor="mm"
                )
    return image


def seal_png(agency_name: str, parent_name: str = "") -> bytes:
    """The seal as PNG bytes (for previews)."""
    buffer = io.BytesIO()
    seal_image(agency_name, parent_name).save(buffer, format="PNG")
    return buffer.getvalue()
