"""Real thriftpy2 clients against the codec, for every request method.

Each client is built by thriftpy2's `make_client` from our IDL and talks to
a loopback TCP server whose only protocol code is `RequestDecoder` and the
`encode_*` functions, in every client flavour: framed and unframed
transports, Cython and pure-Python protocols, strict and non-strict headers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import thriftpy2
from thriftpy2.rpc import make_client
from thriftpy2.thrift import TApplicationException

from ctiswitch.faces.turret.wire import (
    Call,
    Dialect,
    RequestDecoder,
    encode_application_error,
    encode_exception,
    encode_reply,
    turret_api_exception,
)

from turret_support import (
    FLAVOURS,
    NO_THROWS,
    REQ,
    REQUEST_ARGS,
    REQUEST_RESULTS,
    Flavour,
    LoopbackServer,
    T,
    normalise,
)

METHODS = sorted(REQUEST_ARGS)


def reply_with_sample(call: Call) -> bytes:
    return encode_reply(call, REQUEST_RESULTS[call.method])


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer(reply_with_sample)
    yield srv
    srv.close()


@pytest.fixture(params=FLAVOURS, ids=lambda f: f.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param


def client_for(server: LoopbackServer, flavour: Flavour, service=REQ):
    return make_client(
        service,
        "127.0.0.1",
        server.port,
        proto_factory=flavour.protocol,
        trans_factory=flavour.transport,
        timeout=5000,
    )


def test_samples_cover_every_request_method() -> None:
    assert set(REQUEST_ARGS) == set(REQ.thrift_services) == set(REQUEST_RESULTS)
    assert len(REQ.thrift_services) == 34


@pytest.mark.parametrize("method", METHODS)
def test_every_method_round_trips(server: LoopbackServer, flavour: Flavour, method: str) -> None:
    client = client_for(server, flavour)
    try:
        returned = getattr(client, method)(*REQUEST_ARGS[method])
    finally:
        client.close()
    conn = server.connections[-1]
    assert normalise(returned) == normalise(REQUEST_RESULTS[method])

    (call,) = conn.calls
    assert call.method == method
    assert call.dialect is flavour.dialect
    assert call.oneway is False and call.known
    assert call.args == getattr(REQ, f"{method}_args")(*REQUEST_ARGS[method])

    # The same bytes, however TCP splits them, decode to the same call.
    wire = bytes(conn.received)
    header_at = 4 if flavour.dialect is Dialect.FRAMED else 0
    assert (wire[header_at : header_at + 2] == b"\x80\x01") is flavour.strict
    whole = RequestDecoder().feed(wire)
    drip = RequestDecoder()
    dripped = [c for i in range(len(wire)) for c in drip.feed(wire[i : i + 1])]
    assert whole == dripped == [call]
    assert drip.buffered == 0


@pytest.mark.parametrize("method", sorted(set(METHODS) - NO_THROWS))
def test_declared_exception_reaches_the_client(server: LoopbackServer, flavour: Flavour, method: str) -> None:
    server.answer = lambda call: encode_exception(call, turret_api_exception(T.WrongLoginState, "not logged in"))
    client = client_for(server, flavour)
    try:
        with pytest.raises(T.TurretApiException) as caught:
            getattr(client, method)(*REQUEST_ARGS[method])
    finally:
        client.close()
        server.answer = reply_with_sample
    assert caught.value.ErrorCode == T.WrongLoginState == 3
    assert caught.value.ErrorAsString == "not logged in"


@pytest.mark.parametrize("method", sorted(NO_THROWS))
def test_methods_without_throws_fail_as_application_errors(
    server: LoopbackServer, flavour: Flavour, method: str
) -> None:
    server.answer = lambda call: encode_application_error(call, "engine down", TApplicationException.INTERNAL_ERROR)
    client = client_for(server, flavour)
    try:
        with pytest.raises(TApplicationException) as caught:
            getattr(client, method)()
    finally:
        client.close()
        server.answer = reply_with_sample
    assert caught.value.type == TApplicationException.INTERNAL_ERROR
    assert caught.value.message == "engine down"


def test_unknown_method_gets_unknown_method_error(server: LoopbackServer, flavour: Flavour, tmp_path) -> None:
    idl = tmp_path / "other.thrift"
    idl.write_text("service Other { string whoAreYou(1: i32 x, 2: list<string> y) }\n")
    other = thriftpy2.load(str(idl), module_name="turret_other_thrift").Other

    def answer(call: Call) -> bytes:
        assert not call.known and call.args is None
        return encode_application_error(call, f"Invalid method name: '{call.method}'")

    server.answer = answer
    client = client_for(server, flavour, other)
    try:
        with pytest.raises(TApplicationException) as caught:
            client.whoAreYou(7, ["a", "b"])
        # The connection survives an unknown method: the stream stays in step.
        with pytest.raises(TApplicationException):
            client.whoAreYou(8, [])
    finally:
        client.close()
        server.answer = reply_with_sample
    assert caught.value.type == TApplicationException.UNKNOWN_METHOD
    assert caught.value.message == "Invalid method name: 'whoAreYou'"
    assert [c.method for c in server.connections[-1].calls] == ["whoAreYou", "whoAreYou"]


def test_several_calls_on_one_connection_keep_their_seqids(server: LoopbackServer, flavour: Flavour) -> None:
    client = client_for(server, flavour)
    try:
        assert client.getVersion() == "ctiswitch 0.1.0"
        assert client.getLoginState() == T.TurretState.ReceiveCallsOnly
        client.login("Trader", "pw")
    finally:
        client.close()
    conn = server.connections[-1]
    assert [c.method for c in conn.calls] == ["getVersion", "getLoginState", "login"]
    # Stream of three messages, fed in one piece, gives the same three calls.
    assert RequestDecoder().feed(bytes(conn.received)) == conn.calls
