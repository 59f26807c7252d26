"""Vietnamese text helpers shared by every app."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def nfc(value: Any) -> Any:
    """NFC-normalise a string (and strip surrounding whitespace); other values pass through."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def nfc_inputs(func: F) -> F:
    """Decorator for services: NFC-normalise every string keyword argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **{key: nfc(value) for key, value in kwargs.items()})

    return wrapper  # type: ignore[return-value]


class _Unmarked(dict):
    """str.translate table: combining marks (category Mn) removed, đ/Đ → d/D, every other
    character kept; each character is looked at once, then the table answers at C speed."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        value = None if unicodedata.category(char) == "Mn" else code
        self[code] = value
        return value


_UNMARKED = _Unmarked({ord("đ"): "d", ord("Đ"): "D"})


def fold(value: str) -> str:
    """Lower-case and strip diacritics, with đ → d: "Quyết Định" → "quyet dinh"."""
    return unicodedata.normalize("NFD", value).translate(_UNMARKED).lower()
