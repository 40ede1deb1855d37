"""The Sky face's bounds, in process: the outbox limit and what a full outbox does
to a subscription (a socket test cannot fill kernel buffers reliably)."""
from __future__ import annotations

import asyncio

from sky_face_support import PREFIX, parse_reply

from ctiswitch.config import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.states import ConnectionState
from ctiswitch.faces.sky.ratelimit import RateLimiter
from ctiswitch.faces.sky.service import SkyService
from ctiswitch.faces.sky.session import Outbox, StreamSession
from ctiswitch.faces.sky.wire import Request

ALICE = "6465551001"


def test_outbox_refuses_pushes_when_full_and_makes_replies_wait() -> None:
    async def scenario() -> list[bytes | None]:
        box = Outbox(limit=2)
        assert box.offer(b"a") and box.offer(b"b")
        assert not box.offer(b"c")
        waiting = asyncio.ensure_future(box.put(b"d"))
        await asyncio.sleep(0)
        assert not waiting.done() and len(box) == 2
        first = await box.get()
        await waiting
        box.force(b"e")  # past the bound: the one error 17
        box.close()
        return [first] + [await box.get() for _ in range(4)]

    assert asyncio.run(scenario()) == [b"a", b"b", b"d", b"e", None]


def test_a_full_outbox_unsubscribes_with_error_17_and_never_blocks_the_engine() -> None:
    async def scenario() -> tuple[list[bytes], int]:
        clock = VirtualClock()
        company = load_demo()
        switch = build_switch(company, clock)
        session = StreamSession(SkyService(switch, clock, company.sky), clock.now, lambda: "5",
                                chunked=True, outbox=Outbox(limit=3))
        switch.subscribe(lambda batch: session.on_batch(batch.time))
        await session.handle(Request("9", PREFIX + "subscribe", ALICE, "1234", []))
        switch.incoming_call("2125550100", "1001")  # push: RINGING
        ringing = switch.connection_at("1001", states=[ConnectionState.ALERTING])
        switch.answer(ringing.id)  # push: CONNECTED, the outbox is now full
        switch.hold(ringing.id)  # no room: unsubscribed, error 17 queued past the bound
        switch.retrieve(ringing.id)  # nothing more for this stream
        session.finish()
        documents = []
        while (document := await session.outbox.get()) is not None:
            documents.append(document)
        return documents, len(session.subscriptions)

    documents, subscriptions = asyncio.run(scenario())
    replies = [parse_reply(document) for document in documents]
    assert [r.id for r in replies] == ["9", "9", "9", "9"]
    assert replies[0].result_text == "0"
    assert [r.calls[0]["State"] for r in replies[1:3]] == ["RINGING", "CONNECTED"]
    assert replies[3].codes == [17]
    assert subscriptions == 0


def test_rate_limiter_refills_with_time_per_key() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock, per_minute=2)
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [True, True, False, True]
    clock.advance(30)
    assert [limiter.allow("a"), limiter.allow("a")] == [True, False]
