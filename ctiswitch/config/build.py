"""From a YAML node tree to a ``Company``, checking what ties the sections together.

Each section is read by one small method that knows its keys and defaults;
the builder keeps, for every value that must be unique or be referred to, the
place it was first seen, so a clash names both lines. Sections are read in
dependency order (the outside-dialling rule before any number, users before
the groups and turrets that name them), whatever their order in the file.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .cursor import Cursor, Fields
from .model import (
    BEHAVIOUR_MODES,
    DEVICE_TYPES,
    GROUP_KINDS,
    HOLD_BEHAVIOURS,
    INTERFACE_ACTION_STATES,
    KEY_KINDS,
    NOTIFICATION_DIALECTS,
    OUTCOMES,
    RING_MODES,
    SPEECH_UNIT_TYPES,
    Administrator,
    Behaviour,
    Company,
    ConferenceRoom,
    DeskSharingSet,
    Device,
    Dva,
    External,
    ExternalNumber,
    Group,
    InterfaceAction,
    Line,
    Node,
    NotifyTls,
    RingTransfer,
    RingTransferSequence,
    SequenceMember,
    ServiceUser,
    Sky,
    SpeechUnit,
    Turret,
    TurretProfile,
    TurretSettings,
    TurretTls,
    User,
    Voicemail,
)

T = TypeVar("T")

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
_LOGIN_MEANING = "a login name (letters, digits and . _ - @)"
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
_LANGUAGE = re.compile(r"[a-z]{2}(?:-[a-z]{2})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DID_LENGTH = 10
_SPEECH_UNIT_ID_MAX = 32767  # SpeechUnitId is a Thrift i16
_DEFAULT_VOICEMAIL = Voicemail()
#: The engine's account-code limit (set_call_data), which a business code becomes.
_BUSINESS_CODE_MAX = 16


#: Calls a MeetMe room seats: two to meet at all, and a bound so that a
#: typo cannot configure an unbounded room.
MIN_ROOM_CAPACITY = 2
MAX_ROOM_CAPACITY = 64


def build_company(root: Cursor) -> Company:
    """Read and cross-check a whole company document."""
    return _Builder().company(root)


def _optional(fields: Fields, key: str, read: Callable[[Cursor], T], default: T) -> T:
    """A key's value read by ``read``, or ``default`` when the key is absent."""
    value = fields.get(key)
    return default if value is None else read(value)


