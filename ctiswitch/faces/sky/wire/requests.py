"""Request model and the two request encodings: the GET query and one XML document.

The guide shows the GET form only; its XML examples were images and are lost.
The only public XML client (``ehainer/shoretel``) sends a ``Command`` root with
``Name``, ``User``, ``Password`` and one ``Arguments`` per argument, so the XML
reader accepts any root element and matches its children by local name,
case-insensitively (spec C2 B-1), which covers both that form and a form
spelled after the GET parameters (``name``, ``user``, ``password``, ``args``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl
from xml.parsers import expat

from .errors import SkyError, unmarshall_failed


@dataclass(frozen=True, slots=True)
class Request:
    """One API request, however it arrived.

    ``id`` is the client's correlation Id (decimal text), ``None`` when the
    client gave none (always so over GET); the response then carries a random Id.
    """

    id: str | None
    name: str
    user: str
    password: str
    args: list[str]


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """An XML request that could not be read; the client is owed error 19."""

    explanation: str

    @property
    def error(self) -> SkyError:
        return unmarshall_failed(self.explanation)


def parse_query(query: str) -> Request:
    """Read the GET form ``name=...&user=<DID>&password=<PIN>&args=...&args=``.

    Decoding follows a Java servlet's ``getParameter``: ``+`` is a space, the
    first of a repeated parameter wins, unknown parameters are ignored, and a
    missing one is blank (so a missing ``name`` gives error 2 and a missing
    ``user`` error 5). Every ``args`` is kept, blanks included, in order.
    """
    fields: dict[str, str] = {}
    args: list[str] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "args":
            args.append(value.strip())
        else:
            fields.setdefault(key, value.strip())
    return Request(
        id=None,
        name=fields.get("name", ""),
        user=fields.get("user", ""),
        password=fields.get("password", ""),
        args=args,
    )


#: Child elements of the request root, by lower-cased local name.
_SCALARS = frozenset({"id", "name", "user", "password"})
_ARGUMENTS = frozenset({"arguments", "argument", "args", "arg"})
#: A Java ``long``, which is what the vendor's Id most likely is.
_ID = re.compile(r"-?[0-9]{1,19}")
_LONG_RANGE = range(-(2**63), 2**63)


def _shown(text: str) -> str:
    """Client text quoted in an explanation, cut short: it is echoed back in error 19."""
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."


class _Reject(Exception):
    """Raised from inside expat callbacks to stop the parse with an explanation."""


class _RequestBuilder:
    """Collects the fields of one request document from expat callbacks.

    Namespace processing is off on purpose: clients write ``xsi:type`` with and
    without declaring its prefix, and only local names matter here.
    """

    def __init__(self) -> None:
        self.scalars: dict[str, str] = {}
        self.args: list[str] = []
        self._depth = 0
        self._field: str | None = None
        self._text: list[str] = []

    def start(self, qname: str, _attrs: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 2:
            local = qname.rpartition(":")[2].lower()
            if local in _ARGUMENTS:
                self._field = "args"
            elif local in _SCALARS:
                self._field = local
            else:
                self._field = None
            if self._field in self.scalars:
                raise _Reject(f"element {_shown(qname)} appears more than once")
            self._text = []
        elif self._depth > 2 and self._field is not None:
            raise _Reject(f"element {_shown(qname)} is not allowed inside a request field")

    def end(self, _qname: str) -> None:
        if self._depth == 2 and self._field is not None:
            value = "".join(self._text).strip()
            if self._field == "args":
                self.args.append(value)
            else:
                self.scalars[self._field] = value
            self._field = None
        self._depth -= 1

    def text(self, data: str) -> None:
        if self._depth == 2 and self._field is not None:
            self._text.append(data)

    def request(self) -> Request:
        raw_id = self.scalars.get("id") or None
        if raw_id is not None and not (_ID.fullmatch(raw_id) and int(raw_id) in _LONG_RANGE):
            raise _Reject(f"Id {_shown(raw_id)} is not a number")
        return Request(
            id=raw_id,
            name=self.scalars.get("name", ""),
            user=self.scalars.get("user", ""),
            password=self.scalars.get("password", ""),
            args=self.args,
        )


def _refuse_doctype(*_: object) -> None:
    # A DTD is never needed and is the door to entity-expansion attacks.
    raise _Reject("a DOCTYPE is not allowed")


def parse_request_xml(document: bytes) -> Request | ParseFailure:
    """Read one complete XML request document (also the body of a plain POST).

    Unknown child elements are ignored, as a JAXB unmarshaller does; a
    repeated ``Name``, ``User``, ``Password`` or ``Id``, markup inside one of
    them, a non-numeric Id, a DOCTYPE or any well-formedness error is a
    ParseFailure whose explanation becomes the error 19 message.
    """
    builder = _RequestBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        parser.Parse(document, True)
        return builder.request()
    except (expat.ExpatError, _Reject) as exc:
        return ParseFailure(str(exc))
    except (LookupError, ValueError) as exc:
        # expat asks Python's codecs about any encoding it does not know itself.
        return ParseFailure(f"unsupported encoding: {exc}")
