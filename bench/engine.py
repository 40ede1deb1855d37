"""Engine benchmark: call lifecycles per second and memory per device/call.

    python bench/engine.py [--users 10000] [--lifecycles 20000]

A lifecycle is make call, alert, answer, hold, retrieve, clear, with every
batch consumed by a listener that walks its events (as a face would). The
baseline in the same run is the floor any design pays in this interpreter:
the same number of method calls and event objects built and handed to the
same listener, with no call model behind them. The engine is reported as a
ratio of that baseline, so the figure survives a noisy or slower machine.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from company import generated_company  # noqa: E402

from ctiswitch.engine.build import build_switch  # noqa: E402
from ctiswitch.engine.clock import VirtualClock  # noqa: E402
from ctiswitch.engine.events import Batch  # noqa: E402


class Consumer:
    """Touches every event, like a face translating a batch."""

    def __init__(self) -> None:
        self.events = 0

    def __call__(self, batch: Batch) -> None:
        for event in batch.events:
            self.events += 1 if event is not None else 0


def lifecycles(users: int, count: int) -> tuple[float, int]:
    switch = build_switch(generated_company(users), VirtualClock())
    consumer = Consumer()
    switch.subscribe(consumer)
    numbers = [str(10000 + i) for i in range(users)]
    pairs = [(numbers[(2 * i) % users], numbers[(2 * i + 1) % users]) for i in range(count)]
    gc.collect()
    start = time.perf_counter()
    for caller, callee in pairs:
        call = switch.make_call(caller, callee)
        ringing = switch.devices[callee].connections[0]
        switch.answer(ringing.id)
        active = switch.devices[caller].connections[0]
        switch.hold(active.id)
        switch.retrieve(active.id)
        switch.clear_connection(active.id)
        assert call.id not in switch.calls
    elapsed = time.perf_counter() - start
    return count / elapsed, consumer.events // count


@dataclass(frozen=True, slots=True)
class _Event:
    call: int
    conn: int
    state: str


class _Baseline:
    """Six commands, each a method call that builds `per` events into a
    tuple and hands them to the listener: the engine's unavoidable work."""

    def __init__(self, listener: Consumer, per: int) -> None:
        self.listener = listener
        self.per = per

    def command(self, call: int) -> None:
        events = tuple(_Event(call, i, "x") for i in range(self.per))
        self.listener(Batch(call, 0.0, 0.0, "baseline", events))  # type: ignore[arg-type]


def baseline(count: int, events_per_lifecycle: int) -> float:
    consumer = Consumer()
    per = max(1, events_per_lifecycle // 6)
    base = _Baseline(consumer, per)
    gc.collect()
    start = time.perf_counter()
    for i in range(count):
        for _ in range(6):
            base.command(i)
    return count / (time.perf_counter() - start)


def memory(users: int, active_calls: int) -> tuple[float, float]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    company = generated_company(users)
    after_config = tracemalloc.get_traced_memory()[0]
    switch = build_switch(company, VirtualClock())
    built = tracemalloc.get_traced_memory()[0]
    per_device = (built - after_config) / users
    for i in range(active_calls):
        call = switch.make_call(str(10000 + 2 * i), str(10000 + 2 * i + 1))
        switch.answer(switch.devices[str(10000 + 2 * i + 1)].connections[0].id)
        assert call.id in switch.calls
    loaded = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del before
    return per_device, (loaded - built) / active_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--lifecycles", type=int, default=20_000)
    parser.add_argument("--active-calls", type=int, default=1_000)
    args = parser.parse_args()

    rate, events = lifecycles(args.users, args.lifecycles)
    base = baseline(args.lifecycles, events)
    per_device, per_call = memory(args.users, args.active_calls)
    rows = [
        ("users configured", f"{args.users}"),
        ("events per lifecycle", f"{events}"),
        ("engine lifecycles/s", f"{rate:,.0f}  (target >= 5,000)"),
        ("baseline lifecycles/s", f"{base:,.0f}"),
        ("engine / baseline", f"{rate / base:.2f}"),
        ("memory per idle device", f"{per_device:,.0f} B  (target < 2,048 B)"),
        ("memory per active call", f"{per_call:,.0f} B  ({args.active_calls} two-party calls)"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"ctiswitch engine benchmark (Python {sys.version.split()[0]})")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
