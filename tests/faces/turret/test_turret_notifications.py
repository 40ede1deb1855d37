"""Notifications we encode, dispatched by a real thriftpy2 server processor.

The subscriber side of the API is a thriftpy2 `TProcessor` for
`TurretNotificationService`, reading our bytes through thriftpy2's own
framed or buffered transport, as a subscriber's `TSimpleServer` would.
"""

from __future__ import annotations

from typing import Any

import pytest
from thriftpy2.protocol.binary import TBinaryProtocol as PureBinary
from thriftpy2.protocol.cybin import TCyBinaryProtocol
from thriftpy2.thrift import TProcessor
from thriftpy2.transport import TCyBufferedTransport, TCyFramedTransport, TCyMemoryBuffer
from thriftpy2.transport.framed import TFramedTransport as PureFramed
from thriftpy2.transport.memory import TMemoryBuffer as PureMemory

from ctiswitch.faces.turret.wire import Dialect, encode_notification

from turret_support import NOTE, NOTIFICATION_ARGS, T, normalise

METHODS = sorted(NOTIFICATION_ARGS)


class Recorder:
    """A notification handler that records every call it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str):
        return lambda *args: self.calls.append((name, args))


def cy_stack(data: bytes, dialect: Dialect):
    memory = TCyMemoryBuffer(data)
    transport = TCyFramedTransport(memory) if dialect is Dialect.FRAMED else TCyBufferedTransport(memory)
    return TCyBinaryProtocol(transport)


def pure_stack(data: bytes, dialect: Dialect):
    memory = PureMemory(data)
    return PureBinary(PureFramed(memory) if dialect is Dialect.FRAMED else memory)


def dispatch(data: bytes, dialect: Dialect, stack) -> list[tuple[str, tuple[Any, ...]]]:
    handler = Recorder()
    processor = TProcessor(NOTE, handler)
    replies = PureMemory()
    iprot = stack(data, dialect)
    processor.process(iprot, PureBinary(replies))
    assert replies.getvalue() == b""  # oneway: the subscriber never answers
    return handler.calls


def test_samples_cover_every_notification_method() -> None:
    assert set(NOTIFICATION_ARGS) == set(NOTE.thrift_services)
    assert len(NOTE.thrift_services) == 12


@pytest.mark.parametrize("stack", [cy_stack, pure_stack], ids=["cy", "pure"])
@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
@pytest.mark.parametrize("method", METHODS)
def test_every_notification_is_dispatched(method: str, dialect: Dialect, stack) -> None:
    args = NOTIFICATION_ARGS[method]
    data = encode_notification(method, *args, dialect=dialect, seqid=7)
    header = data[4:] if dialect is Dialect.FRAMED else data
    assert header[:4] == b"\x80\x01\x00\x04"  # strict header, message type ONEWAY
    if dialect is Dialect.FRAMED:
        assert int.from_bytes(data[:4], "big") == len(data) - 4

    ((name, received),) = dispatch(data, dialect, stack)
    assert name == method
    assert normalise(list(received)) == normalise(list(args))


def test_keyword_arguments_match_positional_ones() -> None:
    positional = encode_notification("onLoginResponse", "t", 402, "bad", dialect=Dialect.UNFRAMED)
    by_name = encode_notification(
        "onLoginResponse", turretName="t", errorDescription="bad", errorCode=402, dialect=Dialect.UNFRAMED
    )
    assert positional == by_name


def test_a_stream_of_notifications_dispatches_in_order() -> None:
    stream = b"".join(encode_notification(m, *NOTIFICATION_ARGS[m], dialect=Dialect.FRAMED) for m in METHODS)
    handler = Recorder()
    processor = TProcessor(NOTE, handler)
    iprot = PureBinary(PureFramed(PureMemory(stream)))
    for _ in METHODS:
        processor.process(iprot, PureBinary(PureMemory()))
    assert [name for name, _ in handler.calls] == METHODS


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("onNothing", ("t",), {}),
        ("getVersion", (), {}),  # a request method, not a notification
        ("onLoginStateChanged", ("t",), {}),  # state missing
        ("onLoginStateChanged", ("t", "Login"), {}),  # wrong type
        ("onTopOfCallQueueChanged", (None, "Line 1"), {}),
        ("onCallDataChangedEx", ("t", T.CallData("L", "1", "", "", "c", None)), {}),  # required active
        ("onLineStatesChanged", ("t", T.LineStatesData("L", {"Idle"})), {}),
    ],
)
def test_bad_notifications_are_refused(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        encode_notification(method, *args, dialect=Dialect.FRAMED, **kwargs)
