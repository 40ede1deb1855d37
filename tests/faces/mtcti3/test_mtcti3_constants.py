"""MTCTI-3 constants against the tables of spec/mtcti3.md (§1, §4.3, §5.1, §6).

Clients test these bits and codes numerically, so a typo is an interop bug.
The tables are embedded (transcribed from the spec) rather than read from the
spec folder, which users of the package may not have.
"""

import pytest

from ctiswitch.faces.mtcti3 import constants
from ctiswitch.faces.mtcti3.constants import (
    ACTION_FEATURE,
    ACTION_FEATURE2,
    ARG1_LENGTH,
    CallFeature,
    CallFeature2,
    ResultCode,
    UserFeature,
)
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction, Subscribe

# §5.1: bit, feature (DOC name without spaces), CallFunction.Action names ("-": none)
CALL_FEATURES = """
0  Drop                   DropCall
1  AnswerCall             AnswerCall
2  HoldCall               HoldCall
3  UnHoldCall             UnHoldCall
4  BlindTransfer          BlindTransfer
5  Redirect               Redirect
6  Dial                   Dial
7  Park                   Park
8  SetupTransfer          SetupTransfer,SetupConf
9  CompleteTransfer       CompleteTransfer
10 CompleteConf           CompleteConf
11 AddToConf              AddToConf
12 AdminConfMember        MemberFunction
13 SetTag                 SetTag
14 SetAccountCode         SetAccountCode
16 PushToEC500            PushToEC500
17 GenerateDigits         GenerateDigits
20 RecordingPauseControl  AgentRecordingControl
21 ForceClear             ForceClear
22 SetAuthCode            SetAuthCode
23 CallRecordingOn        CallRecordingOn
24 CallRecordingOff       CallRecordingOff
25 PrivacyOn              PrivacyOn
26 PrivacyOff             PrivacyOff
27 MuteOn                 MuteOn
28 MuteOff                MuteOff
29 SetPriority            SetPriority
30 Finish                 Finish
"""
_ROWS = [line.split() for line in CALL_FEATURES.strip().splitlines()]

# §5.1: the SysMonitor abbreviations in the DOC's labelled examples.
DOC_LABELS = {
    "DROP": CallFeature.Drop,
    "ANSWER": CallFeature.AnswerCall,
    "BLINDXFER": CallFeature.BlindTransfer,
    "REDIRECT": CallFeature.Redirect,
    "PARK": CallFeature.Park,
    "ADDTOCONF": CallFeature.AddToConf,
    "CONFMEMBER": CallFeature.AdminConfMember,
    "TAG": CallFeature.SetTag,
    "ACCT": CallFeature.SetAccountCode,
    "FORCECLEAR": CallFeature.ForceClear,
    "AUTH": CallFeature.SetAuthCode,
    "REC+": CallFeature.CallRecordingOn,
    "PRIO": CallFeature.SetPriority,
    "FINISH": CallFeature.Finish,
}

# §5.1: the DOC's labelled masks, with the bits its labels leave out.
DOC_EXAMPLES = [
    (0x23, "DROP ANSWER REDIRECT", 0),
    (
        0x6060E0B1,
        "DROP BLINDXFER REDIRECT PARK TAG ACCT FORCECLEAR AUTH PRIO FINISH",
        1 << 15,
    ),
    (0x6060E091, "DROP BLINDXFER PARK TAG ACCT FORCECLEAR AUTH PRIO FINISH", 1 << 15),
    (
        0xE0E0E091,
        "DROP BLINDXFER PARK TAG ACCT FORCECLEAR AUTH REC+ PRIO FINISH",
        1 << 31 | 1 << 15,
    ),
    (
        0x60E0F801,
        "DROP ADDTOCONF CONFMEMBER TAG ACCT FORCECLEAR AUTH REC+ PRIO",
        1 << 30 | 1 << 15,
    ),
]

# §4.3 NotifyUser.featuresavailable
USER_FEATURES = {
    "VALID": 0x001,
    "SAC": 0x002,
    "ABSENCE": 0x004,
    "EC500": 0x008,
    "LOGIN": 0x010,
    "SHORTCODE": 0x020,
    "MAKECALL": 0x040,
    "FWDU": 0x080,
    "DFOI": 0x100,
    "APP": 0x200,
}

