"""Setting a frozen record's fields straight, for code that makes a million of them.

attrs' records are slotted: each field is a slot whose own setter (the member
descriptor's ``__set__``) stores a value without the frozen record's refusal, and without
the name lookup and keyword parsing of a call to the class. Only for values already
checked as the record's constructor would check them.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["slot_setters"]


def slot_setters(cls: type, *names: str) -> list[Callable[[object, object], None]]:
    """Return the setter of each named slot of `cls`, in the order named.

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Point:
        ...     x: int
        >>> (set_x,) = slot_setters(Point, "x")
        >>> point = object.__new__(Point)
        >>> set_x(point, 3)
        >>> point
        Point(x=3)
    """
    return [cls.__dict__[name].__set__ for name in names]
