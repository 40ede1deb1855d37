"""The Switchboard: the one switch and everything around it that faces share.

DESIGN.md wants all four faces to read and change the same state. Each face
is handed this object and nothing else, so "the same state" is one object
rather than a convention.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ctiswitch.config import Company, load_config, load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import Clock, VirtualClock
from ctiswitch.engine.switch import Switch
from ctiswitch.persistence import attach_store
from ctiswitch.sim.behaviour import Simulator
from ctiswitch.store import Store, open_store

from .benchtrace import install_trace
from .settings import ServerSettings
from .tls import Certificate


@dataclass(slots=True)
class Switchboard:
    """What one server process runs: settings, company, clock, switch,
    simulated endpoints, store and TLS certificate.

    Everything here is used from the event loop's thread only; the engine
    and the store are not thread-safe, and need not be.
    """

    settings: ServerSettings
    company: Company
    clock: Clock
    switch: Switch
    simulator: Simulator
    store: Store
    certificate: Certificate
    #: Undoes attach_store: no writes reach the store once it is closing.
    detach_store: Callable[[], None]
    #: Process start on the monotonic clock: uptime is real even when the
    #: switch runs on a virtual clock.
    started: float = field(default_factory=time.monotonic)

    @property
    def virtual_clock(self) -> VirtualClock | None:
        """The clock when it is virtual (the sim API may advance it), else None."""
        return self.clock if isinstance(self.clock, VirtualClock) else None

    def uptime(self) -> float:
        return time.monotonic() - self.started

    def close(self) -> None:
        """Stop the simulated endpoints, detach and close the store.

        Called once, after every listener has stopped, so no request can
        reach the switch in between.
        """
        self.simulator.close()
        self.detach_store()
        self.store.close()


def load_company(settings: ServerSettings) -> Company:
    """The configured company, or the demo one; raises ConfigError."""
    return load_config(settings.config) if settings.config is not None else load_demo()


def open_switchboard(settings: ServerSettings, company: Company, clock: Clock,
                     certificate: Certificate) -> Switchboard:
    """Build the switch, open the store (raises StoreError) and connect them.

    The store is attached before the simulator starts so that settings an
    earlier run persisted (routing, passwords, group membership) are in
    place before anything acts on them.
    """
    switch = build_switch(company, clock)
    install_trace(switch)  # CTISWITCH_BENCH_TRACE only: bench/load.py's emission times
    store = open_store(settings.data_dir)
    try:
        detach = attach_store(switch, store)
    except BaseException:
        store.close()
        raise
    return Switchboard(settings, company, clock, switch, Simulator(switch), store, certificate, detach)
