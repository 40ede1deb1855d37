"""Our turret.thrift against the vendor IDL, row by row.

The rows below are transcribed from the tables of the spec (turret-and-sky.md
§A1) and embedded here so that the test does not depend on the spec folder.
Every name, id, type, requiredness, enum value and oneway flag that reaches
the wire is compared, and nothing may exist beyond the rows.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from thriftpy2.thrift import TType

from ctiswitch.faces.turret.idl import element_spec, load_idl, nested_spec

T = load_idl()

TYPEDEFS = {"LineName": "string", "SpeechUnitId": "i16", "TurretErrorCode": "i32"}

CONSTANTS = {
    "Ok": 0, "InvalidArgument": 1, "InvalidSpeechUnit": 2, "WrongLoginState": 3,
    "CannotSendRequest": 4, "LineUnavailable": 5, "LineBusy": 6, "SpeechUnitBusy": 7,
    "InvalidLine": 8, "NoIncomingCall": 9, "LineIsNotRinging": 10, "SpeechUnitHasNoCall": 11,
    "NoFreeLineAvailable": 12, "FunctionUnavailable": 13, "NoConsultation": 14, "LineIsNotInHold": 15,
    "LoginSuccessful": 400, "NoConnectionToSm": 401, "AuthenticationFailed": 402, "DatabaseError": 403,
    "UnknownProfile": 404, "LdapError": 405, "LicenseNotAvailable": 406, "LoadTLSCertError": 407,
    "InvalidRingTransfer": 600, "RingTransferIsOnlyForSignalization": 601,
    "RingTransferIsAlreadyInThatState": 602, "RingTransferIsMissingOnServer": 603,
    "RingTransferHasNoLocalInstance": 604, "RingTransferControlledProfileLoggedOut": 605,
    "RingTransferKagConflict": 606, "RingTransferStateChangeTimeout": 607,
    "InvalidRingTransferSequence": 620, "RingTransferSequenceIsOnlyForSignalization": 621,
    "RingTransferSequenceIsAlreadyInThatState": 622, "RingTransferSequenceIsNotInverting": 623,
    "RingTransferSequenceIsMissingOnServer": 624, "RingTransferSequenceStateChangeTimeout": 625,
    "InvalidInterfaceAction": 640, "InterfaceActionIsOnlyForSignalization": 641,
    "InterfaceActionIsAlreadyInThatState": 642, "InvalidInterfaceActionState": 643,
    "Unknown": 9999,
}  # fmt: skip

ENUMS = {
    "TurretState": {"Logout": 0, "ReceiveCallsOnly": 1, "Login": 2, "Unknown": 255},
    "DeviceType": {"Handset": 0, "Headset": 1, "MicrophoneWithoutSpeaker": 2, "MicrophoneWithSpeaker": 3},
    "BasicLineState": {
        "Idle": 0, "Ringing": 1, "Connected": 2, "Conversation": 3, "ConversationByAnother": 4,
        "PrivateHold": 5, "PrivateHoldByAnother": 6, "CommonHold": 7, "CommonHoldByAnother": 8,
        "Privacy": 9, "PrivacyByAnother": 10, "SpeechMonitoring": 11, "ConferenceHold": 12,
        "Inactive": 13, "SpeechMonitoringByAnother": 14, "Announcement": 15, "Preseized": 16,
        "PreseizedByAnother": 17, "HostingQuickConference": 18, "HostingConsultation": 19,
        "HostingPbxConference": 20, "ConsultationConnected": 21, "Unknown": 255,
    },
    "RingTransferState": {"Active": 0, "Inactive": 1},
    "RingTransferSequenceState": {"Active": 0, "Inactive": 1, "PartiallyActive": 2},
    "InterfaceActionStateValue": {
        "Active": 0, "Inactive": 1,
        **{f"State_{letter}": 2 + i for i, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
    },
    "InterfaceActionKeyState": {"Pressed": 0, "Released": 1, "Clicked": 2},
}  # fmt: skip

# (struct, field id, requiredness, type, name)
STRUCT_FIELDS = [
    ("ProfileInfo", 1, "required", "string", "name"),
    ("SpeechUnitConfiguration", 1, "required", "SpeechUnitId", "id"),
    ("SpeechUnitConfiguration", 2, "required", "DeviceType", "deviceType"),
    ("LineStatesData", 1, "required", "LineName", "lineName"),
    ("LineStatesData", 2, "required", "set<BasicLineState>", "basicLineStates"),
    ("SubscriberInfo", 1, "required", "string", "ipAddress"),
    ("SubscriberInfo", 2, "required", "i32", "port"),
    ("SubscriberInfo", 3, "optional", "string", "turretName"),
    ("CallData", 1, "required", "LineName", "lineName"),
    ("CallData", 2, "required", "string", "partyNumber"),
    ("CallData", 3, "required", "string", "partyName"),
    ("CallData", 4, "required", "string", "contactName"),
    ("CallData", 5, "required", "string", "callId"),
    ("CallData", 6, "required", "bool", "active"),
    ("RingTransferId", 1, "required", "string", "apiName"),
    ("RingTransferId", 2, "required", "string", "controlledProfileName"),
    ("InterfaceActionState", 1, "required", "InterfaceActionStateValue", "state"),
    ("InterfaceActionState", 2, "optional", "string", "labelText"),
    ("InterfaceActionState", 3, "optional", "string", "firstLineText"),
    ("InterfaceActionState", 4, "optional", "string", "secondLineText"),
    ("TurretApiException", 1, "required", "TurretErrorCode", "ErrorCode"),
    ("TurretApiException", 2, "required", "string", "ErrorAsString"),
]

SU = (1, "SpeechUnitId", "suId")
RTID = (1, "RingTransferId", "id")

# (method, [(arg id, type, name)], return type, throws TurretApiException)
REQUEST_METHODS = [
    ("requestNotifications", [(1, "SubscriberInfo", "subscriberInfo")], "void", True),
    ("getProfileList", [], "list<ProfileInfo>", False),
    ("getLoggedInProfileName", [], "string", True),
    ("getSpeechUnits", [], "list<SpeechUnitConfiguration>", True),
    ("getAvailableLines", [], "list<LineName>", True),
    ("snapshotLineRequest", [(1, "LineName", "lineName")], "LineStatesData", True),
    ("snapshotCalls", [], "list<CallData>", False),
    ("login", [(1, "string", "profileName"), (2, "string", "password")], "void", True),
    ("logout", [], "void", True),
    ("makeCall", [SU, (2, "string", "number")], "void", True),
    ("makeCallFromSpecificLine", [SU, (2, "LineName", "lineName"), (3, "string", "number")], "void", True),
    ("createConsultation", [SU, (2, "string", "number")], "void", True),
    ("transfer", [SU], "void", True),
    ("toggle", [SU], "void", True),
    ("pbxConference", [SU], "void", True),
    ("answerCall", [SU], "void", True),
    ("answerSpecificCall", [SU, (2, "LineName", "lineName")], "void", True),
    ("disconnectCall", [SU], "void", True),
    ("hold", [SU], "void", True),
    ("commonHold", [SU], "void", True),
    ("privateHold", [SU], "void", True),
    ("retrieveSpecific", [SU, (2, "LineName", "lineName")], "void", True),
    ("dtmf", [SU, (2, "i8", "digit")], "void", True),
    ("getLoginState", [], "TurretState", False),
    ("getVersion", [], "string", False),
    ("getAvailableRingTransfers", [], "list<RingTransferId>", True),
    ("snapshotRingTransfer", [RTID], "RingTransferState", True),
    ("setRingTransferActive", [RTID, (2, "bool", "active")], "void", True),
    ("getAvailableRingtransferSequences", [], "list<RingTransferId>", True),
    ("snapshotRingTransferSequence", [RTID], "RingTransferSequenceState", True),
    ("setRingTransferSequenceActive", [RTID, (2, "bool", "active")], "void", True),
    ("getAvailableInterfaceActions", [], "list<string>", True),
    ("snapshotInterfaceAction", [(1, "string", "apiName")], "InterfaceActionState", True),
    ("setInterfaceActionState", [(1, "string", "apiName"), (2, "InterfaceActionState", "state")], "void", True),
]

TN = (1, "string", "turretName")
ERR = [(3, "TurretErrorCode", "errorCode"), (4, "string", "errorDescription")]

# (method, [(arg id, type, name)]); all oneway void
NOTIFICATION_METHODS = [
    ("onLineStatesChanged", [TN, (2, "LineStatesData", "states")]),
    (
        "onCallDataChanged",
        [TN, (2, "LineName", "lineName"), (3, "string", "partyNumber"),
         (4, "string", "partyName"), (5, "string", "contactName")],
    ),
    ("onCallDataChangedEx", [TN, (2, "CallData", "callData")]),
    ("onLoginStateChanged", [TN, (2, "TurretState", "state")]),
    ("onLoginResponse", [TN, (2, "TurretErrorCode", "errorCode"), (3, "string", "errorDescription")]),
    ("onTopOfCallQueueChanged", [TN, (2, "LineName", "lineName")]),
    ("onRingTransferStateChanged", [TN, (2, "RingTransferId", "id"), (3, "RingTransferState", "state")]),
    ("onRingTransferStateChangeError", [TN, (2, "RingTransferId", "id"), *ERR]),
    (
        "onRingTransferSequenceStateChanged",
        [TN, (2, "RingTransferId", "id"), (3, "RingTransferSequenceState", "state")],
    ),
    ("onRingTransferSequenceStateChangeError", [TN, (2, "RingTransferId", "id"), *ERR]),
    (
        "onInterfaceActionStateChanged",
        [TN, (2, "string", "apiName"), (3, "InterfaceActionState", "state")],
    ),
    (
        "onInterfaceActionKeyChanged",
        [TN, (2, "string", "apiName"), (3, "InterfaceActionKeyState", "keyState")],
    ),
]  # fmt: skip

_BASE = {
    TType.BOOL: "bool", TType.BYTE: "i8", TType.I16: "i16", TType.I32: "i32",
    TType.I64: "i64", TType.DOUBLE: "double", TType.STRING: "string",
}  # fmt: skip


def resolved(type_name: str) -> str:
    """A row's type with the typedefs replaced by what thriftpy2 keeps."""
    return re.sub(r"\w+", lambda m: TYPEDEFS.get(m.group(0), m.group(0)), type_name)