class _Seen:
    """Where each value was first seen, so a repeat can point back at it."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def __contains__(self, value: str) -> bool:
        return value in self._first

    def claim(self, value: str, at: Cursor) -> None:
        """Record ``value`` at ``at``, or reject it there if it was seen before."""
        self.reserve(value, at, f"{at.path} (line {at.line})")

    def reserve(self, value: str, at: Cursor, origin: str) -> None:
        """Record ``value`` as taken by ``origin``; a clash is reported at ``at``."""
        first = self._first.get(value)
        if first is not None:
            at.fail(f"{value!r} is already used by {first}")
        self._first[value] = origin


class _Builder:
    """One pass over a document; holds what later sections are checked against."""

    def __init__(self) -> None:
        self._external = External()
        self._plan = _Seen()  # internal numbers: devices, groups, voicemail, turret lines
        self._logins = _Seen()  # users and administrators share O2G's login namespace
        self._user_logins: frozenset[str] = frozenset()
        self._dids = _Seen()
        self._macs = _Seen()
        self._profile_names = _Seen()
        self._turret_names = _Seen()
        self._service_names = _Seen()
        self._external_numbers = _Seen()
        self._lines: dict[str, tuple[str, Cursor]] = {}  # shared lines: name -> number
        self._overflows: list[tuple[str, Cursor]] = []
        # Associates name numbers that may come later in the file:
        # (associate, the user's own numbers, where it was given).
        self._associates: list[tuple[str, frozenset[str], Cursor]] = []
        # Ring transfers name profiles that may come later in the file:
        # (controlled profile, its line names wanted, where the names were given).
        self._controlled: list[tuple[str, Cursor, tuple[tuple[str, Cursor], ...]]] = []

    # -- the company ----------------------------------------------------------

    def company(self, root: Cursor) -> Company:
        f = root.fields(
            (
                "name",
                "node",
                "users",
                "desk_sharing_sets",
                "groups",
                "voicemail",
                "dva",
                "conference_rooms",
                "business_codes",
                "administrators",
                "service_users",
                "turret_profiles",
                "turrets",
                "turret",
                "external",
                "sky",
                "licenses",
            ),
            required=("name",),
        )
        name = f.require("name").text()
        node = _optional(f, "node", self._node, Node())
        self._external = _optional(f, "external", self._external_section, External())
        voicemail = self._voicemail(f.get("voicemail"), root)
        dva = _optional(f, "dva", self._dva, None)
        conference_rooms = self._each(f, "conference_rooms", self._conference_room)
        business_codes = _optional(f, "business_codes", _business_codes, ())
        users = self._each(f, "users", self._user)
        self._user_logins = frozenset(user.login for user in users)
        desk_sharing_sets = self._each(f, "desk_sharing_sets", self._desk_sharing_set)
        groups = self._each(f, "groups", self._group)
        profiles = self._each(f, "turret_profiles", self._profile)
        turrets = self._each(f, "turrets", self._turret)
        self._check_controlled(profiles)
        turret = _optional(f, "turret", self._turret_settings, TurretSettings())
        administrators = self._each(f, "administrators", self._administrator)
        service_users = self._each(f, "service_users", self._service_user)
        sky = _optional(f, "sky", self._sky, Sky())
        licenses = _optional(f, "licenses", self._licenses, {})
        self._check_overflows()
        self._check_associates()
        return Company(
            name=name,
            node=node,
            users=users,
            desk_sharing_sets=desk_sharing_sets,
            groups=groups,
            voicemail=voicemail,
            dva=dva,
            conference_rooms=conference_rooms,
            business_codes=business_codes,
            administrators=administrators,
            service_users=service_users,
            turret_profiles=profiles,
            turrets=turrets,
            turret=turret,
            external=self._external,
            sky=sky,
            licenses=licenses,
        )

    @staticmethod
    def _each(fields: Fields, key: str, read: Callable[[Cursor], T]) -> tuple[T, ...]:
        return _optional(fields, key, lambda seq: tuple(read(item) for item in seq.items()), ())

    def _node(self, at: Cursor) -> Node:
        f = at.fields(("id", "name", "ip"))
        return Node(
            id=_optional(f, "id", lambda c: c.integer(1), 1),
            name=_optional(f, "name", Cursor.text, "ctiswitch"),
            ip=_optional(f, "ip", _ipv4, "127.0.0.1"),
        )

    # -- the numbering plan ---------------------------------------------------

    def _number(self, at: Cursor) -> str:
        """An internal number: digits that the outside-dialling rule does not
        take for an external call, used once in the whole numbering plan."""
        number = at.digits()
        self._check_internal(number, at)
        self._plan.claim(number, at)
        return number

    def _check_internal(self, number: str, at: Cursor) -> None:
        prefix = self._external.outside_prefix
        if number.startswith(prefix):
            at.fail(f"{number!r} starts with the outside prefix {prefix!r}, so it would dial out")
        if len(number) >= self._external.min_digits:
            at.fail(
                f"{number!r} has {self._external.min_digits} digits or more"
                " (external.min_digits), so it would dial out"
            )

    def _voicemail(self, at: Cursor | None, root: Cursor) -> Voicemail:
        f = at.fields(("number", "answer_delay", "greeting")) if at is not None else None
        number_at = f.get("number") if f is not None else None
        if number_at is not None:
            number = self._number(number_at)
        else:  # the default pilot number still takes its place in the plan
            number = _DEFAULT_VOICEMAIL.number
            where = at or root
            if self._external.is_external(number):
                where.fail(
                    f"the default voicemail number {number!r} would dial out; set voicemail.number"
                )
            self._plan.reserve(number, where, "voicemail.number (the default)")
        if f is None:
            return Voicemail(number=number)
        return Voicemail(number=number, answer_delay=_optional(f, "answer_delay", Cursor.seconds, 0.0),
                         greeting=_optional(f, "greeting", Cursor.seconds, 0.0))

    def _dva(self, at: Cursor) -> Dva:
        """The announcement's number takes its place in the plan like the
        voicemail pilot, so no phone or group can shadow it."""
        f = at.fields(("number", "answer_delay"), required=("number",))
        return Dva(
            number=self._number(f.require("number")),
            answer_delay=_optional(f, "answer_delay", Cursor.seconds, 0.0),
        )

    def _conference_room(self, at: Cursor) -> ConferenceRoom:
        """A room's number is claimed in the plan like any phone's, so
        dialling it can only ever reach the room."""
        f = at.fields(("number", "pin", "capacity"), required=("number", "capacity"))
        return ConferenceRoom(
            number=self._number(f.require("number")),
            capacity=f.require("capacity").integer(MIN_ROOM_CAPACITY, MAX_ROOM_CAPACITY),
            pin=_optional(f, "pin", Cursor.digits, None),
        )

    def _check_overflows(self) -> None:
        """Overflows are checked last: a group may overflow to a group or a
        turret line that comes after it."""
        for number, at in self._overflows:
            if number not in self._plan and not self._external.is_external(number):
                at.fail(f"{number!r} is neither a number of this company nor an external number")

    def _check_associates(self) -> None:
        """Associates are checked once the whole plan is known: a user's
        associate may be a phone or group that comes later in the file.
        Overflow to the associate is internal coverage, so an external
        number is refused here rather than dialled out at call time."""
        for number, own, at in self._associates:
            if number in own:
                at.fail(f"{number!r} is the user's own number; an associate is someone else")
            if number not in self._plan:
                at.fail(f"{number!r} is not an internal number of this company")

    # -- people and their phones ----------------------------------------------

    def _user(self, at: Cursor) -> User:
        f = at.fields(
            (
                "login",
                "first_name",
                "last_name",
                "secret",
                "language",
                "email",
                "devices",
                "did",
                "pin",
                "mailbox",
                "no_answer_seconds",
                "external_calls",
                "associate",
            ),
            required=("login", "first_name", "last_name", "secret"),
        )
        login = self._login(f.require("login"))
        did = _optional(f, "did", self._did, None)
        pin = _optional(f, "pin", Cursor.digits, None)
        if did is not None and pin is None:
            at.fail("a user with a 'did' needs a 'pin' (the ShoreTel Sky password)")
        devices = self._each(f, "devices", self._device)
        associate_at = f.get("associate")
        associate = associate_at.digits() if associate_at is not None else None
        if associate is not None and associate_at is not None:
            self._associates.append((associate, frozenset(d.number for d in devices), associate_at))
        return User(
            login=login,
            first_name=f.require("first_name").text(),
            last_name=f.require("last_name").text(),
            secret=f.require("secret").text(),
            language=_optional(
                f,
                "language",
                lambda c: c.matching(_LANGUAGE, "a language code like en or fr-ca"),
                "en",
            ),
            email=_optional(f, "email", lambda c: c.matching(_EMAIL, "an email address"), None),
            devices=devices,
            did=did,
            pin=pin,
            mailbox=_optional(f, "mailbox", Cursor.flag, True),
            no_answer_seconds=_optional(f, "no_answer_seconds", _positive_seconds, 15.0),
            external_calls=_optional(f, "external_calls", Cursor.flag, True),
            associate=associate,
        )

    def _login(self, at: Cursor) -> str:
        login = at.matching(_LOGIN, _LOGIN_MEANING)
        self._logins.claim(login, at)
        return login

    def _did(self, at: Cursor) -> str:
        did = at.digits(_DID_LENGTH)
        self._dids.claim(did, at)
        return did

    def _device(self, at: Cursor) -> Device:
        f = at.fields(("number", "type", "mac", "behaviour"), required=("number", "type"))
        return Device(
            number=self._number(f.require("number")),
            type=f.require("type").choice(DEVICE_TYPES),
            mac=_optional(f, "mac", self._mac, None),
            behaviour=_optional(f, "behaviour", _behaviour, Behaviour()),
        )

    def _desk_sharing_set(self, at: Cursor) -> DeskSharingSet:
        """A shared set: a number in the plan like any phone, with no owner."""
        f = at.fields(("number", "behaviour"), required=("number",))
        return DeskSharingSet(
            number=self._number(f.require("number")),
            behaviour=_optional(f, "behaviour", _behaviour, Behaviour()),
        )

    def _mac(self, at: Cursor) -> str:
        """A MAC address, lower-cased so that a Sky endpoint matches however it
        was typed."""
        mac = at.matching(_MAC, "a MAC address like 00:0a:dd:00:10:01").lower()
        self._macs.claim(mac, at)
        return mac

    def _administrator(self, at: Cursor) -> Administrator:
        f = at.fields(("login", "password"), required=("login", "password"))
        return Administrator(
            login=self._login(f.require("login")), password=f.require("password").text()
        )

    def _service_user(self, at: Cursor) -> ServiceUser:
        f = at.fields(("name", "password"), required=("name", "password"))
        name_at = f.require("name")
        name = name_at.text()
        self._service_names.claim(name, name_at)
        return ServiceUser(name=name, password=f.require("password").text())

    # -- hunt groups and queues -----------------------------------------------

    def _group(self, at: Cursor) -> Group:
        f = at.fields(
            (
                "number",
                "name",
                "kind",
                "ring_mode",
                "members",
                "no_answer_seconds",
                "queue_enabled",
                "voicemail_seconds",
                "overflow",
            ),
            required=("number", "name", "kind"),
        )
        number = self._number(f.require("number"))
        name = f.require("name").text()
        kind = f.require("kind").choice(GROUP_KINDS)
        is_queue = kind == "queue"
        return Group(
            number=number,
            name=name,
            kind=kind,
            ring_mode=_optional(
                f,
                "ring_mode",
                lambda c: c.choice(RING_MODES),
                "longest_idle" if is_queue else "parallel",
            ),
            members=_optional(f, "members", self._members, ()),
            no_answer_seconds=_optional(f, "no_answer_seconds", _positive_seconds, 15.0),
            queue_enabled=_optional(f, "queue_enabled", Cursor.flag, is_queue),
            voicemail_seconds=_optional(f, "voicemail_seconds", _positive_seconds, None),
            overflow=_optional(f, "overflow", lambda c: self._overflow(c, number), None),
        )

    def _members(self, at: Cursor) -> tuple[str, ...]:
        seen = _Seen()
        members = []
        for item in at.items():
            login = self._user_login(item)
            seen.claim(login, item)
            members.append(login)
        return tuple(members)

    def _user_login(self, at: Cursor) -> str:
        login = at.text()
        if login not in self._user_logins:
            at.fail(f"{login!r} is not the login of a user")
        return login

    def _overflow(self, at: Cursor, group_number: str) -> str:
        number = at.digits()
        if number == group_number:
            at.fail("a group cannot overflow to itself")
        self._overflows.append((number, at))
        return number

    # -- turrets --------------------------------------------------------------

    def _profile(self, at: Cursor) -> TurretProfile:
        f = at.fields(
            (
                "name",
                "password",
                "lines",
                "contacts",
                "ring_transfers",
                "ring_transfer_sequences",
                "interface_actions",
                "receive_calls_only",
            ),
            required=("name", "password"),
        )
        name_at = f.require("name")
        name = name_at.text()
        self._profile_names.claim(name, name_at)
        ring_transfers = self._each(f, "ring_transfers", lambda c: self._ring_transfer(c, name))
        _unique(ring_transfers, lambda rt: f"{rt.api_name}@{rt.controlled_profile}", f.get("ring_transfers"))
        sequences = self._each(f, "ring_transfer_sequences", lambda c: _sequence(c, name, ring_transfers))
        _unique(sequences, lambda seq: f"{seq.api_name}@{seq.controlled_profile}", f.get("ring_transfer_sequences"))
        actions = self._each(f, "interface_actions", _interface_action)
        _unique(actions, lambda action: action.api_name, f.get("interface_actions"))
        return TurretProfile(
            name=name,
            password=f.require("password").text(),
            lines=_optional(f, "lines", self._profile_lines, ()),
            contacts=_optional(f, "contacts", _contacts, {}),
            ring_transfers=ring_transfers,
            ring_transfer_sequences=sequences,
            interface_actions=actions,
            receive_calls_only=_optional(f, "receive_calls_only", Cursor.flag, False),
        )

    def _ring_transfer(self, at: Cursor, profile: str) -> RingTransfer:
        f = at.fields(
            ("api_name", "controlled_profile", "lines", "signalization_only", "keep_active_group", "active"),
            required=("api_name",),
        )
        controlled_at = f.get("controlled_profile")
        controlled = controlled_at.text() if controlled_at is not None else profile
        lines_at = f.get("lines")
        lines: list[tuple[str, Cursor]] = []
        if lines_at is not None:
            seen = _Seen()
            for item in lines_at.items():
                line = item.text()
                seen.claim(line, item)
                lines.append((line, item))
        self._controlled.append((controlled, controlled_at or at, tuple(lines)))
        return RingTransfer(
            api_name=f.require("api_name").text(),
            controlled_profile=controlled,
            lines=tuple(line for line, _ in lines),
            signalization_only=_optional(f, "signalization_only", Cursor.flag, False),
            keep_active_group=_optional(f, "keep_active_group", Cursor.text, None),
            active=_optional(f, "active", Cursor.flag, False),
        )

    def _check_controlled(self, profiles: tuple[TurretProfile, ...]) -> None:
        """Every controlled profile exists, and has the lines a ring transfer names."""
        by_name = {profile.name: profile for profile in profiles}
        for name, at, lines in self._controlled:
            profile = by_name.get(name)
            if profile is None:
                at.fail(f"{name!r} is not the name of a turret profile")
            known = {line.name for line in profile.lines}
            for line, line_at in lines:
                if line not in known:
                    line_at.fail(f"profile {name!r} has no line {line!r}")

    def _turret_settings(self, at: Cursor) -> TurretSettings:
        f = at.fields(
            ("max_controllers", "notification_dialect", "hold_behaviour", "legacy_call_data", "tls", "notify_tls")
        )
        return TurretSettings(
            max_controllers=_optional(f, "max_controllers", lambda c: c.integer(1), 1),
            notification_dialect=_optional(
                f, "notification_dialect", lambda c: c.choice(NOTIFICATION_DIALECTS), "auto"
            ),
            hold_behaviour=_optional(f, "hold_behaviour", lambda c: c.choice(HOLD_BEHAVIOURS), "common"),
            legacy_call_data=_optional(f, "legacy_call_data", Cursor.flag, True),
            tls=_optional(f, "tls", _turret_tls, TurretTls()),
            notify_tls=_optional(f, "notify_tls", _notify_tls, NotifyTls()),
        )

    def _profile_lines(self, at: Cursor) -> tuple[Line, ...]:
        names, priorities = _Seen(), _Seen()
        return tuple(
            self._line(item, position, names, priorities)
            for position, item in enumerate(at.items(), start=1)
        )

    def _line(self, at: Cursor, position: int, names: _Seen, priorities: _Seen) -> Line:
        f = at.fields(("name", "number", "outgoing", "priority"), required=("name", "number"))
        name_at, number_at = f.require("name"), f.require("number")
        name = name_at.text()
        names.claim(name, name_at)
        number = self._line_number(name, number_at)
        priority_at = f.get("priority")
        priority = position if priority_at is None else priority_at.integer(1)
        priorities.claim(str(priority), priority_at or at)
        return Line(
            name=name,
            number=number,
            outgoing=_optional(f, "outgoing", Cursor.flag, True),
            priority=priority,
        )

    def _line_number(self, name: str, at: Cursor) -> str:
        """A line listed by several profiles is one shared line: it takes its
        number in the plan once, and must have the same number everywhere."""
        shared = self._lines.get(name)
        if shared is None:
            number = self._number(at)
            self._lines[name] = (number, at)
            return number
        number = at.digits()
        first_number, first_at = shared
        if number != first_number:
            at.fail(
                f"line {name!r} is numbered {first_number!r} at {first_at.path}"
                f" (line {first_at.line}); a shared line has one number"
            )
        return number

    def _turret(self, at: Cursor) -> Turret:
        f = at.fields(("name", "user", "speech_units"), required=("name", "user"))
        name_at = f.require("name")
        name = name_at.text()
        self._turret_names.claim(name, name_at)
        return Turret(
            name=name,
            user=self._user_login(f.require("user")),
            speech_units=_optional(f, "speech_units", _speech_units, ()),
        )

    # -- the outside world ----------------------------------------------------

    def _external_section(self, at: Cursor) -> External:
        f = at.fields(("outside_prefix", "min_digits", "answer_after", "trunk_channels", "numbers"))
        rule = External(
            outside_prefix=_optional(f, "outside_prefix", Cursor.digits, "0"),
            min_digits=_optional(f, "min_digits", lambda c: c.integer(1), 7),
            answer_after=_optional(f, "answer_after", Cursor.seconds, 2.0),
            trunk_channels=_optional(f, "trunk_channels", lambda c: c.integer(0), 60),
        )
        numbers = self._each(f, "numbers", lambda c: self._external_number(c, rule))
        return External(
            outside_prefix=rule.outside_prefix,
            min_digits=rule.min_digits,
            answer_after=rule.answer_after,
            trunk_channels=rule.trunk_channels,
            numbers=numbers,
        )

    def _external_number(self, at: Cursor, rule: External) -> ExternalNumber:
        f = at.fields(("number", "outcome", "delay", "name"), required=("number", "outcome"))
        number_at = f.require("number")
        number = number_at.digits()
        if not rule.is_external(number):
            number_at.fail(
                f"{number!r} would be dialled as an internal number: an external number"
                f" starts with {rule.outside_prefix!r} or has {rule.min_digits} digits or more"
            )
        self._external_numbers.claim(number, number_at)
        return ExternalNumber(
            number=number,
            outcome=f.require("outcome").choice(OUTCOMES),
            delay=_optional(f, "delay", Cursor.seconds, 0.0),
            name=_optional(f, "name", Cursor.text, None),
        )

    def _sky(self, at: Cursor) -> Sky:
        f = at.fields(("list_calls_per_minute", "blocked", "international_blocked"))
        return Sky(
            list_calls_per_minute=_optional(f, "list_calls_per_minute", lambda c: c.integer(1), 60),
            blocked=_optional(f, "blocked", self._blocked, ()),
            international_blocked=_optional(f, "international_blocked", Cursor.flag, False),
        )

    def _blocked(self, at: Cursor) -> tuple[str, ...]:
        """Blocking is per user (Sky error 5), so each entry must be a user's DID."""
        seen = _Seen()
        blocked = []
        for item in at.items():
            did = item.digits(_DID_LENGTH)
            if did not in self._dids:
                item.fail(f"{did!r} is not the DID of a user")
            seen.claim(did, item)
            blocked.append(did)
        return tuple(blocked)

    @staticmethod
    def _licenses(at: Cursor) -> dict[str, int]:
        return {name.text(): count.integer(0) for name, count in at.entries()}


