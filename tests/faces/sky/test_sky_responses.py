"""Response rendering against every response document on record.

Two kinds of evidence exist:

* the ``ehainer/shoretel`` test stub, a verbatim unindented reply: reproduced
  byte for byte;
* the two examples in the vendor guide (seed 004), pretty-printed for the page
  (three- to twelve-space indents, the root's start tag broken over two lines,
  and a stray ``</pre>`` left by the PDF conversion, removed here). Their
  whitespace between elements is layout, not content, so they are compared
  (a) byte for byte after removing inter-element whitespace and joining the
  broken start tag, and (b) as canonical XML (C14N 2.0, text stripped).
"""
from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest

from ctiswitch.faces.sky.wire import (
    AUTHENTICATION_FAILED,
    ENDPOINT_NOT_FOUND,
    FORCED_UNSUBSCRIPTION,
    CallState,
    CallView,
    random_response_id,
    render_call,
    render_call_event,
    render_response,
)

GEM_STUB = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
    b'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">'
    b"<ErrorCount>1</ErrorCount><Errors>"
    b'<item xsi:type="org.m5.api.v1.Error" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    b"<MajorErrorCode>5</MajorErrorCode><Message>Authorization or authentication failed</Message>"
    b"<MinorErrorCode>0</MinorErrorCode></item></Errors><Id>1033010</Id>"
    b"</org.m5.api.v1.Response>"
)

SEED_LIST_CALLS = """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti"
xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">
   <ErrorCount>0</ErrorCount>
   <Id>1</Id>
   <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <item xsi:type="org.m5.data.v1.cti.Call">
            <Ani>16465551234</Ani>
            <DID>6465551000</DID>
            <Duration>46</Duration>
            <Endpoint>0010492e1234</Endpoint>
            <Id>65885</Id>
            <Originated>true</Originated>
            <State>CONNECTED</State>
        </item>
   </Result>
</org.m5.api.v1.Response>
"""

SEED_SUBSCRIBE_PUSH = """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti"
xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">
   <ErrorCount>0</ErrorCount>
   <Id>1</Id>
   <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <item xsi:type="org.m5.data.v1.cti.Call">
            <Ani>6465551234</Ani>
            <CLID>6465551000</CLID>
            <DID>6465551000</DID>
            <Duration>0</Duration>
            <Endpoint>0010492e1234</Endpoint>
            <Id>66517</Id>
            <Originated>false</Originated>
            <State>RINGING</State>
        </item>
   </Result>
</org.m5.api.v1.Response>
"""

LISTED_CALL = CallView(
    id=65885,
    state=CallState.CONNECTED,
    ani="16465551234",
    did="6465551000",
    duration=46,
    endpoint="0010492e1234",
    originated=True,
)
PUSHED_CALL = CallView(
    id=66517,
    state=CallState.RINGING,
    ani="6465551234",
    did="6465551000",
    duration=0,
    endpoint="0010492e1234",
    originated=False,
    clid="6465551000",
)


def compact(pretty: str) -> bytes:
    """The guide's layout removed: no whitespace between elements, one line."""
    text = re.sub(r">\s+<", "><", pretty.strip())
    return re.sub(r"\s*\n\s*", " ", text).encode()


def canonical(document: bytes | str) -> str:
    if isinstance(document, bytes):
        document = document.decode()
    document = re.sub(r"^<\?xml[^>]*\?>", "", document)
    return ET.canonicalize(xml_data=document, strip_text=True)


def test_error_reply_matches_the_gem_stub_byte_for_byte() -> None:
    assert render_response(1033010, AUTHENTICATION_FAILED) == GEM_STUB


@pytest.mark.parametrize(
    ("seed", "rendered"),
    [
        (SEED_LIST_CALLS, lambda: render_response(1, [LISTED_CALL])),
        (SEED_SUBSCRIBE_PUSH, lambda: render_call_event(1, [PUSHED_CALL])),
    ],
    ids=["listCalls", "subscribe-push"],
)
def test_seed_examples(seed: str, rendered) -> None:
    ours = rendered()
    assert ours == compact(seed)
    assert canonical(ours) == canonical(seed)


