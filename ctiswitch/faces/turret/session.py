"""Turret session state: what the face keeps besides the engine's call model.

One `TurretSession` per configured turret holds what the engine does not
know: login state, the loaded profile, the speech units, the controlling
connections and the notification subscribers with the view each was last
sent. Who holds a line's audio lives on the engine's connections
(`Connection.audio`), so it follows each connection's life by construction.

`Turrets` is the engine listener for all of them. After every batch it
recomputes the view of each turret showing a line the batch concerns
(`AffectedLines`) and sends each subscriber the difference; the work is a
few lines per turret plus non-blocking queue appends, so the engine is
never held up. While the face itself runs a command (`acting`),
batches only mark the views stale: the face sets the audio owner of the
connection it just created or answered right after the command returns,
and the refresh then sees the finished state rather than a half-made one.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence

from ctiswitch.config.model import TurretProfile, TurretSettings
from ctiswitch.engine.events import Batch
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.affected import AffectedLines

from .features import Features
from .idl import load_idl
from .notifier import Subscriber
from .translate import NO_EXTRAS, Notification, TurretView, build_view, view_changes
from .wire import Dialect

T = load_idl()
log = logging.getLogger("ctiswitch.turret")
#: The Turret face's settings when the company file says nothing.
DEFAULT_SETTINGS = TurretSettings()


class TurretSession:
    """One turret (an OpenScape Xpert client) as the API sees it."""

    def __init__(
        self,
        name: str,
        speech_units: Mapping[int, int],
        turrets: Turrets,
    ) -> None:
        self.name = name
        #: Speech unit id to Thrift DeviceType, in configuration order.
        self.speech_units = dict(speech_units)
        self.login_state: int = T.TurretState.Logout
        self.profile: TurretProfile | None = None
        self.controllers = 0
        self.subscribers: dict[tuple[str, int], Subscriber] = {}
        #: The numbers of the lines the last view showed: only a batch that
        #: concerns one of them can change the view (`Turrets._on_batch`).
        self.numbers: frozenset[str] = frozenset()
        self._turrets = turrets

    @property
    def switch(self) -> Switch:
        return self._turrets.switch

    def view(self) -> TurretView:
        profile = self.profile
        extras = self._turrets.features.extras(profile) if profile is not None else NO_EXTRAS
        lines = (*profile.lines, *extras.lines) if profile is not None else ()
        self.numbers = frozenset(line.number for line in lines)
        return build_view(self.name, self.login_state, profile, self.switch.devices, extras)

    def refresh(self) -> None:
        """Send every subscriber what changed since its last view."""
        if not self.subscribers:
            return
        view = self.view()
        legacy = self._turrets.settings.legacy_call_data
        for sub in list(self.subscribers.values()):
            self._deliver(sub, view_changes(sub.last, view, legacy_call_data=legacy), view)

    def broadcast(self, method: str, *args: object) -> None:
        """Send an event that is not part of the view (onLoginResponse) to everyone."""
        self.send([(method, args)])

    def send(self, notes: Sequence[Notification]) -> None:
        """Send events that are not part of the view (errors, key events) to everyone."""
        if not notes:
            return
        for sub in list(self.subscribers.values()):
            self._deliver(sub, notes, None)

    def _deliver(self, sub: Subscriber, notes: Sequence[Notification], view: TurretView | None) -> None:
        if sub.enqueue(notes):
            if view is not None:
                sub.last = view
            return
        current = view if view is not None else self.view()
        sub.enqueue(view_changes(None, current, legacy_call_data=self._turrets.settings.legacy_call_data))
        sub.last = current

    def subscribe(self, host: str, port: int, turret_name: str, dialect: Dialect) -> None:
        """Add a subscriber, or update the one already at (host, port) (spec C1 A-5).

        A new subscriber starts from the current view: it is sent changes,
        not a snapshot (A-7); clients take snapshots with the request methods.
        """
        existing = self.subscribers.get((host, port))
        if existing is not None:
            existing.turret_name = turret_name
            existing.dialect = dialect
            return
        sub = Subscriber(host, port, turret_name, dialect, self._dropped, self._turrets.notify_ssl)
        sub.last = self.view()
        self.subscribers[sub.address] = sub
        sub.start()

    def _dropped(self, sub: Subscriber) -> None:
        if self.subscribers.get(sub.address) is sub:
            del self.subscribers[sub.address]

    def logged_in(self, profile: TurretProfile) -> None:
        self.profile = profile
        self.login_state = T.TurretState.Login
        self.refresh()

    def logged_out(self) -> None:
        self.profile = None
        self.login_state = T.TurretState.Logout
        self.refresh()

    def receiving_calls_only(self) -> None:
        """The user logged out of a receive-calls-only profile: it stays loaded."""
        self.login_state = T.TurretState.ReceiveCallsOnly
        self.refresh()

    async def stop(self) -> None:
        for sub in list(self.subscribers.values()):
            await sub.stop()
        self.subscribers.clear()


class Turrets:
    """Every turret of the switch, fed by one engine listener."""

    def __init__(
        self,
        switch: Switch,
        profiles: Sequence[TurretProfile],
        defer: Callable[[Callable[[], None]], object],
        settings: TurretSettings = DEFAULT_SETTINGS,
        notify_ssl: ssl.SSLContext | None = None,
        notify_tls_error: str | None = None,
    ) -> None:
        """`notify_ssl` is the TLS context for notification connections when
        notify TLS is on; `notify_tls_error` says why it could not be loaded,
        which `requestNotifications` reports as LoadTLSCertError."""
        self.switch = switch
        self.settings = settings
        self.notify_ssl = notify_ssl
        self.notify_tls_error = notify_tls_error
        self.profiles = {profile.name: profile for profile in profiles}
        self.features = Features(self.profiles)
        #: Profile name to the turret it is logged in on (a profile is loaded
        #: on at most one turret, call-model §1.1).
        self.logins: dict[str, str] = {}
        #: Runs a callable after the current request has been answered: how
        #: login results arrive later, as the API documents.
        self.defer = defer
        self.sessions: dict[str, TurretSession] = {}
        self._acting = False
        #: Line numbers the batches seen while `acting` concern (None: any).
        self._stale: set[str] | None = set()
        self._affected = AffectedLines(switch)
        self._unsubscribe = switch.subscribe(self._on_batch)

    def add(self, name: str, speech_units: Mapping[int, int]) -> TurretSession:
        session = TurretSession(name, speech_units, self)
        self.sessions[name] = session
        return session

    def session_of(self, profile: str) -> TurretSession | None:
        """The turret `profile` is loaded on (logged in or receiving calls only)."""
        name = self.logins.get(profile)
        return self.sessions.get(name) if name is not None else None

    def logged_in(self, profile: str) -> bool:
        """Whether a user is logged in to `profile` (receive-calls-only is logged out)."""
        session = self.session_of(profile)
        return session is not None and session.login_state == T.TurretState.Login

    def _on_batch(self, batch: Batch) -> None:
        """The engine listener: a failure here is logged, never raised into
        the engine, whose other listeners (store, other faces) must still run."""
        try:
            numbers = self._affected.of_batch(batch)
            if self._acting:
                self._stale = None if numbers is None or self._stale is None else self._stale | numbers
                return
            self.refresh(numbers)
        except Exception:
            log.exception("turret notifications failed after batch %s", batch.seq)

    def refresh(self, numbers: set[str] | None = None) -> None:
        """Refresh the turrets showing any of `numbers` (None: every turret;
        what the face changed itself, such as a ring transfer, is not in a
        batch, so it refreshes them all)."""
        for session in self.sessions.values():
            if numbers is None or not session.numbers.isdisjoint(numbers):
                session.refresh()

    @contextlib.contextmanager
    def acting(self) -> Iterator[None]:
        """Run engine commands whose results the face completes before anyone sees them."""
        self._acting = True
        try:
            yield
        finally:
            self._acting = False
            stale, self._stale = self._stale, set()
            if stale is None or stale:
                self.refresh(stale)

    async def stop(self) -> None:
        self._unsubscribe()
        for session in self.sessions.values():
            await session.stop()
