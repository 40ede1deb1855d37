"""The MTCTI-3 wire codec against the byte vectors of spec/mtcti3.md §1.7.

The vectors were produced with Avaya's own proto and one of them appears in
the vendor DOC, so matching them byte for byte is the evidence that our
schema and framing interoperate with real clients.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctiswitch.faces.mtcti3.constants import FRAME_MARKER
from ctiswitch.faces.mtcti3.mtcti3_pb2 import (
    CallFunction,
    CallInfo,
    Message,
    Notify,
    NotifyAck,
    NotifyCallControl,
    PartyInfo,
    RequestResponse,
    Subscribe,
    SubscribeCmd,
    SubscribeEnd,
    SubscribeLines,
    SubscribeTerminated,
    UpdateCallControl,
)
from ctiswitch.faces.mtcti3.wire import WireError, decode, encode, to_int32

# (vector as printed in the spec, Message, unframed bytes)
VECTORS = [
    (
        "subscribe{requestid=1 subscribe_id=1 timeout=3600 lines{flags=7}}",
        Message(
            subscribe=Subscribe(
                requestid=1, subscribe_id=1, timeout=3600, lines=SubscribeLines(flags=7)
            )
        ),
        "1A 0C 08 01 10 01 18 90 1C C2 02 02 08 07",
    ),
    (
        "response{requestid=1 result=0}",
        Message(response=RequestResponse(requestid=1, result=0)),
        "0A 02 08 01",
    ),
    (
        "notifyack{subscribe_id=5555 notify_id=1}",
        Message(notifyack=NotifyAck(subscribe_id=5555, notify_id=1)),
        "4A 05 08 B3 2B 10 01",
    ),
    (
        "refresh subscribe{subscribe_id=98765 timeout=3600}",
        Message(subscribe=Subscribe(subscribe_id=98765, timeout=3600)),
        "1A 07 10 CD 83 06 18 90 1C",
    ),
    (
        "subscribeend{requestid=7 subscribe_id=5555}",
        Message(subscribeend=SubscribeEnd(requestid=7, subscribe_id=5555)),
        "2A 05 08 07 10 B3 2B",
    ),
    (
        "subscribeterminated{subscribe_id=5555}",
        Message(subscribeterminated=SubscribeTerminated(subscribe_id=5555)),
        "32 03 08 B3 2B",
    ),
    (
        "notify{subscribe_id=7000 callcontrol{refreshinstance=1 callinfo{...}}}",
        Message(
            notify=Notify(
                subscribe_id=7000,
                callcontrol=NotifyCallControl(
                    refreshinstance=1,
                    callinfo=[
                        CallInfo(
                            callid=1,
                            state=CallInfo.RINGING,
                            direction=CallInfo.INBOUND,
                            featuresavailable=0x23,
                            callingparty=PartyInfo(number="61001"),
                        )
                    ],
                ),
            )
        ),
        "42 1A 08 D8 36 72 15 08 01 12 11 10 01 28 04 30 02 48 23 "
        "5A 07 12 05 36 31 30 30 31",
    ),
    (
        "subscribecmd{requestid=6 subscribe_id=7500 callcontrol{BlindTransfer}}",
        Message(
            subscribecmd=SubscribeCmd(
                requestid=6,
                subscribe_id=7500,
                callcontrol=UpdateCallControl(
                    callid=1,
                    callfunction=CallFunction(
                        action=CallFunction.BlindTransfer, arg1="/102/Callflow"
                    ),
                ),
            )
        ),
        "22 1C 08 06 10 CC 3A 72 15 08 01 22 11 08 05 12 0D "
        "2F 31 30 32 2F 43 61 6C 6C 66 6C 6F 77",
    ),
    (
        "subscribecmd{subscribe_id=1 timeout=0}",
        Message(subscribecmd=SubscribeCmd(subscribe_id=1, timeout=0)),
        "22 04 10 01 18 00",
    ),
]
IDS = [vector[0] for vector in VECTORS]


@pytest.mark.parametrize(("text", "message", "hex_bytes"), VECTORS, ids=IDS)
def test_vector_encodes_byte_for_byte(
    text: str, message: Message, hex_bytes: str
) -> None:
    expected = bytes.fromhex(hex_bytes)
    assert encode(message, framed=False) == expected
    assert encode(message, framed=True) == FRAME_MARKER + expected


@pytest.mark.parametrize(("text", "message", "hex_bytes"), VECTORS, ids=IDS)
def test_vector_decodes(text: str, message: Message, hex_bytes: str) -> None:
    payload = bytes.fromhex(hex_bytes)
    assert decode(payload, framed=False) == message
    assert decode(FRAME_MARKER + payload, framed=True) == message


def test_first_payload_framed_as_in_the_doc() -> None:
    """§1.7: the DOC's typical first message, with its 4-octet marker."""
    framed = bytes.fromhex("00 00 00 01 1A 0C 08 01 10 01 18 90 1C C2 02 02 08 07")
    message = decode(framed, framed=True)
    assert message.subscribe.lines.flags == 7
    assert encode(message, framed=True) == framed


def test_refresh_has_a_subscribe_but_no_subscription_payload() -> None:
    """§3.3: a refresh is a Subscribe without payload, still a valid envelope."""
    message = decode(bytes.fromhex("1A 07 10 CD 83 06 18 90 1C"), framed=False)
    assert message.WhichOneof("payload") == "subscribe"
    assert message.subscribe.WhichOneof("payload") is None


