"""The test messages (tests/connectors/data, see its README) and ways of rewriting them the way
other vendors write the same message."""

from __future__ import annotations

import random
import re
from pathlib import Path
from xml.etree import ElementTree

DATA = Path(__file__).resolve().parent / "data"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def text_of(name: str) -> str:
    return sample(name).decode("utf-8")


def without_prefix(text: str) -> str:
    """Every element in the default namespace, no prefix at all."""
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r"(</?)\w+:", r"\1", text)
    return re.sub(r"<edXML\b", f'<edXML xmlns="{NS}"', text, count=1)


def with_prefix(text: str, prefix: str) -> str:
    """Every element under `prefix:` (declared on the root), no default namespace."""
    text = re.sub(r'\sxmlns="[^"]*"', "", without_prefix(text))
    text = re.sub(r"<(/?)(?![?!/])([A-Za-z])", rf"<\1{prefix}:\2", text)
    return text.replace(f"<{prefix}:edXML", f'<{prefix}:edXML xmlns:{prefix}="{NS}"', 1)


def shuffled(data: bytes, seed: int) -> bytes:
    """The same message with the children of every element in a random order (ElementTree
    writes it back under its own `ns0:` prefix). Repeated elements (To, Place, Attachment …)
    keep their order among themselves: a list's order is part of what it says."""
    root = ElementTree.fromstring(data)  # noqa: S314 — our own test file
    generator = random.Random(seed)
    for element in root.iter():
        children = list(element)
        slots = [child.tag for child in children]
        generator.shuffle(slots)
        queues = {tag: [child for child in children if child.tag == tag] for tag in set(slots)}
        for child in children:
            element.remove(child)
        element.extend(queues[tag].pop(0) for tag in slots)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def signed_letter(users, catalogs, pdf_bytes, pdf_sign, **extra):
    """An outgoing Công văn to the UBND whose PDF carries the test PKI's signature, submitted
    (ready to issue); returns (document, the signed bytes)."""
    from edoc.services.documents import outgoing_create, outgoing_submit
    from tests.edoc.test_registry_services import validated

    signed = pdf_sign(pdf_bytes(["SỞ Y TẾ", "Số:      /SYT-VP", "V/v liên thông văn bản"]))
    letter = outgoing_create(
        user=users["specialist"],
        subject="V/v liên thông văn bản điện tử",
        document_type=catalogs["types"]["CV"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        recipient_organizations=[catalogs["ubnd"]],
        pdf=validated(signed, "cong_van_da_ky.pdf"),
        **extra,
    )
    return outgoing_submit(user=users["specialist"], document=letter), signed
