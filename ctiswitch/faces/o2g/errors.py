"""O2G's error body, ``RestErrorInfo`` (o2g.md §1.5), in one place.

Every non-2xx answer of the face is built here, so the HTTP status, the
``type``/``code`` pair, the fixed help text and ``canRetry`` always agree
with the table of the O2G document. The body carries ``type`` and ``Type``
because ALE's Java SDK reads the capitalised spelling (o2g-wire.md §4).
"""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

#: type -> (code, helpMessage, canRetry), verbatim from o2g.md §1.5.
ERROR_TYPES: dict[str, tuple[int, str, bool]] = {
    "NOT_READY": (1000, ("The server is not yet available. Please retry later if the initialization "
                        "is not finished."), True),
    "INVALID_SESSION": (1001, ("No valid session found for the given identifier. Please logout and login "
                              "with correct credentials."), True),
    "NOT_ALLOWED": (1002, ("The operation is not allowed, because of insufficient rights or bad credential. "
                          "Please contact the administrator to fix the problem."), False),
    "NOT_FOUND": (1003, "Missing or bad parameter sent by a request on a service. Fix the problem and retry.",
                  True),
    "NOT_EXPECTED": (1004, ("The request can not be performed due to current user's state.Check the state or "
                           "fix your request before sending it back."), True),
    "NOT_SUPPORTED": (1005, "This operation is not supported. Please check the documentation.", False),
    "BAD_PARAMETER": (1006, ("Request parameters are not correct. Please fix the problem and send the request "
                            "back."), True),
    "SERVER_PROBLEM": (1007, "Server general problem. Please contact the administrator to fix the problem.",
                       False),
}


class O2GError(Exception):
    """An O2G error answer, raised wherever the problem is found.

    ``status`` is the HTTP status, ``type`` one of ERROR_TYPES (its code,
    help text and canRetry come from the table unless ``code`` overrides the
    code), ``message`` the ``innerMessage`` for a person. ``telephony``,
    ``routing`` and ``user_preferences`` are the optional nested error infos
    of the telephony, routing and preferences services, passed as the JSON
    objects they are on the wire.
    """

    def __init__(self, status: int, type: str, message: str, *, code: int | None = None,
                 telephony: dict[str, Any] | None = None, routing: dict[str, Any] | None = None,
                 user_preferences: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        if type not in ERROR_TYPES:
            raise ValueError(f"unknown O2G error type {type!r}")
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.code = code
        self.telephony = telephony
        self.routing = routing
        self.user_preferences = user_preferences
        self.headers = headers

    def body(self) -> dict[str, Any]:
        """The RestErrorInfo object."""
        code, help_message, can_retry = ERROR_TYPES[self.type]
        body: dict[str, Any] = {
            "httpStatus": http_status_name(self.status),
            "code": self.code if self.code is not None else code,
            "helpMessage": help_message,
            "type": self.type,
            "Type": self.type,
            "innerMessage": self.message,
            "canRetry": can_retry,
        }
        if self.telephony is not None:
            body["telephony"] = self.telephony
        if self.routing is not None:
            body["routing"] = self.routing
        if self.user_preferences is not None:
            body["userPreferences"] = self.user_preferences
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def http_status_name(status: int) -> str:
    """``403`` -> ``"FORBIDDEN"``: the HttpStatus enum spelling of the O2G document."""
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "INTERNAL_SERVER_ERROR"


def bad_parameter(field: str, problem: str) -> O2GError:
    """400 BAD_PARAMETER naming the field, for every malformed request."""
    return O2GError(400, "BAD_PARAMETER", f"{field}: {problem}")


def invalid_session(detail: str) -> O2GError:
    """The documented unknown-session answer: 403 INVALID_SESSION (o2g.md §1.5 example 2)."""
    return O2GError(403, "INVALID_SESSION",
                    f"AlcChameleonException.BAD_FRAMEWORK_SESSION_IDENTIFIER {detail}")
