"""A small Sky client for the face tests: GET requests, and the chunked
stream over a raw socket, so the tests control every byte and chunk boundary.

Shared by the ``test_sky_face_*`` modules.
"""
from __future__ import annotations

import socket
import ssl
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Self
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import httpx

PREFIX = "org.m5.apps.v1.cti.ClickToDial."
PIN = "1234"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
END = b"</org.m5.api.v1.Response>"
#: How long a test waits for a byte before it fails (a guard, not a timing assertion).
IO_TIMEOUT = 10.0
_ARG = (
    'xsi:type="ns3:string" xmlns:ns3="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


@dataclass
class Reply:
    """One ``org.m5.api.v1.Response``, read back into plain values."""

    raw: bytes
    error_count: int
    errors: list[tuple[int, str, int]]
    id: str
    result_type: str | None
    result_text: str | None
    calls: list[dict[str, str]] = field(default_factory=list)

    @property
    def codes(self) -> list[int]:
        return [code for code, _, _ in self.errors]

    def state(self, call_id: str) -> str:
        return next(call["State"] for call in self.calls if call["Id"] == call_id)


def parse_reply(document: bytes) -> Reply:
    root = ET.fromstring(document)
    assert root.tag == "org.m5.api.v1.Response", root.tag
    errors = [
        (int(item.findtext("MajorErrorCode", "")), item.findtext("Message", ""), int(item.findtext("MinorErrorCode", "")))
        for item in root.findall("Errors/item")
    ]
    result = root.find("Result")
    calls = []
    if result is not None:
        for item in result.findall("item"):
            assert item.get(XSI_TYPE) == "org.m5.data.v1.cti.Call"
            calls.append({child.tag: child.text or "" for child in item})
    return Reply(
        raw=document,
        error_count=int(root.findtext("ErrorCount", "")),
        errors=errors,
        id=root.findtext("Id", ""),
        result_type=result.get(XSI_TYPE) if result is not None else None,
        result_text=result.text if result is not None and not calls else None,
        calls=calls,
    )


def get(client: httpx.Client, method: str, did: str, *args: str, pin: str = PIN, name: str | None = None) -> Reply:
    """One GET-mode request: ``args`` are sent in order, blanks included."""
    params = [("name", name if name is not None else PREFIX + method), ("user", did), ("password", pin)]
    params += [("args", arg) for arg in args]
    response = client.get("/bobl/bobl", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return parse_reply(response.content)


def command(method: str, did: str, *args: str, pin: str = PIN, id: str | None = None,
            name: str | None = None) -> bytes:
    """An XML request as the ehainer/shoretel gem writes it, plus an Id when given."""
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Command>']
    if id is not None:
        parts.append(f"<Id>{id}</Id>")
    parts.append(f"<Name>{escape(name if name is not None else PREFIX + method)}</Name>"
                 f"<User>{escape(did)}</User><Password>{escape(pin)}</Password>")
    parts += [f"<Arguments {_ARG}>{escape(arg)}</Arguments>" for arg in args]
    parts.append("</Command>")
    return "".join(parts).encode()


class SkyStream:
    """A long-lived chunked POST to /bobl/bobl over a raw socket.

    ``send`` writes bytes as one chunk (or several, split where asked);
    ``reply`` returns the next response document from the chunked response.
    """

    def __init__(self, url: str, *, context: ssl.SSLContext | None = None, chunked: bool = True,
                 body: bytes = b"", expect_continue: bool = False) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        sock = socket.create_connection((parts.hostname, parts.port), timeout=IO_TIMEOUT)
        self.sock = context.wrap_socket(sock, server_hostname=parts.hostname) if context else sock
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
        expect = "Expect: 100-continue\r\n" if expect_continue else ""
        head = (f"POST /bobl/bobl HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: text/plain\r\n"
                f"Connection: keep-alive\r\n{expect}{framing}\r\n\r\n")
        self.sock.sendall(head.encode() + body)
        self._raw = b""  # undecoded response bytes
        self._body = b""  # de-chunked response bytes not yet returned as documents
        self.ended = False  # the final chunk arrived
        self.interim: list[int] = []  # statuses of 1xx responses before the real one
        self.status = 0  # known once the head has arrived
        self.headers: dict[str, str] = {}

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self._raw += data
        return bool(data)

    def read_head(self) -> None:
        """Read the response head (the server sends it with the first document),
        noting any interim 1xx responses before it."""
        while not self.status:
            while b"\r\n\r\n" not in self._raw:
                assert self._fill(), "connection closed before the response head"
            head, self._raw = self._raw.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            if status < 200:
                self.interim.append(status)
                continue
            self.status = status
            self.headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}

    def _decode(self) -> None:
        """Move complete chunks from the raw bytes into the body."""
        self.read_head()
        while not self.ended and b"\r\n" in self._raw:
            size_line, rest = self._raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                if rest.startswith(b"\r\n"):
                    self.ended, self._raw = True, rest[2:]
                return
            if len(rest) < size + 2:
                return
            self._body += rest[:size]
            self._raw = rest[size + 2:]

    def send(self, data: bytes, *splits: int) -> None:
        """Write ``data`` as chunks cut at the given offsets (none: one chunk)."""
        bounds = [0, *splits, len(data)]
        for start, stop in pairwise(bounds):
            if stop > start:
                self.sock.sendall(b"%x\r\n" % (stop - start) + data[start:stop] + b"\r\n")

    def end(self) -> None:
        """The zero-length chunk: the end of all requests."""
        self.sock.sendall(b"0\r\n\r\n")

    def reply(self) -> Reply:
        """The next response document; fails if the stream ends first."""
        while True:
            self._decode()
            at = self._body.find(END)
            if at >= 0:
                document, self._body = self._body[: at + len(END)], self._body[at + len(END):]
                return parse_reply(document)
            assert not self.ended, f"the response ended; left over: {self._body!r}"
            assert self._fill(), "connection closed mid-response"

    def replies(self, count: int) -> list[Reply]:
        return [self.reply() for _ in range(count)]

    def read_to_end(self) -> list[Reply]:
        """Every document until the final chunk."""
        out = []
        while True:
            self._decode()
            at = self._body.find(END)
            if at >= 0:
                out.append(self.reply())
                continue
            if self.ended:
                assert not self._body.strip(), self._body
                return out
            assert self._fill(), "connection closed before the final chunk"

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def hang_up_everything(sim: httpx.Client) -> None:
    """Leave the shared switch idle: every phone in a call hangs up until none is."""
    for _ in range(50):
        devices = [d for d in sim.get("/sim/state").json()["devices"] if d["connections"]]
        if not devices:
            return
        for device in devices:
            sim.post(f"/sim/devices/{device['number']}/hangup")
    raise AssertionError("calls are left on the switch")
