"""Opening a PDF for verification: a pyHanko reader, or `PdfUnreadable` saying why not."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from edoc.pdfcheck import pdf_has_trailer


class PdfUnreadable(Exception):
    """The bytes are not a PDF pyHanko can read: `code` is "missing", "empty", "not_pdf",
    "too_large", "encrypted", "damaged" or "integrity" (a stored file that fails its SHA-256
    check); `message` is the explanation in the active language."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        texts = {
            "missing": _("The file does not exist or cannot be opened."),
            "empty": _("The file is empty."),
            "not_pdf": _("The file is not a PDF document."),
            "encrypted": _(
                "The PDF is encrypted or password-protected; upload an unprotected copy."
            ),
            "too_large": _("The file is too large."),
            "integrity": _("The stored file no longer matches the SHA-256 recorded at upload."),
        }
        if self.code in texts:
            return texts[self.code]
        return _("The PDF is damaged and cannot be read (%(error)s).") % {
            "error": self.detail or self.code
        }


def open_reader(content: bytes):
    """A pyHanko reader on the bytes; PdfUnreadable with a clear message otherwise."""
    from pyhanko.pdf_utils import crypt
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not content:
        raise PdfUnreadable("empty")
    if b"%PDF-" not in content[:1024]:
        raise PdfUnreadable("not_pdf")
    if not pdf_has_trailer(content):  # pyHanko would search for it for seconds, then fail
        raise PdfUnreadable("damaged", "no end-of-file marker at its end")
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        handler = reader.security_handler
        if handler is not None and (
            not isinstance(handler, crypt.StandardSecurityHandler)
            or reader.decrypt("").status == crypt.AuthStatus.FAILED
        ):
            raise PdfUnreadable("encrypted")
        reader.root  # noqa: B018 (forces the catalogue to be read)
        reader.embedded_signatures  # noqa: B018 (and the signature fields)
    except PdfUnreadable:
        raise
    except Exception as exc:  # pyHanko raises many kinds on damaged files
        raise PdfUnreadable("damaged", type(exc).__name__) from exc
    return reader
