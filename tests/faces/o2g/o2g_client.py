"""A small O2G REST client for tests, speaking to a running ctiswitch the
way ALE's SDKs do (o2g-wire.md §1): root descriptor, Basic authenticate
(cookie jar), POST /sessions, subscribe, then POST the polling URL without
cookies and read newline-delimited JSON events.

    with O2GClient(server, "1001", "1234") as user:   # logged in, session open
        user.subscribe([{"ids": [], "names": ["telephony"]}])
        with user.channel() as events:                # OnChannelInformation read
            ...                                       # act
            event = events.wait_for("OnCallCreated")

Shared by the O2G core and telephony test suites; keep it stable.
"""
from __future__ import annotations

import json
import queue
import socket
import threading
from collections.abc import Callable
from typing import Any, Self

import httpx
from server_process import RunningServer

#: Seconds to wait for an expected event before failing the test.
EVENT_TIMEOUT = 10.0


class O2GClient:
    """One authenticated O2G session over HTTPS."""

    def __init__(self, server: RunningServer, login: str, password: str, *,
                 application: str = "ctiswitch-tests", supervised: dict[str, str] | None = None) -> None:
        self.server = server
        self.http = server.client(https=True)
        self.login_name = login
        self.password = password
        self.application = application
        self.supervised = supervised
        self.session: dict[str, Any] = {}
        self.sessions_url = ""
        self.subscription: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> dict[str, Any]:
        """Descriptor, authenticate, open the session; returns SessionInfo."""
        root = self.http.get("/api/rest")
        root.raise_for_status()
        version = next(v for v in root.json()["versions"] if v["id"] == "1.0")
        auth = self.http.get(version["internalUrl"], auth=(self.login_name, self.password))
        auth.raise_for_status()
        self.sessions_url = auth.json()["internalUrl"]
        body: dict[str, Any] = {"applicationName": self.application}
        if self.supervised is not None:
            body["supervisedAccount"] = self.supervised
        response = self.http.post(self.sessions_url, json=body)
        response.raise_for_status()
        self.session = response.json()
        return self.session

    def close(self) -> None:
        """Close the session (errors ignored: the test may have closed it) and the client."""
        if self.sessions_url:
            self.http.delete(self.sessions_url)
        self.http.close()

    def url(self, path: str) -> str:
        """``path`` relative to the session's base URL (``/users/1001``)."""
        return self.session["privateBaseUrl"] + path

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def keepalive(self) -> httpx.Response:
        return self.http.post(self.sessions_url + "/keepalive")

    def subscribe(self, selectors: list[dict[str, Any]] | None, *, timeout: int | None = 0,
                  **extra: Any) -> dict[str, Any]:
        """POST /subscriptions; returns the Subscription (ACCEPTED or REFUSED)."""
        body: dict[str, Any] = {"version": "1.0", **extra}
        if selectors is not None:
            body["filter"] = {"selectors": selectors}
        if timeout is not None:
            body["timeout"] = timeout
        response = self.post("/subscriptions", json=body)
        response.raise_for_status()
        self.subscription = response.json()
        return self.subscription

    def channel(self, *, wait_open: bool = True) -> EventChannel:
        """Open the event channel of the last accepted subscription."""
        channel = EventChannel(self.server, self.subscription["privatePollingUrl"])
        if wait_open:
            first = channel.next_event()
            assert first["eventName"] == "OnChannelInformation", first
        return channel


class EventChannel:
    """The chunked channel read on a background thread (no cookies, as the SDKs do).

    ``ended`` is set when the stream stops; ``error`` tells whether it ended
    with an error (an aborted connection) rather than a clean end of body.
    """

    def __init__(self, server: RunningServer, url: str) -> None:
        self.url = url
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.status: int | None = None
        self.ended = threading.Event()
        self.error: Exception | None = None
        self.lines: list[str] = []
        self._client = httpx.Client(verify=server.ssl_context(), timeout=httpx.Timeout(10.0, read=None))
        self._response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        try:
            with self._client.stream("POST", self.url, headers={"Accept": "*/*"}) as response:
                self._response = response
                self.status = response.status_code
                for line in response.iter_lines():
                    self.lines.append(line)
                    self.events.put(json.loads(line))
        except (httpx.HTTPError, httpx.StreamError, ValueError) as error:  # however the stream ends
            self.error = error
        finally:
            self.ended.set()

    def next_event(self, timeout: float = EVENT_TIMEOUT) -> dict[str, Any]:
        return self.events.get(timeout=timeout)

    def wait_for(self, match: str | Callable[[dict[str, Any]], bool],
                 timeout: float = EVENT_TIMEOUT) -> dict[str, Any]:
        """The next event named ``match`` (or satisfying it), skipping others."""
        test = (lambda e: e.get("eventName") == match) if isinstance(match, str) else match
        while True:
            event = self.next_event(timeout)
            if test(event):
                return event

    def drain(self) -> list[dict[str, Any]]:
        """Events already received and not yet read."""
        items = []
        while not self.events.empty():
            items.append(self.events.get_nowait())
        return items

    def close(self) -> None:
        """Stop reading at once, even while the server keeps the stream open.

        Closing the response from this thread does not wake a reader blocked
        in a TLS read, so the socket is shut down underneath it first (the
        plain ``socket`` method: the SSL one would tear down the TLS state the
        reader is still using); the read then fails and the thread ends.
        """
        response = self._response
        if response is not None:
            stream = response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                try:
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the server
            response.close()
        self._client.close()
        self._thread.join(timeout=5)
