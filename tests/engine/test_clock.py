"""VirtualClock (call-model §6): time moves only when told, timers fire in
(due, arming) order, and a timer never runs inside the call that armed it.
The engine's timers are built on this, so its guarantees are tested here
once rather than trusted in every scenario."""
from __future__ import annotations

from engine_support import Harness

from ctiswitch.engine.clock import VirtualClock


def test_time_starts_where_asked_and_moves_only_when_told() -> None:
    clock = VirtualClock(start=10.0, wall_start=1_000.0)
    assert (clock.now(), clock.wall()) == (10.0, 1_000.0)
    clock.advance(2.5)
    assert (clock.now(), clock.wall()) == (12.5, 1_002.5)


def test_timers_fire_in_due_then_arming_order() -> None:
    clock = VirtualClock()
    fired: list[str] = []
    clock.call_later(2, lambda: fired.append("b"))
    clock.call_later(1, lambda: fired.append("a"))
    clock.call_later(2, lambda: fired.append("c"))
    clock.advance(1.5)
    assert fired == ["a"]
    clock.advance(0.5)
    assert fired == ["a", "b", "c"]


def test_a_timer_sees_its_own_due_time() -> None:
    clock = VirtualClock()
    seen: list[float] = []
    clock.call_later(3, lambda: seen.append(clock.now()))
    clock.advance(10)
    assert seen == [3.0] and clock.now() == 10.0


def test_zero_delay_never_runs_inside_the_caller() -> None:
    clock = VirtualClock()
    fired: list[int] = []
    clock.call_later(0, lambda: fired.append(1))
    assert fired == []
    clock.settle()
    assert fired == [1] and clock.now() == 0.0


def test_negative_delay_is_now() -> None:
    clock = VirtualClock(start=5)
    timer = clock.call_later(-3, lambda: None)
    assert timer.due == 5


def test_timers_armed_while_advancing_fire_if_due_on_the_way() -> None:
    clock = VirtualClock()
    fired: list[float] = []

    def first() -> None:
        fired.append(clock.now())
        clock.call_later(1, lambda: fired.append(clock.now()))
        clock.call_later(10, lambda: fired.append(clock.now()))

    clock.call_later(1, first)
    clock.advance(5)
    assert fired == [1.0, 2.0]
    clock.advance(10)
    assert fired == [1.0, 2.0, 11.0]


def test_cancel_and_pending() -> None:
    clock = VirtualClock()
    fired: list[int] = []
    keep = clock.call_later(1, lambda: fired.append(1))
    drop = clock.call_later(1, lambda: fired.append(2))
    assert clock.pending() == 2
    drop.cancel()
    assert clock.pending() == 1
    clock.advance(1)
    assert fired == [1] and clock.pending() == 0
    keep.cancel()  # cancelling a fired timer is harmless
    assert clock.pending() == 0


def test_engine_timer_expiry_is_its_own_batch(h: Harness) -> None:
    """A timer fires as one transaction named after it, stamped with the
    virtual time at which it fell due."""
    h.switch.make_call("1003", "1004")
    h.take()
    h.advance(100)
    (batch,) = h.take_batches()
    assert (batch.origin, batch.time, batch.wall) == ("no_answer", 15.0, h.clock.wall() - 85.0)


def test_a_cancelled_engine_timer_fires_nothing(h: Harness) -> None:
    h.switch.make_call("1003", "1004")
    h.switch.answer(h.conn("1004").id)
    h.take()
    h.advance(3600)
    assert h.take_batches() == []
