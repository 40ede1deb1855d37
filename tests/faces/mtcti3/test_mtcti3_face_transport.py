"""MTCTI-3 transport over a real TLS WebSocket: authentication, subprotocol,
framing variants, the connection limit, and robustness to bad input."""
from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
from mtcti3_face_support import basic, open_client, run
from server_process import RunningServer, start_server
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

LINES = {"subscribe_id": 1, "timeout": 3600, "lines": {"flags": 7}}


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server allowing 3 MTCTI-3 connections (the face's own setting)."""
    with start_server(tmp_path_factory.mktemp("mtcti3-limit"), "--virtual-clock",
                      env={"CTISWITCH_MTCTI3_MAX_CONNECTIONS": "3"}) as server:
        yield server


def test_right_credentials_upgrade_and_echo_the_subprotocol(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            assert ws.subprotocol == "openapi"
            # The DOC's first payload, byte for byte (§1.7).
            await ws.send(bytes.fromhex("00000001 1A0C 0801 1001 18901C C20202 0807"))
            assert await ws.recv() == bytes.fromhex("00000001 0A02 0801")
            lines = await client.notify(1, "lines")
            assert {u.extn for u in lines.adduser} >= {"1001", "1005"}
            assert {q.extn: q.name for q in lines.addqueue}["3100"] == "Sales"
            assert all(len(u.guid) == 16 for u in lines.adduser)
            assert lines.flags == 3

    run(scenario)


@pytest.mark.parametrize("headers", [basic("cti", "wrong"), basic("nobody", "cti"), {}, {"Authorization": "Basic !!"}])
def test_wrong_or_missing_credentials_get_401_before_the_upgrade(switch_server: RunningServer,
                                                                 headers: dict[str, str]) -> None:
    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await open_client(switch_server, headers=headers)
        assert refused.value.response.status_code == 401
        assert refused.value.response.headers["WWW-Authenticate"].startswith("Basic")

    run(scenario)


def test_a_client_without_subprotocol_is_accepted_and_none_is_echoed(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server, offer=())
        async with ws:
            assert ws.subprotocol is None
            assert await client.subscribe(1, **{k: v for k, v in LINES.items() if k != "subscribe_id"}) == 0

    run(scenario)


def test_the_unframed_path_carries_bare_messages(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server, path="/tpkt/openapinoframing")
        async with ws:
            assert not client.framed
            await ws.send(bytes.fromhex("1A0C 0801 1001 18901C C20202 0807"))
            assert await ws.recv() == bytes.fromhex("0A02 0801")

    run(scenario)


def test_a_request_without_host_is_accepted(switch_server: RunningServer) -> None:
    """A raw upgrade with no Host header, as the DOC recommends (§1.1)."""
    host, port = switch_server.https_url.removeprefix("https://").rsplit(":", 1)
    context = switch_server.ssl_context()
    with socket.create_connection((host, int(port))) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(b"GET /tpkt/openapi HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    b"Sec-WebSocket-Protocol: openapi\r\nAuthorization: " + basic()["Authorization"].encode()
                    + b"\r\n\r\n")
        head = tls.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 101"), head
    assert "sec-websocket-protocol: openapi" in head.lower()


def test_the_connection_limit_refuses_the_next_one_before_the_upgrade(small_server: RunningServer) -> None:
    async def scenario() -> None:
        opened = [await open_client(small_server) for _ in range(3)]
        with pytest.raises(InvalidStatus) as refused:
            await open_client(small_server)
        assert refused.value.response.status_code == 503
        await opened[0][0].close()
        await asyncio.sleep(0.2)
        ws, client = await open_client(small_server)  # a freed place can be taken again
        async with ws:
            assert await client.subscribe(1, lines={"flags": 1}) == 0
        for other, _ in opened[1:]:
            await other.close()

    run(scenario)


def test_ping_is_answered(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, _ = await open_client(switch_server)
        async with ws:
            latency = await asyncio.wait_for(await ws.ping(), 5)
            assert latency >= 0

    run(scenario)


def test_bad_input_is_ignored_and_the_connection_keeps_working(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        other_ws, other = await open_client(switch_server)
        async with ws, other_ws:
            for junk in (b"", b"\x00\x00\x00\x01", b"\x00\x00\x00\x02\x1a\x00", b"\x00\x00\x00\x01\xff\xff\xff",
                         b"\x00\x00\x00\x01\x0a\x02\x08\x01"):  # the last: a response, which only servers send
                await ws.send(junk)
            await ws.send("text frame")
            # Wrong wire type for subscribe_id (a length-delimited field 2):
            await ws.send(b"\x00\x00\x00\x01\x1a\x04\x12\x02ab")
            assert await client.silent()
            assert await client.subscribe(5, requestid=77, lines={"flags": 1}) == 0
            assert await other.subscribe(5, requestid=78, lines={"flags": 1}) == 0

    run(scenario)


def test_unknown_subscriptions_and_bad_requests_get_documented_codes(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.send(subscribecmd={"requestid": 2, "subscribe_id": 404, "callcontrol": {"callid": 1}})
            assert await client.response(2) == 101
            await client.send(subscribeend={"requestid": 3, "subscribe_id": 404})
            assert await client.response(3) == 101
            await client.send(subscribe={"requestid": 4, "subscribe_id": 404, "timeout": 60})  # refresh unknown
            assert await client.response(4) == 101
            assert await client.subscribe(6, requestid=5, user={"guid": b"\x01" * 16, "ccflags": 1}) == 7
            assert await client.subscribe(6, requestid=6, queue={"name": "Nobody"}) == 4
            assert await client.subscribe(7, requestid=7, lines={"flags": 3}) == 0
            await client.notify(7, "lines")
            assert await client.subscribe(8, requestid=8, lines={"flags": 3}) == 5  # one Lines only
            assert await client.subscribe(7, requestid=9, queue={"name": "Sales"}) == 100  # other type
            await client.send(generalcmd={"requestid": 10, "getfile": {"cmdinst": 3, "fname": "nasystem/AccountCode"}})
            data = (await client.recv()).generaldata
            assert data.responseid == 10 and data.getfile.cmdinst == 3
            await client.send(generalcmd={"requestid": 11, "getfile": {"fname": "nasystem/Other"}})
            assert await client.response(11) == 4
            await client.send(subscribeend={"requestid": 12, "subscribe_id": 7})
            assert await client.response(12) == 0
            assert await client.silent()

    run(scenario)


def test_plain_ws_is_refused(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        url = switch_server.http_url.replace("http://", "ws://") + "/tpkt/openapi"
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, subprotocols=["openapi"], additional_headers=basic())  # type: ignore[list-item]
        assert refused.value.response.status_code == 403

    run(scenario)