def test_subscribecmd_timeout_zero_is_present() -> None:
    """§1.6: timeout sits in the oneof, so 0 is told apart from absent."""
    message = decode(bytes.fromhex("22 04 10 01 18 00"), framed=False)
    assert message.subscribecmd.WhichOneof("payload") == "timeout"
    assert message.subscribecmd.timeout == 0


def test_featuresavailable_with_bit_31_is_a_negative_int32() -> None:
    """§1.7: CallInfo{featuresavailable=0xE0E0E091} as a signed int32."""
    expected = bytes.fromhex("48 91 C1 83 87 FE FF FF FF FF 01")
    info = CallInfo(featuresavailable=to_int32(0xE0E0E091))
    assert info.SerializeToString() == expected
    assert CallInfo.FromString(expected).featuresavailable & 0xFFFFFFFF == 0xE0E0E091


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (0x23, 0x23),
        (0x7FFFFFFF, 0x7FFFFFFF),
        (0x80000000, -(2**31)),
        (0xE0E0E091, 0xE0E0E091 - 2**32),
        (0xFFFFFFFF, -1),
        (-1, -1),
        (-(2**31), -(2**31)),
    ],
)
def test_to_int32(value: int, expected: int) -> None:
    assert to_int32(value) == expected


@pytest.mark.parametrize("value", [2**32, -(2**31) - 1])
def test_to_int32_rejects_values_wider_than_32_bits(value: int) -> None:
    with pytest.raises(ValueError):
        to_int32(value)


def test_unknown_fields_inside_a_payload_are_tolerated() -> None:
    """§1.6: a Notify carrying field 99 (unknown to us) still decodes."""
    message = decode(bytes.fromhex("42 05 08 01 98 06 01"), framed=False)
    assert message.notify.subscribe_id == 1


# (case, payload, framed, words expected in WireError.reason)
MALFORMED = [
    ("framed empty", b"", True, "short frame"),
    ("framed 3 bytes", b"\x00\x00\x00", True, "short frame"),
    ("framed marker only (empty Message)", FRAME_MARKER, True, "short frame"),
    (
        "framed wrong marker",
        b"\x00\x00\x00\x02\x0a\x02\x08\x01",
        True,
        "wrong frame marker",
    ),
    (
        "framed length prefix instead of marker",
        b"\x00\x00\x00\x04\x0a\x02\x08\x01",
        True,
        "wrong frame marker",
    ),
    (
        "framed bare Message",
        bytes.fromhex("0A 02 08 01 0A 02 08 01"),
        True,
        "wrong frame marker",
    ),
    ("framed corrupt protobuf", FRAME_MARKER + b"\x0a\x05\x08", True, "decode error"),
    ("framed unknown payload only", FRAME_MARKER + b"\x50\x01", True, "empty envelope"),
    ("unframed empty", b"", False, "empty envelope"),
    ("unframed truncated", bytes.fromhex("4A 05 08 B3"), False, "decode error"),
    (
        "unframed framed bytes",
        FRAME_MARKER + bytes.fromhex("0A 02 08 01"),
        False,
        "decode error",
    ),
    ("unframed unknown payload only", b"\x50\x01", False, "empty envelope"),
    (
        "unframed bad UTF-8 string",
        bytes.fromhex("42 03 1A 01 FF"),
        False,
        "decode error",
    ),
    (
        "unframed deep group nesting",
        b"\x0b" * 300 + b"\x0c" * 300,
        False,
        "decode error",
    ),
]


@pytest.mark.parametrize(
    ("case", "payload", "framed", "reason"),
    MALFORMED,
    ids=[row[0] for row in MALFORMED],
)
def test_malformed_input_raises_wire_error(
    case: str, payload: bytes, framed: bool, reason: str
) -> None:
    """One exception type for every malformed input, with a loggable reason."""
    with pytest.raises(WireError) as caught:
        decode(payload, framed=framed)
    assert reason in caught.value.reason
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("framed", [True, False])
def test_encode_refuses_an_empty_envelope(framed: bool) -> None:
    """§1.2: both reference decoders discard a Message with no payload."""
    with pytest.raises(WireError, match="empty envelope"):
        encode(Message(), framed=framed)


@settings(max_examples=500, deadline=None)
@given(payload=st.binary(max_size=256), framed=st.booleans())
def test_random_bytes_only_ever_raise_wire_error(payload: bytes, framed: bool) -> None:
    """Whatever a client sends, the server sees a Message or a WireError.

    A decoded message must also survive re-encoding, so encode never trips
    over something decode let through.
    """
    try:
        message = decode(payload, framed=framed)
    except WireError:
        return
    assert decode(encode(message, framed=framed), framed=framed) == message


@settings(max_examples=500, deadline=None)
@given(body=st.binary(max_size=256))
def test_random_framed_bodies_only_ever_raise_wire_error(body: bytes) -> None:
    """Past the marker, so that the fuzzing reaches the protobuf parser."""
    try:
        message = decode(FRAME_MARKER + body, framed=True)
    except WireError:
        return
    assert message.WhichOneof("payload") is not None


@settings(max_examples=300, deadline=None)
@given(
    vector=st.sampled_from([bytes.fromhex(row[2]) for row in VECTORS]),
    position=st.integers(min_value=0),
    byte=st.integers(min_value=0, max_value=255),
)
def test_mutated_vectors_only_ever_raise_wire_error(
    vector: bytes, position: int, byte: int
) -> None:
    """One corrupted byte in a real message: deeper paths than random noise."""
    position %= len(vector)
    mutated = vector[:position] + bytes([byte]) + vector[position + 1 :]
    try:
        decode(mutated, framed=False)
    except WireError:
        pass
