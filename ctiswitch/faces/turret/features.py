"""Ring transfers, ring transfer sequences and interface actions: their state and rules.

None of these route calls. A ring transfer only decides which other
profile's lines a turret presents (a line is a shared device that rings on
every turret showing it), so it lives here in the face and the lines'
states still come from the engine (call-model §4.3). Interface actions are
buttons on the turret whose state the application sets and whose key
presses the turret reports.

State is kept per profile, as the System Manager keeps it, so it survives
a logout and a login on another turret. Everything here is synchronous and
pure apart from this state; the caller sends the notifications it returns.

Error codes (spec turret-and-sky.md A1, decision C1 A-17): what can be
checked when the request arrives is thrown (600-605, 620-623, 640-643); what
only fails while the change is carried out comes back as a
`...StateChangeError` notification: the keep-active-group conflict (606),
and a sequence whose members did not all reach their state (625, the code
the real turret gives when the sequence never completes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ctiswitch.config.model import (
    INTERFACE_ACTION_STATES,
    InterfaceAction,
    Line,
    RingTransfer,
    RingTransferSequence,
    TurretProfile,
)

from .errors import TurretError
from .idl import load_idl
from .translate import Extras, Notification

T = load_idl()
RT = T.RingTransferState
SEQ = T.RingTransferSequenceState
KEY = T.InterfaceActionKeyState

#: Config state names to InterfaceActionStateValue numbers (enum order).
ACTION_STATE_VALUES: Mapping[str, int] = {name: value for value, name in enumerate(INTERFACE_ACTION_STATES)}

#: Sim key events accepted per key kind, and what each reports.
KEY_EVENTS: Mapping[str, Mapping[str, tuple[int, ...]]] = {
    "push": {"press": (KEY.Pressed, KEY.Released), "down": (KEY.Pressed,), "up": (KEY.Released,)},
    "switch": {"click": (KEY.Clicked,)},
}
DEFAULT_KEY_EVENT: Mapping[str, str] = {"push": "press", "switch": "click"}

RingKey = tuple[str, str, str]
"""(profile owning the key, api name, controlled profile name)."""


@dataclass(frozen=True, slots=True)
class ActionTexts:
    """An interface action's state and text overrides; None shows the configured text."""

    state: int
    label: str | None = None
    first_line: str | None = None
    second_line: str | None = None


def ring_id(api_name: str, controlled_profile: str) -> Any:
    return T.RingTransferId(apiName=api_name, controlledProfileName=controlled_profile)