# §6.1
RESULT_CODES = """
MTCTISESS_SUCCESS 0
MTCTISESS_ERRUNKNOWN 1
MTCTISESS_UNPACKERR 2
MTCTISESS_NOTINSTRUMENTED 3
MTCTISESS_NOTFOUND 4
MTCTISESS_TOOMANY 5
MTCTISESS_TOOBIG 6
MTCTISESS_USERNOTFOUND 7
MTCTISESS_SERVICE_NOT_AVAILABLE 8
MTCTISESS_NOTALLOWED 9
MTCTISESS_SUBSCRIPTION_INVALID 100
MTCTISESS_SUBSCRIPTION_INVALID_ID 101
MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL 102
MTCTISESS_GENCMD_ERRUNKNOWN 150
MTCTISESS_GENCMD_INVALID_PAYLOAD 151
MTCTISESS_GENCMD_REQUIRED_DATA_MISSING 152
MTCTISESS_PRESENCE_ERRUNKNOWN 500
MTCTISESS_CALLCONTROL_NOPHONE 600
MTCTISESS_CALLCONTROL_EXTNFAULT 601
MTCTISESS_CALLCONTROL_CALLNOTFOUND 602
MTCTISESS_CALLCONTROL_MAXCALLS 603
MTCTISESS_CALLCONTROL_BADACCT 604
MTCTISESS_CALLCONTROL_BDAUTH 605
MTCTISESS_CALLCONTROL_TARGETNOTFOUND 606
MTCTISESS_CALLCONTROL_PERMISSION 607
MTCTISESS_CALLCONTROL_BADFORMATTING 608
MTCTISESS_CALLCONTROL_INVALIDCALLSTATE 609
MTCTISESS_CALLCONTROL_CANTBEDONE 610
MTCTISESS_CALLCONTROL_NOCOVERAGE 611
MTCTISESS_CALLCONTROL_TRANSFERFAILED 612
MTCTISESS_CALLCONTROL_PARKFAILED 613
MTCTISESS_CALLCONTROL_OTHERNOTFOUND 614
MTCTISESS_CALLCONTROL_CANTCOMPLETE 615
MTCTISESS_CALLCONTROL_UNSUPPORTED 616
MTCTISESS_CALLCONTROL_ALREADYDONE 617
MTCTISESS_REQUESTFAILED 5000
MTCTISESS_REQUESTTIMEOUT 5001
MTCTISESS_REQUEST_INVALID_PAYLOAD 5002
MTCTISESS_REQUEST_INVALID_CONTEXT 5003
"""

# §6.2: arg1 length bounds per action
ARG1_LIMITS = {
    "BlindTransfer": (1, 78),
    "Redirect": (1, 78),
    "Dial": (1, 78),
    "AddToConf": (1, 78),
    "SetupTransfer": (0, 78),
    "SetupConf": (0, 78),
    "Park": (1, 9),
    "SetAccountCode": (0, 15),
    "SetAuthCode": (0, 15),
    "GenerateDigits": (1, 32),
}


def _action(name: str) -> int:
    """The CallFunction.Action number for its vendor name."""
    return CallFunction.Action.Value(name)


def test_call_features_match_spec_table() -> None:
    expected = {name: 1 << int(bit) for bit, name, _ in _ROWS}
    assert {member.name: member.value for member in CallFeature} == expected


def test_action_feature_map_matches_spec_table() -> None:
    expected = {
        _action(action): CallFeature[name]
        for _, name, actions in _ROWS
        for action in actions.split(",")
    }
    assert ACTION_FEATURE == expected
    assert ACTION_FEATURE2 == {_action("AnswerPage"): CallFeature2.AnswerPage}
    assert CallFeature2.AnswerPage == 0x1


def test_unsupported_actions_have_no_feature_bit() -> None:
    """SetNotes and ShortCodeAction are "not supported in this release"."""
    advertised = ACTION_FEATURE.keys() | ACTION_FEATURE2.keys()
    for name in (
        "None",
        "SetNotes",
        "ShortCodeAction",
        "Unused21",
        "Unused31",
        "Unused33",
    ):
        assert _action(name) not in advertised


def test_any_combination_of_call_features_is_a_valid_int32() -> None:
    """Only raw masks with the undocumented bit 31 need wire.to_int32."""
    everything = 0
    for member in CallFeature:
        everything |= member
    assert everything < 2**31


@pytest.mark.parametrize(
    ("mask", "labels", "unlabelled"),
    DOC_EXAMPLES,
    ids=[hex(row[0]) for row in DOC_EXAMPLES],
)
def test_doc_labelled_examples_decompose(
    mask: int, labels: str, unlabelled: int
) -> None:
    combined = unlabelled
    for label in labels.split():
        combined |= DOC_LABELS[label]
    assert combined == mask


def test_user_features_match_spec_table() -> None:
    assert {member.name: member.value for member in UserFeature} == USER_FEATURES


def test_result_codes_match_spec_table() -> None:
    expected = {
        name: int(code)
        for name, code in (line.split() for line in RESULT_CODES.strip().splitlines())
    }
    assert {member.name: member.value for member in ResultCode} == expected


def test_transport_names() -> None:
    """§1.1, §1.2, §1.8."""
    assert constants.PATH == "/tpkt/openapi"
    assert constants.PATH_NOFRAMING == "/tpkt/openapinoframing"
    assert constants.SUBPROTOCOL == "openapi"
    assert constants.SUBPROTOCOL_NOFRAMING == "openapinoframing"
    assert constants.SERVER_HEADER == "IPOffice/WebSocketServer/"
    assert constants.FRAME_MARKER == bytes([0, 0, 0, 1])


def test_limits() -> None:
    """§6.2."""
    assert constants.MAX_CONNECTIONS == 10
    assert constants.SINGLE_SUBSCRIPTIONS == {"lines", "parkserver", "refreshwrapper"}
    assert (constants.PRESENCE_TIMEOUT_MIN, constants.PRESENCE_TIMEOUT_MAX) == (
        60,
        86400,
    )
    assert constants.ABSENCE_TEXT_MAX == 21
    assert constants.APP_PRESENCE_MAX == 34
    assert constants.TAG_MAX == 127
    assert constants.SET_PRIORITY_ARG1 == {"1", "2", "3"}
    assert constants.FINISH_ARG1 == {"", "1"}
    assert ARG1_LENGTH == {
        _action(name): bounds for name, bounds in ARG1_LIMITS.items()
    }


def test_single_subscriptions_name_subscribe_payloads() -> None:
    payloads = {
        field.name for field in Subscribe.DESCRIPTOR.oneofs_by_name["payload"].fields
    }
    assert constants.SINGLE_SUBSCRIPTIONS <= payloads
