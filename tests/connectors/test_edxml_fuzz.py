"""Fuzzing the edXML parser: thousands of mutated messages, and nothing but EdxmlError comes
out (issue 11 §6). Deterministic (fixed seed), a few seconds."""

from __future__ import annotations

import base64
import io
import random
import time
import traceback
import zipfile
from xml.etree import ElementTree

from connectors.edxml import EdxmlError, parse_message
from connectors.edxml.builder import build_message, outgoing_attachment
from tests.connectors.samples import sample

MUTATIONS = 4000
JUNK = [
    b"&",
    b"<",
    b"]]>",
    b"\x00",
    b"&#0;",
    b"&amp;",
    b"<!DOCTYPE x>",
    b'<!ENTITY a "b">',
    b"<![CDATA[x]]>",
    b"\xff\xfe",
    "ẞ𝔘ữ".encode(),
    b"\xc3",
    b"PK\x03\x04",
    b"cid:",
    b"2026/02/30",
    b"9999/99/99 99:99:99",
]


NAMES = [
    "From",
    "To",
    "Code",
    "StatusCode",
    "Bussiness",
    "Business",
    "Attachment",
    "ContentTransferEncoded",
    "DocumentId",
    "ReplacementInfo",
    "edXML",
    "Timestamp",
]


def _copy(element: ElementTree.Element) -> ElementTree.Element:
    return ElementTree.fromstring(ElementTree.tostring(element))  # noqa: S314 — our own tree


def _seeds() -> list[bytes]:
    """Small messages (the fuzzer mutates them thousands of times): the test status, the two
    documents with a tiny attachment (one as the SDK's ZIP, one plain base64)."""
    from connectors.edxml import parse_message as parse

    status = sample("status_arrived.edxml")
    seeds = [status]
    for name, zipped in (("document_new_crlf.edxml", True), ("document_replace_ns0.edxml", False)):
        message = parse(sample(name))
        tiny = outgoing_attachment("vb.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf", zipped=zipped)
        seeds.append(build_message(type(message)(**{**message.__dict__, "attachments": [tiny]})))
    return seeds


def _tree_mutation(data: bytes, generator: random.Random) -> bytes:
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 — our own seed, mutated
    except ElementTree.ParseError:  # an earlier mutation broke it: cut it instead
        return data[: generator.randrange(len(data) + 1)]
    elements = list(root.iter())
    target = generator.choice(elements)
    parent = next((element for element in elements if target in list(element)), None)
    choice = generator.randrange(7)
    if choice == 0 and parent is not None:  # delete
        parent.remove(target)
    elif choice == 1 and parent is not None:  # duplicate
        parent.insert(list(parent).index(target), _copy(target))
    elif choice == 2:  # shuffle children
        children = list(target)
        generator.shuffle(children)
        for child in list(target):
            target.remove(child)
        target.extend(children)
    elif choice == 3:  # junk attributes
        target.set(generator.choice(["id", "xmlns:x", "{urn:junk}a", "mustUnderstand"]), "ÿ" * 3)
    elif choice == 4:  # other text
        target.text = generator.choice(
            ["", " ", "0", "-1", "99", "abc", "2026/13/40", "Đ" * 500, "UEsDBA==", "cid:x"]
        )
    elif choice == 5 and parent is not None:  # move under another element
        parent.remove(target)
        generator.choice([element for element in root.iter()]).append(target)
    else:  # rename into another edXML element name
        namespace = target.tag.split("}")[0] + "}" if "}" in target.tag else ""
        target.tag = namespace + generator.choice(NAMES)
    return ElementTree.tostring(root, encoding="utf-8")


def _attachment_mutation(generator: random.Random) -> bytes:
    """A message whose attachment bytes are mangled: ZIP headers with nonsense sizes, cut
    archives, random bytes behind a ZIP signature."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.pdf", b"%PDF-1.7 " * generator.randrange(1, 200))
    archive_bytes = bytearray(buffer.getvalue())
    for _ in range(generator.randrange(1, 6)):
        archive_bytes[generator.randrange(len(archive_bytes))] = generator.randrange(256)
    if generator.random() < 0.3:
        archive_bytes = archive_bytes[: generator.randrange(4, len(archive_bytes))]
    text = sample("document_new_crlf.edxml").decode("utf-8")
    start = text.index('QCVN_102_2016">', text.index("<edXML:ContentTransferEncoded")) + 15
    end = text.index("</edXML:ContentTransferEncoded>")
    return (text[:start] + base64.b64encode(bytes(archive_bytes)).decode() + text[end:]).encode()


def _mutate(data: bytes, generator: random.Random) -> bytes:
    kind = generator.randrange(6)
    if kind == 0:  # bit flips
        mutated = bytearray(data)
        for _ in range(generator.randrange(1, 9)):
            position = generator.randrange(len(mutated))
            mutated[position] ^= 1 << generator.randrange(8)
        return bytes(mutated)
    if kind == 1:  # truncation
        return data[: generator.randrange(len(data))]
    if kind == 2:  # junk inserted
        position = generator.randrange(len(data))
        return data[:position] + generator.choice(JUNK) + data[position:]
    if kind == 3:
        return _attachment_mutation(generator)
    return _tree_mutation(data, generator)


def test_thousands_of_mutated_messages_raise_nothing_but_edxml_errors():
    generator = random.Random(20261206)
    seeds = _seeds()
    outcomes = {"parsed": 0, "refused": 0}
    unhandled = []
    started = time.monotonic()
    for number in range(MUTATIONS):
        data = generator.choice(seeds)
        for _ in range(generator.choice([1, 1, 2, 3])):
            data = _mutate(data, generator)
        try:
            parse_message(data, max_bytes=2 * 1024 * 1024)
            outcomes["parsed"] += 1
        except EdxmlError as error:
            assert error.code and "\n" not in error.message
            outcomes["refused"] += 1
        except Exception:  # noqa: BLE001 — what the test looks for
            unhandled.append((number, traceback.format_exc(limit=3), data[:300]))
    elapsed = time.monotonic() - started
    assert not unhandled, (
        f"{len(unhandled)} unhandled, first:\n{unhandled[0][1]}\n{unhandled[0][2]!r}"
    )
    assert outcomes["parsed"] > 100 and outcomes["refused"] > 1000, outcomes
    assert elapsed < 20, f"{MUTATIONS} mutations took {elapsed:.1f} s"
