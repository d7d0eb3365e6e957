"""What the trusted seller and the chats share: their enums' base, a type check, three-valued or."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from redemption.errors import ArgumentTypeError


class Word(enum.Enum):
    """An enum shown as its qualified name, as it is written in code."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


def require(value: object, kind: type, field: str) -> None:
    """Refuse `value` unless it is a `kind`; `field` names it in the message."""
    if not isinstance(value, kind):
        msg = f"{field} must be a {kind.__name__}, not {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)


def any_holds(values: Iterable[bool | None]) -> bool | None:
    """Three-valued or: `True` if any is, `False` if all are, else unknown."""
    seen = tuple(values)
    if True in seen:
        return True
    return False if all(v is False for v in seen) else None
