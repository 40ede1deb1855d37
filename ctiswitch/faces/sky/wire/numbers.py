"""Rules for the number a ``dial`` request names (the guide's ``<EX_TN>``).

The guide gives the rules by example (spec B1.9):

=====================  =========  ====================================
``6465551234``         valid      10-digit North American number
``16465551234``        valid      the same with its leading 1
``916465551234``       invalid    no outbound access digit is dialled
``1234``               valid      4-digit extension
``01161212345678``     valid      011, country code, number
``101161212345678``    invalid    nothing may precede 011
``61212345678``        invalid    international without 011
=====================  =========  ====================================

The guide names no error code for an invalid number, and says a call that
cannot be placed is not an API error. So a number of the wrong *form* is
rejected without an API error (the face answers ``Result`` false, spec C2
B-12), while a number of the wrong *type* (empty, or characters that are not
digits) is error 13, "arguments of different type". International calls
"may be blocked ... to combat fraud", again with no code: also ``false``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .errors import BAD_ARGUMENTS, SkyError


class DialKind(str, Enum):
    """Where a dial goes; extensions and DIDs on this system become internal calls."""

    EXTENSION = "extension"
    NATIONAL = "national"
    INTERNATIONAL = "international"


@dataclass(frozen=True, slots=True)
class DialTarget:
    """A dialable number in canonical form.

    ``digits`` is 4 digits for an extension, 10 for a North American number
    (a leading 1 is dropped, so it compares equal to a DID), and ``011``
    followed by the country code and number for an international one. A
    national number that is a DID on this system is still placed as an
    internal call; deciding that needs the directory, so it is the face's job.
    """

    kind: DialKind
    digits: str


class DialRejected(Exception):
    """The number cannot be dialled.

    ``error`` is the API error to answer, or ``None`` when the request is
    well-formed and the face answers ``Result`` false instead.
    """

    def __init__(self, reason: str, error: SkyError | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


#: Visual separators people paste with numbers; they carry no meaning.
_SEPARATORS = re.compile(r"[ \-.()]")
_NATIONAL = re.compile(r"1?([2-9][0-9]{9})")
#: E.164 allows at most 15 digits after the access code; the shortest plans use 7.
_INTERNATIONAL = re.compile(r"011[1-9][0-9]{6,14}")


def normalize_dial_number(text: str, *, international_blocked: bool) -> DialTarget:
    """Check ``text`` against the guide's rules and return its canonical form.

    Raises :class:`DialRejected`. North American numbers are taken as NANP
    numbers (area code 2-9), which keeps a 10-digit string starting with
    ``011`` or ``1`` from passing as one.
    """
    digits = _SEPARATORS.sub("", text.strip())
    if not digits:
        raise DialRejected("no number to dial", BAD_ARGUMENTS)
    if not (digits.isascii() and digits.isdigit()):
        raise DialRejected(f"{text!r} is not a telephone number", BAD_ARGUMENTS)
    if len(digits) == 4:
        return DialTarget(DialKind.EXTENSION, digits)
    if national := _NATIONAL.fullmatch(digits):
        return DialTarget(DialKind.NATIONAL, national.group(1))
    if _INTERNATIONAL.fullmatch(digits):
        if international_blocked:
            raise DialRejected("international calls are blocked for this user")
        return DialTarget(DialKind.INTERNATIONAL, digits)
    after_nine = digits[1:] if digits[0] == "9" else ""
    if _NATIONAL.fullmatch(after_nine) or _INTERNATIONAL.fullmatch(after_nine):
        raise DialRejected("no outbound access digit may be dialled")
    raise DialRejected(
        "not a 4-digit extension, a 10- or 11-digit North American number, "
        "or 011 and an international number"
    )
