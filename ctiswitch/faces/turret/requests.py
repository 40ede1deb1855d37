"""The 34 `TurretRequestService` methods, as engine commands and session changes.

Each method is named as in the IDL and takes the session and the decoded
`Call`; it returns the result (None for void) or raises `TurretError` with
the documented code. Codes follow spec turret-and-sky.md A1 and the
decisions of C1 A-13: calls while logged out give WrongLoginState, an empty
queue NoIncomingCall, a line that is not ringing LineIsNotRinging, no free
line NoFreeLineAvailable, a missing consultation NoConsultation. Refusals
the engine makes are mapped by `translate.refusal_code`.

Ring transfers, sequences and interface actions are in `features`: their
set requests are checked here and carried out after the reply, like
login, since the real turret confirms them by notification.

Receive-calls-only (spec A3, C1 A-12): logging out of a profile configured
`receive_calls_only` leaves it loaded in ReceiveCallsOnly; calls can still
be answered, held, retrieved and cleared, and snapshots work, but dialling,
consultation and changing ring transfers or interface actions need a login.

Speech units carry calls: `Connection.audio` = (turret, speech unit) marks
the connection a speech unit talks on (or the one it put on hold). A speech
unit is busy while it talks on a connection; holding frees it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from ctiswitch.config.model import Line, TurretProfile
from ctiswitch.engine.calls import Connection
from ctiswitch.engine.directory import TurretLine
from ctiswitch.engine.errors import CommandError
from ctiswitch.engine.states import ConnectionState, ConsultPurpose, HoldKind

from .errors import TurretError
from .features import DEFAULT_KEY_EVENT
from .idl import load_idl
from .session import Turrets, TurretSession
from .translate import (
    TALKING,
    call_data,
    call_queue,
    dtmf_digit,
    refusal_code,
)
from .wire import Call, Dialect

T = load_idl()
S = ConnectionState
R = TypeVar("R")

#: Parties a turret's PBX conference may hold (spec A1 #15).
MAX_TURRET_CONFERENCE = 3
#: What `hold` does under each configured hold behaviour (spec A3 "Hold family").
HOLD_KINDS = {"common": HoldKind.COMMON, "private": HoldKind.PRIVATE}
#: A forced notification dialect (config turret.notification_dialect); auto is absent.
FORCED_DIALECTS = {"framed": Dialect.FRAMED, "unframed": Dialect.UNFRAMED}


class KeyRefused(Exception):
    """A simulated key press that cannot happen; `status` is the HTTP answer."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


