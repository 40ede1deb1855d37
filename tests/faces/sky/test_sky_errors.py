"""The error catalogue: codes and messages verbatim from the guide, and their rendering."""
from __future__ import annotations

import pytest

from ctiswitch.faces.sky.wire import (
    AUTHENTICATION_FAILED,
    BAD_ARGUMENTS,
    ENDPOINT_NOT_FOUND,
    FORCED_UNSUBSCRIPTION,
    MISSING_CLASS,
    MISSING_METHOD,
    NO_SUCH_METHOD,
    RATE_LIMITED,
    USER_BLOCKED,
    ParseFailure,
    SkyError,
    render_response,
    unmarshall_failed,
)

# Copied from the guide's "Common error messages", one line per message.
CATALOGUE = [
    (MISSING_CLASS, 2, "Command is missing a class name."),
    (MISSING_METHOD, 3, "Command is missing a method name."),
    (NO_SUCH_METHOD, 4, "No such method"),
    (AUTHENTICATION_FAILED, 5, "Authorization or authentication failed"),
    (USER_BLOCKED, 5, "Your user has been temporarily blocked for API abuse."),
    (RATE_LIMITED, 6, "This application has been temporarily blocked for API misuse."),
    (ENDPOINT_NOT_FOUND, 8, "Endpoint not found. Log into your phone."),
    (BAD_ARGUMENTS, 13, "The command expected arguments of different type or amount"),
    (
        FORCED_UNSUBSCRIPTION,
        17,
        "A temporary problem forced the unsubscription from updates. Try subscribing again. "
        "Notify system@m5net.com if this condition persists",
    ),
    (
        unmarshall_failed("mismatched tag: line 1, column 8"),
        19,
        "Failed to unmarshall XML: mismatched tag: line 1, column 8",
    ),
]

#: The ehainer/shoretel stub with its code and message cut out.
TEMPLATE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
    'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">'
    "<ErrorCount>1</ErrorCount><Errors>"
    '<item xsi:type="org.m5.api.v1.Error" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<MajorErrorCode>{code}</MajorErrorCode><Message>{message}</Message>"
    "<MinorErrorCode>0</MinorErrorCode></item></Errors><Id>1033010</Id>"
    "</org.m5.api.v1.Response>"
)


@pytest.mark.parametrize(("error", "code", "message"), CATALOGUE, ids=lambda v: str(v)[:30])
def test_catalogue_is_verbatim(error: SkyError, code: int, message: str) -> None:
    assert (error.code, error.message, error.minor) == (code, message, 0)


@pytest.mark.parametrize(("error", "code", "message"), CATALOGUE, ids=lambda v: str(v)[:30])
def test_each_error_renders_like_the_stub(error: SkyError, code: int, message: str) -> None:
    expected = TEMPLATE.format(code=code, message=message).encode()
    assert render_response(1033010, error) == expected


def test_parse_failure_carries_error_19() -> None:
    failure = ParseFailure("no element found: line 1, column 0")
    assert failure.error == SkyError(
        19, "Failed to unmarshall XML: no element found: line 1, column 0"
    )


def test_error_19_explanation_is_escaped() -> None:
    document = render_response(1, unmarshall_failed("element <x> & more"))
    assert b"<Message>Failed to unmarshall XML: element &lt;x&gt; &amp; more</Message>" in document
