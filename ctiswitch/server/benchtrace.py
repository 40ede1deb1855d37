"""Opt-in emission trace for the load benchmark (bench/load.py).

The benchmark measures how long a wire event takes from the engine to each
face's subscriber. The server and the client share only one clock, the OS
monotonic clock (CLOCK_MONOTONIC is system-wide on Linux), so the server
must say when the engine emitted each batch. With ``CTISWITCH_BENCH_TRACE``
set to a file path at start, a batch listener registered before any face's
appends one line per batch that touches a call:

    <seq> <time.monotonic()> <phase> <call>:<gcid hex>:<party>,<party>... [<call>:...]

``phase`` is what the batch did to its calls, as the benchmark matches wire
events: ``make`` (created, offered), ``answer`` (established) or ``clear``
(a connection or the call cleared); the party ids let faces that name calls
by party (Turret callId, Sky Id) be matched too. Without the variable
nothing is installed, so the switch pays nothing. Lines are buffered and
written when the buffer fills and when the process exits.
"""
from __future__ import annotations

import atexit
import os
import time
from typing import IO

from ctiswitch.engine.events import (
    Batch,
    CallCleared,
    CallCreated,
    ConnectionCleared,
    ConnectionEvent,
    Delivered,
    Established,
)
from ctiswitch.engine.switch import Switch

ENV = "CTISWITCH_BENCH_TRACE"
#: Bytes buffered before a write: large, so tracing disturbs the run little.
_BUFFER = 1 << 20


class _Tracer:
    """The listener: stamps each batch at emission, before any face sees it."""

    def __init__(self, switch: Switch, out: IO[str]) -> None:
        self.switch = switch
        self.out = out

    def __call__(self, batch: Batch) -> None:
        now = time.monotonic()
        phase = "other"
        parties: dict[int, set[int]] = {}
        for event in batch.events:
            if isinstance(event, ConnectionEvent):
                parties.setdefault(event.call, set()).add(event.party)
            call = getattr(event, "call", None)
            if isinstance(call, int):
                parties.setdefault(call, set())
            if isinstance(event, (CallCleared, ConnectionCleared)):
                phase = "clear"
            elif isinstance(event, Established) and phase != "clear":
                phase = "answer"
            elif isinstance(event, (CallCreated, Delivered)) and phase == "other":
                phase = "make"
        if not parties:
            return
        items = []
        for call_id, ids in parties.items():
            call = self.switch.calls.get(call_id)
            gcid = call.gcid.hex() if call is not None else "-"
            items.append(f"{call_id}:{gcid}:{','.join(map(str, sorted(ids))) or '-'}")
        self.out.write(f"{batch.seq} {now:.6f} {phase} {' '.join(items)}\n")


def install_trace(switch: Switch) -> None:
    """Trace ``switch``'s batches to the file ``CTISWITCH_BENCH_TRACE`` names, if set."""
    path = os.environ.get(ENV)
    if not path:
        return
    out = open(path, "a", buffering=_BUFFER, encoding="ascii")  # noqa: SIM115 - open for the process's life
    atexit.register(out.close)
    switch.subscribe(_Tracer(switch, out))
