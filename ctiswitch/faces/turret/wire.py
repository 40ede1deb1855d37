"""Turret API wire layer: bytes in, calls out; replies and notifications out.

Sans-I/O in the manner of h11/wsproto: the server owns the sockets and
feeds whatever bytes arrive into a `RequestDecoder`, which returns whole
`Call`s; the `encode_*` functions return the bytes to write back. Nothing
here blocks, sleeps or touches a socket, so every branch is testable and
fuzzable with plain byte strings.

Dialects (spec turret-and-sky.md §A2 items 3-4): the vendor's own sample
clients use the binary protocol both framed (TFramedTransport: a 4-byte
big-endian length before each message) and unframed (TBufferedTransport,
which only buffers on the client side). Port 9007 must accept both and
answer each client in its own dialect. The first bytes tell them apart:

- `80 01 ..`: a strict binary header with no frame, so unframed;
- `LL LL LL LL 80 ..` or `LL LL LL LL 00 ..`: a frame length, then a strict
  header or the length of a non-strict method name, so framed;
- `LL LL LL LL <letter>`: the length of a non-strict method name followed
  by the name itself, so unframed non-strict.

The dialect is fixed by the first message of a connection (clients do not
switch), or forced by configuration (spec §C1 A-1).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import Any

from thriftpy2.thrift import TApplicationException, TMessageType

from .idl import load_idl, nested_spec, notification_service, request_service
from .reader import Incomplete, Reader, WireError
from .writer import check_struct, check_value, write_message

DEFAULT_MAX_MESSAGE_BYTES = 1 << 20
"""Largest request accepted (frame payload or unframed message), in bytes."""

_FRAME = struct.Struct("!i")

# First byte of a message (or of a frame's payload) in dialects we refuse,
# so that the WireError says what the client spoke.
_UNSUPPORTED_LEAD = {
    0x82: "the compact protocol is not supported; use the binary protocol",
    0x0F: "THeader is not supported; use framed or unframed binary",
}


class Dialect(enum.Enum):
    """How binary-protocol messages are delimited on one connection."""

    FRAMED = "framed"
    UNFRAMED = "unframed"


@dataclass(frozen=True, slots=True)
class Call:
    """One decoded request, with what is needed to answer it.

    `args` is the thriftpy2 `<method>_args` instance, or None when the
    method is not in `TurretRequestService`: the server then answers with
    `encode_application_error`. `oneway` is true when the client sent the
    message as ONEWAY and reads no reply; no request method is oneway in
    the IDL, so only a confused client does that, and it must get no reply.
    """

    dialect: Dialect
    method: str
    seqid: int
    args: Any
    oneway: bool

    @property
    def known(self) -> bool:
        """Whether the method exists in `TurretRequestService`."""
        return self.args is not None


class RequestDecoder:
    """Turns the byte stream of one request connection into `Call`s.

    One decoder per connection. After a `WireError` the stream has lost its
    message boundaries for good, so every later `feed` raises again.
    """

    def __init__(
        self,
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        dialect: Dialect | None = None,
    ) -> None:
        """`dialect` forces one dialect instead of detecting it."""
        self._limit = max_message_bytes
        self._dialect = dialect
        self._buf = bytearray()
        self._need = 1  # bytes from the buffer start before a parse can progress
        self._failure: WireError | None = None

    @property
    def dialect(self) -> Dialect | None:
        """The connection's dialect, None until the first bytes tell it."""
        return self._dialect

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a whole message."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Call]:
        """Add received bytes; return every message they complete, in order.

        Raises WireError for a malformed or oversized message. Calls that
        preceded it in the same `data` are dropped with it: the connection
        is about to be closed, so they could not be answered anyway.
        """
        if self._failure is not None:
            raise WireError(f"connection already failed: {self._failure}")
        self._buf += data
        calls: list[Call] = []
        start = 0
        try:
            while len(self._buf) - start >= self._need:
                try:
                    call, size = self._next(start)
                except Incomplete as more:
                    self._need = more.needed - start
                    break
                calls.append(call)
                start += size
                self._need = 1
        except WireError as exc:
            self._failure = exc
            self._buf.clear()
            raise
        del self._buf[:start]
        return calls

    def _next(self, start: int) -> tuple[Call, int]:
        """Decode the message at `start`; return it and its size with framing."""
        if self._dialect is None:
            self._dialect = self._sniff(start)
        if self._dialect is Dialect.FRAMED:
            return self._framed(start)
        reader = Reader(self._buf, start, self._limit)
        return self._call(reader, Dialect.UNFRAMED), reader.pos - start

    def _sniff(self, start: int) -> Dialect:
        lead = self._buf[start]
        if lead & 0x80:
            if lead == 0x80:
                return Dialect.UNFRAMED
            raise WireError(_UNSUPPORTED_LEAD.get(lead, f"not a Thrift binary message (0x{lead:02x})"))
        if len(self._buf) - start < 5:
            raise Incomplete(start + 5)
        inner = self._buf[start + 4]
        if inner in _UNSUPPORTED_LEAD:
            raise WireError(_UNSUPPORTED_LEAD[inner])
        return Dialect.FRAMED if inner in (0x80, 0x00) else Dialect.UNFRAMED

    def _framed(self, start: int) -> tuple[Call, int]:
        if len(self._buf) - start < 4:
            raise Incomplete(start + 4)
        (length,) = _FRAME.unpack_from(self._buf, start)
        if not 0 < length <= self._limit:
            raise WireError(f"frame length {length} outside 1..{self._limit}")
        end = start + 4 + length
        if len(self._buf) < end:
            raise Incomplete(end)
        reader = Reader(self._buf, start + 4, self._limit, end)
        try:
            call = self._call(reader, Dialect.FRAMED)
        except Incomplete:
            raise WireError(f"frame of {length} bytes ends inside its message") from None
        if reader.pos != end:
            raise WireError(f"frame of {length} bytes holds {end - reader.pos} bytes after its message")
        return call, 4 + length

    @staticmethod
    def _call(reader: Reader, dialect: Dialect) -> Call:
        header = reader.message_begin()
        if header.mtype not in (TMessageType.CALL, TMessageType.ONEWAY):
            raise WireError(f"message type {header.mtype} sent to a server")
        service = request_service()
        if header.name in service.thrift_services:
            args = reader.read_struct(getattr(service, f"{header.name}_args"))
        else:
            reader.skip_struct()
            args = None
        return Call(dialect, header.name, header.seqid, args, header.mtype == TMessageType.ONEWAY)


