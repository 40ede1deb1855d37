"""Sky GET mode over real sockets: every command, the reply's exact shape, dial numbers."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from server_process import RunningServer
from sky_face_support import get, hang_up_everything

ALICE, BRUNO, CLAIRE = "6465551001", "6465551002", "6465551003"


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client
        hang_up_everything(client)


def test_reply_is_byte_exact_jaxb_form(sim: httpx.Client) -> None:
    reply = get(sim, "dial", ALICE, "1002", "")
    expected = (
        rb'<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>'
        rb'<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
        rb'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">'
        rb"<ErrorCount>0</ErrorCount><Id>[1-9][0-9]{6}</Id>"
        rb'<Result xsi:type="xs:boolean" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        rb'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">true</Result>'
        rb"</org.m5.api.v1.Response>"
    )
    assert re.fullmatch(expected, reply.raw), reply.raw


def test_dial_by_did_is_an_internal_call_seen_by_both_users(sim: httpx.Client) -> None:
    assert get(sim, "dial", ALICE, BRUNO, "").result_text == "true"
    [mine] = get(sim, "listCalls", ALICE, "").calls
    assert mine == {"Ani": BRUNO, "DID": ALICE, "Duration": "0", "Endpoint": "000add001001",
                    "Id": mine["Id"], "Originated": "true", "State": "PENDING"}
    [theirs] = get(sim, "listCalls", BRUNO, "").calls
    assert theirs["State"] == "RINGING" and theirs["Originated"] == "false"
    assert theirs["CLID"] == BRUNO and theirs["Endpoint"] == "000add001002"


def test_answer_hold_resume_release_by_get(sim: httpx.Client) -> None:
    get(sim, "dial", ALICE, "1002", "")
    assert get(sim, "answer", BRUNO, "", "").result_text == "true"
    assert get(sim, "listCalls", ALICE, "").calls[0]["State"] == "CONNECTED"
    assert get(sim, "hold", BRUNO, "").result_text == "true"
    assert get(sim, "listCalls", BRUNO, "").calls[0]["State"] == "HOLDING"
    assert get(sim, "hold", BRUNO, "").result_text == "false"  # nothing connected is left to hold
    assert get(sim, "resume", BRUNO, "").result_text == "true"
    assert get(sim, "listCalls", BRUNO, "").calls[0]["State"] == "CONNECTED"
    assert get(sim, "release", BRUNO, "").result_text == "true"
    assert get(sim, "listCalls", BRUNO, "").calls == []
    assert get(sim, "listCalls", ALICE, "").calls == []


def test_commands_name_a_call_by_id(sim: httpx.Client) -> None:
    get(sim, "dial", ALICE, "1002", "")
    get(sim, "dial", CLAIRE, "1002", "")
    first, second = get(sim, "listCalls", BRUNO, "").calls
    assert get(sim, "answer", BRUNO, second["Id"], "").result_text == "true"
    states = get(sim, "listCalls", BRUNO, "")
    assert states.state(second["Id"]) == "CONNECTED" and states.state(first["Id"]) == "RINGING"
    assert get(sim, "resume", BRUNO, second["Id"]).result_text == "false"  # not held
    assert get(sim, "release", BRUNO, "999999").result_text == "false"  # no such call
    assert get(sim, "release", BRUNO, second["Id"]).result_text == "true"


def test_ignore_hides_the_call_but_the_caller_keeps_ringing(sim: httpx.Client) -> None:
    get(sim, "dial", ALICE, "1002", "")
    assert get(sim, "ignore", BRUNO, "").result_text == "true"
    assert get(sim, "listCalls", BRUNO, "").calls == []
    assert get(sim, "listCalls", ALICE, "").calls[0]["State"] == "PENDING"
    assert get(sim, "answer", BRUNO, "", "").result_text == "false"  # nothing visible rings


def test_answer_with_nothing_ringing_is_false(sim: httpx.Client) -> None:
    assert get(sim, "answer", BRUNO, "", "").result_text == "false"


@pytest.mark.parametrize(("number", "placed"), [
    ("6465551002", True),  # a DID: internal
    ("16465551002", True),  # the same with its leading 1
    ("1002", True),  # a 4-digit extension
    ("2125550100", True),  # 10 digits: the public network
    ("12125550100", True),
    ("01161212345678", True),  # international
    ("916465551234", False),  # an outbound access digit
    ("101161212345678", False),  # 1 before 011
    ("61212345678", False),  # international without 011
    ("12345", False),
])
def test_dial_number_forms(sim: httpx.Client, number: str, placed: bool) -> None:
    reply = get(sim, "dial", ALICE, number, "")
    assert reply.error_count == 0
    assert reply.result_text == ("true" if placed else "false")
    calls = get(sim, "listCalls", ALICE, "").calls
    assert len(calls) == (1 if placed else 0)
    if placed:
        digits = number[1:] if len(number) == 11 else number
        assert calls[0]["Ani"] == digits


def test_a_did_dialled_rings_its_user(sim: httpx.Client) -> None:
    get(sim, "dial", ALICE, "16465551003", "")
    assert get(sim, "listCalls", CLAIRE, "").calls[0]["State"] == "RINGING"


def test_external_call_connects_when_the_far_end_answers(sim: httpx.Client) -> None:
    get(sim, "dial", ALICE, "2125550100", "")
    assert get(sim, "listCalls", ALICE, "").calls[0]["State"] == "PENDING"
    sim.post("/sim/clock/advance", json={"seconds": 3})
    assert get(sim, "listCalls", ALICE, "").calls[0]["State"] == "CONNECTED"


def test_endpoint_by_mac_in_any_spelling(sim: httpx.Client) -> None:
    assert get(sim, "dial", ALICE, "1002", "00:0A:DD:00:10:01").result_text == "true"
    assert len(get(sim, "listCalls", ALICE, "000add001001").calls) == 1


def test_the_https_listener_serves_the_same_api(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as client:
        reply = get(client, "listCalls", ALICE, "")
    assert reply.error_count == 0 and reply.result_type == "xmlList"


def test_subscribe_is_not_offered_over_get(sim: httpx.Client) -> None:
    reply = get(sim, "subscribe", ALICE)
    assert reply.codes == [4] and reply.errors[0][1] == "No such method"


def test_other_http_methods_are_refused(sim: httpx.Client) -> None:
    assert sim.put("/bobl/bobl").status_code == 405
