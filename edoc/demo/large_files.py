"""Large PDFs for the memory benchmark (bench/import_memory.py) and its test: pages of text,
each given an image of random RGB pixels (unfiltered: incompressible) drawn over half the page,
until the file reaches the size asked for."""

from __future__ import annotations

import io
import os
from pathlib import Path


def large_pdf(
    path: Path,
    megabytes: int,
    *,
    caption: str = "Large scan, page {page} of {pages}",
    side: int = 1600,
) -> None:
    """Write the PDF to `path`: `caption` (formatted with the page and the page count) on
    each page, and a `side`×`side` image (1600: 7.3 MiB of pixels a page)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ContentStream,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )
    from reportlab.pdfgen import canvas

    pages = max(1, round(megabytes * 2**20 / (side * side * 3)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in range(pages):
        pdf.drawString(72, 760, caption.format(page=page + 1, pages=pages))
        pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(buffer))
    for page in writer.pages:
        image = DecodedStreamObject()
        image.set_data(os.urandom(side * side * 3))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(side),
                NameObject("/Height"): NumberObject(side),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        resources = page["/Resources"].get_object()
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/Scan"): writer._add_object(image)}
        )
        drawing = DecodedStreamObject()
        drawing.set_data(b"q 500 0 0 500 36 100 cm /Scan Do Q")
        contents = page.get_contents()
        operations = ContentStream(contents, writer) if contents is not None else None
        data = (operations.get_data() if operations is not None else b"") + b"\n"
        combined = DecodedStreamObject()
        combined.set_data(data + drawing.get_data())
        page[NameObject("/Contents")] = writer._add_object(combined)
    writer.write(str(path))