def render(ttype: int, nested: Any) -> str:
    """IDL spelling of a thriftpy2 type spec (enums and structs by name)."""
    if ttype in (TType.LIST, TType.SET):
        kind = "list" if ttype == TType.LIST else "set"
        return f"{kind}<{render(*element_spec(nested))}>"
    if ttype == TType.STRUCT or (ttype == TType.I32 and nested is not None):
        return nested.__name__
    return _BASE[ttype]


def fields(cls: Any) -> dict[int, tuple[str, str, bool]]:
    return {
        fid: (spec[1], render(spec[0], nested_spec(spec)), spec[-1])
        for fid, spec in cls.thrift_spec.items()
    }


def test_constants() -> None:
    for name, value in CONSTANTS.items():
        assert getattr(T, name) == value, name
    assert sorted(T.__thrift_meta__["consts"]) == sorted(CONSTANTS.values())


def test_the_global_unknown_coexists_with_enum_values_named_unknown() -> None:
    assert T.Unknown == 9999
    assert T.TurretState.Unknown == T.BasicLineState.Unknown == 0xFF


@pytest.mark.parametrize("enum", sorted(ENUMS))
def test_enum(enum: str) -> None:
    assert getattr(T, enum)._NAMES_TO_VALUES == ENUMS[enum]


