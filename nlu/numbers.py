"""Numbers the Colombian way: decimal comma, dot for thousands ("1.135", "62,5").

The one implementation for every package: reports, chat texts (the catalog's `num` filter),
`cti` commands and data files. It lives in `nlu/`, the leaf package for the conventions of
Colombian Spanish, because `dialogues/` may not import `bot/`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

NBSP = "\u00a0"
_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _decimal(value: float | int | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value))  # str() keeps 62.45 as written, not its binary expansion


def format_number(value: float | int | Fraction, decimals: int = 1, *, trim: bool = False) -> str:
    """62.5 -> '62,5'; 1135 (decimals=0) -> '1.135'. Rounds half up, as people do by hand.

    `trim` drops the zeros a whole or shorter number does not need (80 -> '80', 0.25 -> '0,25'
    with decimals=2): for a figure someone wrote, not for a column of scores."""
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never '-0,0'
    text = f"{rounded:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_SWAP_SEPARATORS)


def plain_decimal(value: float) -> str:
    """For data files (CSV): exact, no grouping, no exponent. 62.5 -> '62,5', 100.0 -> '100',
    1e-07 -> '0,0000001': what is read back is exactly what was stored."""
    if value == 0:
        return "0"  # never '-0'
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent_of(share: Fraction) -> int:
    """A share in 0..1 as a whole percentage that never claims 0 or 100 unless it is exact."""
    exact = share * 100
    if 0 < exact < 1:
        return 1
    if 99 < exact < 100:
        return 99
    return int(_decimal(exact).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_percent(share: Fraction) -> str:
    """Fraction(5, 6) -> '83 %' (with a no-break space, as the RAE and ICONTEC write it)."""
    return f"{percent_of(share)}{NBSP}%"
