// ctiswitch's own IDL for the OpenScape Xpert Turret API.
//
// Written from the tables of spec/turret-and-sky.md section A1 (which
// tabulates the vendor's TurretApi.thrift, source S2) and the seed
// spec/seeds/000_14720ad7d13bbf08.txt (S1). No vendor file was copied.
// Everything that reaches the wire must match the vendor IDL exactly:
// type names, field ids and types, requiredness, enum values, service and
// method names, argument ids, oneway flags and spellings (including the
// lowercase "t" in getAvailableRingtransferSequences and the capital "E"
// in TurretApiException.ErrorCode). Real client applications are
// generated from the vendor file and depend on every one of them.

// A1 "Namespaces". Not on the wire; kept so generated code for other
// languages lands in the packages vendor clients import.
namespace cpp osxpert.turret.api
namespace java com.unify.osx.turret.api
namespace py unify.osx.turret.api

// ---------------------------------------------------------------------
// A1 "Typedefs"
// ---------------------------------------------------------------------

typedef string LineName
typedef i16 SpeechUnitId
typedef i32 TurretErrorCode

// ---------------------------------------------------------------------
// A1 "Constants": the error codes, all const i32. Global names; the
// global Unknown (9999) coexists with the enum values named Unknown.
// ---------------------------------------------------------------------

// General
const i32 Ok = 0
const i32 InvalidArgument = 1
const i32 InvalidSpeechUnit = 2
const i32 WrongLoginState = 3
const i32 CannotSendRequest = 4
const i32 LineUnavailable = 5
const i32 LineBusy = 6
const i32 SpeechUnitBusy = 7
const i32 InvalidLine = 8
const i32 NoIncomingCall = 9
const i32 LineIsNotRinging = 10
const i32 SpeechUnitHasNoCall = 11
const i32 NoFreeLineAvailable = 12
const i32 FunctionUnavailable = 13
const i32 NoConsultation = 14
const i32 LineIsNotInHold = 15

// Login responses (carried by TurretNotificationService.onLoginResponse)
const i32 LoginSuccessful = 400
const i32 NoConnectionToSm = 401
const i32 AuthenticationFailed = 402
const i32 DatabaseError = 403
const i32 UnknownProfile = 404
const i32 LdapError = 405
const i32 LicenseNotAvailable = 406
const i32 LoadTLSCertError = 407

// Ring transfer
const i32 InvalidRingTransfer = 600
const i32 RingTransferIsOnlyForSignalization = 601
const i32 RingTransferIsAlreadyInThatState = 602
const i32 RingTransferIsMissingOnServer = 603
const i32 RingTransferHasNoLocalInstance = 604
const i32 RingTransferControlledProfileLoggedOut = 605
const i32 RingTransferKagConflict = 606
const i32 RingTransferStateChangeTimeout = 607

// Ring transfer sequence
const i32 InvalidRingTransferSequence = 620
const i32 RingTransferSequenceIsOnlyForSignalization = 621
const i32 RingTransferSequenceIsAlreadyInThatState = 622
const i32 RingTransferSequenceIsNotInverting = 623
const i32 RingTransferSequenceIsMissingOnServer = 624
const i32 RingTransferSequenceStateChangeTimeout = 625

// Interface action
const i32 InvalidInterfaceAction = 640
const i32 InterfaceActionIsOnlyForSignalization = 641
const i32 InterfaceActionIsAlreadyInThatState = 642
const i32 InvalidInterfaceActionState = 643

const i32 Unknown = 9999

// ---------------------------------------------------------------------
// A1 "Enums". Enums travel as i32; values without a number count up.
// ---------------------------------------------------------------------

enum TurretState {
    Logout = 0,
    ReceiveCallsOnly = 1,
    Login = 2,
    Unknown = 0xff
}

enum DeviceType {
    Handset = 0,
    Headset = 1,
    MicrophoneWithoutSpeaker = 2,
    MicrophoneWithSpeaker = 3
}