def test_canonical_comparison_sees_content() -> None:
    # Guard against a comparison that would pass anything.
    changed = SEED_LIST_CALLS.replace("<Duration>46<", "<Duration>47<")
    assert canonical(render_response(1, [LISTED_CALL])) != canonical(changed)


def test_call_item_fragment() -> None:
    assert render_call(PUSHED_CALL) == (
        '<item xsi:type="org.m5.data.v1.cti.Call"><Ani>6465551234</Ani><CLID>6465551000</CLID>'
        "<DID>6465551000</DID><Duration>0</Duration><Endpoint>0010492e1234</Endpoint>"
        "<Id>66517</Id><Originated>false</Originated><State>RINGING</State></item>"
    )


def test_clid_is_left_out_when_absent() -> None:
    assert "<CLID>" not in render_call(LISTED_CALL)


@pytest.mark.parametrize("state", list(CallState))
def test_every_state_is_spelled_as_on_the_wire(state: CallState) -> None:
    item = render_call(CallView(1, state, "1", "2", 3, "0010492e1234", True))
    assert f"<State>{state.value}</State>" in item
    assert state.value in {"RINGING", "PENDING", "CONNECTED", "HOLDING", "DELETED"}


HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" '
    b'xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">'
)
TAIL = b"</org.m5.api.v1.Response>"
TYPED = (
    b'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


@pytest.mark.parametrize("value", [True, False])
def test_boolean_result(value: bool) -> None:
    text = b"true" if value else b"false"
    assert render_response(7, value) == (
        HEAD + b"<ErrorCount>0</ErrorCount><Id>7</Id>"
        b'<Result xsi:type="xs:boolean" ' + TYPED + b">" + text + b"</Result>" + TAIL
    )


def test_subscribe_result_is_zero() -> None:
    assert render_response("42", 0) == (
        HEAD + b"<ErrorCount>0</ErrorCount><Id>42</Id>"
        b'<Result xsi:type="xs:int" ' + TYPED + b">0</Result>" + TAIL
    )


def test_idle_phone_is_an_empty_list() -> None:
    assert render_response(3, []) == (
        HEAD + b"<ErrorCount>0</ErrorCount><Id>3</Id>"
        b'<Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b"</Result>" + TAIL
    )


def test_several_errors_are_counted_in_order() -> None:
    document = render_response(9, [ENDPOINT_NOT_FOUND, FORCED_UNSUBSCRIPTION])
    root = ET.fromstring(document)
    assert [child.tag for child in root] == ["ErrorCount", "Errors", "Id"]
    assert root.findtext("ErrorCount") == "2"
    codes = [item.findtext("MajorErrorCode") for item in root.find("Errors")]
    assert codes == ["8", "17"]


def test_push_of_several_calls_at_once() -> None:
    pending = CallView(5, CallState.PENDING, "1", "6465551000", 0, "0010492e1234", False)
    deleted = CallView(5, CallState.DELETED, "1", "6465551000", 1, "0010492e1234", False)
    root = ET.fromstring(render_call_event(1, [pending, deleted]))
    assert [item.findtext("State") for item in root.find("Result")] == ["PENDING", "DELETED"]


def test_push_needs_a_call() -> None:
    with pytest.raises(ValueError):
        render_call_event(1, [])


def test_mixed_sequence_is_refused() -> None:
    with pytest.raises(TypeError):
        render_response(1, [LISTED_CALL, AUTHENTICATION_FAILED])  # type: ignore[list-item]


def test_text_is_escaped_and_kept_well_formed() -> None:
    odd = CallView(1, CallState.RINGING, 'A&B <x> "q"\x00\x1b', "6465551000", 0, "e", False)
    document = render_response(1, [odd])
    ani = ET.fromstring(document).find("Result/item/Ani")
    assert ani is not None
    assert ani.text == 'A&B <x> "q"\ufffd\ufffd'


def test_random_id_has_seven_digits() -> None:
    rng = random.Random(4)
    ids = {random_response_id(rng) for _ in range(200)}
    assert all(1_000_000 <= value <= 9_999_999 for value in ids)
    assert len(ids) > 190
