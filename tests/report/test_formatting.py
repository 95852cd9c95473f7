from fractions import Fraction

import pytest

from bot.report.formatting import NBSP, format_number, format_percent, percent_of


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (62.5, 1, "62,5"),
        (61.25, 1, "61,3"),  # half up, not Python's half-even on binary floats
        (0.05, 1, "0,1"),
        (100, 1, "100,0"),
        (1135, 0, "1.135"),
        (1234567.891, 1, "1.234.567,9"),
        (-0.04, 1, "0,0"),
        (Fraction(2, 3) * 100, 1, "66,7"),
        (Fraction(1, 2), 0, "1"),
    ],
)
def test_numbers_use_the_decimal_comma(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (Fraction(0), 0),
        (Fraction(1), 100),
        (Fraction(5, 6), 83),
        (Fraction(1, 8), 13),
        (Fraction(1, 300), 1),  # something answered is never shown as 0 %
        (Fraction(199, 200), 99),  # something missing is never shown as 100 %
    ],
)
def test_percentages_never_round_to_the_extremes(share, expected):
    assert percent_of(share) == expected


def test_percent_text_has_a_no_break_space():
    assert format_percent(Fraction(2, 3)) == f"67{NBSP}%"
