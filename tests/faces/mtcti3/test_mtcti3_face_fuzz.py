"""Random bytes and random well-formed Messages thrown at a live server: it
keeps answering, on the same connection and on others."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mtcti3_face_support import basic, wss_url
from server_process import RunningServer
from websockets.sync.client import ClientConnection, connect

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction, Message
from ctiswitch.faces.mtcti3.translate_config import user_guid
from ctiswitch.faces.mtcti3.wire import decode, encode

ids = st.integers(min_value=-3, max_value=12)
text = st.text(max_size=90)
call_function = st.fixed_dictionaries({
    "action": st.sampled_from(list(CallFunction.Action.values())), "arg1": text,
    "memberfunctiondata": st.fixed_dictionaries({"lref": ids, "action": st.integers(0, 3)}),
})
call_control = st.one_of(
    st.fixed_dictionaries({"callid": ids, "referencecallid": ids, "callfunction": call_function}),
    st.fixed_dictionaries({"referencecallid": ids, "makecall": st.fixed_dictionaries({"target": text})}),
    st.fixed_dictionaries({"referencecallid": ids, "unparkcall": st.fixed_dictionaries({"parkid": text})}),
)
subscribe_payload = st.one_of(
    st.fixed_dictionaries({"lines": st.fixed_dictionaries({"flags": ids})}),
    st.fixed_dictionaries({"user": st.fixed_dictionaries({
        "guid": st.sampled_from([user_guid("1001"), user_guid("1008"), b"", b"\x00" * 16]), "ccflags": ids})}),
    st.fixed_dictionaries({"queue": st.fixed_dictionaries({"name": st.sampled_from(["Sales", "Support", "x"]),
                                                           "ccflags": ids, "flags": ids})}),
    st.fixed_dictionaries({"parkserver": st.fixed_dictionaries({"ccflags": ids})}),
    st.fixed_dictionaries({"presence": st.fixed_dictionaries({})}),
    st.just({}),
)
messages = st.one_of(
    st.builds(lambda sid, rid, t, p: {"subscribe": {"subscribe_id": sid, "requestid": rid, "timeout": t, **p}},
              ids, ids, st.integers(-5, 5), subscribe_payload),
    st.builds(lambda sid, rid, cc: {"subscribecmd": {"subscribe_id": sid, "requestid": rid, "callcontrol": cc}},
              ids, ids, call_control),
    st.builds(lambda sid, rid: {"subscribeend": {"subscribe_id": sid, "requestid": rid}}, ids, ids),
    st.builds(lambda sid, nid: {"notifyack": {"subscribe_id": sid, "notify_id": nid}}, ids, ids),
    st.builds(lambda rid, f: {"generalcmd": {"requestid": rid, "getfile": {"fname": f}}}, ids, text),
)


def answers(ws: ClientConnection, requestid: int) -> bool:
    """Send a fresh request and skip whatever else comes until its answer."""
    ws.send(encode(Message(subscribeend={"requestid": requestid, "subscribe_id": 999_999}), True))
    for _ in range(500):
        message = decode(ws.recv(timeout=5), True)
        if message.WhichOneof("payload") == "response" and message.response.requestid == requestid:
            return message.response.result == 101
    return False


def test_the_server_survives_random_input(switch_server: RunningServer) -> None:
    url = wss_url(switch_server)
    context = switch_server.ssl_context()
    with connect(url, ssl=context, subprotocols=["openapi"],  # type: ignore[list-item]
                 additional_headers=basic()) as ws, connect(url, ssl=context, subprotocols=["openapi"],  # type: ignore[list-item]
                                                            additional_headers=basic()) as bystander:

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.one_of(st.binary(max_size=64).map(lambda b: ("raw", b)), messages.map(lambda m: ("msg", m))))
        def throw(example: tuple[str, object]) -> None:
            kind, value = example
            if kind == "raw":
                ws.send(value)  # type: ignore[arg-type]
            else:
                ws.send(encode(Message(**value), True))  # type: ignore[arg-type]

        throw()
        assert answers(ws, 31337)
        assert answers(bystander, 4242)
