"""Attachment payloads: ContentTransferEncoded as the VPCP SDK sends it (base64 of a ZIP holding
the one file) or plain base64, decoded within a size bound; and what the bytes really are."""

from __future__ import annotations

import binascii
import io
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from connectors.edxml.errors import EdxmlError

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Leading bytes → type. Office Open XML and OpenDocument files are ZIPs: told apart by their
# central directory's names (read without decompressing anything).
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (OLE2_MAGIC, "application/x-ole-storage"),  # .doc, .xls, .ppt (Office 97-2003)
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
)
ZIP_FAMILY = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
# What a file name's extension claims (a fixed table: the system's mime.types differ).
EXTENSIONS = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": ZIP_FAMILY[0][1],
    "xlsx": ZIP_FAMILY[1][1],
    "pptx": ZIP_FAMILY[2][1],
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
}
# Declared types that say nothing about the content, and names of the same thing.
UNSPECIFIC = {"", "application/octet-stream", "binary/octet-stream"}
SAME_TYPE = {
    "application/x-pdf": "application/pdf",
    "text/xml": "application/xml",
    "image/jpg": "image/jpeg",
    "application/x-zip-compressed": "application/zip",
    "application/msword": "application/x-ole-storage",
    "application/vnd.ms-excel": "application/x-ole-storage",
    "application/vnd.ms-powerpoint": "application/x-ole-storage",
}


@dataclass(frozen=True)
class Payload:
    data: bytes
    encoding: str  # "zip" or "base64"
    inner_name: str | None


def decode_payload(text: str, *, name: str, limit: int) -> Payload:
    """Decode ContentTransferEncoded. A ZIP with exactly one file is the SDK's wrapper and is
    opened (at most `limit` bytes come out of it, whatever its header claims); anything else —
    a PDF, or a ZIP of several files such as a .docx, or a file named .zip — is the file itself."""
    try:
        raw = _strict_base64(text)
    except (binascii.Error, ValueError):
        raise EdxmlError(
            "bad_base64",
            _("The attachment “%(name)s” is not valid base64.") % {"name": name[:80]},
        )
    if not raw.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
        return Payload(raw, "base64", None)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            files = [info for info in archive.infolist() if not info.is_dir()]
            if len(files) != 1:
                return Payload(raw, "base64", None)
            with archive.open(files[0]) as member:
                data = member.read(limit + 1)
            inner_name = files[0].filename
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
        raise EdxmlError(
            "bad_zip",
            _("The attachment “%(name)s” is a damaged or encrypted ZIP.") % {"name": name[:80]},
        )
    except (ValueError, OverflowError, OSError):  # nonsense sizes/offsets in the ZIP headers
        raise EdxmlError(
            "bad_zip", _("The attachment “%(name)s” is a damaged ZIP.") % {"name": name[:80]}
        )
    if len(data) > limit:
        raise EdxmlError(
            "attachment_too_large",
            _("The attachment “%(name)s” unpacks to more than %(mb)s MB.")
            % {"name": name[:80], "mb": limit // (1024 * 1024)},
        )
    return Payload(data, "zip", inner_name)


def _strict_base64(text: str) -> bytes:
    """Base64 with nothing but its alphabet and padding (checked in C); line breaks and spaces,
    which some writers wrap the payload with, are taken out only when there are some."""
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        return binascii.a2b_base64("".join(text.split()), strict_mode=True)


def sniff(data: bytes) -> str:
    """The MIME type the bytes themselves show (not their name, not what a header says)."""
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            return content_type
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    if head[:14].lower() in (b"<!doctype html",) or head[:5].lower() == b"<html":
        return "text/html"
    if head.startswith(b"<"):
        return "application/xml"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(data[:4096]) - 3:  # not just a character cut at the end
            return "application/octet-stream"
        text = data[: error.start].decode("utf-8")
    if all(char.isprintable() or char in "\r\n\t\f" for char in text):
        return "text/plain"
    return "application/octet-stream"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OverflowError, OSError, EOFError):
        return "application/zip"
    if "mimetype" in names and any(name == "content.xml" for name in names):
        return "application/vnd.oasis.opendocument"
    for prefix, content_type in ZIP_FAMILY:
        if any(name.startswith(prefix) for name in names):
            return content_type
    return "application/zip"


def types_disagree(sniffed: str, declared: list[str | None], *, name: str, zipped: bool) -> bool:
    """Whether the bytes are not what the message claims: its ContentTypes (the Attachment's and
    the manifest's) and its file name's extension. A ZIP-wrapped attachment may declare the
    wrapper ("application/zip", as the SDK's sample does); unspecific declarations
    (application/octet-stream) and unknown extensions claim nothing."""
    claims = {_canonical(value) for value in declared if value} - {
        _canonical(u) for u in UNSPECIFIC
    }
    if zipped:
        claims.discard("application/zip")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in EXTENSIONS:
        claims.add(_canonical(EXTENSIONS[extension]))
    return any(claim != _canonical(sniffed) for claim in claims)


def _canonical(content_type: str) -> str:
    base = content_type.split(";", 1)[0].strip().lower()
    if base.startswith("application/vnd.oasis.opendocument"):
        return "application/vnd.oasis.opendocument"
    return SAME_TYPE.get(base, base)
