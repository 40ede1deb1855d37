"""Name resolution (errors 2, 3, 4) and argument checks (error 13)."""
from __future__ import annotations

import pytest

from ctiswitch.faces.sky.wire import (
    ANSWER,
    BAD_ARGUMENTS,
    CLASS_NAME,
    DIAL,
    HOLD,
    IGNORE,
    LIST_CALLS,
    METHODS,
    MISSING_CLASS,
    MISSING_METHOD,
    NO_SUCH_METHOD,
    RELEASE,
    RESUME,
    SUBSCRIBE,
    Method,
    SkyError,
    check_arguments,
    resolve_method,
)

P = "org.m5.apps.v1.cti.ClickToDial"


def test_the_eight_methods_and_their_arity() -> None:
    assert CLASS_NAME == P
    assert {name: len(m.args) for name, m in METHODS.items()} == {
        "dial": 2,
        "answer": 2,
        "ignore": 1,
        "release": 1,
        "hold": 1,
        "resume": 1,
        "listCalls": 1,
        "subscribe": 0,
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"{P}.dial", DIAL),
        (f"{P}.answer", ANSWER),
        (f"{P}.ignore", IGNORE),
        (f"{P}.release", RELEASE),
        (f"{P}.hold", HOLD),
        (f"{P}.resume", RESUME),
        (f"{P}.listCalls", LIST_CALLS),
        (f"{P}.subscribe", SUBSCRIBE),
        ("", MISSING_CLASS),
        ("dial", MISSING_CLASS),
        (".dial", MISSING_CLASS),
        (".", MISSING_CLASS),
        (P, MISSING_METHOD),
        (f"{P}.", MISSING_METHOD),
        (f"{P}.Dial", NO_SUCH_METHOD),
        (f"{P}.listcalls", NO_SUCH_METHOD),
        (f"{P}.transfer", NO_SUCH_METHOD),
        (f"{P}.dial.now", NO_SUCH_METHOD),
        ("org.m5.apps.v1.cti.Other.dial", NO_SUCH_METHOD),
        ("org.m5.apps.v1.cti.dial", NO_SUCH_METHOD),
    ],
)
def test_resolve_method(name: str, expected: Method | SkyError) -> None:
    assert resolve_method(name) == expected


def test_subscribe_is_not_offered_over_get() -> None:
    assert resolve_method(f"{P}.subscribe", over_get=True) == NO_SUCH_METHOD
    for name, method in METHODS.items():
        if name != "subscribe":
            assert resolve_method(method.full_name, over_get=True) == method


@pytest.mark.parametrize(
    ("method", "args", "lenient", "expected"),
    [
        (DIAL, ["6465551234", ""], False, ("6465551234", "")),
        (DIAL, ["6465551234"], False, BAD_ARGUMENTS),
        (DIAL, ["6465551234"], True, ("6465551234", "")),
        (DIAL, ["6465551234", "", ""], True, BAD_ARGUMENTS),
        (ANSWER, ["", ""], False, ("", "")),
        (ANSWER, ["65885", "0010492e1234"], False, ("65885", "0010492e1234")),
        (ANSWER, [], False, BAD_ARGUMENTS),
        (ANSWER, [], True, ("", "")),
        (HOLD, ["abc"], False, BAD_ARGUMENTS),
        (HOLD, ["-1"], False, BAD_ARGUMENTS),
        (HOLD, ["\u0661"], False, BAD_ARGUMENTS),  # an Arabic-Indic digit is no call Id
        (RELEASE, ["66517"], False, ("66517",)),
        (LIST_CALLS, [""], False, ("",)),
        (LIST_CALLS, [], False, BAD_ARGUMENTS),
        (SUBSCRIBE, [], False, ()),
        (SUBSCRIBE, [""], False, BAD_ARGUMENTS),
    ],
)
def test_check_arguments(
    method: Method, args: list[str], lenient: bool, expected: tuple[str, ...] | SkyError
) -> None:
    assert check_arguments(method, args, lenient=lenient) == expected
