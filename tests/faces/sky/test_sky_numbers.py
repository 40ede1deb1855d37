"""Dial-number rules (spec B1.9): the guide's table, then the edges it implies."""
from __future__ import annotations

import pytest

from ctiswitch.faces.sky.wire import (
    BAD_ARGUMENTS,
    DialKind,
    DialRejected,
    DialTarget,
    normalize_dial_number,
)

VALID = [
    # The guide's own examples.
    ("6465551234", DialTarget(DialKind.NATIONAL, "6465551234")),
    ("16465551234", DialTarget(DialKind.NATIONAL, "6465551234")),
    ("1234", DialTarget(DialKind.EXTENSION, "1234")),
    ("01161212345678", DialTarget(DialKind.INTERNATIONAL, "01161212345678")),
    # Separators people paste are ignored.
    ("(646) 555-1234", DialTarget(DialKind.NATIONAL, "6465551234")),
    ("1.646.555.1234", DialTarget(DialKind.NATIONAL, "6465551234")),
    (" 011 44 20 7946 0958 ", DialTarget(DialKind.INTERNATIONAL, "011442079460958")),
    ("0001", DialTarget(DialKind.EXTENSION, "0001")),
    # 011 + the shortest and longest E.164 numbers.
    ("0116831234", DialTarget(DialKind.INTERNATIONAL, "0116831234")),
    ("011" + "4" * 15, DialTarget(DialKind.INTERNATIONAL, "011" + "4" * 15)),
]

#: Well-formed digits of the wrong form: rejected with no API error (Result false).
INVALID_FORM = [
    "916465551234",  # guide: no outbound access digit
    "101161212345678",  # guide: nothing before 011
    "61212345678",  # guide: international without 011
    "123",
    "12345",
    "646555123",
    "64655512345",  # 11 digits not starting with 1
    "0465551234",  # NANP area codes start with 2-9
    "1165551234",
    "11465551234",
    "011612345",  # too short after 011
    "011" + "4" * 16,  # too long after 011
    "0110612345678",  # country codes do not start with 0
    "9011612123456789",
]

#: Not digits at all: the argument has the wrong type, error 13.
WRONG_TYPE = [
    "",
    "   ",
    "-",
    "646555123x",
    "+16465551234",
    "six",
    "\u0666\u0664\u0666\u0665\u0665\u0665\u0661\u0662\u0663\u0664",  # Arabic-Indic digits
]


@pytest.mark.parametrize(("text", "target"), VALID)
def test_valid_numbers(text: str, target: DialTarget) -> None:
    assert normalize_dial_number(text, international_blocked=False) == target


@pytest.mark.parametrize("text", INVALID_FORM)
def test_invalid_forms_have_no_api_error(text: str) -> None:
    with pytest.raises(DialRejected) as caught:
        normalize_dial_number(text, international_blocked=False)
    assert caught.value.error is None


def test_access_digit_is_named() -> None:
    with pytest.raises(DialRejected, match="access digit"):
        normalize_dial_number("916465551234", international_blocked=False)


@pytest.mark.parametrize("text", WRONG_TYPE)
def test_non_numbers_are_error_13(text: str) -> None:
    with pytest.raises(DialRejected) as caught:
        normalize_dial_number(text, international_blocked=False)
    assert caught.value.error == BAD_ARGUMENTS


def test_international_can_be_blocked() -> None:
    with pytest.raises(DialRejected, match="blocked") as caught:
        normalize_dial_number("01161212345678", international_blocked=True)
    assert caught.value.error is None


@pytest.mark.parametrize("text", ["6465551234", "16465551234", "1234"])
def test_blocking_leaves_other_numbers_alone(text: str) -> None:
    target = normalize_dial_number(text, international_blocked=True)
    assert target.kind is not DialKind.INTERNATIONAL
