"""Incremental reader for the stream mode: XML request documents back to back.

In the stream mode the client writes one XML document per request into a
chunked POST body that never ends, and chunk boundaries need not match
document boundaries. Expat cannot parse "several documents in a row", so a
small scanner finds where each document ends and hands the complete bytes to
:func:`parse_request_xml`, which does the real well-formedness checking.

Framing
    A document starts at its first non-blank byte (an XML declaration, a
    comment, a processing instruction or the root's start tag; a UTF-8 byte
    order mark before it is skipped) and ends with the ``>`` that closes its
    root element. The scanner counts element depth only. It skips attribute
    values, comments, CDATA sections, processing instructions and
    declarations, so a ``<`` or ``>`` inside them does not confuse it.
    Element names are not compared: a misspelt end tag still balances the
    depth, so the document is framed where the client meant it to end and
    expat then reports the mismatch.

    One exception makes recovery possible: ``<?xml`` followed by a blank
    always starts a new document, wherever it appears (even inside a comment,
    CDATA section or attribute value, none of which a request needs). Every
    known client starts each document with that declaration.

    The scan is byte-level and assumes an ASCII-compatible encoding (UTF-8,
    the ISO-8859 family); a UTF-16 stream reads as junk.

Recovery after bad input
    * A document that frames but does not parse gives one ParseFailure, and
      reading resumes with the very next byte: nothing else is lost.
    * Text or a stray end tag between documents is junk: one ParseFailure per
      run of junk, which is skipped up to the next ``<``.
    * A document cut short by a new XML declaration (an unclosed element, an
      unterminated comment or attribute value, ...) gives one ParseFailure
      and the new document is read normally. So with declarations, any damage
      is confined to the document it occurs in.
    * A document longer than ``max_document_bytes`` gives one ParseFailure as
      soon as the limit is passed. The rest of it is still scanned for its end
      (or for the next declaration) but no longer kept, and reading resumes
      after it. Without declarations, an unclosed element swallows what
      follows up to the next declaration, reported as that one failure.

Memory
    Input is taken in slices of at most ``max_document_bytes`` and a document
    is given up the moment it passes that limit, so between calls the buffer
    holds at most the limit plus a few bytes of look-ahead (twice the limit
    while a call runs), whatever the size of the bytes given to :meth:`feed`.

Chunking
    Results, explanations included, do not depend on where the input was
    split: the size limit is applied at a fixed byte of the document.
"""
from __future__ import annotations

import re
from enum import Enum, auto

from .requests import ParseFailure, Request, parse_request_xml

#: Size limit for one request document; a real request is a few hundred bytes.
DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_NEW_DOCUMENT = rb"<\?xml[ \t\r\n]"
#: Bytes kept unscanned at the end of the buffer so that a split ``<?xml`` or terminator is seen.
_HOLD_BACK = len(b"<?xml")
_LONGEST_OPENER = len(b"<![CDATA[")
#: Openers that need more than two bytes to tell apart, with the bytes they need.
_LONG_OPENERS = ((b"<?xml", 6), (b"<!--", 4), (b"<![CDATA[", 9))


class _Mode(Enum):
    TEXT = auto()  # between markup: element content, or the gap between documents
    START_TAG = auto()
    END_TAG = auto()
    PI = auto()  # processing instruction, the XML declaration included
    COMMENT = auto()
    CDATA = auto()
    DECL = auto()  # <!DOCTYPE ...> and the like: framed here, refused by the parser


def _stops(tokens: bytes) -> re.Pattern[bytes]:
    return re.compile(tokens + b"|" + _NEW_DOCUMENT)


#: What ends (or changes) each mode, by mode and open quote (0 for none).
_STOPS: dict[tuple[_Mode, int], re.Pattern[bytes]] = {
    (_Mode.START_TAG, 0): _stops(rb"[\"'>]"),
    (_Mode.END_TAG, 0): _stops(rb"[\"'>]"),
    (_Mode.DECL, 0): _stops(rb"[\"'\[\]>]"),
    (_Mode.PI, 0): _stops(rb"\?>"),
    (_Mode.COMMENT, 0): _stops(rb"-->"),
    (_Mode.CDATA, 0): _stops(rb"\]\]>"),
    **{
        (mode, quote): _stops(re.escape(bytes((quote,))))
        for mode in (_Mode.START_TAG, _Mode.END_TAG, _Mode.DECL)
        for quote in b"\"'"
    },
}


class _Opener(Enum):
    """What a ``<`` starts, decided from the bytes after it."""

    XML_DECL = auto()
    PI = auto()
    COMMENT = auto()
    CDATA = auto()
    DECL = auto()
    END_TAG = auto()
    START_TAG = auto()
    NOT_MARKUP = auto()


