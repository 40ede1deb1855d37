"""The MTCTI-3 schema against the field tables of spec/mtcti3.md section 2.

Clients built from Avaya's ipo_mtcti3.proto only interoperate if every field
number, type and enum value is identical, so the tables are embedded here
(transcribed from spec/mtcti3.md sections 2.1-2.9; the tests must run where
the spec folder is absent) and compared with the compiled descriptors, both
ways: nothing missing, nothing extra.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor

import ctiswitch
from ctiswitch.faces.mtcti3 import mtcti3_pb2

# message, number, field, type, "rep" if repeated, oneof ("-": none)
FIELDS = """
Message                  1 response             RequestResponse              -   payload
Message                  2 generalcmd           GeneralCmd                   -   payload
Message                  3 subscribe            Subscribe                    -   payload
Message                  4 subscribecmd         SubscribeCmd                 -   payload
Message                  5 subscribeend         SubscribeEnd                 -   payload
Message                  6 subscribeterminated  SubscribeTerminated          -   payload
Message                  7 generaldata          GeneralData                  -   payload
Message                  8 notify               Notify                       -   payload
Message                  9 notifyack            NotifyAck                    -   payload
Subscribe                1 requestid            int32                        -   -
Subscribe                2 subscribe_id         int32                        -   -
Subscribe                3 timeout              int32                        -   -
Subscribe                4 label                string                       -   -
Subscribe               10 presence             SubscribePresence            -   payload
Subscribe               40 lines                SubscribeLines               -   payload
Subscribe               41 user                 SubscribeUser                -   payload
Subscribe               42 queue                SubscribeQueue               -   payload
Subscribe               43 parkserver           SubscribeParkServer          -   payload
Subscribe               45 refreshwrapper       SubscribeRefreshWrapper      -   payload
SubscribeCmd             1 requestid            int32                        -   -
SubscribeCmd             2 subscribe_id         int32                        -   -
SubscribeCmd             3 timeout              int32                        -   payload
SubscribeCmd            10 presence             UpdatePresence               -   payload
SubscribeCmd            14 callcontrol          UpdateCallControl            -   payload
SubscribeCmd            41 user                 UpdateUser                   -   payload
SubscribeCmd            42 queue                UpdateQueue                  -   payload
SubscribeEnd             1 requestid            int32                        -   -
SubscribeEnd             2 subscribe_id         int32                        -   -
SubscribeEnd             3 reason               string                       -   -
SubscribeTerminated      1 subscribe_id         int32                        -   -
SubscribeTerminated      2 reason               string                       -   -
RequestResponse          1 requestid            int32                        -   -
RequestResponse          2 result               int32                        -   -
RequestResponse          3 additional           string                       -   -
Notify                   1 subscribe_id         int32                        -   -
Notify                   2 notify_id            int32                        -   -
Notify                   3 label                string                       -   -
Notify                  10 presence             NotifyPresence               -   payload
Notify                  14 callcontrol          NotifyCallControl            -   payload
Notify                  40 lines                NotifyLines                  -   payload
Notify                  41 user                 NotifyUser                   -   payload
Notify                  42 queue                NotifyQueue                  -   payload
Notify                  43 parkserver           NotifyParkServer             -   payload
Notify                  45 refreshwrapper       NotifyRefreshWrapper         -   payload
NotifyAck                1 subscribe_id         int32                        -   -
NotifyAck                2 notify_id            int32                        -   -
GeneralCmd               1 requestid            int32                        -   -
GeneralCmd               6 getfile              GetFile                      -   payload
GeneralData              1 responseid           int32                        -   -
GeneralData              6 getfile              GetFileResponse              -   payload
GetFile                  1 cmdinst              int32                        -   -
GetFile                  2 fname                string                       -   -
GetFileResponse          1 cmdinst              int32                        -   -
GetFileResponse          2 fname                string                       -   -
GetFileResponse          3 result               int32                        -   -
GetFileResponse          4 payload              bytes                        -   -
SubscribePresence        1 entry                Presentity                   rep -
SubscribePresence        2 flags                int32                        -   -
Presentity               1 presentity           string                       -   -
Presentity               2 lref                 int32                        -   -
UpdatePresence           1 add                  Presentity                   rep -
UpdatePresence           2 remove               Presentity                   rep -
NotifyPresence           1 full                 int32                        -   -
NotifyPresence           2 entry                NotifyPresentity             rep -
NotifyPresentity         1 presentity           string                       -   -
NotifyPresentity         2 lref                 int32                        -   -
NotifyPresentity         3 sac                  bool                         -   -
NotifyPresentity         4 phonestate           int32                        -   -
NotifyPresentity         5 absence              Absence                      -   -
NotifyPresentity         6 app                  string                       -   -
NotifyPresentity         7 fwdu                 bool                         -   -
NotifyPresentity         8 vmunread_messages    int32                        -   -
NotifyPresentity         9 noapphandler         bool                         -   -
Absence                  1 msg                  int32                        -   -
Absence                  2 str                  string                       -   -
SubscribeLines           1 flags                int32                        -   -
NotifyLines              1 flags                int32                        -   -
NotifyLines              2 adduser              LinesUser                    rep -
NotifyLines              3 addqueue             LinesQueue                   rep -
NotifyLines              4 deleteuser           LinesUser                    rep -
NotifyLines              5 deletequeue          LinesQueue                   rep -
NotifyLines              6 changeuser           LinesUser                    rep -
NotifyLines              7 changequeue          LinesQueue                   rep -
LinesUser                1 guid                 bytes                        -   -
LinesQueue               1 guid                 bytes                        -   -
LinesUser                2 extn                 string                       -   -
LinesQueue               2 extn                 string                       -   -
LinesUser                3 name                 string                       -   -
LinesQueue               3 name                 string                       -   -
SubscribeUser            1 guid                 bytes                        -   -
SubscribeUser            2 flags                int32                        -   -
SubscribeUser            3 ccflags              int32                        -   -
NotifyUser               2 extn                 string                       -   -
NotifyUser               3 name                 string                       -   -
NotifyUser               4 fullname             string                       -   -
NotifyUser               5 katakananame         string                       -   -
NotifyUser               6 email                string                       -   -
NotifyUser               7 featuresavailable    int32                        -   -
NotifyUser               8 language             string                       -   -
NotifyUser               9 dnd                  bool                         -   -
NotifyUser              10 barred               bool                         -   -
NotifyUser              11 xdirectory           bool                         -   -
NotifyUser              12 voicemail            bool                         -   -
NotifyUser              13 loggedinextn         string                       -   -
NotifyUser              14 extnfault            bool                         -   -
NotifyUser              15 loggedoff            bool                         -   -
NotifyUser              16 absence              Absence                      -   -
NotifyUser              17 mailbox              Mailbox                      -   -
NotifyUser              18 app                  string                       -   -
NotifyUser              19 noapphandler         bool                         -   -
NotifyUser              20 ec500                bool                         -   -
NotifyUser              21 fwdu                 bool                         -   -
NotifyUser              22 fwdb                 bool                         -   -
NotifyUser              23 fwdna                bool                         -   -
NotifyUser              24 fwdhg                bool                         -   -
NotifyUser              25 fwdunumber           string                       -   -
NotifyUser              26 fwdbnumber           string                       -   -
NotifyUser              27 fwdtovm              bool                         -   -
NotifyUser              28 offswitch            bool                         -   -
Mailbox                  1 newmessages          int32                        -   -
Mailbox                  2 oldmessages          int32                        -   -
Mailbox                  3 savedmessages        int32                        -   -
UpdateUser               1 sac                  UpdateUserSAC                -   -
UpdateUser               2 absence              UpdateUserAbsence            -   -
UpdateUser               3 ec500                UpdateUserEC500              -   -
UpdateUser               4 shortcodedata        ShortCodeData                rep -
UpdateUser               7 loginextn            UpdateUserLoginExtn          -   -
UpdateUser               8 app                  UpdateUserApp                -   -
UpdateUser               9 fwdu                 UpdateUserFwdU               -   -
UpdateUserSAC            1 set                  int32                        -   -
UpdateUserEC500          1 set                  int32                        -   -
UpdateUserAbsence        1 set                  int32                        -   -
UpdateUserAbsence        2 absence              Absence                      -   -
UpdateUserLoginExtn      1 extn                 string                       -   -
UpdateUserLoginExtn      2 password             string                       -   -
UpdateUserLoginExtn      3 teleworkerconnection TeleworkerConnection         -   -
TeleworkerConnection     1 number               string                       -   -
TeleworkerConnection     2 holdlineopen         bool                         -   -
TeleworkerConnection     3 testconnection       int32                        -   -
UpdateUserApp            1 value                string                       -   -
UpdateUserApp            2 makelive             bool                         -   -
UpdateUserApp            3 makedead             bool                         -   -
UpdateUserFwdU           1 set                  bool                         -   -
UpdateUserFwdU           2 fwdu_number          string                       -   -
UpdateUserFwdU           3 fwdtovm              bool                         -   -
ShortCodeData            1 code                 int32                        -   -
ShortCodeData            2 val                  string                       -   -
ShortCodeData            3 onbehalf             string                       -   -
SubscribeQueue           1 guid                 bytes                        -   -
SubscribeQueue           2 flags                int32                        -   -
SubscribeQueue           3 ccflags              int32                        -   -
SubscribeQueue           4 name                 string                       -   -
NotifyQueue              2 extn                 string                       -   -
NotifyQueue              3 name                 string                       -   -
NotifyQueue              4 katakananame         string                       -   -
NotifyQueue              5 email                string                       -   -
NotifyQueue              6 ringmode             int32                        -   -
NotifyQueue              7 noanswertime         int32                        -   -
NotifyQueue              8 voicemail            bool                         -   -
NotifyQueue              9 voicemailtime        int32                        -   -
NotifyQueue             10 servicemode          NotifyQueue.ServiceMode      -   -
NotifyQueue             11 queuemembers         QueueMembers                 -   -
NotifyQueue             12 mailbox              Mailbox                      -   -
QueueMembers             1 member               QueueMember                  rep -
QueueMember              1 extn                 string                       -   -
QueueMember              2 disabled             bool                         -   -
UpdateQueue              1 setservicemode       SetServiceMode               -   -
UpdateQueue              2 setvoicemail         SetVoicemail                 -   -
UpdateQueue              3 members              QueueMembers                 -   -
UpdateQueue              4 addmember            QueueMember                  rep -
UpdateQueue              5 deletemember         QueueMember                  rep -
SetServiceMode           1 servicemode          SetServiceMode.ServiceMode   -   -
SetVoicemail             1 enabled              bool                         -   -
SubscribeParkServer      1 flags                int32                        -   -
SubscribeParkServer      2 ccflags              int32                        -   -
NotifyParkServer         1 dummy                int32                        -   -
SubscribeRefreshWrapper  1 dummy                int32                        -   -
NotifyRefreshWrapper     1 dummy                int32                        -   -
NotifyCallControl        1 refreshinstance      int32                        -   -
NotifyCallControl        2 callinfo             CallInfo                     rep -
NotifyCallControl        3 calllost             CallLost                     rep -
CallInfo                 2 callid               int32                        -   -
CallInfo                 3 referencecallid      int32                        -   -
CallInfo                 4 relatedcallid        int32                        -   -
CallInfo                 5 state                CallInfo.State               -   -
CallInfo                 6 direction            CallInfo.Direction           -   -
CallInfo                 7 activeheld           bool                         -   -
CallInfo                 8 gcid                 bytes                        -   -
CallInfo                 9 featuresavailable    int32                        -   -
CallInfo                10 calledparty          string                       -   -
CallInfo                11 callingparty         PartyInfo                    -   -
CallInfo                12 connectedparty       PartyInfo                    -   -
CallInfo                13 originalcalledparty  PartyInfo                    -   -
CallInfo                14 tag                  string                       -   -
CallInfo                15 accountcode          string                       -   -
CallInfo                16 mute                 bool                         -   -
CallInfo                17 failedcause          CallInfo.FailedCause         -   -
CallInfo                18 featuresavailable2   int32                        -   -
CallInfo                19 recording            bool                         -   -
CallInfo                20 parkslot             string                       -   -
CallInfo                21 absence              Absence                      -   -
CallInfo                22 recordingpaused      bool                         -   -
CallInfo                23 pagecall             bool                         -   -
CallInfo                50 remoteinfo           EndInfo                      -   -
CallInfo                51 localinfo            EndInfo                      rep -
CallInfo                52 conferencemember     ConferenceMember             rep -
CallInfo                53 dialinfo             DialInfo                     -   -
CallInfo                54 trunkinfo            TrunkInfo                    -   -
CallInfo                55 queueinfo            QueueInfo                    -   -
CallInfo                56 calldata             CallData                     -   -
CallInfo                62 notes                Notes                        -   -
CallInfo                63 ucid                 UCID                         -   -
CallInfo                64 pintrinsics          PIntrinsics                  -   -
CallInfo                67 targets              Targets                      -   -
CallLost                 1 callid               int32                        -   -
CallLost                 2 referencecallid      int32                        -   -
CallLost                 3 reason               int32                        -   -
CallLost                 4 thisenddropped       bool                         -   -
CallLost                 5 description          string                       -   -
PartyInfo                1 numbertype           int32                        -   -
PartyInfo                2 number               string                       -   -
PartyInfo                3 subaddr              string                       -   -
PartyInfo                4 name                 string                       -   -
PartyInfo                5 nametype             int32                        -   -
PartyInfo                6 withheld             bool                         -   -
PartyInfo                7 diversionreason      int32                        -   -
DialInfo                 1 number               string                       -   -
DialInfo                 2 calltype             int32                        -   -
DialInfo                 3 withholdcli          bool                         -   -
DialInfo                 4 hidenumber           bool                         -   -
DialInfo                 5 complete             bool                         -   -
DialInfo                 6 madn                 string                       -   -
DialInfo                 7 subaddr              string                       -   -
DialInfo                 8 allowcli             bool                         -   -
DialInfo                 9 explicitcli          string                       -   -
TrunkInfo                1 trunktype            TrunkInfo.TrunkType          -   -
TrunkInfo                5 did                  string                       -   -
QueueInfo                3 number               string                       -   -
QueueInfo                4 name                 string                       -   -
QueueInfo                5 priority             int32                        -   -
QueueInfo                6 overflow_number      string                       -   -
QueueInfo                7 overflow_name        string                       -   -
EndInfo                  1 gcid                 bytes                        -   -
EndInfo                  2 deviceclass          int32                        -   -
EndInfo                  3 devicetype           int32                        -   -
EndInfo                  4 deviceinstance       int32                        -   -
EndInfo                  5 teleworker           string                       -   -
Target                   1 partyinfo            PartyInfo                    -   -
Targets                  1 target               Target                       rep -
PIntrinsics              1 pintrinsics          bytes                        -   -
UCID                     1 ucid                 bytes                        -   -
Notes                    1 notes                string                       -   -
CallData                 1 language             string                       -   -
CallData                 2 emergency            bool                         -   -
CallData                 3 privacy              bool                         -   -
CallData                 4 secure               bool                         -   -
CallData                 5 rprivacy             bool                         -   -
ConferenceMember         2 lref                 int32                        -   -
ConferenceMember         5 state                ConferenceMember.State       -   -
ConferenceMember         6 direction            ConferenceMember.Direction   -   -
ConferenceMember         7 activeheld           bool                         -   -
ConferenceMember        10 calledparty          string                       -   -
ConferenceMember        12 connectedparty       PartyInfo                    -   -
ConferenceMember        16 mute                 bool                         -   -
ConferenceMember        17 failedcause          ConferenceMember.FailedCause -   -
UpdateCallControl        1 callid               int32                        -   -
UpdateCallControl        2 referencecallid      int32                        -   -
UpdateCallControl        3 makecall             MakeCall                     -   -
UpdateCallControl        4 callfunction         CallFunction                 -   -
UpdateCallControl        6 unparkcall           UnParkCall                   -   -
UpdateCallControl        8 devicehint           UpdateCallControl.Device     -   -
MakeCall                 1 target               string                       -   -
MakeCall                 2 type                 int32                        -   -
MakeCall                 3 advanced             AdvancedMakeCall             -   -
AdvancedMakeCall         1 accountcode          string                       -   -
AdvancedMakeCall         2 authcode             string                       -   -
AdvancedMakeCall         3 tag                  string                       -   -
AdvancedMakeCall         4 subaddr              string                       -   -
AdvancedMakeCall         5 withholdcli          bool                         -   -
AdvancedMakeCall         6 privacy              bool                         -   -
AdvancedMakeCall         7 madn                 string                       -   -
AdvancedMakeCall         8 allowcli             bool                         -   -
AdvancedMakeCall        10 explicitcli          string                       -   -
AdvancedMakeCall        11 proxyorigin          string                       -   -
UnParkCall               1 parkid               string                       -   -
CallFunction             1 action               CallFunction.Action          -   -
CallFunction             2 arg1                 string                       -   -
CallFunction             3 shortcodedata        ShortCodeData                -   -
CallFunction             4 memberfunctiondata   MemberFunctionData           -   -
CallFunction             5 callinst             CallInstance                 rep -
CallFunction             6 agentrecording       AgentRecordingControl        -   -
CallFunction             8 tapimoh              bool                         -   -
CallInstance             1 callid               int32                        -   -
CallInstance             2 referencecallid      int32                        -   -
MemberFunctionData       1 lref                 int32                        -   -
MemberFunctionData       2 action               MemberFunctionData.Action    -   -
AgentRecordingControl    1 pause                bool                         -   -
AgentRecordingControl    2 resume               bool                         -   -
"""

# Enum values, as listed in spec/mtcti3.md sections 2.6, 2.8 and 2.9.
_CALL_STATES = (
    "UNKNOWN DIALTONE DIALLING DIALLED RINGING RINGBACK CONNECTED ONHOLD "
    "ONHOLDPENDTRANSFER ONHOLDPENDCONF DISCONNECTED BUSY FAILED WAITINGFORACCT "
    "WAITINGFORAUTH WAITINGFORLINE REMINDER AFTERCALLWORK RINGINGDIVERT "
    "RINGINGVOICEMAIL ANSWEREDBYVOICEMAIL LEAVINGVOICEMAILMESSAGE QUEUEING RETARGETING"
).split()
_FAILED_CAUSES = (
    "UNSET UNSPECIFIED UNALLOCATEDNUMBER REJECTED NUMBEROOO NETWORKOOO BARRED "
    "NOCHANNEL NOACCOUNTCODE NOAUTHCODE NOLICENCE LOCALRESOURCES BANDWIDTH "
    "COMPATIBILITY CANTRECORD NORESPONSE"
).split()
_DIRECTIONS = "UNDEFINED OUTBOUND INBOUND PICKUP".split()
_SERVICE_MODES = "Unset Active NS OOS".split()
_ACTIONS = (
    "None DropCall AnswerCall HoldCall UnHoldCall BlindTransfer Redirect Dial Park "
    "SetupTransfer SetupConf CompleteTransfer CompleteConf AddToConf MemberFunction "
    "SetTag SetAccountCode SetNotes PushToEC500 GenerateDigits ShortCodeAction "
    "Unused21 AnswerPage ForceClear SetAuthCode CallRecordingOn CallRecordingOff "
    "PrivacyOn PrivacyOff MuteOn MuteOff Unused31 AgentRecordingControl Unused33 "
    "SetPriority Finish"
).split()

# Every enum of the schema; each is numbered 0, 1, 2, ... in listed order.
ENUMS: dict[str, list[str]] = {
    "CallInfo.State": _CALL_STATES,
    "CallInfo.Direction": _DIRECTIONS,
    "CallInfo.FailedCause": _FAILED_CAUSES,
    "ConferenceMember.State": _CALL_STATES[:16],
    "ConferenceMember.Direction": _DIRECTIONS,
    "ConferenceMember.FailedCause": _FAILED_CAUSES[:15],
    "NotifyQueue.ServiceMode": _SERVICE_MODES,
    "SetServiceMode.ServiceMode": _SERVICE_MODES,
    "TrunkInfo.TrunkType": (
        "NoTrunk TrunkSIP TrunkISDN TrunkH323 TrunkT1 TrunkR2 TrunkAlog".split()
    ),
    "UpdateCallControl.Device": "UNSPECIFIED DESK MOBILEANY SOFTPHONEANY".split(),
    "CallFunction.Action": _ACTIONS,
    "MemberFunctionData.Action": "None DropCall MuteOn MuteOff".split(),
}

_SCALARS = {
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
    FieldDescriptor.TYPE_BOOL: "bool",
}


def _expected_fields() -> dict[str, dict[str, tuple[int, str, bool, str]]]:
    """Parse FIELDS into {message: {field: (number, type, repeated, oneof)}}."""
    table: dict[str, dict[str, tuple[int, str, bool, str]]] = {}
    for line in FIELDS.strip().splitlines():
        message, number, field, type_, repeated, oneof = line.split()
        row = (int(number), type_, repeated == "rep", oneof)
        table.setdefault(message, {})[field] = row
    return table


EXPECTED = _expected_fields()


def _all_messages() -> dict[str, Descriptor]:
    """Every message of the file, nested ones included, by full name."""
    found: dict[str, Descriptor] = {}
    pending = list(mtcti3_pb2.DESCRIPTOR.message_types_by_name.values())
    while pending:
        descriptor = pending.pop()
        found[descriptor.full_name] = descriptor
        pending.extend(descriptor.nested_types)
    return found


def _describe(field: FieldDescriptor) -> tuple[int, str, bool, str]:
    """The (number, type, repeated, oneof) row of FIELDS that ``field`` matches."""
    if field.message_type is not None:
        type_ = field.message_type.full_name
    elif field.enum_type is not None:
        type_ = field.enum_type.full_name
    else:
        type_ = _SCALARS[field.type]
    oneof = field.containing_oneof.name if field.containing_oneof else "-"
    return field.number, type_, field.is_repeated, oneof


def test_file_has_no_package() -> None:
    """Section 1.6: the vendor file has no package, so names are `.Message`..."""
    assert mtcti3_pb2.DESCRIPTOR.package == ""
    assert mtcti3_pb2.Message.DESCRIPTOR.full_name == "Message"


def test_message_count_is_68() -> None:
    """Section 2.10: the vendor schema has 68 messages."""
    assert len(EXPECTED) == 68
    assert sorted(_all_messages()) == sorted(EXPECTED)


@pytest.mark.parametrize("message", sorted(EXPECTED))
def test_fields_match_spec_tables(message: str) -> None:
    descriptor = _all_messages()[message]
    actual = {field.name: _describe(field) for field in descriptor.fields}
    assert actual == EXPECTED[message]


@pytest.mark.parametrize("enum", sorted(ENUMS))
def test_enum_values_match_spec(enum: str) -> None:
    message, name = enum.split(".")
    descriptor = _all_messages()[message].enum_types_by_name[name]
    actual = [(value.name, value.number) for value in descriptor.values]
    assert actual == [(value, number) for number, value in enumerate(ENUMS[enum])]


def test_every_enum_is_listed() -> None:
    listed = {
        enum.full_name
        for message in _all_messages().values()
        for enum in message.enum_types
    }
    assert listed == set(ENUMS)
    assert not mtcti3_pb2.DESCRIPTOR.enum_types_by_name


def _serialized_descriptor(generated: Path) -> bytes:
    """The descriptor bytes a protoc-generated _pb2 module registers."""
    for node in ast.walk(ast.parse(generated.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "AddSerializedFile"
        ):
            argument = node.args[0]
            assert isinstance(argument, ast.Constant) and isinstance(
                argument.value, bytes
            )
            return argument.value
    raise AssertionError(f"no AddSerializedFile call in {generated}")


def test_committed_pb2_is_generated_from_the_proto(tmp_path: Path) -> None:
    """mtcti3_pb2.py is committed; it must be what protoc makes of mtcti3.proto."""
    pytest.importorskip(
        "grpc_tools.protoc",
        reason="grpcio-tools (a test extra) is needed to regenerate mtcti3_pb2.py",
    )
    root = Path(ctiswitch.__file__).resolve().parent.parent
    proto = "ctiswitch/faces/mtcti3/mtcti3.proto"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            "-I.",
            f"--python_out={tmp_path}",
            proto,
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    regenerated = _serialized_descriptor(
        tmp_path / "ctiswitch/faces/mtcti3/mtcti3_pb2.py"
    )
    assert regenerated == mtcti3_pb2.DESCRIPTOR.serialized_pb
