"""MTCTI-3 protocol constants, spelled exactly as the vendor spells them.

Real client applications compare these names and numbers byte for byte, so
every value here is copied from spec/mtcti3.md (section given per block) and
pinned by tests; nothing is derived by formula, because the vendor's bit
positions do not follow one (section 5.1).
"""

from enum import IntEnum, IntFlag
from typing import Final

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction

# --- Transport (section 1.1, 1.2, 1.8) ---------------------------------------

PATH: Final = "/tpkt/openapi"
"""The framed endpoint: every WebSocket message starts with FRAME_MARKER."""

PATH_NOFRAMING: Final = "/tpkt/openapinoframing"
"""The unframed endpoint: WebSocket messages carry bare ``Message`` bytes
(DECISION A1: "tpkt/openapinoframing" is read as a path)."""

SUBPROTOCOL: Final = "openapi"
"""The ``Sec-WebSocket-Protocol`` value clients offer and the server echoes."""

SUBPROTOCOL_NOFRAMING: Final = "openapinoframing"
"""Tolerated alias offered by clients that read the noframing name as a
subprotocol rather than a path (DECISION A1)."""

SERVER_HEADER: Final = "IPOffice/WebSocketServer/"
"""The ``Server`` header of a real IP Office's 101 response."""

FRAME_MARKER: Final = b"\x00\x00\x00\x01"
"""The constant 4-octet type marker ("framed protocol buffer"), not a length."""


# --- CallInfo.featuresavailable (section 5.1) --------------------------------


class CallFeature(IntFlag):
    """Bits of ``CallInfo.featuresavailable``: the call actions possible now.

    Member names are the DOC's feature names with the spaces removed. The
    reserved bits 15, 18, 19 and the undocumented bit 31 have no member; every
    combination of members is therefore below 2**31 and a valid int32 as is
    (a raw IP Office mask with bit 31 needs ``wire.to_int32``).
    """

    Drop = 0x00000001
    AnswerCall = 0x00000002
    HoldCall = 0x00000004
    UnHoldCall = 0x00000008
    BlindTransfer = 0x00000010
    Redirect = 0x00000020
    Dial = 0x00000040
    Park = 0x00000080
    SetupTransfer = 0x00000100
    CompleteTransfer = 0x00000200
    CompleteConf = 0x00000400
    AddToConf = 0x00000800
    AdminConfMember = 0x00001000
    SetTag = 0x00002000
    SetAccountCode = 0x00004000
    PushToEC500 = 0x00010000
    GenerateDigits = 0x00020000
    RecordingPauseControl = 0x00100000
    ForceClear = 0x00200000
    SetAuthCode = 0x00400000
    CallRecordingOn = 0x00800000
    CallRecordingOff = 0x01000000
    PrivacyOn = 0x02000000
    PrivacyOff = 0x04000000
    MuteOn = 0x08000000
    MuteOff = 0x10000000
    SetPriority = 0x20000000
    Finish = 0x40000000


class CallFeature2(IntFlag):
    """Bits of ``CallInfo.featuresavailable2``; only bit 0 is defined."""

    AnswerPage = 0x00000001


ACTION_FEATURE: Final[dict[int, CallFeature]] = {
    CallFunction.DropCall: CallFeature.Drop,
    CallFunction.AnswerCall: CallFeature.AnswerCall,
    CallFunction.HoldCall: CallFeature.HoldCall,
    CallFunction.UnHoldCall: CallFeature.UnHoldCall,
    CallFunction.BlindTransfer: CallFeature.BlindTransfer,
    CallFunction.Redirect: CallFeature.Redirect,
    CallFunction.Dial: CallFeature.Dial,
    CallFunction.Park: CallFeature.Park,
    CallFunction.SetupTransfer: CallFeature.SetupTransfer,
    CallFunction.SetupConf: CallFeature.SetupTransfer,
    CallFunction.CompleteTransfer: CallFeature.CompleteTransfer,
    CallFunction.CompleteConf: CallFeature.CompleteConf,
    CallFunction.AddToConf: CallFeature.AddToConf,
    CallFunction.MemberFunction: CallFeature.AdminConfMember,
    CallFunction.SetTag: CallFeature.SetTag,
    CallFunction.SetAccountCode: CallFeature.SetAccountCode,
    CallFunction.PushToEC500: CallFeature.PushToEC500,
    CallFunction.GenerateDigits: CallFeature.GenerateDigits,
    CallFunction.AgentRecordingControl: CallFeature.RecordingPauseControl,
    CallFunction.ForceClear: CallFeature.ForceClear,
    CallFunction.SetAuthCode: CallFeature.SetAuthCode,
    CallFunction.CallRecordingOn: CallFeature.CallRecordingOn,
    CallFunction.CallRecordingOff: CallFeature.CallRecordingOff,
    CallFunction.PrivacyOn: CallFeature.PrivacyOn,
    CallFunction.PrivacyOff: CallFeature.PrivacyOff,
    CallFunction.MuteOn: CallFeature.MuteOn,
    CallFunction.MuteOff: CallFeature.MuteOff,
    CallFunction.SetPriority: CallFeature.SetPriority,
    CallFunction.Finish: CallFeature.Finish,
}
"""The featuresavailable bit that advertises each CallFunction.Action.

SetupTransfer and SetupConf share bit 8. AnswerPage is advertised in
featuresavailable2 (ACTION_FEATURE2). SetNotes and ShortCodeAction have no bit:
they are "not supported in this release".
"""