#: The mode each opener enters and how many bytes of it to step over.
_ENTER: dict[_Opener, tuple[_Mode, int]] = {
    _Opener.XML_DECL: (_Mode.PI, 2),
    _Opener.PI: (_Mode.PI, 2),
    _Opener.COMMENT: (_Mode.COMMENT, 4),
    _Opener.CDATA: (_Mode.CDATA, 9),
    _Opener.DECL: (_Mode.DECL, 2),
    _Opener.END_TAG: (_Mode.END_TAG, 2),
    _Opener.START_TAG: (_Mode.START_TAG, 1),
}


def _is_name_start(byte: int) -> bool:
    # ASCII name-start characters, plus any byte of a multi-byte UTF-8 character.
    return byte >= 0x80 or byte in b":_" or 0x61 <= (byte | 0x20) <= 0x7A


def _classify(look: bytes) -> _Opener | None:
    """Decide what ``look`` (which starts with ``<``) opens, or None if more bytes are needed."""
    for prefix, needed in _LONG_OPENERS:
        if len(look) < needed and prefix.startswith(look[: len(prefix)]):
            return None
    second = look[1]
    if second == ord("?"):
        if look.startswith(b"<?xml") and look[5] in _BLANK:
            return _Opener.XML_DECL
        return _Opener.PI
    if second == ord("!"):
        if look.startswith(b"<!--"):
            return _Opener.COMMENT
        if look.startswith(b"<![CDATA["):
            return _Opener.CDATA
        return _Opener.DECL
    if second == ord("/"):
        return _Opener.END_TAG
    return _Opener.START_TAG if _is_name_start(second) else _Opener.NOT_MARKUP