class Features:
    """The ring transfer and interface action state of every profile."""

    def __init__(self, profiles: Mapping[str, TurretProfile]) -> None:
        self.profiles = profiles
        self.ring: dict[RingKey, bool] = {
            (p.name, rt.api_name, rt.controlled_profile): rt.active
            for p in profiles.values()
            for rt in p.ring_transfers
        }
        self.actions: dict[tuple[str, str], ActionTexts] = {
            (p.name, a.api_name): ActionTexts(ACTION_STATE_VALUES[a.state])
            for p in profiles.values()
            for a in p.interface_actions
        }

    # -- lookups -----------------------------------------------------------------

    @staticmethod
    def ring_transfer(profile: TurretProfile, rid: Any) -> RingTransfer:
        for rt in profile.ring_transfers:
            if (rt.api_name, rt.controlled_profile) == (rid.apiName, rid.controlledProfileName):
                return rt
        raise TurretError(T.InvalidRingTransfer,
                          f"no ring transfer {rid.apiName!r} controlling {rid.controlledProfileName!r}")

    @staticmethod
    def sequence(profile: TurretProfile, rid: Any) -> RingTransferSequence:
        for seq in profile.ring_transfer_sequences:
            if (seq.api_name, seq.controlled_profile) == (rid.apiName, rid.controlledProfileName):
                return seq
        raise TurretError(T.InvalidRingTransferSequence,
                          f"no ring transfer sequence {rid.apiName!r} of {rid.controlledProfileName!r}")

    @staticmethod
    def action(profile: TurretProfile, api_name: str) -> InterfaceAction:
        for action in profile.interface_actions:
            if action.api_name == api_name:
                return action
        raise TurretError(T.InvalidInterfaceAction, f"no interface action {api_name!r}")

    # -- states --------------------------------------------------------------------

    def is_active(self, profile: str, rt: RingTransfer) -> bool:
        return self.ring[(profile, rt.api_name, rt.controlled_profile)]

    def ring_state(self, profile: str, rt: RingTransfer) -> int:
        return RT.Active if self.is_active(profile, rt) else RT.Inactive

    def sequence_state(self, profile: str, seq: RingTransferSequence) -> int:
        """Active when every member is in its target state, Inactive when none is."""
        hits = sum(self.ring[(profile, m.api_name, m.controlled_profile)] == m.active for m in seq.members)
        if hits == len(seq.members):
            return SEQ.Active
        return SEQ.Inactive if hits == 0 else SEQ.PartiallyActive

    def action_state(self, profile: str, action: InterfaceAction) -> Any:
        """The state with the texts the button shows now (configured ones unless overridden)."""
        now = self.actions[(profile, action.api_name)]
        return T.InterfaceActionState(
            state=now.state,
            labelText=action.label if now.label is None else now.label,
            firstLineText=action.first_line if now.first_line is None else now.first_line,
            secondLineText=action.second_line if now.second_line is None else now.second_line,
        )

    def extras(self, profile: TurretProfile) -> Extras:
        """What the turret with `profile` loaded shows besides its own lines."""
        lines: list[Line] = []
        names = {line.name for line in profile.lines}
        after = max((line.priority for line in profile.lines), default=0)
        for rt in profile.ring_transfers:
            controlled = self.profiles.get(rt.controlled_profile)
            if controlled is None or not self.is_active(profile.name, rt):
                continue
            for line in controlled.lines:
                if line.name in names or (rt.lines and line.name not in rt.lines):
                    continue
                names.add(line.name)
                after += 1
                lines.append(Line(line.name, line.number, line.outgoing, priority=after))
        return Extras(
            lines=tuple(lines),
            ring_transfers={
                (rt.api_name, rt.controlled_profile): self.ring_state(profile.name, rt)
                for rt in profile.ring_transfers
            },
            sequences={
                (seq.api_name, seq.controlled_profile): self.sequence_state(profile.name, seq)
                for seq in profile.ring_transfer_sequences
            },
            actions={
                action.api_name: _action_tuple(self.action_state(profile.name, action))
                for action in profile.interface_actions
            },
        )

    # -- ring transfers ------------------------------------------------------------

    def check_ring_change(self, profile: TurretProfile, rt: RingTransfer, active: bool,
                          logged_in: Callable[[str], bool]) -> None:
        """Refuse what `setRingTransferActive` cannot start (601, 602, 605)."""
        if rt.signalization_only:
            raise TurretError(T.RingTransferIsOnlyForSignalization,
                              f"ring transfer {rt.api_name} is only for signalization")
        if self.is_active(profile.name, rt) == active:
            raise TurretError(T.RingTransferIsAlreadyInThatState,
                              f"ring transfer {rt.api_name} is already {'active' if active else 'inactive'}")
        if not logged_in(rt.controlled_profile):
            raise TurretError(T.RingTransferControlledProfileLoggedOut,
                              f"the controlled profile {rt.controlled_profile} is logged out")

    def apply_ring_change(self, profile: str, rt: RingTransfer, active: bool) -> list[Notification]:
        """Carry out a change; the error notifications to send if it fails.

        The state notification itself comes from the view refresh that follows.
        """
        if self.is_active(profile, rt) == active:
            return []
        if not active and self._last_of_group(profile, rt):
            return [("onRingTransferStateChangeError", (
                ring_id(rt.api_name, rt.controlled_profile), T.RingTransferKagConflict,
                f"ring transfer {rt.api_name} is the last active one of keep-active group {rt.keep_active_group}",
            ))]
        self.ring[(profile, rt.api_name, rt.controlled_profile)] = active
        return []

    def _last_of_group(self, profile: str, rt: RingTransfer) -> bool:
        """Whether switching `rt` off would leave its keep-active group with none active."""
        group = rt.keep_active_group
        if group is None:
            return False
        me = (profile, rt.api_name, rt.controlled_profile)
        return not any(
            self.ring[(p.name, other.api_name, other.controlled_profile)]
            for p in self.profiles.values()
            for other in p.ring_transfers
            if other.keep_active_group == group and (p.name, other.api_name, other.controlled_profile) != me
        )

    # -- sequences -----------------------------------------------------------------

    def check_sequence_change(self, profile: TurretProfile, seq: RingTransferSequence, active: bool) -> None:
        """Refuse what `setRingTransferSequenceActive` cannot start (621-623)."""
        if seq.signalization_only:
            raise TurretError(T.RingTransferSequenceIsOnlyForSignalization,
                              f"ring transfer sequence {seq.api_name} is only for signalization")
        if not active and not seq.inverting:
            raise TurretError(T.RingTransferSequenceIsNotInverting,
                              f"ring transfer sequence {seq.api_name} is not inverting; it cannot be deactivated")
        if self.sequence_state(profile.name, seq) == (SEQ.Active if active else SEQ.Inactive):
            raise TurretError(T.RingTransferSequenceIsAlreadyInThatState,
                              f"ring transfer sequence {seq.api_name} is already {'active' if active else 'inactive'}")

    def apply_sequence(self, profile: TurretProfile, seq: RingTransferSequence, active: bool,
                       logged_in: Callable[[str], bool]) -> list[Notification]:
        """Move every member to its target state (or the opposite, deactivating).

        Activations go first, so a sequence that hands a keep-active group
        from one ring transfer to another never empties the group on the way.
        A member that cannot move is reported on its own, and the sequence
        with 625.
        """
        notes: list[Notification] = []
        failed: list[str] = []
        moves = [(self.ring_transfer(profile, ring_id(m.api_name, m.controlled_profile)),
                  m.active if active else not m.active) for m in seq.members]
        for rt, target in sorted(moves, key=lambda move: not move[1]):
            if self.is_active(profile.name, rt) == target:
                continue
            if not logged_in(rt.controlled_profile):
                notes.append(("onRingTransferStateChangeError", (
                    ring_id(rt.api_name, rt.controlled_profile), T.RingTransferControlledProfileLoggedOut,
                    f"the controlled profile {rt.controlled_profile} is logged out")))
                failed.append(rt.api_name)
                continue
            errors = self.apply_ring_change(profile.name, rt, target)
            if errors:
                notes.extend(errors)
                failed.append(rt.api_name)
        if failed:
            notes.append(("onRingTransferSequenceStateChangeError", (
                ring_id(seq.api_name, seq.controlled_profile), T.RingTransferSequenceStateChangeTimeout,
                f"ring transfer sequence {seq.api_name} did not complete: {', '.join(failed)} could not change",
            )))
        return notes

    # -- interface actions -----------------------------------------------------------

    def set_action(self, profile: str, action: InterfaceAction, requested: Any) -> None:
        """`setInterfaceActionState`: a text left unset stays, "" goes back to the configured one."""
        if action.signalization_only:
            raise TurretError(T.InterfaceActionIsOnlyForSignalization,
                              f"interface action {action.api_name} is only for signalization")
        allowed = {ACTION_STATE_VALUES[name] for name in action.states}
        if requested.state not in allowed:
            raise TurretError(T.InvalidInterfaceActionState,
                              f"interface action {action.api_name} allows only {', '.join(action.states)}")
        now = self.actions[(profile, action.api_name)]
        new = ActionTexts(
            requested.state,
            _override(now.label, requested.labelText),
            _override(now.first_line, requested.firstLineText),
            _override(now.second_line, requested.secondLineText),
        )
        if new == now:
            raise TurretError(T.InterfaceActionIsAlreadyInThatState,
                              f"interface action {action.api_name} already shows that state and text")
        self.actions[(profile, action.api_name)] = new

    def press(self, profile: str, action: InterfaceAction, event: str) -> list[Notification]:
        """A person works the action's key: the key events to report.

        A signalization-only action's switch key also steps its state to the
        next allowed one (the application cannot set it; it is told by the
        view refresh that follows).
        """
        events = KEY_EVENTS[action.key].get(event)
        if events is None:
            raise ValueError(f"a {action.key} key takes {', '.join(KEY_EVENTS[action.key])}, not {event!r}")
        if action.signalization_only and action.key == "switch":
            now = self.actions[(profile, action.api_name)]
            values = [ACTION_STATE_VALUES[name] for name in action.states]
            following = values[(values.index(now.state) + 1) % len(values)]
            self.actions[(profile, action.api_name)] = ActionTexts(
                following, now.label, now.first_line, now.second_line)
        return [("onInterfaceActionKeyChanged", (action.api_name, key)) for key in events]


def _override(current: str | None, requested: str | None) -> str | None:
    if requested is None:
        return current
    return None if requested == "" else requested


def _action_tuple(state: Any) -> tuple[int, str, str, str]:
    return state.state, state.labelText, state.firstLineText, state.secondLineText