ACTION_FEATURE2: Final[dict[int, CallFeature2]] = {
    CallFunction.AnswerPage: CallFeature2.AnswerPage,
}
"""The featuresavailable2 bit that advertises each CallFunction.Action."""


# --- NotifyUser.featuresavailable (section 4.3) ------------------------------


class UserFeature(IntFlag):
    """Bits of ``NotifyUser.featuresavailable``: user-level permissions."""

    VALID = 0x001
    SAC = 0x002
    ABSENCE = 0x004
    EC500 = 0x008
    LOGIN = 0x010
    SHORTCODE = 0x020
    MAKECALL = 0x040
    FWDU = 0x080
    DFOI = 0x100
    APP = 0x200


# --- RequestResponse.result (section 6.1) ------------------------------------


class ResultCode(IntEnum):
    """Values of ``RequestResponse.result``; the schema has no enum for them.

    Names are the DOC's, including its spelling ``..._BDAUTH``.
    """

    MTCTISESS_SUCCESS = 0
    MTCTISESS_ERRUNKNOWN = 1
    MTCTISESS_UNPACKERR = 2
    MTCTISESS_NOTINSTRUMENTED = 3
    MTCTISESS_NOTFOUND = 4
    MTCTISESS_TOOMANY = 5
    MTCTISESS_TOOBIG = 6
    MTCTISESS_USERNOTFOUND = 7
    MTCTISESS_SERVICE_NOT_AVAILABLE = 8
    MTCTISESS_NOTALLOWED = 9
    MTCTISESS_SUBSCRIPTION_INVALID = 100
    MTCTISESS_SUBSCRIPTION_INVALID_ID = 101
    MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL = 102
    MTCTISESS_GENCMD_ERRUNKNOWN = 150
    MTCTISESS_GENCMD_INVALID_PAYLOAD = 151
    MTCTISESS_GENCMD_REQUIRED_DATA_MISSING = 152
    MTCTISESS_PRESENCE_ERRUNKNOWN = 500
    MTCTISESS_CALLCONTROL_NOPHONE = 600
    MTCTISESS_CALLCONTROL_EXTNFAULT = 601
    MTCTISESS_CALLCONTROL_CALLNOTFOUND = 602
    MTCTISESS_CALLCONTROL_MAXCALLS = 603
    MTCTISESS_CALLCONTROL_BADACCT = 604
    MTCTISESS_CALLCONTROL_BDAUTH = 605
    MTCTISESS_CALLCONTROL_TARGETNOTFOUND = 606
    MTCTISESS_CALLCONTROL_PERMISSION = 607
    MTCTISESS_CALLCONTROL_BADFORMATTING = 608
    MTCTISESS_CALLCONTROL_INVALIDCALLSTATE = 609
    MTCTISESS_CALLCONTROL_CANTBEDONE = 610
    MTCTISESS_CALLCONTROL_NOCOVERAGE = 611
    MTCTISESS_CALLCONTROL_TRANSFERFAILED = 612
    MTCTISESS_CALLCONTROL_PARKFAILED = 613
    MTCTISESS_CALLCONTROL_OTHERNOTFOUND = 614
    MTCTISESS_CALLCONTROL_CANTCOMPLETE = 615
    MTCTISESS_CALLCONTROL_UNSUPPORTED = 616
    MTCTISESS_CALLCONTROL_ALREADYDONE = 617
    MTCTISESS_REQUESTFAILED = 5000
    MTCTISESS_REQUESTTIMEOUT = 5001
    MTCTISESS_REQUEST_INVALID_PAYLOAD = 5002
    MTCTISESS_REQUEST_INVALID_CONTEXT = 5003


# --- Limits (section 6.2) ------------------------------------------------------

MAX_CONNECTIONS: Final = 10
"""MTCTI-3 WebSocket connections allowed per IP Office."""

SINGLE_SUBSCRIPTIONS: Final = frozenset({"lines", "parkserver", "refreshwrapper"})
"""``Subscribe`` payloads (oneof field names) allowed once per connection."""

PRESENCE_TIMEOUT_MIN: Final = 60
PRESENCE_TIMEOUT_MAX: Final = 86400
"""Bounds, in seconds, of the timeout a presence subscription must carry."""

ABSENCE_TEXT_MAX: Final = 21
"""Characters of ``Absence.str``."""

APP_PRESENCE_MAX: Final = 34
"""Characters of the application presence string."""

ARG1_LENGTH: Final[dict[int, tuple[int, int]]] = {
    CallFunction.BlindTransfer: (1, 78),
    CallFunction.Redirect: (1, 78),
    CallFunction.Dial: (1, 78),
    CallFunction.AddToConf: (1, 78),
    CallFunction.SetupTransfer: (0, 78),
    CallFunction.SetupConf: (0, 78),
    CallFunction.Park: (1, 9),
    CallFunction.SetAccountCode: (0, 15),
    CallFunction.SetAuthCode: (0, 15),
    CallFunction.GenerateDigits: (1, 32),
}
"""Inclusive (min, max) length in characters of ``CallFunction.arg1`` per
action; outside it the answer is MTCTISESS_CALLCONTROL_BADFORMATTING."""

TAG_MAX: Final = 127
"""Characters kept of a SetTag arg1: a longer tag is truncated, not refused."""

SET_PRIORITY_ARG1: Final = frozenset({"1", "2", "3"})
"""The only SetPriority arguments: low, medium, high."""

FINISH_ARG1: Final = frozenset({"", "1"})
"""The only Finish arguments; "1" starts reporting on a new queue at once."""
