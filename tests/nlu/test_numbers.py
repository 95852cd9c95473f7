"""Colombian number formatting (nlu/numbers.py): the one implementation every package uses."""

from fractions import Fraction

import pytest

from nlu.numbers import NBSP, format_number, format_percent, percent_of, plain_decimal


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
    ("value", "decimals", "expected"),
    [
        (80, 2, "80"),  # the catalog's `num`: a figure as someone wrote it
        (80.0, 2, "80"),
        (0.25, 2, "0,25"),
        (12.5, 2, "12,5"),
        (1234.5, 2, "1.234,5"),
        (0.005, 2, "0,01"),  # half up
        (0.004, 2, "0"),
        (-0.001, 2, "0"),  # never '-0'
        (1500000.0, 6, "1.500.000"),  # an answer read back; `:g` printed '1.5e+06'
        (0.1 + 0.2, 6, "0,3"),
        (1200, 0, "1.200"),  # no decimals: nothing to trim, the thousands dot stays
    ],
)
def test_trimmed_numbers_keep_only_the_digits_they_need(value, decimals, expected):
    assert format_number(value, decimals, trim=True) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (62.5, "62,5"),
        (100.0, "100"),
        (1135.0, "1135"),  # data files: no thousands dot
        (1e-07, "0,0000001"),  # no exponent
        (-0.0, "0"),
        (1234567.891, "1234567,891"),  # exact, not rounded
    ],
)
def test_plain_decimals_for_data_files_are_exact(value, expected):
    assert plain_decimal(value) == expected


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
