"""What erased words read as, everywhere they used to appear."""

from __future__ import annotations


class Erased(str):
    """An erased field: still a string, so every page and every rule goes on working, and
    still recognisable, so nothing ever seals it as if it were someone's words."""

    __slots__ = ()


ERASED = Erased("(erased)")
