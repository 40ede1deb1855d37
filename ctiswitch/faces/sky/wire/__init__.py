"""Sky wire layer: pure encoding and decoding, no I/O.

* :mod:`.requests`: the Request model, the GET query and one XML document;
* :mod:`.stream`: the stream mode, XML documents back to back in arbitrary chunks;
* :mod:`.responses`: ``org.m5.api.v1.Response`` and Call items;
* :mod:`.errors`: the error catalogue (codes 2 to 19, messages verbatim);
* :mod:`.commands`: the ClickToDial methods, name and argument validation;
* :mod:`.numbers`: the rules for the number a ``dial`` names.
"""
from .commands import (
    ANSWER,
    CLASS_NAME,
    DIAL,
    HOLD,
    IGNORE,
    LIST_CALLS,
    METHODS,
    RELEASE,
    RESUME,
    SUBSCRIBE,
    Arg,
    Method,
    check_arguments,
    resolve_method,
)
from .errors import (
    AUTHENTICATION_FAILED,
    BAD_ARGUMENTS,
    ENDPOINT_NOT_FOUND,
    FORCED_UNSUBSCRIPTION,
    MISSING_CLASS,
    MISSING_METHOD,
    NO_SUCH_METHOD,
    RATE_LIMITED,
    UNMARSHALL_FAILED,
    USER_BLOCKED,
    SkyError,
    unmarshall_failed,
)
from .numbers import DialKind, DialRejected, DialTarget, normalize_dial_number
from .requests import ParseFailure, Request, parse_query, parse_request_xml
from .responses import (
    CallState,
    CallView,
    random_response_id,
    render_call,
    render_call_event,
    render_response,
)
from .stream import DEFAULT_MAX_DOCUMENT_BYTES, RequestStream

__all__ = [
    "ANSWER",
    "AUTHENTICATION_FAILED",
    "BAD_ARGUMENTS",
    "CLASS_NAME",
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "DIAL",
    "ENDPOINT_NOT_FOUND",
    "FORCED_UNSUBSCRIPTION",
    "HOLD",
    "IGNORE",
    "LIST_CALLS",
    "METHODS",
    "MISSING_CLASS",
    "MISSING_METHOD",
    "NO_SUCH_METHOD",
    "RATE_LIMITED",
    "RELEASE",
    "RESUME",
    "SUBSCRIBE",
    "UNMARSHALL_FAILED",
    "USER_BLOCKED",
    "Arg",
    "CallState",
    "CallView",
    "DialKind",
    "DialRejected",
    "DialTarget",
    "Method",
    "ParseFailure",
    "Request",
    "RequestStream",
    "SkyError",
    "check_arguments",
    "normalize_dial_number",
    "parse_query",
    "parse_request_xml",
    "random_response_id",
    "render_call",
    "render_call_event",
    "render_response",
    "resolve_method",
    "unmarshall_failed",
]
