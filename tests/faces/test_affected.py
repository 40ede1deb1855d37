"""Which users and lines a batch concerns (ctiswitch/faces/affected.py):
the filter that lets MTCTI-3, Sky and the Turret face recompute only the
views a batch may have changed. Too narrow an answer would lose a
notification, so each case checks the parties a batch must name."""
from __future__ import annotations

import pytest

from ctiswitch.config import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.events import Batch
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.affected import Affected, AffectedLines

DEMO = load_demo()


class Recorder:
    """Both filters, fed every batch in order as a face's listener is."""

    def __init__(self, switch: Switch) -> None:
        self.logins = Affected(switch)
        self.lines = AffectedLines(switch)
        self.seen: list[tuple[set[str] | None, set[str] | None]] = []
        switch.subscribe(self._on_batch)

    def _on_batch(self, batch: Batch) -> None:
        self.seen.append((self.logins.of_batch(batch), self.lines.of_batch(batch)))

    def take(self) -> list[tuple[set[str] | None, set[str] | None]]:
        seen, self.seen = self.seen, []
        return seen


@pytest.fixture
def switch() -> Switch:
    return build_switch(DEMO, VirtualClock())


def test_every_batch_of_a_call_names_both_ends_and_no_one_else(switch: Switch) -> None:
    rec = Recorder(switch)
    call = switch.make_call("1001", "1002")
    ringing = next(c for c in switch.device("1002").connections)
    switch.answer(ringing.id)
    switch.clear_call(call.id)
    batches = rec.take()
    assert len(batches) >= 3
    for logins, lines in batches:
        assert logins is not None and {"1001", "1002"} <= logins and "1003" not in logins
        assert lines is not None and {"1001", "1002"} <= lines and "1003" not in lines


def test_a_cleared_call_is_still_placed_from_memory_then_forgotten(switch: Switch) -> None:
    rec = Recorder(switch)
    call = switch.make_call("1001", "1002")
    rec.take()
    switch.clear_call(call.id)
    (logins, lines), *_ = rec.take()
    assert logins is not None and {"1001", "1002"} <= logins
    assert lines is not None and {"1001", "1002"} <= lines
    assert call.id not in rec.logins.call_keys and call.id not in rec.lines.call_keys


def test_a_call_that_ended_before_the_filter_saw_it_means_everyone(switch: Switch) -> None:
    call = switch.make_call("1001", "1002")
    late = Recorder(switch)
    late.logins.call_keys.clear()
    late.lines.call_keys.clear()
    switch.clear_call(call.id)
    assert late.take()[0] == (None, None)


def test_a_ringing_line_with_no_user_is_named_by_number(switch: Switch) -> None:
    rec = Recorder(switch)
    switch.incoming_call("0612345678", "5001")
    batches = rec.take()
    assert any(lines is not None and "5001" in lines for _, lines in batches)
    assert all(lines is None or "1001" not in lines for _, lines in batches)


def test_a_device_setting_names_the_device_and_its_owner(switch: Switch) -> None:
    rec = Recorder(switch)
    switch.set_in_service("1002", False)
    assert rec.take() == [({"1002"}, {"1002"})]


def test_a_user_setting_names_every_device_of_that_user(switch: Switch) -> None:
    rec = Recorder(switch)
    switch.set_dnd("1001", True)
    (logins, lines), = rec.take()
    assert logins == {"1001"}
    assert lines == {d.number for d in switch.users["1001"].devices} and "2001" in lines
