"""RequestDecoder: dialect detection, fragmentation, limits and malformed input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctiswitch.faces.turret.wire import (
    DEFAULT_MAX_MESSAGE_BYTES,
    Call,
    Dialect,
    RequestDecoder,
    WireError,
    encode_application_error,
    encode_reply,
)

from turret_support import REQ, REQUEST_ARGS, T, frame, request_message

LOGIN = request_message("login", ("Trader", "pw"), seqid=5)
VERSION = request_message("getVersion", (), seqid=6)


def login_call(dialect: Dialect, seqid: int = 5) -> Call:
    return Call(dialect, "login", seqid, REQ.login_args("Trader", "pw"), False)


def i32(value: int) -> bytes:
    return value.to_bytes(4, "big", signed=True)


def string(data: bytes) -> bytes:
    return i32(len(data)) + data


def strict_header(name: str, mtype: int = 1, seqid: int = 0) -> bytes:
    return bytes([0x80, 0x01, 0x00, mtype]) + string(name.encode()) + i32(seqid)


# -- dialect detection ----------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "dialect"),
    [
        (LOGIN, Dialect.UNFRAMED),
        (frame(LOGIN), Dialect.FRAMED),
        (request_message("login", ("Trader", "pw"), strict=False, seqid=5), Dialect.UNFRAMED),
        (frame(request_message("login", ("Trader", "pw"), strict=False, seqid=5)), Dialect.FRAMED),
    ],
    ids=["strict-unframed", "strict-framed", "nonstrict-unframed", "nonstrict-framed"],
)
def test_dialect_is_detected(wire: bytes, dialect: Dialect) -> None:
    decoder = RequestDecoder()
    assert decoder.dialect is None
    assert decoder.feed(wire) == [login_call(dialect)]
    assert decoder.dialect is dialect


def test_detection_waits_for_the_fifth_byte_when_it_must() -> None:
    wire = frame(LOGIN)
    decoder = RequestDecoder()
    assert decoder.feed(wire[:4]) == []
    assert decoder.dialect is None
    assert decoder.feed(wire[4:]) == [login_call(Dialect.FRAMED)]


def test_forced_dialect_skips_detection_and_refuses_the_other() -> None:
    assert RequestDecoder(dialect=Dialect.FRAMED).feed(frame(LOGIN)) == [login_call(Dialect.FRAMED)]
    with pytest.raises(WireError):
        RequestDecoder(dialect=Dialect.FRAMED).feed(LOGIN)
    with pytest.raises(WireError):
        RequestDecoder(dialect=Dialect.UNFRAMED).feed(frame(LOGIN))


@pytest.mark.parametrize(
    ("wire", "complaint"),
    [
        (b"\x82\x21\x00\x05login", "compact"),
        (frame(b"\x82\x21\x00\x05login"), "compact"),
        (frame(b"\x0f\xff\x00\x00\x00\x00\x00\x01"), "THeader"),
        (b"GET / HTTP/1.1\r\nHost: turret\r\n\r\n", "limit"),
        (bytes.fromhex("160301020001") + bytes(600), "frame length"),
        (b"\xff\xff\xff\xff\x00", "0xff"),
        (b"\x80\x02\x00\x01" + string(b"login") + i32(0) + b"\x00", "version"),
    ],
    ids=["compact", "framed-compact", "theader", "http", "tls", "junk", "bad-version"],
)
def test_foreign_protocols_are_refused(wire: bytes, complaint: str) -> None:
    with pytest.raises(WireError, match=complaint):
        RequestDecoder().feed(wire)


# -- fragmentation --------------------------------------------------------


@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
def test_several_messages_in_one_chunk_and_a_partial_one(dialect: Dialect) -> None:
    wrap = frame if dialect is Dialect.FRAMED else bytes
    stream = wrap(LOGIN) + wrap(VERSION) + wrap(LOGIN)
    decoder = RequestDecoder()
    calls = decoder.feed(stream[:-3])
    assert [c.method for c in calls] == ["login", "getVersion"]
    assert calls[1] == Call(dialect, "getVersion", 6, REQ.getVersion_args(), False)
    assert decoder.buffered == len(wrap(LOGIN)) - 3
    assert decoder.feed(stream[-3:]) == [login_call(dialect)]
    assert decoder.buffered == 0


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_any_split_of_a_valid_stream_gives_the_same_calls(data: st.DataObject) -> None:
    dialect = data.draw(st.sampled_from(list(Dialect)))
    strict = data.draw(st.booleans())
    methods = data.draw(st.lists(st.sampled_from(sorted(REQUEST_ARGS)), min_size=1, max_size=6))
    messages = [request_message(m, REQUEST_ARGS[m], strict=strict, seqid=i) for i, m in enumerate(methods)]
    stream = b"".join(frame(m) if dialect is Dialect.FRAMED else m for m in messages)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    decoder = RequestDecoder()
    calls: list[Call] = []
    for begin, end in zip([0, *cuts], [*cuts, len(stream)]):
        calls += decoder.feed(stream[begin:end])
    assert [(c.method, c.seqid, c.dialect) for c in calls] == [(m, i, dialect) for i, m in enumerate(methods)]
    assert [c.args for c in calls] == [getattr(REQ, f"{m}_args")(*REQUEST_ARGS[m]) for m in methods]
    assert decoder.buffered == 0


# -- limits ----------------------------------------------------------------


def login_of_size(total: int) -> bytes:
    """An unframed login message exactly `total` bytes long."""
    base = len(request_message("login", ("Trader", "")))
    return request_message("login", ("Trader", "x" * (total - base)))


def test_message_at_the_limit_passes_and_one_byte_more_fails() -> None:
    assert len(RequestDecoder(max_message_bytes=200).feed(login_of_size(200))) == 1
    with pytest.raises(WireError, match="200-byte limit"):
        RequestDecoder(max_message_bytes=200).feed(login_of_size(201))
    assert len(RequestDecoder(max_message_bytes=200).feed(frame(login_of_size(200)))) == 1
    with pytest.raises(WireError, match="frame length"):
        RequestDecoder(max_message_bytes=200).feed(frame(login_of_size(201)))


def test_default_limit_is_one_mebibyte() -> None:
    assert DEFAULT_MAX_MESSAGE_BYTES == 1 << 20
    assert len(RequestDecoder().feed(login_of_size(1 << 20))) == 1
    with pytest.raises(WireError):
        RequestDecoder().feed(login_of_size((1 << 20) + 1))


def test_an_oversized_frame_is_refused_from_its_length_alone() -> None:
    with pytest.raises(WireError, match="frame length"):
        RequestDecoder(dialect=Dialect.FRAMED).feed(i32(DEFAULT_MAX_MESSAGE_BYTES + 1))


def test_a_huge_declared_string_is_refused_before_its_bytes_arrive() -> None:
    head = strict_header("login") + b"\x0b" + (1).to_bytes(2, "big") + i32(50_000_000)
    with pytest.raises(WireError, match="limit"):
        RequestDecoder().feed(head)


def test_a_huge_declared_list_is_refused_before_its_bytes_arrive() -> None:
    head = strict_header("login") + b"\x0f" + (9).to_bytes(2, "big") + b"\x0c" + i32(2_000_000)
    with pytest.raises(WireError, match="elements"):
        RequestDecoder().feed(head)


def test_waiting_on_a_large_message_does_not_reparse_every_byte() -> None:
    wire = login_of_size(300_000)
    decoder = RequestDecoder()
    calls = [c for i in range(0, len(wire), 7) for c in decoder.feed(wire[i : i + 7])]
    assert len(calls) == 1 and len(calls[0].args.password) > 299_000


# -- malformed messages -----------------------------------------------------


def field(ftype: int, fid: int, payload: bytes) -> bytes:
    return bytes([ftype]) + fid.to_bytes(2, "big", signed=True) + payload


@pytest.mark.parametrize(
    ("wire", "complaint"),
    [
        (strict_header("login", mtype=2) + b"\x00", "message type 2"),
        (strict_header("login", mtype=3) + b"\x00", "message type 3"),
        (strict_header("requestNotifications") + field(12, 1, field(11, 1, string(b"10.0.0.1")) + b"\x00") + b"\x00",
         "port"),
        (strict_header("login") + field(11, 1, string(b"\xff\xfe")) + b"\x00", "UTF-8"),
        (bytes([0x80, 1, 0, 1]) + string(b"log\xc0") + i32(0) + b"\x00", "UTF-8"),
        (strict_header("login") + field(5, 1, b"") + b"\x00", "type 5"),
        (strict_header("login") + field(11, 1, i32(-1)) + b"\x00", "negative"),
        (strict_header("login") + field(15, 7, b"\x08" + i32(-3)) + b"\x00", "negative"),
        (strict_header("login") + field(15, 7, b"\x01" + i32(2)) + b"\x00", "element type"),
        (strict_header("login") + field(13, 7, b"\x08\x10" + i32(1)) + b"\x00", "element type"),
        (bytes([0x80, 1, 0, 1]) + i32(-5) + b"x", "negative"),
        (strict_header("mystery") + field(12, 1, b"\x0c\x00\x01" * 70 + b"\x00" * 71) + b"\x00", "deep"),
        (strict_header("login") + field(15, 1, b"\x0f" + i32(1)) * 1 + (b"\x0f" + i32(1)) * 70, "deep"),
    ],
    ids=[
        "reply-sent-to-server",
        "exception-sent-to-server",
        "missing-required-field",
        "string-not-utf8",
        "name-not-utf8",
        "unknown-field-type",
        "negative-string-length",
        "negative-list-size",
        "unknown-element-type",
        "unknown-map-value-type",
        "negative-name-length",
        "structs-too-deep",
        "lists-too-deep",
    ],
)
def test_malformed_messages_raise_wire_error(wire: bytes, complaint: str) -> None:
    with pytest.raises(WireError, match=complaint):
        RequestDecoder().feed(wire)


def test_frame_and_message_must_agree() -> None:
    with pytest.raises(WireError, match="after its message"):
        RequestDecoder().feed(i32(len(LOGIN) + 1) + LOGIN + b"\x00")
    with pytest.raises(WireError, match="ends inside"):
        RequestDecoder().feed(i32(len(LOGIN) - 1) + LOGIN[:-1])
    with pytest.raises(WireError, match="frame length 0"):
        RequestDecoder(dialect=Dialect.FRAMED).feed(i32(0))


def test_a_failed_decoder_stays_failed() -> None:
    decoder = RequestDecoder()
    with pytest.raises(WireError):
        decoder.feed(b"\x82junk")
    with pytest.raises(WireError, match="already failed"):
        decoder.feed(LOGIN)
    assert decoder.buffered == 0


# -- what a server must tolerate ------------------------------------------------


def test_unknown_fields_and_mistyped_fields_are_skipped() -> None:
    extra = field(15, 9, b"\x0c" + i32(2) + field(11, 1, string(b"x")) + b"\x00" + b"\x00")
    extra += field(13, 10, b"\x0b\x08" + i32(1) + string(b"k") + i32(3))
    mistyped = field(11, 1, string(b"not an i16"))
    wire = strict_header("dtmf", seqid=-7) + extra + mistyped + field(3, 2, b"5") + b"\x00"
    (call,) = RequestDecoder().feed(wire)
    assert call == Call(Dialect.UNFRAMED, "dtmf", -7, REQ.dtmf_args(suId=None, digit=ord("5")), False)


def test_optional_field_default_applies_when_absent() -> None:
    info = field(11, 1, string(b"10.0.0.1")) + field(8, 2, i32(10052)) + b"\x00"
    (call,) = RequestDecoder().feed(strict_header("requestNotifications") + field(12, 1, info) + b"\x00")
    assert call.args.subscriberInfo == T.SubscriberInfo("10.0.0.1", 10052, "")


def test_unknown_method_is_delivered_and_the_stream_continues() -> None:
    body = field(15, 1, b"\x0b" + i32(2) + string(b"a") + string(b"b")) + b"\x00"
    calls = RequestDecoder().feed(strict_header("fooBar", seqid=3) + body + VERSION)
    assert calls[0] == Call(Dialect.UNFRAMED, "fooBar", 3, None, False)
    assert not calls[0].known
    assert calls[1].method == "getVersion"
    assert encode_application_error(calls[0], "Invalid method name: 'fooBar'")


def test_a_oneway_message_is_flagged_and_gets_no_reply() -> None:
    (call,) = RequestDecoder().feed(strict_header("logout", mtype=4, seqid=9) + b"\x00")
    assert call.oneway and call.known
    with pytest.raises(ValueError, match="oneway"):
        encode_reply(call)
    with pytest.raises(ValueError, match="oneway"):
        encode_application_error(call, "x")


# -- fuzz --------------------------------------------------------------------------


@given(
    chunks=st.lists(st.binary(max_size=64), max_size=12),
    dialect=st.sampled_from([None, *Dialect]),
    limit=st.sampled_from([64, 4096, DEFAULT_MAX_MESSAGE_BYTES]),
)
@settings(max_examples=400, deadline=None)
def test_random_bytes_raise_only_wire_error(chunks: list[bytes], dialect: Dialect | None, limit: int) -> None:
    decoder = RequestDecoder(max_message_bytes=limit, dialect=dialect)
    try:
        for chunk in chunks:
            for call in decoder.feed(chunk):
                assert isinstance(call, Call)
    except WireError:
        pass


@given(data=st.data())
@settings(max_examples=400, deadline=None)
def test_mutated_valid_streams_raise_only_wire_error(data: st.DataObject) -> None:
    methods = data.draw(st.lists(st.sampled_from(sorted(REQUEST_ARGS)), min_size=1, max_size=3))
    framed = data.draw(st.booleans())
    stream = bytearray(
        b"".join(
            frame(m) if framed else m
            for m in (request_message(name, REQUEST_ARGS[name], strict=data.draw(st.booleans())) for name in methods)
        )
    )
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(stream) - 1))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip":
            stream[at] = data.draw(st.integers(0, 255))
        elif action == "insert":
            stream[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif len(stream) > 1:
            del stream[at]
    decoder = RequestDecoder(max_message_bytes=4096)
    step = data.draw(st.integers(1, 50))
    try:
        for i in range(0, len(stream), step):
            for call in decoder.feed(bytes(stream[i : i + step])):
                assert isinstance(call, Call)
    except WireError:
        pass


def test_enum_values_are_left_for_the_application_to_judge() -> None:
    state = field(8, 1, i32(99)) + b"\x00"
    wire = strict_header("setInterfaceActionState") + field(11, 1, string(b"btn")) + field(12, 2, state) + b"\x00"
    (call,) = RequestDecoder().feed(wire)
    assert call.args.state == T.InterfaceActionState(state=99)
