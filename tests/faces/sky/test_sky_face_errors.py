"""Sky error codes over real sockets: 2, 3, 4, 5, 6, 8, 13, 19 (17 is in the stream tests),
and the company's Sky limits (blocked users, listCalls rate, international calls)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_process import RunningServer, start_server
from sky_face_support import PREFIX, SkyStream, command, get, hang_up_everything

from ctiswitch.config import demo_text

ALICE, BRUNO = "6465551001", "6465551002"


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client
        hang_up_everything(client)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A switch whose company blocks Bruno, allows 3 listCalls a minute and no international calls."""
    workdir = tmp_path_factory.mktemp("sky-limits")
    text = demo_text()
    start = text.index("sky:\n")
    end = text.index("\n\n", start)
    config = Path(workdir / "company.yaml")
    config.write_text(text[:start] + f'sky:\n  list_calls_per_minute: 3\n  blocked: ["{BRUNO}"]\n'
                      "  international_blocked: true" + text[end:], encoding="utf-8")
    with start_server(workdir, "--virtual-clock", "--config", str(config)) as server:
        yield server


def test_error_reply_is_byte_exact(sim: httpx.Client) -> None:
    reply = get(sim, "listCalls", ALICE, "", pin="0000")
    expected = (
        rb'<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>'
        rb'<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
        rb'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">'
        rb"<ErrorCount>1</ErrorCount><Errors>"
        rb'<item xsi:type="org.m5.api.v1.Error" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        rb"<MajorErrorCode>5</MajorErrorCode><Message>Authorization or authentication failed</Message>"
        rb"<MinorErrorCode>0</MinorErrorCode></item></Errors><Id>[1-9][0-9]{6}</Id>"
        rb"</org.m5.api.v1.Response>"
    )
    assert re.fullmatch(expected, reply.raw), reply.raw


@pytest.mark.parametrize(("name", "code", "message"), [
    ("", 2, "Command is missing a class name."),
    ("dial", 2, "Command is missing a class name."),
    (PREFIX.rstrip("."), 3, "Command is missing a method name."),
    (PREFIX, 3, "Command is missing a method name."),
    (PREFIX + "dail", 4, "No such method"),
    (PREFIX + "Dial", 4, "No such method"),
    ("org.m5.apps.v1.cti.Other.dial", 4, "No such method"),
])
def test_bad_names(sim: httpx.Client, name: str, code: int, message: str) -> None:
    reply = get(sim, "", ALICE, "1002", "", name=name)
    assert reply.errors == [(code, message, 0)] and reply.result_type is None


@pytest.mark.parametrize(("did", "pin"), [(ALICE, "4321"), (ALICE, ""), ("6465559999", "1234"), ("", "")])
def test_bad_did_or_pin_is_error_5(sim: httpx.Client, did: str, pin: str) -> None:
    assert get(sim, "listCalls", did, "", pin=pin).errors == [(5, "Authorization or authentication failed", 0)]


@pytest.mark.parametrize(("method", "args"), [
    ("dial", ("1002",)),  # the blank endpoint must still be present
    ("dial", ("1002", "", "")),
    ("answer", ("",)),
    ("ignore", ()),
    ("release", ("", "")),
    ("listCalls", ()),
    ("hold", ("first",)),  # a Call ID is a number
    ("dial", ("call-me", "")),  # a number is digits
    ("dial", ("", "")),
])
def test_wrong_arguments_are_error_13(sim: httpx.Client, method: str, args: tuple[str, ...]) -> None:
    reply = get(sim, method, ALICE, *args)
    assert reply.errors == [(13, "The command expected arguments of different type or amount", 0)]
    assert get(sim, "listCalls", ALICE, "").calls == []  # nothing was dialled


@pytest.mark.parametrize(("method", "args"), [
    ("dial", ("1002", "ffffffffffff")),
    ("answer", ("", "00:0a:dd:00:10:02")),  # Bruno's phone, not Alice's
    ("listCalls", ("not a mac",)),
])
def test_unknown_endpoint_is_error_8(sim: httpx.Client, method: str, args: tuple[str, ...]) -> None:
    assert get(sim, method, ALICE, *args).errors == [(8, "Endpoint not found. Log into your phone.", 0)]


def test_unreadable_xml_is_error_19_and_the_stream_goes_on(switch_server: RunningServer) -> None:
    with SkyStream(switch_server.http_url) as sky:
        sky.send(b'<?xml version="1.0"?><Command><Name>x</Nme></Command>'
                 + command("listCalls", ALICE, "", id="not-a-number")
                 + command("listCalls", ALICE, "", id="7"))
        mismatched, bad_id, fine = sky.replies(3)
    assert mismatched.codes == [19] and mismatched.errors[0][1].startswith("Failed to unmarshall XML: ")
    assert "mismatched tag" in mismatched.errors[0][1]
    assert bad_id.codes == [19] and "not a number" in bad_id.errors[0][1]
    assert (fine.id, fine.error_count) == ("7", 0)


def test_unreadable_plain_post_is_error_19(switch_server: RunningServer) -> None:
    with SkyStream(switch_server.http_url, chunked=False, body=b"dial 1002 please") as plain:
        [reply] = plain.read_to_end()
    assert reply.codes == [19]


def test_blocked_user_is_told_so_after_a_good_pin(limited: RunningServer) -> None:
    with limited.client() as client:
        assert get(client, "listCalls", BRUNO, "").errors == [
            (5, "Your user has been temporarily blocked for API abuse.", 0)]
        assert get(client, "listCalls", BRUNO, "", pin="9999").errors[0][1] == "Authorization or authentication failed"
        assert get(client, "listCalls", ALICE, "").error_count == 0


def test_list_calls_rate_limit_is_error_6_until_time_refills_it(limited: RunningServer) -> None:
    did = "6465551005"
    with limited.client() as client:
        assert [get(client, "listCalls", did, "").error_count for _ in range(3)] == [0, 0, 0]
        limited_reply = get(client, "listCalls", did, "")
        assert limited_reply.errors == [(6, "This application has been temporarily blocked for API misuse.", 0)]
        assert get(client, "listCalls", "6465551006", "").error_count == 0  # per DID
        assert get(client, "dial", did, "1006", "").result_text == "true"  # only listCalls is limited
        client.post("/sim/clock/advance", json={"seconds": 20}).raise_for_status()  # one call's worth
        assert [get(client, "listCalls", did, "").error_count for _ in range(2)] == [0, 1]
        hang_up_everything(client)


def test_international_calls_can_be_blocked(limited: RunningServer) -> None:
    with limited.client() as client:
        reply = get(client, "dial", "6465551007", "01161212345678", "")
        assert (reply.error_count, reply.result_text) == (0, "false")
        assert get(client, "dial", "6465551007", "2125550100", "").result_text == "true"
        hang_up_everything(client)
