"""Numbers and dates the Colombian way: decimal comma, dot for thousands ("1.135", "62,5")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

NBSP = "\u00a0"
_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _decimal(value: float | int | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value))  # str() keeps 62.45 as written, not its binary expansion


def format_number(value: float | int | Fraction, decimals: int = 1) -> str:
    """62.5 -> '62,5'; 1135 (decimals=0) -> '1.135'. Rounds half up, as people do by hand."""
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never '-0,0'
    return f"{rounded:,.{decimals}f}".translate(_SWAP_SEPARATORS)


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
