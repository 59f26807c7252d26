"""edXML (QCVN 102:2016): the parser (`parse_message`), the builder (`build_message`) and the
dataclasses they share (`connectors.edxml.model`)."""

from connectors.edxml.errors import EdxmlError
from connectors.edxml.model import NAMESPACE, Message
from connectors.edxml.parser import parse_message

__all__ = ["NAMESPACE", "EdxmlError", "Message", "parse_message"]