// A line's state is a set of these: they are not mutually exclusive.
enum BasicLineState {
    Idle = 0,
    Ringing = 1,
    Connected = 2,
    Conversation = 3,
    ConversationByAnother = 4,
    PrivateHold = 5,
    PrivateHoldByAnother = 6,
    CommonHold = 7,
    CommonHoldByAnother = 8,
    Privacy = 9,
    PrivacyByAnother = 10,
    SpeechMonitoring = 11,
    ConferenceHold = 12,
    Inactive = 13,
    SpeechMonitoringByAnother = 14,
    Announcement = 15,
    Preseized = 16,
    PreseizedByAnother = 17,
    HostingQuickConference = 18,
    HostingConsultation = 19,
    HostingPbxConference = 20,
    ConsultationConnected = 21,
    Unknown = 0xff
}

enum RingTransferState {
    Active = 0,
    Inactive = 1
}

enum RingTransferSequenceState {
    Active = 0,
    Inactive = 1,
    PartiallyActive = 2
}

// Active, Inactive, then the letters A to Z: 28 values, 0..27.
enum InterfaceActionStateValue {
    Active = 0,
    Inactive = 1,
    State_A = 2,
    State_B = 3,
    State_C = 4,
    State_D = 5,
    State_E = 6,
    State_F = 7,
    State_G = 8,
    State_H = 9,
    State_I = 10,
    State_J = 11,
    State_K = 12,
    State_L = 13,
    State_M = 14,
    State_N = 15,
    State_O = 16,
    State_P = 17,
    State_Q = 18,
    State_R = 19,
    State_S = 20,
    State_T = 21,
    State_U = 22,
    State_V = 23,
    State_W = 24,
    State_X = 25,
    State_Y = 26,
    State_Z = 27
}

// Pressed/Released: push key; Clicked: switch key.
enum InterfaceActionKeyState {
    Pressed = 0,
    Released = 1,
    Clicked = 2
}

// ---------------------------------------------------------------------
// A1 "Structs and exception"
// ---------------------------------------------------------------------

struct ProfileInfo {
    1: required string name
}

struct SpeechUnitConfiguration {
    1: required SpeechUnitId id,
    2: required DeviceType deviceType
}

struct LineStatesData {
    1: required LineName lineName,
    2: required set<BasicLineState> basicLineStates
}

// Where the turret connects back to deliver notifications; turretName is
// echoed as the first argument of every notification.
struct SubscriberInfo {
    1: required string ipAddress,
    2: required i32 port,
    3: optional string turretName = ""
}

// Display rule: contactName if not empty, else "{partyNumber} {partyName}"
// if partyName is not empty, else partyNumber. active is false for the
// background leg of a consultation.
struct CallData {
    1: required LineName lineName,
    2: required string partyNumber,
    3: required string partyName,
    4: required string contactName,
    5: required string callId,
    6: required bool active
}

// Identifies a ring transfer or a ring transfer sequence.
struct RingTransferId {
    1: required string apiName,
    2: required string controlledProfileName
}

// The texts are optional only in setInterfaceActionState, where an unset
// text is left unchanged and "" restores the default text.
struct InterfaceActionState {
    1: required InterfaceActionStateValue state,
    2: optional string labelText,
    3: optional string firstLineText,
    4: optional string secondLineText
}

exception TurretApiException {
    1: required TurretErrorCode ErrorCode,
    2: required string ErrorAsString
}

// ---------------------------------------------------------------------
// A1 "Service TurretRequestService": the turret is the server (A2: TCP
// 9007). Four methods declare no throws: getProfileList, snapshotCalls,
// getLoginState, getVersion.
// ---------------------------------------------------------------------

