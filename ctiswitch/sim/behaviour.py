"""Simulated people and far ends acting on their own.

A Simulator watches the engine's batches and, for each new ringing
connection, schedules what the phone's behaviour says (answer after N
seconds, reject) on the engine's clock. External numbers answer after the
configured delay (2 s by default) unless a magic number says otherwise; an
external caller who hears busy hangs up after a moment. Every action is an
ordinary engine command, re-checked when the timer fires.
"""
from __future__ import annotations

from ctiswitch.engine.errors import CommandError
from ctiswitch.engine.events import Batch, Delivered, Failed
from ctiswitch.engine.states import ConnectionState, PartyKind
from ctiswitch.engine.switch import Switch

S = ConnectionState
#: How long a simulated external caller listens to busy tone.
FAILED_LINGER = 2.0


class Simulator:
    def __init__(self, switch: Switch) -> None:
        self.switch = switch
        self.clock = switch.clock
        self._unsubscribe = switch.subscribe(self._on_batch)

    def close(self) -> None:
        self._unsubscribe()

    def _on_batch(self, batch: Batch) -> None:
        for event in batch.events:
            if isinstance(event, Delivered):
                self._on_ringing(event.conn)
            elif isinstance(event, Failed):
                self._on_failed(event.conn)

    def _on_ringing(self, conn_id: int) -> None:
        conn = self.switch.connections.get(conn_id)
        if conn is None or conn.prompt and conn.device is None:
            return
        if conn.device is not None:
            behaviour = conn.device.behaviour
            if behaviour.mode == "auto-answer":
                self._later(behaviour.delay, conn_id, "answer")
            elif behaviour.mode == "reject":
                self._later(behaviour.delay, conn_id, "reject")
            return
        if conn.party.kind is PartyKind.EXTERNAL:
            ext = self.switch.externals.get(conn.dn)
            outcome = ext.outcome if ext else "answer"
            if outcome == "answer":
                delay = ext.delay if ext and ext.delay else self.switch.external_answer_after
                self._later(delay, conn_id, "answer")
            elif outcome == "reject":
                self._later(ext.delay if ext else 0.0, conn_id, "reject")

    def _on_failed(self, conn_id: int) -> None:
        conn = self.switch.connections.get(conn_id)
        if conn is not None and conn.party.kind is PartyKind.EXTERNAL:
            self._later(FAILED_LINGER, conn_id, "hangup")

    def _later(self, delay: float, conn_id: int, action: str) -> None:
        self.clock.call_later(delay, lambda: self._act(conn_id, action))

    def _act(self, conn_id: int, action: str) -> None:
        """Carry out a scheduled action if the connection still wants it."""
        conn = self.switch.connections.get(conn_id)
        if conn is None:
            return
        try:
            if action == "answer" and conn.state is S.ALERTING:
                self.switch.answer(conn_id)
            elif action == "reject" and conn.state is S.ALERTING:
                self.switch.reject(conn_id)
            elif action == "hangup":
                self.switch.clear_connection(conn_id)
        except CommandError:
            # The world moved on (the device went out of service, the call
            # was picked up elsewhere): a person would just give up too.
            pass
