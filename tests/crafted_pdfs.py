"""Hostile PDFs built byte by byte for the tests (nothing is stored in the repository):
structures that hit parser limits, page bombs, a huge trailing line, active content."""

from __future__ import annotations

import io


def pdf_assemble(objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A well-formed PDF of the given object bodies (object i+1 is objects[i]) with a correct
    cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, trailer_extra, xref)
    )
    return out.getvalue()


def _page(parent: int, contents: int | None = None, extra: bytes = b"") -> bytes:
    body = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] " % parent
    if contents:
        body += b"/Contents %d 0 R " % contents
    return body + extra + b">>"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


HELLO = b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET"


def huge_array_pdf(entries: int = 100_001) -> bytes:
    """One page whose dictionary holds an array of `entries` numbers (pypdf stops at 100,000
    with LimitReachedError)."""
    array = b"[" + b" ".join([b"0"] * entries) + b"]"
    return pdf_assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            _page(2, 4, b"/Resources << /Font << /F1 5 0 R >> >> /EdocPadding " + array),
            _stream(HELLO),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def many_pages_pdf(pages: int = 200_000, per_node: int = 500, *, distinct: bool = False) -> bytes:
    """`pages` pages in a two-level page tree (every /Kids array stays small). By default the
    root lists one intermediate node `pages / per_node` times and that node lists one empty
    page `per_node` times (a few kilobytes); `distinct` gives every node and page an object of
    its own."""
    nodes = (pages + per_node - 1) // per_node
    first_node = 3
    first_page = first_node + (nodes if distinct else 1)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (first_node + (i if distinct else 0)) for i in range(nodes))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
    for node in range(nodes if distinct else 1):
        start = node * per_node
        count = min(per_node, pages - start)
        refs = b" ".join(
            b"%d 0 R" % (first_page + (start + i if distinct else 0)) for i in range(count)
        )
        objects.append(b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (refs, count))
    for index in range(pages if distinct else 1):
        objects.append(_page(first_node + (index // per_node if distinct else 0)))
    return pdf_assemble(objects)


def long_final_line_pdf(content: bytes, total_bytes: int) -> bytes:
    """A valid PDF followed by one line without a newline, up to `total_bytes` (what held
    pdfminer's find_xref for minutes)."""
    padding = max(total_bytes - len(content), 0)
    return content + b"%" + b"A" * (padding - 1 if padding else 0)


def active_content_pdf(*, javascript: bool = True, embedded_exe: bool = True) -> bytes:
    """One page with text, an /OpenAction JavaScript and an embedded "setup.exe"."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R "
    objects: list[bytes] = [
        b"",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2, 4, b"/Resources << /Font << /F1 5 0 R >> >>"),
        _stream(HELLO),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if javascript:
        objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert\\('eDoc'\\);) >>")
        catalog += b"/OpenAction %d 0 R " % len(objects)
    if embedded_exe:
        objects.append(_stream(b"MZ\x90\x00" + b"\x00" * 60, b"/Type /EmbeddedFile "))
        objects.append(
            b"<< /Type /Filespec /F (setup.exe) /UF (setup.exe) /EF << /F %d 0 R >> >>"
            % len(objects)
        )
        catalog += b"/Names << /EmbeddedFiles << /Names [(setup.exe) %d 0 R] >> >> " % len(objects)
    objects[0] = catalog + b">>"
    return pdf_assemble(objects)


def one_page_pdf(
    *, page_extra: bytes = b"", catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()
) -> bytes:
    """One page saying Hello, with extra entries in its page and catalog dictionaries (direct
    objects: actions, annotations …) and extra objects (numbered from 6)."""
    return pdf_assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            _page(2, 4, b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra),
            _stream(HELLO),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *extra_objects,
        ]
    )
