"""The kernel's input checks: ids the database can hold, moments a roster can be asked about."""

import datetime as dt

import pytest

from caredesk import inputs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("0", None),
        ("", None),
        (None, None),
        ("²", None),  # isdigit() is true, int() refuses it
        ("٣", None),  # Arabic-Indic three: int() would read 3
        ("-4", None),
        (" 4", None),
        ("1_000", None),
    ],
)
def test_parse_id_takes_ascii_digits_in_the_database_range(text, expected):
    assert inputs.parse_id(text) == expected


def test_moments_far_in_the_future_or_past_or_naive_are_refused():
    west = dt.timezone(dt.timedelta(hours=-8))
    assert inputs.moment_problem(dt.datetime(9999, 12, 31, 23, 59, tzinfo=west)) is not None
    assert inputs.moment_problem(dt.datetime(9999, 12, 31, tzinfo=dt.UTC)) is not None
    assert inputs.moment_problem(dt.datetime(1, 1, 1, tzinfo=dt.UTC)) is not None
    assert inputs.moment_problem(dt.datetime(2026, 11, 25, 9)) is not None
    assert inputs.moment_problem(dt.datetime(2026, 11, 25, 9, tzinfo=west)) is None
