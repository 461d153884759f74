"""The kernel's input checks: ids the database can hold, moments, text with something in it."""

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


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b", "\u200e\u200f", "\ufeff", "\u0301\u0302", "\t\n", "\u3000", "\u2028"],
)
def test_blank_is_whitespace_format_and_combining_characters_only(text):
    assert inputs.is_blank(text)
    assert inputs.text_problem(text, required=True) is not None


@pytest.mark.parametrize("text", ["a", "\u200bx", "é", "e\u0301", "掉话", "0", "\ue000"])
def test_text_with_a_visible_character_is_not_blank(text):
    assert not inputs.is_blank(text)
    assert inputs.text_problem(text, required=True) is None


def test_nul_and_lone_surrogates_are_refused_even_in_optional_text():
    assert inputs.text_problem("a\x00b", required=True) is not None
    assert inputs.text_problem("\x00", required=False) is not None
    assert inputs.text_problem("a\ud800", required=False) is not None
    assert inputs.text_problem("", required=False) is None
    assert inputs.storable("掉话 \U0001f4de")


def test_length_is_checked():
    assert inputs.text_problem("abc", required=True, max_length=2) is not None
    assert inputs.text_problem("ab", required=True, max_length=2) is None


def test_moments_far_in_the_future_or_past_or_naive_are_refused():
    west = dt.timezone(dt.timedelta(hours=-8))
    assert inputs.moment_problem(dt.datetime(9999, 12, 31, 23, 59, tzinfo=west)) is not None
    assert inputs.moment_problem(dt.datetime(9999, 12, 31, tzinfo=dt.UTC)) is not None
    assert inputs.moment_problem(dt.datetime(1, 1, 1, tzinfo=dt.UTC)) is not None
    assert inputs.moment_problem(dt.datetime(2026, 11, 25, 9)) is not None
    assert inputs.moment_problem(dt.datetime(2026, 11, 25, 9, tzinfo=west)) is None
