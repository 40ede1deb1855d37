"""An incremental reader for the Thrift binary protocol, driven by the IDL.

Why our own reader instead of thriftpy2's: an unframed (buffered) client
sends messages back to back with nothing that says where one ends, so the
only way to find the boundary is to parse the message itself, from a buffer
that may hold half of it. This reader parses from a byte buffer and, when
the bytes run out, raises `Incomplete` with the buffer length it needs
instead of blocking on a socket. It also refuses what a server must not
trust (lengths beyond the message limit, negative sizes, unknown types,
excessive nesting, invalid UTF-8, missing required fields), so that random
bytes can only ever produce `WireError`. thriftpy2's own reader would
misread a STRING field arriving under the id of an integer field, and
silently returns undecodable strings as bytes.

Semantics follow Apache Thrift readers: a field whose id is unknown or
whose wire type differs from the IDL is skipped (that is how IDL evolution
works), both strict (`80 01 00 tt`) and old non-strict message headers are
accepted, and a struct missing a `required` field is a protocol error.
Enum values are not checked: an unknown one is for the application to
refuse with its own error code (e.g. `InvalidInterfaceActionState`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from thriftpy2.thrift import TType

from .idl import element_spec, nested_spec

MAX_DEPTH = 64
"""How deep structs and containers may nest (Apache Thrift's default)."""

_STRICT_VERSION = 0x8001  # high 16 bits of a strict message header

_FORMATS: dict[int, struct.Struct] = {
    TType.BOOL: struct.Struct("!b"),
    TType.BYTE: struct.Struct("!b"),
    TType.I16: struct.Struct("!h"),
    TType.I32: struct.Struct("!i"),
    TType.I64: struct.Struct("!q"),
    TType.DOUBLE: struct.Struct("!d"),
}
_U32 = struct.Struct("!I")

# The fewest bytes one value of each type takes on the wire; bounds
# container counts before looping over them.
_MIN_SIZE: dict[int, int] = {
    **{ttype: fmt.size for ttype, fmt in _FORMATS.items()},
    TType.STRING: 4,
    TType.STRUCT: 1,
    TType.MAP: 6,
    TType.SET: 5,
    TType.LIST: 5,
}


class WireError(Exception):
    """The peer sent bytes that are not a valid Turret API message.

    The stream cannot be resynchronised after this, so the server closes
    that one connection (as Apache Thrift servers do on a protocol error).
    """


class Incomplete(Exception):
    """The buffer ends inside the message; retry once `needed` bytes exist.

    `needed` is an absolute buffer length, a lower bound: retrying with
    fewer bytes would stop at the same place, so callers skip the re-parse.
    """

    def __init__(self, needed: int) -> None:
        super().__init__(needed)
        self.needed = needed


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """The envelope of one message: method name, message type, sequence id."""

    name: str
    mtype: int
    seqid: int


class Reader:
    """Reads one binary-protocol message from `buf[start:end]`.

    `limit` bounds the whole message in bytes, checked as each length is
    read, so a client cannot make us buffer more than that by declaring a
    huge string or list.
    """

    def __init__(
        self,
        buf: bytes | bytearray,
        start: int,
        limit: int,
        end: int | None = None,
    ) -> None:
        self._buf = buf
        self._start = start
        self._end = len(buf) if end is None else end
        self._limit = limit
        self.pos = start

    def message_begin(self) -> MessageHeader:
        """Read a strict or non-strict message header."""
        word = self._u32()
        if word & 0x8000_0000:
            if word >> 16 != _STRICT_VERSION:
                raise WireError(f"bad binary protocol version 0x{word:08x}")
            mtype = word & 0xFF
            name = self._text("method name", self._length("method name"))
        else:
            name = self._text("method name", word)
            mtype = self._fixed(TType.BYTE)
        seqid = self._fixed(TType.I32)
        return MessageHeader(name, mtype, seqid)

    def read_struct(self, cls: Any, depth: int = MAX_DEPTH) -> Any:
        """Read a struct into a new instance of the thriftpy2 class `cls`."""
        obj = cls()
        spec_by_id = cls.thrift_spec
        while True:
            ftype = self._fixed(TType.BYTE)
            if ftype == TType.STOP:
                break
            fid = self._fixed(TType.I16)
            spec = spec_by_id.get(fid)
            if spec is not None and spec[0] == ftype:
                setattr(obj, spec[1], self._value(ftype, nested_spec(spec), depth - 1))
            else:
                self._skip(ftype, depth - 1)
        missing = [s[1] for s in spec_by_id.values() if s[-1] and getattr(obj, s[1]) is None]
        if missing:
            raise WireError(f"{cls.__name__} lacks required field(s) {', '.join(missing)}")
        return obj

    def skip_struct(self) -> None:
        """Step over a struct whose type we do not know (unknown method)."""
        self._skip(TType.STRUCT, MAX_DEPTH)

    # -- values ---------------------------------------------------------

    def _value(self, ttype: int, spec: Any, depth: int) -> Any:
        if depth <= 0:
            raise WireError("nesting too deep")
        if ttype in _FORMATS:
            value = self._fixed(ttype)
            return bool(value) if ttype == TType.BOOL else value
        if ttype == TType.STRING:
            return self._text("string", self._length("string"))
        if ttype == TType.STRUCT:
            return self.read_struct(spec, depth)
        if ttype == TType.MAP:
            (ktype, kspec), (vtype, vspec) = element_spec(spec[0]), element_spec(spec[1])
            count = _matching(self._map_header(), (ktype, vtype))
            return {
                self._value(ktype, kspec, depth - 1): self._value(vtype, vspec, depth - 1)
                for _ in range(count)
            }
        etype, espec = element_spec(spec)
        count = _matching(self._list_header(), (etype,))
        items = [self._value(etype, espec, depth - 1) for _ in range(count)]
        return set(items) if ttype == TType.SET else items

    def _skip(self, ttype: int, depth: int) -> None:
        if depth <= 0:
            raise WireError("nesting too deep")
        if ttype in _FORMATS:
            self._take(_FORMATS[ttype].size)
        elif ttype == TType.STRING:
            self._take(self._length("string"))
        elif ttype == TType.STRUCT:
            while (ftype := self._fixed(TType.BYTE)) != TType.STOP:
                self._take(2)  # field id
                self._skip(ftype, depth - 1)
        elif ttype == TType.MAP:
            ktype, vtype, count = self._map_header()
            for _ in range(count):
                self._skip(ktype, depth - 1)
                self._skip(vtype, depth - 1)
        elif ttype in (TType.SET, TType.LIST):
            etype, count = self._list_header()
            if etype in _FORMATS:
                self._take(count * _FORMATS[etype].size)
            else:
                for _ in range(count):
                    self._skip(etype, depth - 1)
        else:
            raise WireError(f"unknown field type {ttype}")

    # -- container headers ------------------------------------------------

    def _list_header(self) -> tuple[int, int]:
        """Element type and count of a list or set."""
        etype = self._fixed(TType.BYTE)
        return etype, self._counted(_MIN_SIZE.get(etype, 0), (etype,))

    def _map_header(self) -> tuple[int, int, int]:
        """Key type, value type and count of a map."""
        ktype, vtype = self._fixed(TType.BYTE), self._fixed(TType.BYTE)
        return ktype, vtype, self._counted(_MIN_SIZE.get(ktype, 0) + _MIN_SIZE.get(vtype, 0), (ktype, vtype))

    def _counted(self, min_size: int, etypes: tuple[int, ...]) -> int:
        """Read a container count and reject it before looping if it cannot fit."""
        count = self._fixed(TType.I32)
        if count < 0:
            raise WireError(f"negative container size {count}")
        if count == 0:
            return 0
        unknown = [t for t in etypes if t not in _MIN_SIZE]
        if unknown:
            raise WireError(f"unknown element type {unknown[0]}")
        if self.pos + count * min_size - self._start > self._limit:
            raise WireError(f"container of {count} elements exceeds the {self._limit}-byte limit")
        return count

    # -- primitives -------------------------------------------------------

    def _take(self, size: int) -> int:
        """Advance past `size` bytes and return where they start."""
        begin = self.pos
        stop = begin + size
        if stop - self._start > self._limit:
            raise WireError(f"message exceeds the {self._limit}-byte limit")
        if stop > self._end:
            raise Incomplete(stop)
        self.pos = stop
        return begin

    def _fixed(self, ttype: int) -> Any:
        fmt = _FORMATS[ttype]
        return fmt.unpack_from(self._buf, self._take(fmt.size))[0]

    def _u32(self) -> int:
        return _U32.unpack_from(self._buf, self._take(4))[0]

    def _length(self, what: str) -> int:
        size = self._fixed(TType.I32)
        if size < 0:
            raise WireError(f"negative {what} length {size}")
        return size

    def _text(self, what: str, size: int) -> str:
        begin = self._take(size)
        try:
            return self._buf[begin : begin + size].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WireError(f"{what} is not UTF-8: {exc}") from None



def _matching(header: tuple[int, ...], expected: tuple[int, ...]) -> int:
    """The count from a container header whose element types the IDL expects.

    Unlike a field, a mistyped element cannot be skipped on its own, so the
    message is refused. An empty container has nothing to misread, so its
    declared types are not held against it.
    """
    *types, count = header
    if count and tuple(types) != expected:
        raise WireError(f"container of element types {tuple(types)} where the IDL says {expected}")
    return count
