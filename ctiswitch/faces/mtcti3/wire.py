"""MTCTI-3 wire codec: WebSocket message payload <-> one protobuf ``Message``.

Pure and I/O-free so that it can be fuzzed and unit-tested against the spec's
byte vectors (spec/mtcti3.md section 1.7). The server owns the socket; this
module only knows the two payload layouts of section 1.2:

* framed (``/tpkt/openapi``): ``00 00 00 01`` followed by one serialized
  ``Message``. The four octets are a constant type marker, not a length; the
  WebSocket message boundary delimits the frame.
* unframed (``/tpkt/openapinoframing``): the bare serialized ``Message``.

Every malformed input raises one exception type, ``WireError``, so the server
can apply the spec's single rule for all of them (DECISION A3: log and ignore
the message, keep the connection): no requestid can be recovered from bytes
that do not parse, so there is nobody to send an error RequestResponse to.

An "empty envelope" is a ``Message`` with no member of its ``payload`` oneof
set. That covers zero bytes, a framed message of exactly the 4 marker octets,
and a ``Message`` carrying only fields this schema does not know. Both
reference decoders in the DOC and gomtcti3 discard such messages (section
1.2), and the DOC says "one of the payloads should be set", so ``decode``
rejects it and ``encode`` refuses to produce it. Unknown fields *inside* a
known payload are kept: section 1.6 requires tolerating them.

Whether the payload is valid for its direction or its subscription (for
example a client sending ``notify``) is the session layer's business, not the
wire's.
"""

from google.protobuf.message import DecodeError

from ctiswitch.faces.mtcti3.constants import FRAME_MARKER
from ctiswitch.faces.mtcti3.mtcti3_pb2 import Message

_INT32_SIGN = 1 << 31
_UINT32_LIMIT = 1 << 32


class WireError(ValueError):
    """A WebSocket payload that is not one well-formed MTCTI-3 ``Message``.

    ``reason`` is a short human-readable diagnosis meant for the server log.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode(message: Message, framed: bool) -> bytes:
    """Serialize ``message`` as the payload of one WebSocket message.

    Raises ``WireError`` for an empty envelope: real clients silently drop it,
    so sending one can only hide a server bug.
    """
    if message.WhichOneof("payload") is None:
        raise WireError("empty envelope: Message has no payload set")
    body = message.SerializeToString()
    return FRAME_MARKER + body if framed else body


def decode(data: bytes, framed: bool) -> Message:
    """Parse the payload of one WebSocket message into a ``Message``.

    With ``framed``, the payload must be longer than the 4-octet marker and
    start with exactly ``00 00 00 01``, as the DOC's reference decoder checks.
    """
    if framed:
        if len(data) <= len(FRAME_MARKER):
            raise WireError(
                f"short frame: {len(data)} bytes, a frame needs the 4-byte "
                "marker and a non-empty Message"
            )
        marker = bytes(data[: len(FRAME_MARKER)])
        if marker != FRAME_MARKER:
            raise WireError(
                f"wrong frame marker {marker.hex(' ')}, expected 00 00 00 01"
            )
        data = data[len(FRAME_MARKER) :]
    message = Message()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise WireError(f"protobuf decode error: {exc}") from exc
    except UnicodeDecodeError as exc:
        # The pure-Python protobuf backend reports bad UTF-8 in a string field
        # this way instead of as a DecodeError (the upb backend does not).
        raise WireError(
            f"protobuf decode error: string field is not UTF-8: {exc}"
        ) from exc
    if message.WhichOneof("payload") is None:
        raise WireError("empty envelope: Message has no known payload set")
    return message


def to_int32(value: int) -> int:
    """Return the int32 field value for a 32-bit mask such as ``0xE0E0E091``.

    Real IP Office featuresavailable masks set bit 31; the field is int32, so
    on the wire such a mask is a negative number (a 10-byte varint), and the
    Python protobuf runtime only accepts the signed value (section 1.6).
    Values already in int32 range pass through unchanged.
    """
    if not -_INT32_SIGN <= value < _UINT32_LIMIT:
        raise ValueError(f"{value:#x} does not fit in 32 bits")
    return value - _UINT32_LIMIT if value >= _INT32_SIGN else value