def test_no_enum_beyond_the_rows() -> None:
    assert sorted(e.__name__ for e in T.__thrift_meta__["enums"]) == sorted(ENUMS)


def test_interface_action_state_value_has_28_values() -> None:
    assert sorted(T.InterfaceActionStateValue._VALUES_TO_NAMES) == list(range(28))


@pytest.mark.parametrize("struct", sorted({row[0] for row in STRUCT_FIELDS}))
def test_struct_fields(struct: str) -> None:
    expected = {
        fid: (name, resolved(type_name), requiredness == "required")
        for s, fid, requiredness, type_name, name in STRUCT_FIELDS
        if s == struct
    }
    assert fields(getattr(T, struct)) == expected


def test_no_struct_beyond_the_rows() -> None:
    declared = [s.__name__ for s in T.__thrift_meta__["structs"] + T.__thrift_meta__["exceptions"]]
    assert sorted(declared) == sorted({row[0] for row in STRUCT_FIELDS})
    assert [e.__name__ for e in T.__thrift_meta__["exceptions"]] == ["TurretApiException"]


def test_defaults() -> None:
    assert T.SubscriberInfo("10.0.0.1", 1).turretName == ""
    assert T.InterfaceActionState(T.InterfaceActionStateValue.Active).labelText is None


def test_service_names() -> None:
    names = [s.__name__ for s in T.__thrift_meta__["services"]]
    assert names == ["TurretRequestService", "TurretNotificationService"]


@pytest.mark.parametrize(("method", "args", "returns", "throws"), REQUEST_METHODS, ids=[r[0] for r in REQUEST_METHODS])
def test_request_method(method: str, args: list, returns: str, throws: bool) -> None:
    service = T.TurretRequestService
    assert fields(getattr(service, f"{method}_args")) == {
        fid: (name, resolved(type_name), False) for fid, type_name, name in args
    }
    result = getattr(service, f"{method}_result")
    expected: dict[int, tuple[str, str, bool]] = {}
    if returns != "void":
        expected[0] = ("success", resolved(returns), False)
    if throws:
        expected[1] = ("ex", "TurretApiException", False)
    assert fields(result) == expected
    assert result.oneway is False


def test_request_methods_are_exactly_the_rows() -> None:
    assert sorted(T.TurretRequestService.thrift_services) == sorted(r[0] for r in REQUEST_METHODS)
    assert "getAvailableRingtransferSequences" in T.TurretRequestService.thrift_services


@pytest.mark.parametrize(("method", "args"), NOTIFICATION_METHODS, ids=[r[0] for r in NOTIFICATION_METHODS])
def test_notification_method(method: str, args: list) -> None:
    service = T.TurretNotificationService
    assert fields(getattr(service, f"{method}_args")) == {
        fid: (name, resolved(type_name), False) for fid, type_name, name in args
    }
    result = getattr(service, f"{method}_result")
    assert result.oneway is True
    assert fields(result) == {}


def test_notification_methods_are_exactly_the_rows() -> None:
    assert sorted(T.TurretNotificationService.thrift_services) == sorted(r[0] for r in NOTIFICATION_METHODS)


def test_idl_is_loaded_once() -> None:
    assert load_idl() is T is sys.modules["turret_thrift"]