def _ipv4(at: Cursor) -> str:
    """The node address; IPv4 because its four bytes go into every gcid."""
    text = at.text()
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        at.fail(f"{text!r} is not an IPv4 address")
    return text


def _business_codes(at: Cursor) -> tuple[str, ...]:
    """Business codes become the call's account code, which MTCTI-3 shows
    and which the engine holds to 1..16 digits; each is listed once."""
    seen = _Seen()
    codes = []
    for item in at.items():
        code = item.digits()
        if len(code) > _BUSINESS_CODE_MAX:
            item.fail(f"{code!r} is longer than {_BUSINESS_CODE_MAX} digits")
        seen.claim(code, item)
        codes.append(code)
    return tuple(codes)


def _positive_seconds(at: Cursor) -> float:
    return at.seconds(positive=True)


def _behaviour(at: Cursor) -> Behaviour:
    f = at.fields(("mode", "delay"))
    return Behaviour(
        mode=_optional(f, "mode", lambda c: c.choice(BEHAVIOUR_MODES), "manual"),
        delay=_optional(f, "delay", Cursor.seconds, 0.0),
    )


def _contacts(at: Cursor) -> dict[str, str]:
    return {number.digits(): name.text() for number, name in at.entries()}


def _speech_units(at: Cursor) -> tuple[SpeechUnit, ...]:
    ids = _Seen()
    units = []
    for item in at.items():
        f = item.fields(("id", "type"), required=("id", "type"))
        id_at = f.require("id")
        unit_id = id_at.integer(0, _SPEECH_UNIT_ID_MAX)
        ids.claim(str(unit_id), id_at)
        units.append(SpeechUnit(id=unit_id, type=f.require("type").choice(SPEECH_UNIT_TYPES)))
    return tuple(units)