class RequestStream:
    """Turns the bytes of a stream-mode POST body into requests and parse failures.

    Pure: no I/O. The transport calls :meth:`feed` with each piece of the
    de-chunked body as it arrives and answers each item in order; on the
    client's zero-length chunk (or a dropped connection) it calls :meth:`close`.
    """

    def __init__(self, max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> None:
        if max_document_bytes < 1:
            raise ValueError("max_document_bytes must be positive")
        self._limit = max_document_bytes
        self._buf = bytearray()
        self._offset = 0  # stream position of _buf[0], for explanations
        self._pos = 0  # next byte of _buf to scan
        self._start: int | None = None  # where the kept document begins in _buf
        self._depth = 0
        self._mode = _Mode.TEXT
        self._quote = 0  # the open quote inside a tag or declaration, 0 if none
        self._brackets = 0  # open [ inside a declaration
        self._oversized = False  # the current document passed the limit: scan, do not keep
        self._in_junk = False  # a junk failure was already reported for this run
        self._closed = False

    @property
    def buffered_bytes(self) -> int:
        """Bytes held between calls: at most ``max_document_bytes`` plus a few."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Request | ParseFailure]:
        """Take the next bytes of the body; return what they complete, in stream order."""
        if self._closed:
            raise ValueError("feed() after close()")
        out: list[Request | ParseFailure] = []
        view = memoryview(data)
        for at in range(0, len(view), self._limit):
            self._buf += view[at : at + self._limit]
            self._scan(out)
            self._compact()
        return out

    def close(self) -> list[ParseFailure]:
        """End of the body: report a document left unfinished, if any."""
        if self._closed:
            return []
        self._closed = True
        pending = self._start is not None or self._pos < len(self._buf) or self._depth > 0
        quiet = self._oversized or (self._in_junk and self._start is None)
        self._buf.clear()
        self._pos = 0
        if pending and not quiet:
            return [ParseFailure("the stream ended before the document was complete")]
        return []

    # --- scanning -----------------------------------------------------------

    def _scan(self, out: list[Request | ParseFailure]) -> None:
        """Advance through the buffer as far as its bytes allow.

        A kept document is scanned no further than its first ``limit`` bytes
        (the horizon); if it has not ended there and more bytes exist, it is
        too large. Deciding this at a fixed byte, not wherever a chunk happens
        to end, makes the results independent of how the input was chunked.
        """
        while True:
            self._scan_to_horizon(out)
            if self._start is None or len(self._buf) <= self._start + self._limit:
                return
            out.append(ParseFailure(f"the request document is larger than {self._limit} bytes"))
            self._oversized = True
            self._start = None

    def _horizon(self) -> int:
        if self._start is None:
            return len(self._buf)
        return min(len(self._buf), self._start + self._limit)

    def _scan_to_horizon(self, out: list[Request | ParseFailure]) -> None:
        buf = self._buf
        while self._pos < (end := self._horizon()):
            if self._mode is _Mode.TEXT:
                if not self._scan_text(out, end):
                    return
                continue
            match = _STOPS[self._mode, self._quote].search(buf, self._pos, end)
            if match is None:
                self._pos = max(self._pos, end - _HOLD_BACK)
                return
            if buf.startswith(b"<?xml", match.start()):
                # A new document, wherever it appears: leave this construct unfinished.
                self._mode, self._quote, self._brackets = _Mode.TEXT, 0, 0
                self._pos = match.start()
                continue
            self._pos = match.end()
            self._on_stop(out, match.start(), match.end())

    def _on_stop(self, out: list[Request | ParseFailure], at: int, end: int) -> None:
        """React to the stop token ``_buf[at:end]`` of the current mode."""
        byte = self._buf[at]
        mode = self._mode
        if self._quote:
            self._quote = 0  # the closing quote
        elif byte in b"\"'":
            self._quote = byte
        elif byte == ord("[") and mode is _Mode.DECL:
            self._brackets += 1
        elif byte == ord("]") and mode is _Mode.DECL:
            self._brackets -= 1
        elif byte == ord(">") and mode is _Mode.DECL and self._brackets > 0:
            pass  # a ">" inside the internal subset
        else:
            self._mode, self._brackets = _Mode.TEXT, 0
            if mode is _Mode.END_TAG:
                self._depth -= 1
            elif mode is _Mode.START_TAG and self._buf[at - 1] != ord("/"):
                self._depth += 1
            if mode in (_Mode.START_TAG, _Mode.END_TAG) and self._depth == 0:
                self._finish_document(out, end)

    def _scan_text(self, out: list[Request | ParseFailure], end: int) -> bool:
        """Handle the text at ``_pos``; False when more bytes are needed first."""
        buf = self._buf
        if self._depth > 0:
            lt = buf.find(b"<", self._pos, end)
            if lt < 0:
                self._pos = end
                return True
            self._pos = lt
            return self._open_markup(out, end)
        byte = buf[self._pos]
        if byte in _BLANK:
            self._pos += 1
            return True
        if byte == ord("<"):
            return self._open_markup(out, end)
        if self._start is None:
            head = bytes(buf[self._pos : self._pos + len(_BOM)])
            if head == _BOM:
                self._pos += len(_BOM)
                return True
            if len(head) < len(_BOM) and _BOM.startswith(head):
                return False
        self._junk(out)
        return True

    def _open_markup(self, out: list[Request | ParseFailure], end: int) -> bool:
        """Classify the ``<`` at ``_pos`` and enter the matching mode."""
        lt = self._pos
        opener = _classify(bytes(self._buf[lt : min(lt + _LONGEST_OPENER, end)]))
        if opener is None:
            return False
        if opener is _Opener.XML_DECL:
            if (self._start is not None or self._depth > 0) and not self._oversized:
                out.append(
                    ParseFailure(
                        "the document was cut short by a new XML declaration "
                        f"at byte {self._offset + lt}"
                    )
                )
            self._depth, self._start, self._oversized = 0, None, False
            self._begin_document()
        elif self._depth == 0 and opener in (_Opener.END_TAG, _Opener.NOT_MARKUP):
            self._junk(out)
            return True
        elif self._depth == 0:
            self._begin_document()
        elif opener is _Opener.NOT_MARKUP:
            # A bare "<" in content does not affect framing; the parser will reject it.
            self._pos = lt + 1
            return True
        self._mode, skip = _ENTER[opener]
        self._pos = lt + skip
        return True

    # --- documents ----------------------------------------------------------

    def _begin_document(self) -> None:
        """Mark ``_pos`` as the start of a document unless one is already open or skipped."""
        self._in_junk = False
        if self._start is None and not self._oversized:
            self._start = self._pos

    def _junk(self, out: list[Request | ParseFailure]) -> None:
        """Report (once per run) and skip bytes that cannot start a document."""
        if not self._in_junk and not self._oversized:
            out.append(
                ParseFailure(
                    f"unexpected content between documents at byte {self._offset + self._pos}"
                )
            )
        self._in_junk = True
        self._start = None
        next_lt = self._buf.find(b"<", self._pos + 1)
        self._pos = len(self._buf) if next_lt < 0 else next_lt

    def _finish_document(self, out: list[Request | ParseFailure], end: int) -> None:
        """The root element closed at ``end``: parse the document, or drop a skipped one."""
        start, self._start = self._start, None
        if start is not None:
            out.append(parse_request_xml(bytes(self._buf[start:end])))
        self._oversized = False
        del self._buf[:end]
        self._offset += end
        self._pos -= end

    def _compact(self) -> None:
        """Drop bytes no longer needed: those before the kept document, or else those
        before the scan position but one (which tells ``/>`` from ``>``)."""
        keep_from = self._start if self._start is not None else max(self._pos - 1, 0)
        if keep_from > 0:
            del self._buf[:keep_from]
            self._offset += keep_from
            self._pos -= keep_from
            if self._start is not None:
                self._start = 0
