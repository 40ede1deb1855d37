"""Replies, exceptions and application errors: exact bytes and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from thriftpy2.thrift import TApplicationException

from ctiswitch.faces.turret.wire import (
    Call,
    Dialect,
    encode_application_error,
    encode_exception,
    encode_reply,
    turret_api_exception,
)

from turret_support import REQ, RT, T


def call(method: str, dialect: Dialect = Dialect.UNFRAMED, seqid: int = 0x01020304) -> Call:
    return Call(dialect, method, seqid, getattr(REQ, f"{method}_args")(), False)


def header(name: str, mtype: int, seqid: int = 0x01020304) -> bytes:
    return bytes([0x80, 0x01, 0x00, mtype]) + len(name).to_bytes(4, "big") + name.encode() + seqid.to_bytes(4, "big")


def test_reply_bytes_unframed_and_framed() -> None:
    # REPLY, field 0 (success) i32 = Login (2), stop.
    body = header("getLoginState", 2) + b"\x08\x00\x00" + b"\x00\x00\x00\x02" + b"\x00"
    assert encode_reply(call("getLoginState"), T.TurretState.Login) == body
    assert encode_reply(call("getLoginState", Dialect.FRAMED), T.TurretState.Login) == len(body).to_bytes(4, "big") + body


def test_void_reply_is_an_empty_result_struct() -> None:
    assert encode_reply(call("logout")) == header("logout", 2) + b"\x00"


def test_exception_bytes() -> None:
    # REPLY whose result struct holds field 1 (ex): {1: i32 ErrorCode, 2: string ErrorAsString}.
    exc = turret_api_exception(T.InvalidSpeechUnit, "no SU 9")
    body = (
        header("hold", 2)
        + b"\x0c\x00\x01"
        + b"\x08\x00\x01" + (2).to_bytes(4, "big")
        + b"\x0b\x00\x02" + (7).to_bytes(4, "big") + b"no SU 9"
        + b"\x00"
        + b"\x00"
    )  # fmt: skip
    assert encode_exception(call("hold"), exc) == body


def test_application_error_bytes() -> None:
    unknown = Call(Dialect.UNFRAMED, "nope", 0x01020304, None, False)
    body = (
        header("nope", 3)
        + b"\x0b\x00\x01" + (3).to_bytes(4, "big") + b"bad"
        + b"\x08\x00\x02" + (1).to_bytes(4, "big")
        + b"\x00"
    )  # fmt: skip
    assert encode_application_error(unknown, "bad") == body
    assert encode_application_error(unknown, "bad", TApplicationException.UNKNOWN_METHOD) == body


def test_turret_api_exception_helper() -> None:
    exc = turret_api_exception(T.LineBusy, "busy")
    assert isinstance(exc, T.TurretApiException)
    assert (exc.ErrorCode, exc.ErrorAsString) == (6, "busy")


@pytest.mark.parametrize(
    ("method", "result", "complaint"),
    [
        ("logout", "done", "returns void"),
        ("getVersion", None, "must return"),
        ("getVersion", b"bytes", "must be a str"),
        ("getLoginState", "Login", "must be an int"),
        ("getLoginState", True, "must be an int"),
        ("getLoginState", 1 << 31, "32 bits"),
        ("getLoginState", 3, "a TurretState value"),
        ("getSpeechUnits", [T.SpeechUnitConfiguration(1, 4)], r"result\[0\]\.deviceType must be a DeviceType value"),
        ("snapshotLineRequest", T.LineStatesData("L", {0, 22}), r"basicLineStates\[\d\] must be a BasicLineState"),
        ("getProfileList", [T.ProfileInfo()], r"getProfileList result\[0\]\.name is required"),
        ("getProfileList", T.ProfileInfo("x"), "collection"),
        ("getProfileList", ["x"], "must be a ProfileInfo"),
        ("getSpeechUnits", [T.SpeechUnitConfiguration(40000, 0)], "16 bits"),
        ("snapshotLineRequest", T.LineStatesData("L", {"Idle"}), "must be an int"),
        ("snapshotCalls", [T.CallData("L", "1", "", "", "c", 1)], "must be a bool"),
        ("snapshotInterfaceAction", T.InterfaceActionState(0, labelText=3), "labelText must be a str"),
        ("snapshotRingTransfer", RT, "must be an int"),
    ],
)
def test_results_that_clients_would_reject_are_refused(method: str, result: Any, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        encode_reply(call(method), result)


def test_optional_texts_may_be_left_out() -> None:
    state = T.InterfaceActionState(T.InterfaceActionStateValue.State_B)
    assert encode_reply(call("snapshotInterfaceAction"), state).endswith(b"\x08\x00\x01\x00\x00\x00\x03\x00\x00")


def test_exceptions_only_where_declared() -> None:
    exc = turret_api_exception(T.Unknown, "x")
    for method in ("getProfileList", "snapshotCalls", "getLoginState", "getVersion"):
        with pytest.raises(ValueError, match="declares no exception"):
            encode_exception(call(method), exc)
    with pytest.raises(ValueError, match="TurretApiException"):
        encode_exception(call("hold"), ValueError("not thrift"))
    with pytest.raises(ValueError, match="ErrorAsString is required"):
        encode_exception(call("hold"), T.TurretApiException(ErrorCode=1))


def test_unknown_calls_have_no_reply_or_exception() -> None:
    unknown = Call(Dialect.FRAMED, "nope", 1, None, False)
    with pytest.raises(ValueError, match="encode_application_error"):
        encode_reply(unknown, None)
    with pytest.raises(ValueError, match="encode_application_error"):
        encode_exception(unknown, turret_api_exception(1, "x"))


def test_seqid_must_fit_an_i32() -> None:
    with pytest.raises(ValueError, match="seqid"):
        encode_reply(call("logout", seqid=1 << 31))