def _unique(values: tuple[T, ...], key: Callable[[T], str], at: Cursor | None) -> None:
    """Reject a repeated identifier in a list already read from ``at``."""
    if at is None:
        return
    seen = _Seen()
    for value, item in zip(values, at.items(), strict=True):
        name = key(value)
        seen.claim(name, item)


def _sequence(at: Cursor, profile: str, ring_transfers: tuple[RingTransfer, ...]) -> RingTransferSequence:
    f = at.fields(
        ("api_name", "controlled_profile", "members", "inverting", "signalization_only"),
        required=("api_name", "members"),
    )
    members_at = f.require("members")
    seen = _Seen()
    members = []
    for item in members_at.items():
        member = _sequence_member(item, ring_transfers)
        seen.claim(f"{member.api_name}@{member.controlled_profile}", item)
        members.append(member)
    if not members:
        members_at.fail("a sequence needs at least one member")
    return RingTransferSequence(
        api_name=f.require("api_name").text(),
        controlled_profile=_optional(f, "controlled_profile", Cursor.text, profile),
        members=tuple(members),
        inverting=_optional(f, "inverting", Cursor.flag, False),
        signalization_only=_optional(f, "signalization_only", Cursor.flag, False),
    )


def _sequence_member(at: Cursor, ring_transfers: tuple[RingTransfer, ...]) -> SequenceMember:
    """A member names one of the profile's own switchable ring transfers; its
    controlled profile may be left out when the api name alone is unambiguous."""
    f = at.fields(("ring_transfer", "controlled_profile", "active"), required=("ring_transfer",))
    name_at = f.require("ring_transfer")
    name = name_at.text()
    controlled_at = f.get("controlled_profile")
    matches = [rt for rt in ring_transfers if rt.api_name == name]
    if controlled_at is not None:
        controlled = controlled_at.text()
        matches = [rt for rt in matches if rt.controlled_profile == controlled]
    if not matches:
        name_at.fail(f"the profile has no ring transfer {name!r}" + (
            f" controlling {controlled!r}" if controlled_at is not None else ""))
    if len(matches) > 1:
        name_at.fail(f"ring transfer {name!r} controls several profiles; add controlled_profile")
    (ring_transfer,) = matches
    if ring_transfer.signalization_only:
        name_at.fail(f"ring transfer {name!r} is signalization only; a sequence cannot switch it")
    return SequenceMember(
        api_name=name,
        controlled_profile=ring_transfer.controlled_profile,
        active=_optional(f, "active", Cursor.flag, True),
    )


