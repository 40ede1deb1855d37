"""A small MTCTI-3 client for the face tests: the committed mtcti3_pb2 over
a real TLS WebSocket (the `websockets` client), plus sim-API helpers."""
from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from server_process import RunningServer
from websockets.asyncio.client import ClientConnection, connect

from ctiswitch.faces.mtcti3.mtcti3_pb2 import Message
from ctiswitch.faces.mtcti3.translate_config import user_guid
from ctiswitch.faces.mtcti3.wire import decode, encode

#: Seconds to wait for a message that must come.
WAIT = 5.0
#: Seconds of silence that show nothing more is coming.
QUIET = 0.3


def basic(name: str = "cti", password: str = "cti") -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def wss_url(server: RunningServer, path: str = "/tpkt/openapi") -> str:
    return server.https_url.replace("https://", "wss://") + path


def run(test: Callable[[], Awaitable[None]], timeout: float = 60) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=timeout))


class Client:
    """One MTCTI-3 connection: send Messages, receive them one by one."""

    def __init__(self, ws: ClientConnection, framed: bool = True) -> None:
        self.ws = ws
        self.framed = framed
        #: The notify_id of the last Notify received, for acknowledging later.
        self.last_notify_id = 0

    async def send(self, **payload: Any) -> None:
        await self.ws.send(encode(Message(**payload), self.framed))

    async def recv(self, wait: float = WAIT) -> Message:
        return decode(await asyncio.wait_for(self.ws.recv(), wait), self.framed)

    async def maybe(self, wait: float = QUIET) -> Message | None:
        """The next message, or None after `wait` seconds of silence."""
        try:
            return await self.recv(wait)
        except TimeoutError:
            return None

    async def silent(self, wait: float = QUIET) -> bool:
        """True when nothing arrives within `wait` seconds."""
        try:
            message = await self.recv(wait)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message: {message}")

    async def response(self, requestid: int) -> int:
        message = await self.recv()
        assert message.WhichOneof("payload") == "response", message
        assert message.response.requestid == requestid
        return message.response.result

    async def notify(self, sid: int, kind: str, ack: bool = True) -> Any:
        return await self.acknowledge(await self.recv(), sid, kind, ack)

    async def acknowledge(self, message: Message, sid: int, kind: str, ack: bool = True) -> Any:
        """Check `message` is a Notify of `kind` on `sid`, ack it, return its payload."""
        assert message.WhichOneof("payload") == "notify", message
        notify = message.notify
        assert notify.subscribe_id == sid and notify.notify_id != 0
        self.last_notify_id = notify.notify_id
        assert notify.WhichOneof("payload") == kind, notify
        if ack:
            await self.send(notifyack={"subscribe_id": sid, "notify_id": notify.notify_id})
        return getattr(notify, kind)

    async def subscribe(self, sid: int, requestid: int = 1, **payload: Any) -> int:
        await self.send(subscribe={"requestid": requestid, "subscribe_id": sid, **payload})
        return await self.response(requestid)

    async def subscribe_user(self, sid: int, login: str, ccflags: int = 0x99, flags: int = 0x03) -> Any:
        result = await self.subscribe(sid, user={"guid": user_guid(login), "flags": flags, "ccflags": ccflags})
        assert result == 0
        return await self.notify(sid, "user")

    async def subscribe_queue(self, sid: int, name: str = "Sales", ccflags: int = 0x40039) -> Any:
        result = await self.subscribe(sid, queue={"name": name, "flags": 3, "ccflags": ccflags})
        assert result == 0
        return await self.notify(sid, "queue")

    async def calls(self, sid: int) -> Any:
        """The next callcontrol Notify of `sid`, acknowledged."""
        return await self.notify(sid, "callcontrol")

    async def command(self, sid: int, requestid: int = 9, **callcontrol: Any) -> int:
        await self.send(subscribecmd={"requestid": requestid, "subscribe_id": sid, "callcontrol": callcontrol})
        return await self.response(requestid)

    async def function(self, sid: int, callid: int, action: int, arg1: str = "", **extra: Any) -> int:
        return await self.command(sid, callid=callid, callfunction={"action": action, "arg1": arg1, **extra})


#: The demo queue 3100's agents.
SALES_AGENTS = ("1005", "1006", "1007")


async def set_agents(client: Client, enabled: bool, sid: int = 2) -> None:
    """Enable or disable queue subscription `sid`'s three agents: disabled,
    the queue's calls wait (QUEUEING) and its line stays quiet."""
    await client.send(subscribecmd={"requestid": 3, "subscribe_id": sid, "queue": {"members": {"member": [
        {"extn": a, "disabled": not enabled} for a in SALES_AGENTS]}}})
    assert await client.response(3) == 0
    await client.notify(sid, "queue")


async def latest_calls(client: Client, sid: int) -> dict[int, Any]:
    """Read callcontrol Notifies of `sid` until a quiet moment: the live
    appearances by callid, as the client's merged view shows them."""
    merged: dict[int, Any] = {}
    message = await client.recv()
    while message is not None:
        control = await client.acknowledge(message, sid, "callcontrol")
        merged.update({i.callid: i for i in control.callinfo})
        for lost in control.calllost:
            merged.pop(lost.callid, None)
        message = await client.maybe()
    return merged


async def open_client(server: RunningServer, *, path: str = "/tpkt/openapi", headers: dict[str, str] | None = None,
                      offer: tuple[str, ...] = ("openapi",)) -> tuple[ClientConnection, Client]:
    """Connect; `offer` () sends no Sec-WebSocket-Protocol header at all."""
    ws = await connect(wss_url(server, path), ssl=server.ssl_context(),
                       subprotocols=list(offer) or None,  # type: ignore[arg-type]
                       additional_headers=basic() if headers is None else headers)
    return ws, Client(ws, framed=path == "/tpkt/openapi")


class Sim:
    """The sim API: plays the people at the phones and the outside world."""

    def __init__(self, server: RunningServer) -> None:
        self.http: httpx.Client = server.client()

    def incoming(self, caller: str, to: str) -> int:
        response = self.http.post("/sim/calls", json={"from": caller, "to": to})
        assert response.status_code == 201, response.text
        return int(response.json()["call"])

    def act(self, device: str, action: str, **body: str) -> None:
        response = self.http.post(f"/sim/devices/{device}/{action}", json=body)
        assert response.status_code == 200, response.text

    def ringing(self) -> str:
        """The device of the one user connection ringing now."""
        (dn,) = [c["dn"] for call in self.calls() for p in call["parties"] if p["kind"] == "user"
                 for c in p["connections"] if c["state"] == "alerting"]
        return str(dn)

    def advance(self, seconds: float) -> None:
        assert self.http.post("/sim/clock/advance", json={"seconds": seconds}).status_code == 200

    def calls(self) -> list[dict[str, Any]]:
        return list(self.http.get("/sim/state").json()["calls"])

    def hangup_all(self) -> None:
        """Leave no call behind for the next test of the module."""
        for _ in range(20):
            calls = self.calls()
            if not calls:
                return
            for call in calls:
                for party in call["parties"]:
                    for conn in party["connections"]:
                        self.http.post(f"/sim/devices/{conn['dn']}/hangup", json={})
            self.advance(5)
        raise AssertionError(f"calls left behind: {self.calls()}")
