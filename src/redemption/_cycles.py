"""Python's cycle collector paused while records that all live on are made.

Reading a report, or reporting on every buyer, makes hundreds of thousands of objects
that live on and hold no reference cycles: every collection on the way walks all those
made so far again and finds nothing to free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cycles_paused"]


@contextmanager
def cycles_paused() -> Iterator[None]:
    """Pause Python's cycle collector in the block, if it runs; it runs again after it.

    After the block, what was made in it goes to the oldest generation at once
    (`gc.freeze` then `gc.unfreeze`, where nothing is frozen), rather than through a
    collection of the youngest that would walk every object once more: an object freed
    later is collected as ever, by a full collection. A collector the caller disabled
    stays disabled.

    Example:
        >>> import gc
        >>> with cycles_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():  # else the caller's frozen objects would be thawed
            gc.freeze()
            gc.unfreeze()
        gc.enable()