service TurretRequestService {
    void requestNotifications(1: SubscriberInfo subscriberInfo)
        throws (1: TurretApiException ex),
    list<ProfileInfo> getProfileList(),
    string getLoggedInProfileName() throws (1: TurretApiException ex),
    list<SpeechUnitConfiguration> getSpeechUnits()
        throws (1: TurretApiException ex),
    list<LineName> getAvailableLines() throws (1: TurretApiException ex),
    LineStatesData snapshotLineRequest(1: LineName lineName)
        throws (1: TurretApiException ex),
    list<CallData> snapshotCalls(),
    void login(1: string profileName, 2: string password)
        throws (1: TurretApiException ex),
    void logout() throws (1: TurretApiException ex),
    void makeCall(1: SpeechUnitId suId, 2: string number)
        throws (1: TurretApiException ex),
    void makeCallFromSpecificLine(1: SpeechUnitId suId,
                                  2: LineName lineName,
                                  3: string number)
        throws (1: TurretApiException ex),
    void createConsultation(1: SpeechUnitId suId, 2: string number)
        throws (1: TurretApiException ex),
    void transfer(1: SpeechUnitId suId) throws (1: TurretApiException ex),
    void toggle(1: SpeechUnitId suId) throws (1: TurretApiException ex),
    void pbxConference(1: SpeechUnitId suId)
        throws (1: TurretApiException ex),
    void answerCall(1: SpeechUnitId suId) throws (1: TurretApiException ex),
    void answerSpecificCall(1: SpeechUnitId suId, 2: LineName lineName)
        throws (1: TurretApiException ex),
    void disconnectCall(1: SpeechUnitId suId)
        throws (1: TurretApiException ex),
    void hold(1: SpeechUnitId suId) throws (1: TurretApiException ex),
    void commonHold(1: SpeechUnitId suId) throws (1: TurretApiException ex),
    void privateHold(1: SpeechUnitId suId)
        throws (1: TurretApiException ex),
    void retrieveSpecific(1: SpeechUnitId suId, 2: LineName lineName)
        throws (1: TurretApiException ex),
    void dtmf(1: SpeechUnitId suId, 2: i8 digit)
        throws (1: TurretApiException ex),
    TurretState getLoginState(),
    string getVersion(),
    list<RingTransferId> getAvailableRingTransfers()
        throws (1: TurretApiException ex),
    RingTransferState snapshotRingTransfer(1: RingTransferId id)
        throws (1: TurretApiException ex),
    void setRingTransferActive(1: RingTransferId id, 2: bool active)
        throws (1: TurretApiException ex),
    // Vendor spelling: lowercase "t" in "Ringtransfer".
    list<RingTransferId> getAvailableRingtransferSequences()
        throws (1: TurretApiException ex),
    RingTransferSequenceState snapshotRingTransferSequence(
            1: RingTransferId id)
        throws (1: TurretApiException ex),
    void setRingTransferSequenceActive(1: RingTransferId id, 2: bool active)
        throws (1: TurretApiException ex),
    list<string> getAvailableInterfaceActions()
        throws (1: TurretApiException ex),
    InterfaceActionState snapshotInterfaceAction(1: string apiName)
        throws (1: TurretApiException ex),
    void setInterfaceActionState(1: string apiName,
                                 2: InterfaceActionState state)
        throws (1: TurretApiException ex)
}

// ---------------------------------------------------------------------
// A1 "Service TurretNotificationService": the subscriber is the server on
// SubscriberInfo.port and the turret calls it (A2 item 2, socket 2).
// Every method is oneway void with 1: string turretName first.
// ---------------------------------------------------------------------

service TurretNotificationService {
    oneway void onLineStatesChanged(1: string turretName,
                                    2: LineStatesData states),
    // Deprecated since V7.3.1 in favour of onCallDataChangedEx.
    oneway void onCallDataChanged(1: string turretName,
                                  2: LineName lineName,
                                  3: string partyNumber,
                                  4: string partyName,
                                  5: string contactName),
    oneway void onCallDataChangedEx(1: string turretName,
                                    2: CallData callData),
    oneway void onLoginStateChanged(1: string turretName,
                                    2: TurretState state),
    oneway void onLoginResponse(1: string turretName,
                                2: TurretErrorCode errorCode,
                                3: string errorDescription),
    // lineName is "" when the call queue became empty.
    oneway void onTopOfCallQueueChanged(1: string turretName,
                                        2: LineName lineName),
    oneway void onRingTransferStateChanged(1: string turretName,
                                           2: RingTransferId id,
                                           3: RingTransferState state),
    oneway void onRingTransferStateChangeError(1: string turretName,
                                               2: RingTransferId id,
                                               3: TurretErrorCode errorCode,
                                               4: string errorDescription),
    oneway void onRingTransferSequenceStateChanged(
            1: string turretName,
            2: RingTransferId id,
            3: RingTransferSequenceState state),
    oneway void onRingTransferSequenceStateChangeError(
            1: string turretName,
            2: RingTransferId id,
            3: TurretErrorCode errorCode,
            4: string errorDescription),
    oneway void onInterfaceActionStateChanged(1: string turretName,
                                              2: string apiName,
                                              3: InterfaceActionState state),
    oneway void onInterfaceActionKeyChanged(
            1: string turretName,
            2: string apiName,
            3: InterfaceActionKeyState keyState)
}
