"""Commands that take an enum accept its wire value and refuse anything
else before changing state (faces pass strings straight from the wire)."""
from __future__ import annotations

import pytest

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.states import ConnectionState, ForwardKind, HoldKind


def demo():
    return build_switch(load_demo(), VirtualClock())


def test_forward_accepts_the_enum_value_as_a_string() -> None:
    switch = demo()
    switch.set_forward("1001", "immediate", "1002")  # type: ignore[arg-type]
    assert switch.users["1001"].routing.forward.kind is ForwardKind.IMMEDIATE


@pytest.mark.parametrize("command, args", [
    ("set_forward", ("1001", "sometimes", "1002")),
    ("set_overflow", ("1001", "never")),
    ("set_service_mode", ("3100", "asleep")),
])
def test_unknown_values_are_refused_and_change_nothing(command: str, args: tuple) -> None:
    switch = demo()
    before = switch.users["1001"].routing.to_json(), switch.groups["3100"].service_mode
    batches = []
    switch.subscribe(batches.append)
    with pytest.raises(CommandError) as refused:
        getattr(switch, command)(*args)
    assert refused.value.refusal is Refusal.BAD_VALUE
    assert (switch.users["1001"].routing.to_json(), switch.groups["3100"].service_mode) == before
    assert batches == []


def test_hold_kind_by_value_and_refusal() -> None:
    switch = demo()
    call = switch.make_call("1001", "1002")
    switch.answer(switch.connection_at("1002", call.id).id)
    conn = switch.connection_at("1001", call.id)
    with pytest.raises(CommandError) as refused:
        switch.hold(conn.id, "sideways")  # type: ignore[arg-type]
    assert refused.value.refusal is Refusal.BAD_VALUE and conn.state is ConnectionState.CONNECTED
    switch.hold(conn.id, "private")  # type: ignore[arg-type]
    assert conn.hold_kind is HoldKind.PRIVATE