def _interface_action(at: Cursor) -> InterfaceAction:
    f = at.fields(
        ("api_name", "states", "state", "label", "first_line", "second_line", "key", "signalization_only"),
        required=("api_name",),
    )
    states_at = f.get("states")
    states: tuple[str, ...] = ("Active", "Inactive")
    if states_at is not None:
        seen = _Seen()
        chosen = []
        for item in states_at.items():
            state = item.choice(INTERFACE_ACTION_STATES)
            seen.claim(state, item)
            chosen.append(state)
        if not chosen:
            states_at.fail("an interface action needs at least one state")
        states = tuple(chosen)
    state_at = f.get("state")
    state = "Inactive" if "Inactive" in states else states[0]
    if state_at is not None:
        state = state_at.choice(states)
    return InterfaceAction(
        api_name=f.require("api_name").text(),
        states=states,
        label=_optional(f, "label", Cursor.text, ""),
        first_line=_optional(f, "first_line", Cursor.text, ""),
        second_line=_optional(f, "second_line", Cursor.text, ""),
        key=_optional(f, "key", lambda c: c.choice(KEY_KINDS), "switch"),
        signalization_only=_optional(f, "signalization_only", Cursor.flag, False),
        state=state,
    )


def _file(at: Cursor) -> str:
    """A certificate or key file; a relative path is relative to the company
    file's folder, so a configuration can be moved with its certificates."""
    path = Path(at.text())
    if not path.is_absolute():
        path = Path(at.source).parent / path
    if not path.is_file():
        at.fail(f"{str(path)!r} is not a readable file")
    return str(path)


def _key_pair(f: Fields, at: Cursor) -> tuple[str | None, str | None]:
    cert = _optional(f, "cert", _file, None)
    key = _optional(f, "key", _file, None)
    if (cert is None) != (key is None):
        at.fail("'cert' and 'key' go together: give both or neither")
    return cert, key


def _turret_tls(at: Cursor) -> TurretTls:
    f = at.fields(("enabled", "cert", "key", "client_ca"))
    cert, key = _key_pair(f, at)
    return TurretTls(
        enabled=_optional(f, "enabled", Cursor.flag, False),
        cert=cert,
        key=key,
        client_ca=_optional(f, "client_ca", _file, None),
    )


def _notify_tls(at: Cursor) -> NotifyTls:
    f = at.fields(("enabled", "ca", "cert", "key"))
    cert, key = _key_pair(f, at)
    return NotifyTls(
        enabled=_optional(f, "enabled", Cursor.flag, False),
        ca=_optional(f, "ca", _file, None),
        cert=cert,
        key=key,
    )
