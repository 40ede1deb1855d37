"""Shared fixtures for the Turret wire tests: sample data and a loopback server.

The loopback server is a real TCP listener on 127.0.0.1 that speaks only
through ctiswitch's codec (RequestDecoder in, encode_* out), so thriftpy2
clients built with `make_client` talk to it exactly as they would talk to
a turret, over both framed and unframed transports.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from thriftpy2.protocol import binary
from thriftpy2.protocol.binary import TBinaryProtocolFactory as PureBinaryFactory
from thriftpy2.protocol.cybin import TCyBinaryProtocolFactory
from thriftpy2.thrift import TPayload, TType
from thriftpy2.transport import TCyBufferedTransportFactory, TCyFramedTransportFactory
from thriftpy2.transport.buffered import TBufferedTransportFactory as PureBufferedFactory
from thriftpy2.transport.framed import TFramedTransportFactory as PureFramedFactory

from ctiswitch.faces.turret.idl import load_idl
from ctiswitch.faces.turret.wire import Call, Dialect, RequestDecoder, WireError

T = load_idl()
REQ = T.TurretRequestService
NOTE = T.TurretNotificationService

RT = T.RingTransferId(apiName="rt-desk", controlledProfileName="Trader")
SEQ = T.RingTransferId(apiName="seq-night", controlledProfileName="Trader")

# Positional arguments, in IDL order, for every TurretRequestService method.
REQUEST_ARGS: dict[str, tuple[Any, ...]] = {
    "requestNotifications": (T.SubscriberInfo("192.168.0.190", 10052, "desk-1"),),
    "getProfileList": (),
    "getLoggedInProfileName": (),
    "getSpeechUnits": (),
    "getAvailableLines": (),
    "snapshotLineRequest": ("Line 1",),
    "snapshotCalls": (),
    "login": ("Trader", "sëcret-π"),
    "logout": (),
    "makeCall": (1, "+49 89 7007"),
    "makeCallFromSpecificLine": (2, "Line 2", "1234"),
    "createConsultation": (1, "5678"),
    "transfer": (1,),
    "toggle": (2,),
    "pbxConference": (3,),
    "answerCall": (1,),
    "answerSpecificCall": (1, "Line 3"),
    "disconnectCall": (-2,),
    "hold": (32767,),
    "commonHold": (1,),
    "privateHold": (-32768,),
    "retrieveSpecific": (1, "Line 1"),
    "dtmf": (1, 53),
    "getLoginState": (),
    "getVersion": (),
    "getAvailableRingTransfers": (),
    "snapshotRingTransfer": (RT,),
    "setRingTransferActive": (RT, True),
    "getAvailableRingtransferSequences": (),
    "snapshotRingTransferSequence": (SEQ,),
    "setRingTransferSequenceActive": (SEQ, False),
    "getAvailableInterfaceActions": (),
    "snapshotInterfaceAction": ("btn-1",),
    "setInterfaceActionState": (
        "btn-1",
        T.InterfaceActionState(T.InterfaceActionStateValue.State_C, labelText="Lbl", secondLineText=""),
    ),
}

# What the loopback server returns for each method (None for void).
REQUEST_RESULTS: dict[str, Any] = {
    "requestNotifications": None,
    "getProfileList": [T.ProfileInfo("Trader"), T.ProfileInfo("Backup")],
    "getLoggedInProfileName": "Trader",
    "getSpeechUnits": [
        T.SpeechUnitConfiguration(1, T.DeviceType.Handset),
        T.SpeechUnitConfiguration(2, T.DeviceType.MicrophoneWithSpeaker),
    ],
    "getAvailableLines": ["Line 1", "Line 2", "Ligne é"],
    "snapshotLineRequest": T.LineStatesData(
        "Line 1", {T.BasicLineState.Connected, T.BasicLineState.Conversation, T.BasicLineState.Unknown}
    ),
    "snapshotCalls": [
        T.CallData("Line 1", "5551234", "Müller", "", "c-1", True),
        T.CallData("Line 2", "5559876", "", "Desk B", "c-2", False),
    ],
    "login": None,
    "logout": None,
    "makeCall": None,
    "makeCallFromSpecificLine": None,
    "createConsultation": None,
    "transfer": None,
    "toggle": None,
    "pbxConference": None,
    "answerCall": None,
    "answerSpecificCall": None,
    "disconnectCall": None,
    "hold": None,
    "commonHold": None,
    "privateHold": None,
    "retrieveSpecific": None,
    "dtmf": None,
    "getLoginState": T.TurretState.ReceiveCallsOnly,
    "getVersion": "ctiswitch 0.1.0",
    "getAvailableRingTransfers": [RT],
    "snapshotRingTransfer": T.RingTransferState.Inactive,
    "setRingTransferActive": None,
    "getAvailableRingtransferSequences": [SEQ, RT],
    "snapshotRingTransferSequence": T.RingTransferSequenceState.PartiallyActive,
    "setRingTransferSequenceActive": None,
    "getAvailableInterfaceActions": ["btn-1", "btn-2"],
    "snapshotInterfaceAction": T.InterfaceActionState(
        T.InterfaceActionStateValue.State_Z, "label", "first line", "second line"
    ),
    "setInterfaceActionState": None,
}

NO_THROWS = {"getProfileList", "snapshotCalls", "getLoginState", "getVersion"}

# Positional arguments, in IDL order, for every TurretNotificationService method.
NOTIFICATION_ARGS: dict[str, tuple[Any, ...]] = {
    "onLineStatesChanged": (
        "desk-1",
        T.LineStatesData("Line 1", {T.BasicLineState.Ringing, T.BasicLineState.HostingConsultation}),
    ),
    "onCallDataChanged": ("desk-1", "Line 1", "5551234", "Müller", "Contact"),
    "onCallDataChangedEx": ("", T.CallData("Line 1", "5551234", "Müller", "", "c-1", True)),
    "onLoginStateChanged": ("desk-1", T.TurretState.Login),
    "onLoginResponse": ("desk-1", T.AuthenticationFailed, "wrong password"),
    "onTopOfCallQueueChanged": ("desk-1", ""),
    "onRingTransferStateChanged": ("desk-1", RT, T.RingTransferState.Active),
    "onRingTransferStateChangeError": ("desk-1", RT, T.RingTransferKagConflict, "KAG"),
    "onRingTransferSequenceStateChanged": ("desk-1", SEQ, T.RingTransferSequenceState.Inactive),
    "onRingTransferSequenceStateChangeError": ("desk-1", SEQ, T.RingTransferSequenceStateChangeTimeout, "t/o"),
    "onInterfaceActionStateChanged": ("desk-1", "btn-1", T.InterfaceActionState(T.InterfaceActionStateValue.Inactive)),
    "onInterfaceActionKeyChanged": ("desk-1", "btn-2", T.InterfaceActionKeyState.Clicked),
}


@dataclass(frozen=True)
class Flavour:
    """One way a real thriftpy2 client can be configured."""

    name: str
    dialect: Dialect
    transport: Any
    protocol: Any
    strict: bool = True


FLAVOURS = [
    Flavour("cy-buffered", Dialect.UNFRAMED, TCyBufferedTransportFactory(), TCyBinaryProtocolFactory()),
    Flavour("cy-framed", Dialect.FRAMED, TCyFramedTransportFactory(), TCyBinaryProtocolFactory()),
    Flavour("pure-buffered", Dialect.UNFRAMED, PureBufferedFactory(), PureBinaryFactory()),
    Flavour("pure-framed", Dialect.FRAMED, PureFramedFactory(), PureBinaryFactory()),
    # Old Apache clients write the non-strict header (name length first).
    Flavour(
        "nonstrict-buffered",
        Dialect.UNFRAMED,
        PureBufferedFactory(),
        PureBinaryFactory(strict_read=False, strict_write=False),
        strict=False,
    ),
    Flavour(
        "nonstrict-framed",
        Dialect.FRAMED,
        PureFramedFactory(),
        PureBinaryFactory(strict_read=False, strict_write=False),
        strict=False,
    ),
]


def request_message(method: str, args: tuple[Any, ...], *, strict: bool = True, seqid: int = 0) -> bytes:
    """The unframed bytes a thriftpy2 client writes for one call."""
    out = BytesIO()
    binary.write_message_begin(out, method, 1, seqid, strict=strict)
    binary.write_val(out, TType.STRUCT, getattr(REQ, f"{method}_args")(*args))
    return out.getvalue()


def frame(message: bytes) -> bytes:
    """Wrap a message in a TFramedTransport frame."""
    return len(message).to_bytes(4, "big") + message


def normalise(value: Any) -> Any:
    """Comparable form of a thriftpy2 value: sets (read back as lists) sorted."""
    if isinstance(value, TPayload):
        out = {}
        for spec in type(value).thrift_spec.values():
            item = getattr(value, spec[1])
            out[spec[1]] = sorted(item) if spec[0] == TType.SET and item is not None else normalise(item)
        return type(value).__name__, out
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


@dataclass
class Connection:
    """What the loopback server saw on one accepted connection."""

    received: bytearray = field(default_factory=bytearray)
    calls: list[Call] = field(default_factory=list)
    error: WireError | None = None
    done: threading.Event = field(default_factory=threading.Event)


class LoopbackServer:
    """A threaded TCP server whose only protocol code is ctiswitch's codec.

    `answer(call)` returns the bytes to send back (or None for no reply).
    """

    def __init__(self, answer: Callable[[Call], bytes | None]) -> None:
        self.answer = answer
        self.connections: list[Connection] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            conn = Connection()
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(sock, conn), daemon=True).start()

    def _serve(self, sock: socket.socket, conn: Connection) -> None:
        decoder = RequestDecoder()
        with sock:
            while data := sock.recv(65536):
                conn.received += data
                try:
                    calls = decoder.feed(data)
                except WireError as exc:
                    conn.error = exc
                    break
                for call in calls:
                    conn.calls.append(call)
                    reply = self.answer(call)
                    if reply is not None:
                        sock.sendall(reply)
        conn.done.set()
