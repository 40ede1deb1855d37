"""Sky stream mode over real sockets: chunked both ways, pipelining, subscriptions."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from server_process import RunningServer
from sky_face_support import SkyStream, command, get, hang_up_everything

ALICE, BRUNO, CLAIRE, DAVID = "6465551001", "6465551002", "6465551003", "6465551004"


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client
        hang_up_everything(client)


@pytest.fixture
def stream(switch_server: RunningServer) -> Iterator[SkyStream]:
    with SkyStream(switch_server.http_url) as sky:
        yield sky


def subscribe(sky: SkyStream, did: str, id: str) -> None:
    sky.send(command("subscribe", did, id=id))
    reply = sky.reply()
    assert (reply.id, reply.result_type, reply.result_text) == (id, "xs:int", "0")


def test_stream_response_is_chunked_xml(stream: SkyStream) -> None:
    stream.send(command("listCalls", ALICE, "", id="0"))
    assert stream.reply().id == "0"
    assert stream.status == 200
    assert stream.headers["transfer-encoding"] == "chunked"
    assert stream.headers["content-type"] == "text/xml; charset=UTF-8"


def test_every_command_on_the_stream(stream: SkyStream, sim: httpx.Client) -> None:
    steps = [
        (command("dial", ALICE, BRUNO, "", id="1"), "true"),
        (command("answer", BRUNO, "", "", id="2"), "true"),
        (command("hold", ALICE, "", id="3"), "true"),
        (command("resume", ALICE, "", id="4"), "true"),
        (command("release", ALICE, "", id="5"), "true"),
        (command("dial", ALICE, "1003", "", id="6"), "true"),
        (command("ignore", CLAIRE, "", id="7"), "true"),
    ]
    for document, result in steps:
        stream.send(document)
        reply = stream.reply()
        assert (reply.error_count, reply.result_text) == (0, result), reply.raw
    stream.send(command("listCalls", ALICE, "", id="8"))
    listed = stream.reply()
    assert listed.id == "8" and [c["State"] for c in listed.calls] == ["PENDING"]


def test_pipelined_requests_split_at_odd_places(stream: SkyStream, sim: httpx.Client) -> None:
    body = (command("dial", DAVID, "1003", "", id="11")
            + command("listCalls", CLAIRE, "", id="12")
            + command("answer", CLAIRE, "", "", id="13")
            + command("listCalls", DAVID, "", id="14"))
    # Cut inside the declaration, a tag name, an attribute, text, and between documents.
    stream.send(body, 3, 17, 60, 61, 200, 333, 334, len(body) // 2, len(body) - 1)
    replies = stream.replies(4)
    assert [r.id for r in replies] == ["11", "12", "13", "14"]
    assert replies[1].calls[0]["State"] == "RINGING"
    assert replies[2].result_text == "true"
    assert replies[3].calls[0]["State"] == "CONNECTED"


def test_expect_100_continue_is_answered_before_the_response(switch_server: RunningServer) -> None:
    with SkyStream(switch_server.http_url, expect_continue=True) as sky:
        sky.send(command("listCalls", ALICE, "", id="1"))
        assert sky.reply().id == "1"
        assert (sky.interim, sky.status) == ([100], 200)


def test_a_request_without_id_gets_a_random_one(stream: SkyStream) -> None:
    stream.send(command("listCalls", ALICE, ""))
    first = stream.reply()
    stream.send(command("listCalls", ALICE, ""))
    second = stream.reply()
    assert first.id.isdigit() and len(first.id) == 7 and first.id != second.id


def test_zero_length_chunk_ends_the_session_after_pending_replies(stream: SkyStream) -> None:
    stream.send(command("listCalls", ALICE, "", id="21") + command("subscribe", ALICE, id="22"))
    stream.end()
    replies = stream.read_to_end()
    assert [r.id for r in replies] == ["21", "22"]


def test_subscription_follows_a_call_from_ring_to_deleted(stream: SkyStream, sim: httpx.Client) -> None:
    subscribe(stream, ALICE, "31")
    sim.post("/sim/calls", json={"from": "2125550199", "to": ALICE}).raise_for_status()
    ringing = stream.reply()
    assert ringing.id == "31" and ringing.result_type == "xmlList"
    [call] = ringing.calls
    assert call == {"Ani": "2125550199", "CLID": ALICE, "DID": ALICE, "Duration": "0",
                    "Endpoint": "000add001001", "Id": call["Id"], "Originated": "false", "State": "RINGING"}
    sim.post("/sim/clock/advance", json={"seconds": 4}).raise_for_status()
    sim.post("/sim/devices/1001/answer").raise_for_status()
    connected = stream.reply().calls[0]
    assert (connected["State"], connected["Duration"], connected["Id"]) == ("CONNECTED", "4", call["Id"])
    sim.post("/sim/clock/advance", json={"seconds": 6}).raise_for_status()
    sim.post("/sim/devices/1001/hold").raise_for_status()
    assert stream.reply().calls[0]["State"] == "HOLDING"
    sim.post("/sim/devices/1001/retrieve").raise_for_status()
    assert stream.reply().calls[0]["State"] == "CONNECTED"
    stream.send(command("release", ALICE, call["Id"], id="32"))
    reply, pushed = stream.replies(2)  # the reply first, then the push it caused
    assert reply.id == "32" and reply.result_text == "true"
    assert pushed.id == "31"
    assert (pushed.calls[0]["State"], pushed.calls[0]["Duration"]) == ("DELETED", "10")
    stream.send(command("listCalls", ALICE, "", id="33"))
    assert stream.reply().calls == []  # DELETED once, then forgotten


def test_outbound_call_is_pending_until_answered(stream: SkyStream, sim: httpx.Client) -> None:
    subscribe(stream, BRUNO, "41")
    stream.send(command("dial", BRUNO, "1003", "", id="42"))
    assert stream.reply().id == "42"
    pending = stream.reply()
    assert pending.calls[0]["State"] == "PENDING" and pending.calls[0]["Originated"] == "true"
    sim.post("/sim/devices/1003/answer").raise_for_status()
    assert stream.reply().calls[0]["State"] == "CONNECTED"
    sim.post("/sim/devices/1003/hangup").raise_for_status()
    assert stream.reply().calls[0]["State"] == "DELETED"


def test_ignore_pushes_deleted_once(stream: SkyStream, sim: httpx.Client) -> None:
    subscribe(stream, CLAIRE, "51")
    sim.post("/sim/calls", json={"from": "2125550142", "to": "1003"}).raise_for_status()
    call_id = stream.reply().calls[0]["Id"]
    stream.send(command("ignore", CLAIRE, call_id, id="52"))
    reply, pushed = stream.replies(2)
    assert reply.result_text == "true"
    assert pushed.calls[0]["State"] == "DELETED"
    sim.post("/sim/devices/1003/hangup").raise_for_status()  # the ringing phone is still there
    stream.send(command("listCalls", CLAIRE, "", id="53"))
    assert stream.reply().id == "53"  # no second DELETED came before it


def test_subscriptions_only_see_their_own_users_calls(stream: SkyStream, switch_server: RunningServer,
                                                      sim: httpx.Client) -> None:
    subscribe(stream, DAVID, "61")
    with SkyStream(switch_server.http_url) as other:
        subscribe(other, ALICE, "62")
        sim.post("/sim/calls", json={"from": "2125550111", "to": "1001"}).raise_for_status()
        assert other.reply().calls[0]["DID"] == ALICE
        stream.send(command("listCalls", DAVID, "", id="63"))
        assert stream.reply().id == "63"  # nothing was pushed to David's stream


def test_forced_unsubscription_and_resubscribe(stream: SkyStream, sim: httpx.Client) -> None:
    subscribe(stream, BRUNO, "71")
    response = sim.post(f"/sim/sky/{BRUNO}/unsubscribe")
    assert response.json() == {"did": BRUNO, "unsubscribed": 1}
    dropped = stream.reply()
    assert dropped.id == "71" and dropped.codes == [17]
    assert dropped.errors[0][1].startswith("A temporary problem forced the unsubscription from updates.")
    sim.post("/sim/calls", json={"from": "2125550177", "to": "1002"}).raise_for_status()
    subscribe(stream, BRUNO, "72")  # nothing was pushed while unsubscribed
    sim.post("/sim/devices/1002/answer").raise_for_status()
    assert stream.reply().calls[0]["State"] == "CONNECTED"
    assert sim.post("/sim/sky/9999999999/unsubscribe").status_code == 404


def test_plain_post_with_content_length(switch_server: RunningServer) -> None:
    body = command("listCalls", ALICE, "", id="81")
    with SkyStream(switch_server.http_url, chunked=False, body=body) as plain:
        replies = plain.read_to_end()
    assert [r.id for r in replies] == ["81"]


def test_plain_post_subscribe_stays_open_for_pushes(switch_server: RunningServer, sim: httpx.Client) -> None:
    body = command("subscribe", CLAIRE, id="91")
    with SkyStream(switch_server.http_url, chunked=False, body=body) as plain:
        assert plain.reply().result_text == "0"
        sim.post("/sim/calls", json={"from": "2125550191", "to": "1003"}).raise_for_status()
        assert plain.reply().calls[0]["State"] == "RINGING"
        sim.post(f"/sim/sky/{CLAIRE}/unsubscribe").raise_for_status()
        assert [r.codes for r in plain.read_to_end()] == [[17]]  # and then the response ends


def test_stream_over_https(switch_server: RunningServer) -> None:
    with SkyStream(switch_server.https_url, context=switch_server.ssl_context()) as secure:
        secure.send(command("listCalls", ALICE, "", id="101"))
        assert secure.reply().id == "101"


def test_a_dropped_client_leaves_the_others_served(switch_server: RunningServer, sim: httpx.Client) -> None:
    gone = SkyStream(switch_server.http_url)
    subscribe(gone, DAVID, "111")
    gone.close()
    assert get(sim, "dial", DAVID, "1001", "").result_text == "true"
    with SkyStream(switch_server.http_url) as fresh:
        subscribe(fresh, ALICE, "112")
        sim.post("/sim/devices/1001/answer").raise_for_status()
        assert fresh.reply().calls[0]["State"] == "CONNECTED"
