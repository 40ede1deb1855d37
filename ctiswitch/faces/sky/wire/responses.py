"""Rendering of ``org.m5.api.v1.Response`` documents and ``org.m5.data.v1.cti.Call`` items.

The vendor's server is evidently JAXB: children appear in alphabetical order
(ErrorCount, Errors, Id, Result; Ani, CLID, DID, ...; MajorErrorCode, Message,
MinorErrorCode), ``xsi`` is declared on the first element that needs it, and
the one verbatim reply on record (the ``ehainer/shoretel`` test stub) is
unindented, the declaration running straight into the root. This module writes
exactly that form. The guide's own examples are the same documents
pretty-printed for the page.
"""
from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .errors import SkyError

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
ROOT = "org.m5.api.v1.Response"
ROOT_NAMESPACES = (
    'xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
    'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5"'
)
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'
CALL_TYPE = "org.m5.data.v1.cti.Call"
ERROR_TYPE = "org.m5.api.v1.Error"


class CallState(str, Enum):
    """``State`` of a Call item. The guide's prose spells CONNNECTED; its example, CONNECTED."""

    RINGING = "RINGING"  # ringing into the phone
    PENDING = "PENDING"  # ringing out from the phone
    CONNECTED = "CONNECTED"
    HOLDING = "HOLDING"
    DELETED = "DELETED"  # ended or no longer on this phone; pushed once


@dataclass(frozen=True, slots=True)
class CallView:
    """What one Call item says, as the face's translate layer sees the engine's call.

    ``clid`` is ``None`` when the element is to be left out (the guide warns
    it "may not always be present"); ``duration`` counts whole seconds from
    the first ring; ``endpoint`` is the phone's MAC, 12 lower-case hex digits.
    """

    id: int
    state: CallState
    ani: str
    did: str
    duration: int
    endpoint: str
    originated: bool
    clid: str | None = None


#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    """Escape character data; characters XML cannot carry become U+FFFD."""
    text = _NOT_XML.sub("\ufffd", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _element(name: str, value: object) -> str:
    return f"<{name}>{_text(value)}</{name}>"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def render_call(call: CallView) -> str:
    """The ``item`` element for one call, as it sits inside a Result of type xmlList.

    A fragment: it relies on the enclosing ``Result`` for the ``xsi`` declaration.
    """
    parts = [_element("Ani", call.ani)]
    if call.clid is not None:
        parts.append(_element("CLID", call.clid))
    parts += [
        _element("DID", call.did),
        _element("Duration", call.duration),
        _element("Endpoint", call.endpoint),
        _element("Id", call.id),
        _element("Originated", _bool(call.originated)),
        _element("State", call.state.value),
    ]
    return f'<item xsi:type="{CALL_TYPE}">{"".join(parts)}</item>'


def _render_error(error: SkyError) -> str:
    return (
        f'<item xsi:type="{ERROR_TYPE}" {XSI}>'
        f"{_element('MajorErrorCode', error.code)}"
        f"{_element('Message', error.message)}"
        f"{_element('MinorErrorCode', error.minor)}"
        "</item>"
    )


def _render_result(result: bool | int | Sequence[CallView]) -> str:
    """``Result`` with its ``xsi:type``.

    Boolean and int results appear in no document on record; they are written
    as JAXB writes an ``Object`` property holding a Boolean or Integer
    (spec C2 B-7), with ``xs`` and ``xsi`` declared on ``Result`` itself.
    """
    if isinstance(result, bool):
        return f'<Result xsi:type="xs:boolean" {XS} {XSI}>{_bool(result)}</Result>'
    if isinstance(result, int):
        return f'<Result xsi:type="xs:int" {XS} {XSI}>{result}</Result>'
    items = "".join(render_call(call) for call in result)
    return f'<Result xsi:type="xmlList" {XSI}>{items}</Result>'


Outcome = bool | int | Sequence[CallView] | SkyError | Sequence[SkyError]


def render_response(response_id: int | str, outcome: Outcome) -> bytes:
    """One complete response document, UTF-8 encoded.

    ``outcome`` is either the result (a bool for dial/answer/ignore/release/
    hold/resume, ``0`` for subscribe, a sequence of calls for listCalls and for
    pushes; an empty sequence is an idle phone) or one or more errors, in which
    case ``Result`` is left out as in the error example on record.
    """
    errors: tuple[SkyError, ...] = ()
    result: bool | int | tuple[CallView, ...]
    if isinstance(outcome, SkyError):
        errors = (outcome,)
    elif isinstance(outcome, (bool, int)):
        result = outcome
    else:
        items = tuple(outcome)
        if items and all(isinstance(item, SkyError) for item in items):
            errors = items  # type: ignore[assignment]
        elif all(isinstance(item, CallView) for item in items):
            result = items  # type: ignore[assignment]
        else:
            raise TypeError("a sequence outcome must hold only CallView or only SkyError")
    body = [_element("ErrorCount", len(errors))]
    if errors:
        body.append(f"<Errors>{''.join(_render_error(e) for e in errors)}</Errors>")
    body.append(_element("Id", response_id))
    if not errors:
        body.append(_render_result(result))
    document = f"{XML_DECLARATION}<{ROOT} {ROOT_NAMESPACES}>{''.join(body)}</{ROOT}>"
    return document.encode("utf-8")


def render_call_event(subscription_id: int | str, calls: Sequence[CallView]) -> bytes:
    """A push on a subscribed stream: the calls that changed, under the subscribe Id.

    The guide's only push example carries Id 1, which reads as the subscribe
    request's Id (spec C2 B-8); several calls may share one push (the guide's
    Find Me known issue shows PENDING, CONNECTED and DELETED "all at once").
    """
    if not calls:
        raise ValueError("a call event carries at least one call")
    return render_response(subscription_id, calls)


def random_response_id(rng: random.Random) -> int:
    """An Id for a request that gave none: positive, 7 digits like the 1033010 on record."""
    return rng.randrange(1_000_000, 10_000_000)