def encode_reply(call: Call, result: Any = None) -> bytes:
    """The REPLY to `call` carrying `result` (None for a void method).

    Raises ValueError if `result` does not match the method's return type,
    including a None from a non-void method or a struct missing a required
    field: vendor clients would reject such a reply.
    """
    result_cls = _result_class(call)
    payload = result_cls()
    success = result_cls.thrift_spec.get(0)
    if success is None:
        if result is not None:
            raise ValueError(f"{call.method} returns void, not {result!r}")
    else:
        if result is None:
            raise ValueError(f"{call.method} must return a value")
        check_value(success[0], nested_spec(success), result, f"{call.method} result")
        payload.success = result
    return write_message(call.method, TMessageType.REPLY, call.seqid, payload, _framed(call.dialect))


def encode_exception(call: Call, exc: Any) -> bytes:
    """The REPLY to `call` carrying a `TurretApiException` as `ex` (field 1).

    Four methods declare no exception (getProfileList, snapshotCalls,
    getLoginState, getVersion); for them this raises ValueError, since no
    vendor client could read it.
    """
    result_cls = _result_class(call)
    declared = [spec for fid, spec in result_cls.thrift_spec.items() if fid != 0]
    if not declared:
        raise ValueError(f"{call.method} declares no exception")
    ttype, name, exc_cls, _ = declared[0]
    check_value(ttype, exc_cls, exc, f"{call.method} {name}")
    payload = result_cls()
    setattr(payload, name, exc)
    return write_message(call.method, TMessageType.REPLY, call.seqid, payload, _framed(call.dialect))


def encode_application_error(
    call: Call,
    message: str,
    kind: int = TApplicationException.UNKNOWN_METHOD,
) -> bytes:
    """An EXCEPTION message (TApplicationException) answering `call`.

    This is how Thrift reports an unknown method, or a failure of a method
    that declares no exception. `kind` is a TApplicationException type.
    """
    _expect_reply(call)
    payload = TApplicationException(kind, message)
    check_struct(payload, f"{call.method} application error")
    return write_message(call.method, TMessageType.EXCEPTION, call.seqid, payload, _framed(call.dialect))


def encode_notification(method: str, *args: Any, dialect: Dialect, seqid: int = 0, **kwargs: Any) -> bytes:
    """A ONEWAY `TurretNotificationService` call, for a subscriber's listener.

    Arguments follow the IDL order (`turretName` first) or are given by
    name, as with a thriftpy2 client. Every argument is required here
    because the turret always sends them all; the dialect is the one chosen
    for that subscriber, since the turret speaks first and cannot detect it
    (spec §C1 A-2). Raises ValueError for an unknown method or bad argument.
    """
    service = notification_service()
    if method not in service.thrift_services:
        raise ValueError(f"{method} is not a TurretNotificationService method")
    payload = getattr(service, f"{method}_args")(*args, **kwargs)
    for spec in type(payload).thrift_spec.values():
        value = getattr(payload, spec[1])
        if value is None:
            raise ValueError(f"{method} needs argument {spec[1]}")
        check_value(spec[0], nested_spec(spec), value, f"{method}.{spec[1]}")
    return write_message(method, TMessageType.ONEWAY, seqid, payload, _framed(dialect))


def turret_api_exception(code: int, text: str) -> Any:
    """Build a `TurretApiException` (both fields are required)."""
    return load_idl().TurretApiException(ErrorCode=code, ErrorAsString=text)


def _result_class(call: Call) -> Any:
    _expect_reply(call)
    if not call.known:
        raise ValueError(f"{call.method} is unknown: answer with encode_application_error")
    return getattr(request_service(), f"{call.method}_result")


def _expect_reply(call: Call) -> None:
    if call.oneway:
        raise ValueError(f"{call.method} was sent oneway: the client reads no reply")


def _framed(dialect: Dialect) -> bool:
    return dialect is Dialect.FRAMED


__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "Call",
    "Dialect",
    "RequestDecoder",
    "WireError",
    "encode_application_error",
    "encode_exception",
    "encode_notification",
    "encode_reply",
    "turret_api_exception",
]
