"""Reading one cell: a number, a "not given" marker, or label text.

Shared by the extractors (to split text lines into cells) and the normaliser (to read values).
A value is never guessed: anything that is not plainly a number or a blank marker is text.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .catalogue import COUNT_UNITS, MONEY_UNITS, NULL_MARKERS

_UNITS = "|".join(sorted({*COUNT_UNITS, *MONEY_UNITS}, key=len, reverse=True))
_NUMBER = re.compile(rf"^([+-]?)(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?\s*({_UNITS})?$")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "")


@lru_cache(maxsize=65536)
def parse_cell(text: str) -> tuple[bool, int | Decimal | None, str | None]:
    """(is_value, value, unit). is_value is True for numbers and for blank markers (value None)."""
    t = _norm(text)
    if t in NULL_MARKERS:
        return True, None, None
    m = _NUMBER.match(t)
    if not m:
        return False, None, None
    sign, digits, frac, unit = m.groups()
    digits = digits.replace(",", "")
    if frac:
        try:
            value: int | Decimal = Decimal(sign + digits + frac)
        except InvalidOperation:  # pragma: no cover - regex guarantees digits
            return False, None, None
    else:
        value = int(sign + digits) if sign == "-" else int(digits)
    return True, value, unit


def is_value_text(text: str) -> bool:
    """True for a token that is a number or a blank marker other than the word 无 (which in running
    text is part of a label: （四）无 / 法提供)."""
    t = _norm(text)
    if not t or t == "无":
        return False
    return parse_cell(t)[0]