class TurretRequests:
    """Answers requests for every turret of one `Turrets`."""

    def __init__(self, turrets: Turrets, version: str) -> None:
        self.turrets = turrets
        self.version = version

    # -- helpers ------------------------------------------------------------

    @staticmethod
    def _logged_in(session: TurretSession, *, calls_only_too: bool = True) -> TurretProfile:
        """The loaded profile; WrongLoginState when logged out (or in
        receive-calls-only mode for requests that need a full login)."""
        allowed = {T.TurretState.Login, T.TurretState.ReceiveCallsOnly} if calls_only_too else {T.TurretState.Login}
        if session.login_state not in allowed or session.profile is None:
            raise TurretError(T.WrongLoginState, "the turret is not logged in to a profile")
        return session.profile

    @staticmethod
    def _speech_unit(session: TurretSession, su_id: int) -> tuple[str, int]:
        if su_id not in session.speech_units:
            raise TurretError(T.InvalidSpeechUnit, f"no speech unit {su_id}")
        return session.name, su_id

    def _talking(self, owner: tuple[str, int]) -> Connection | None:
        """The connection a speech unit talks on, if any."""
        for line in self.turrets.switch.lines.values():
            for conn in line.device.connections:
                if conn.audio == owner and conn.state in TALKING:
                    return conn
        return None

    def _free_speech_unit(self, session: TurretSession, su_id: int) -> tuple[str, int]:
        owner = self._speech_unit(session, su_id)
        if self._talking(owner) is not None:
            raise TurretError(T.SpeechUnitBusy, f"speech unit {su_id} is in a call")
        return owner

    def _call_on(self, session: TurretSession, su_id: int) -> Connection:
        conn = self._talking(self._speech_unit(session, su_id))
        if conn is None:
            raise TurretError(T.SpeechUnitHasNoCall, f"speech unit {su_id} has no call")
        return conn

    def _shown(self, profile: TurretProfile) -> tuple[Line, ...]:
        """The lines the turret shows: the profile's, then those its ring transfers present."""
        return (*profile.lines, *self.turrets.features.extras(profile).lines)

    def _line(self, profile: TurretProfile, name: str) -> TurretLine:
        line = self.turrets.switch.lines.get(name)
        if line is None or all(cfg.name != name for cfg in self._shown(profile)):
            raise TurretError(T.InvalidLine, f"profile {profile.name} has no line {name!r}")
        return line

    def _engine(self, command: Callable[..., R], *args: Any) -> R:
        """Run an engine command, its refusal becoming the Turret code."""
        try:
            return command(*args)
        except CommandError as error:
            raise TurretError(refusal_code(error.refusal), error.message) from None

    def _consultation(self, conn: Connection) -> Connection:
        """The held other leg of the consultation `conn` belongs to."""
        peer = conn.call.consult_peer
        held = None
        if peer is not None and conn.device is not None:
            held = next((c for c in conn.device.connections if c.call is peer and c.state is S.HELD), None)
        if held is None:
            raise TurretError(T.NoConsultation, "the speech unit's line is not hosting a consultation")
        return held

    def _dial(self, owner: tuple[str, int], line: TurretLine, number: str) -> None:
        if not number:
            raise TurretError(T.InvalidArgument, "the number is empty")
        with self.turrets.acting():
            call = self._engine(self.turrets.switch.make_call, line.device.number, number)
            for conn in line.device.connections:
                if conn.call is call:
                    conn.audio = owner

    # -- notifications and profiles -----------------------------------------

    def requestNotifications(self, session: TurretSession, call: Call) -> None:
        info = call.args.subscriberInfo
        try:
            host = str(ipaddress.ip_address(info.ipAddress))
        except ValueError:
            raise TurretError(T.InvalidArgument, f"{info.ipAddress!r} is not an IP address") from None
        if not 0 < info.port < 65536:
            raise TurretError(T.InvalidArgument, f"port {info.port} is outside 1..65535")
        error = self.turrets.notify_tls_error
        if error is not None:
            raise TurretError(T.LoadTLSCertError, f"cannot load the notification TLS certificates: {error}")
        forced = FORCED_DIALECTS.get(self.turrets.settings.notification_dialect)
        session.subscribe(host, info.port, info.turretName or "", forced or call.dialect)

    def getProfileList(self, session: TurretSession, call: Call) -> list[Any]:
        return [T.ProfileInfo(name=name) for name in self.turrets.profiles]

    def getLoggedInProfileName(self, session: TurretSession, call: Call) -> str:
        return self._logged_in(session).name

    def getSpeechUnits(self, session: TurretSession, call: Call) -> list[Any]:
        self._logged_in(session)
        return [T.SpeechUnitConfiguration(id=su, deviceType=kind) for su, kind in session.speech_units.items()]

    def getAvailableLines(self, session: TurretSession, call: Call) -> list[str]:
        profile = self._logged_in(session)
        return [line.name for line in self._shown(profile) if line.name in self.turrets.switch.lines]

    def snapshotLineRequest(self, session: TurretSession, call: Call) -> Any:
        profile = self._logged_in(session)
        name = call.args.lineName
        self._line(profile, name)
        states = session.view().lines[name]
        return T.LineStatesData(lineName=name, basicLineStates=set(states))

    def snapshotCalls(self, session: TurretSession, call: Call) -> list[Any]:
        profile = session.profile
        if profile is None:
            return []
        out = []
        for cfg in self._shown(profile):
            line = self.turrets.switch.lines.get(cfg.name)
            if line is not None:
                out.extend(call_data(cfg.name, conn, profile.contacts) for conn in line.device.connections)
        return out

    def login(self, session: TurretSession, call: Call) -> None:
        """Queue the login; its result arrives as onLoginResponse (then
        onLoginStateChanged on success), after this request is answered."""
        if session.login_state == T.TurretState.Login:
            raise TurretError(T.WrongLoginState, "already logged in; log out first")
        name, password = call.args.profileName, call.args.password
        holder = self.turrets.logins.get(name)
        if holder is not None and holder != session.name:
            raise TurretError(T.FunctionUnavailable, f"profile {name} is logged in on turret {holder}")
        self.turrets.defer(lambda: self._finish_login(session, name, password))

    def _finish_login(self, session: TurretSession, name: str, password: str) -> None:
        profile = self.turrets.profiles.get(name)
        if profile is None:
            session.broadcast("onLoginResponse", T.UnknownProfile, f"no profile named {name!r}")
        elif password != profile.password:
            session.broadcast("onLoginResponse", T.AuthenticationFailed, "wrong profile name or password")
        elif self.turrets.logins.get(name, session.name) != session.name:
            session.broadcast("onLoginResponse", T.AuthenticationFailed, f"profile {name} is in use")
        else:
            if session.profile is not None:
                self.turrets.logins.pop(session.profile.name, None)
            self.turrets.logins[name] = session.name
            session.broadcast("onLoginResponse", T.LoginSuccessful, "login successful")
            session.logged_in(profile)

    def logout(self, session: TurretSession, call: Call) -> None:
        """Log out; a receive-calls-only profile stays loaded in that mode
        until a second logout (or a login) unloads it."""
        profile = self._logged_in(session)
        if profile.receive_calls_only and session.login_state == T.TurretState.Login:
            session.receiving_calls_only()
            return
        self.turrets.logins.pop(profile.name, None)
        session.logged_out()

    def getLoginState(self, session: TurretSession, call: Call) -> int:
        return session.login_state

    def getVersion(self, session: TurretSession, call: Call) -> str:
        return self.version

    # -- making and answering calls ------------------------------------------

    def makeCall(self, session: TurretSession, call: Call) -> None:
        profile = self._logged_in(session, calls_only_too=False)
        owner = self._free_speech_unit(session, call.args.suId)
        switch = self.turrets.switch
        for cfg in profile.lines:
            line = switch.lines.get(cfg.name)
            if line is not None and line.outgoing and line.device.in_service and not line.device.connections:
                self._dial(owner, line, call.args.number)
                return
        raise TurretError(T.NoFreeLineAvailable, f"profile {profile.name} has no idle outgoing line")

    def makeCallFromSpecificLine(self, session: TurretSession, call: Call) -> None:
        profile = self._logged_in(session, calls_only_too=False)
        owner = self._free_speech_unit(session, call.args.suId)
        line = self._line(profile, call.args.lineName)
        if not line.device.in_service or not line.outgoing:
            raise TurretError(T.LineUnavailable, f"line {line.name} cannot make calls now")
        if line.device.connections:
            raise TurretError(T.LineBusy, f"line {line.name} is in use")
        self._dial(owner, line, call.args.number)

    def answerCall(self, session: TurretSession, call: Call) -> None:
        profile = self._logged_in(session)
        owner = self._free_speech_unit(session, call.args.suId)
        queue = call_queue(profile, self.turrets.switch.devices, self.turrets.features.extras(profile).lines)
        if not queue:
            raise TurretError(T.NoIncomingCall, "no incoming call on any line of the profile")
        self._answer(owner, queue[0][1])

    def answerSpecificCall(self, session: TurretSession, call: Call) -> None:
        profile = self._logged_in(session)
        owner = self._free_speech_unit(session, call.args.suId)
        line = self._line(profile, call.args.lineName)
        ringing = next((c for c in line.device.connections if c.state is S.ALERTING), None)
        if ringing is None:
            raise TurretError(T.LineIsNotRinging, f"line {line.name} is not ringing")
        self._answer(owner, ringing)

    def _answer(self, owner: tuple[str, int], conn: Connection) -> None:
        with self.turrets.acting():
            self._engine(self.turrets.switch.answer, conn.id)
            conn.audio = owner

    def disconnectCall(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session)
        conn = self._call_on(session, call.args.suId)
        self._engine(self.turrets.switch.clear_connection, conn.id)

    # -- hold -----------------------------------------------------------------

    def hold(self, session: TurretSession, call: Call) -> None:
        self._hold(session, call.args.suId, HOLD_KINDS[self.turrets.settings.hold_behaviour])

    def commonHold(self, session: TurretSession, call: Call) -> None:
        if self.turrets.settings.hold_behaviour == "private":
            self._logged_in(session)
            self._call_on(session, call.args.suId)
            raise TurretError(T.FunctionUnavailable, "the hold behaviour is private: common hold is not available")
        self._hold(session, call.args.suId, HoldKind.COMMON)

    def privateHold(self, session: TurretSession, call: Call) -> None:
        self._hold(session, call.args.suId, HoldKind.PRIVATE)

    def _hold(self, session: TurretSession, su_id: int, kind: HoldKind) -> None:
        self._logged_in(session)
        conn = self._call_on(session, su_id)
        if conn.state is not S.CONNECTED:
            raise TurretError(T.FunctionUnavailable, "only a call in conversation can be held")
        self._engine(self.turrets.switch.hold, conn.id, kind)

    def retrieveSpecific(self, session: TurretSession, call: Call) -> None:
        profile = self._logged_in(session)
        owner = self._speech_unit(session, call.args.suId)
        line = self._line(profile, call.args.lineName)
        held = next(
            (c for c in line.device.connections if c.state is S.HELD and not self._hosting(c)), None
        )
        if held is None:
            raise TurretError(T.LineIsNotInHold, f"line {line.name} is not on hold")
        if held.hold_kind is HoldKind.PRIVATE and held.audio is not None and held.audio[0] != session.name:
            raise TurretError(T.FunctionUnavailable, f"line {line.name} is privately held by another turret")
        talking = self._talking(owner)
        if talking is not None and talking.device is not line.device:
            raise TurretError(T.SpeechUnitBusy, f"speech unit {owner[1]} is in a call")
        with self.turrets.acting():
            self._engine(self.turrets.switch.retrieve, held.id)
            held.audio = owner

    @staticmethod
    def _hosting(conn: Connection) -> bool:
        """A held leg whose consultation is running on the same line."""
        peer = conn.call.consult_peer
        return peer is not None and conn.device is not None and any(
            c.call is peer and c.state in TALKING for c in conn.device.connections
        )

    # -- consultation, transfer, conference -----------------------------------

    def createConsultation(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session, calls_only_too=False)
        conn = self._call_on(session, call.args.suId)
        if conn.state is not S.CONNECTED:
            raise TurretError(T.FunctionUnavailable, "a consultation needs a connected call")
        if not call.args.number:
            raise TurretError(T.InvalidArgument, "the number is empty")
        owner = conn.audio
        with self.turrets.acting():
            consultation = self._engine(
                self.turrets.switch.consult, conn.id, call.args.number, ConsultPurpose.TRANSFER
            )
            assert conn.device is not None
            for leg in conn.device.connections:
                if leg.call is consultation:
                    leg.audio = owner

    def transfer(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session, calls_only_too=False)
        active = self._call_on(session, call.args.suId)
        held = self._consultation(active)
        self._engine(self.turrets.switch.transfer, held.id, active.id)

    def toggle(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session, calls_only_too=False)
        active = self._call_on(session, call.args.suId)
        held = self._consultation(active)
        if active.state is not S.CONNECTED:
            raise TurretError(T.FunctionUnavailable, "the consultation is not connected yet")
        self._engine(self.turrets.switch.alternate, held.id, active.id)

    def pbxConference(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session, calls_only_too=False)
        active = self._call_on(session, call.args.suId)
        held = self._consultation(active)
        size = len(held.call.live_parties()) + len(active.call.live_parties()) - 1
        if size > MAX_TURRET_CONFERENCE:
            raise TurretError(T.FunctionUnavailable, f"a PBX conference holds at most {MAX_TURRET_CONFERENCE} parties")
        self._engine(self.turrets.switch.conference, held.id, active.id)

    def dtmf(self, session: TurretSession, call: Call) -> None:
        self._logged_in(session)
        digit = dtmf_digit(call.args.digit)
        if digit is None:
            raise TurretError(T.InvalidArgument, f"{call.args.digit} is not a DTMF digit")
        conn = self._call_on(session, call.args.suId)
        if conn.state is not S.CONNECTED:
            raise TurretError(T.FunctionUnavailable, "the call does not accept DTMF now")
        self._engine(self.turrets.switch.send_dtmf, conn.id, digit)

    # -- ring transfers and interface actions ----------------------------------

    def getAvailableRingTransfers(self, session: TurretSession, call: Call) -> list[Any]:
        profile = self._logged_in(session)
        return [T.RingTransferId(apiName=rt.api_name, controlledProfileName=rt.controlled_profile)
                for rt in profile.ring_transfers]

    def snapshotRingTransfer(self, session: TurretSession, call: Call) -> int:
        profile = self._logged_in(session)
        rt = self.turrets.features.ring_transfer(profile, call.args.id)
        return self.turrets.features.ring_state(profile.name, rt)

    def setRingTransferActive(self, session: TurretSession, call: Call) -> None:
        """Checked now; carried out after the reply, confirmed by
        onRingTransferStateChanged or refused by onRingTransferStateChangeError."""
        profile = self._logged_in(session, calls_only_too=False)
        features = self.turrets.features
        rt = features.ring_transfer(profile, call.args.id)
        active = call.args.active
        features.check_ring_change(profile, rt, active, self.turrets.logged_in)

        def carry_out() -> None:
            session.send(features.apply_ring_change(profile.name, rt, active))
            self.turrets.refresh()

        self.turrets.defer(carry_out)

    def getAvailableRingtransferSequences(self, session: TurretSession, call: Call) -> list[Any]:
        profile = self._logged_in(session)
        return [T.RingTransferId(apiName=seq.api_name, controlledProfileName=seq.controlled_profile)
                for seq in profile.ring_transfer_sequences]

    def snapshotRingTransferSequence(self, session: TurretSession, call: Call) -> int:
        profile = self._logged_in(session)
        seq = self.turrets.features.sequence(profile, call.args.id)
        return self.turrets.features.sequence_state(profile.name, seq)

    def setRingTransferSequenceActive(self, session: TurretSession, call: Call) -> None:
        """Checked now; each member moves after the reply (see Features.apply_sequence)."""
        profile = self._logged_in(session, calls_only_too=False)
        features = self.turrets.features
        seq = features.sequence(profile, call.args.id)
        active = call.args.active
        features.check_sequence_change(profile, seq, active)

        def carry_out() -> None:
            session.send(features.apply_sequence(profile, seq, active, self.turrets.logged_in))
            self.turrets.refresh()

        self.turrets.defer(carry_out)

    def getAvailableInterfaceActions(self, session: TurretSession, call: Call) -> list[str]:
        profile = self._logged_in(session)
        return [action.api_name for action in profile.interface_actions]

    def snapshotInterfaceAction(self, session: TurretSession, call: Call) -> Any:
        profile = self._logged_in(session)
        action = self.turrets.features.action(profile, call.args.apiName)
        return self.turrets.features.action_state(profile.name, action)

    def setInterfaceActionState(self, session: TurretSession, call: Call) -> None:
        """The button changes at once; subscribers hear it as onInterfaceActionStateChanged."""
        profile = self._logged_in(session, calls_only_too=False)
        features = self.turrets.features
        action = features.action(profile, call.args.apiName)
        features.set_action(profile.name, action, call.args.state)
        session.refresh()

    # -- the person at the turret (sim API) -------------------------------------

    def press_key(self, turret: str, api_name: str, event: str | None) -> list[str]:
        """A person works an interface action's key; the key states reported, by name.

        The key is on the profile loaded on the turret, so the turret must be
        logged in (or receiving calls only).
        """
        session = self.turrets.sessions.get(turret)
        if session is None:
            raise KeyRefused(404, "unknown_turret", f"no turret {turret!r}")
        profile = session.profile
        if profile is None:
            raise KeyRefused(409, "logged_out", f"turret {turret} has no profile loaded, so no keys")
        try:
            action = self.turrets.features.action(profile, api_name)
        except TurretError as error:
            raise KeyRefused(404, "unknown_action", error.text) from None
        try:
            notes = self.turrets.features.press(profile.name, action, event or DEFAULT_KEY_EVENT[action.key])
        except ValueError as error:
            raise KeyRefused(400, "invalid_field", str(error)) from None
        session.send(notes)
        session.refresh()
        return [T.InterfaceActionKeyState._VALUES_TO_NAMES[args[1]] for _, args in notes]
