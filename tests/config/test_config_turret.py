"""The turret part of the company file: ring transfers, sequences, interface
actions, receive-calls-only profiles and the `turret:` settings section.

Error cases mark the line the error must point to with ``# <-``, as in
test_config_errors.py, so the expected line is read from the document.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from ctiswitch.config import ConfigError, load_config, load_demo, load_text
from ctiswitch.config.model import (
    InterfaceAction,
    NotifyTls,
    RingTransfer,
    RingTransferSequence,
    SequenceMember,
    TurretSettings,
    TurretTls,
)

MARK = "# <-"

PROFILES = """\
name: x
turret_profiles:
  - name: P1
    password: p
    lines: [{name: A1, number: "501"}, {name: A2, number: "502"}]
"""


def _company(more: str, *, profiles: str = "") -> str:
    """PROFILES, then more ``profiles`` entries, then top-level ``more``."""
    return PROFILES + indent(dedent(profiles), "  ") + dedent(more)


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_text(text, "co.yaml")
    return caught.value


def _marked_line(text: str) -> int:
    (line,) = [n for n, row in enumerate(text.splitlines(), start=1) if MARK in row]
    return line


def test_defaults_when_nothing_is_said() -> None:
    company = load_text(PROFILES, "co.yaml")
    (profile,) = company.turret_profiles
    assert (profile.ring_transfers, profile.ring_transfer_sequences, profile.interface_actions) == ((), (), ())
    assert profile.receive_calls_only is False
    assert company.turret == TurretSettings(1, "auto", "common", True, TurretTls(), NotifyTls())


def test_ring_transfers_sequences_and_actions_are_read() -> None:
    company = load_text(_company("", profiles="""\
          - name: P2
            password: p
            lines: [{name: B1, number: "601"}, {name: B2, number: "602"}]
            receive_calls_only: true
            ring_transfers:
              - {api_name: RT, controlled_profile: P1, lines: [A2], keep_active_group: K}
              - {api_name: RT, signalization_only: true, active: true}
            ring_transfer_sequences:
              - api_name: S
                inverting: true
                members:
                  - {ring_transfer: RT, controlled_profile: P1}
            interface_actions:
              - {api_name: Rec}
              - {api_name: M, states: [State_A, State_Z], state: State_Z, label: L, first_line: F,
                 second_line: G, key: push, signalization_only: true}
        """), "co.yaml")
    p2 = company.turret_profiles[1]
    assert p2.receive_calls_only is True
    assert p2.ring_transfers == (
        RingTransfer("RT", "P1", ("A2",), False, "K", False),
        RingTransfer("RT", "P2", (), True, None, True),
    )
    assert p2.ring_transfer_sequences == (RingTransferSequence("S", "P2", (SequenceMember("RT", "P1", True),), True),)
    assert p2.interface_actions == (
        InterfaceAction("Rec", state="Inactive"),
        InterfaceAction("M", ("State_A", "State_Z"), "L", "F", "G", "push", True, state="State_Z"),
    )


def test_turret_settings_and_tls_files_relative_to_the_company_file(tmp_path: Path) -> None:
    for name in ("cert.pem", "key.pem", "ca.pem"):
        (tmp_path / name).write_text("x")
    path = tmp_path / "co.yaml"
    path.write_text(_company("""\
        turret:
          max_controllers: 2
          notification_dialect: unframed
          hold_behaviour: private
          legacy_call_data: false
          tls: {enabled: true, cert: cert.pem, key: key.pem, client_ca: ca.pem}
          notify_tls: {enabled: true, ca: ca.pem}
        """))
    settings = load_config(path).turret
    assert (settings.max_controllers, settings.notification_dialect, settings.hold_behaviour,
            settings.legacy_call_data) == (2, "unframed", "private", False)
    assert settings.tls == TurretTls(True, str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"),
                                     str(tmp_path / "ca.pem"))
    assert settings.notify_tls == NotifyTls(True, str(tmp_path / "ca.pem"), None, None)


def test_the_demo_profile_has_usable_ring_transfers_and_actions() -> None:
    (profile,) = load_demo().turret_profiles
    assert [rt.api_name for rt in profile.ring_transfers] == ["RT_Desk", "RT_Backup"]
    assert [seq.api_name for seq in profile.ring_transfer_sequences] == ["SEQ_Handover"]
    assert [action.api_name for action in profile.interface_actions] == ["Recording", "Market"]
    assert all(not rt.signalization_only for rt in profile.ring_transfers)


ERRORS: list[tuple[str, str, str]] = [
    (
        "unknown controlled profile",
        """\
        ring_transfers:
          - {api_name: RT, controlled_profile: Nobody} # <-
        """,
        "turret_profiles[0].ring_transfers[0].controlled_profile: 'Nobody' is not the name of a turret profile",
    ),
    (
        "line not in the controlled profile",
        """\
        ring_transfers:
          - api_name: RT
            lines:
              - A1
              - Z9 # <-
        """,
        "turret_profiles[0].ring_transfers[0].lines[1]: profile 'P1' has no line 'Z9'",
    ),
    (
        "repeated ring transfer",
        """\
        ring_transfers:
          - {api_name: RT}
          - {api_name: RT} # <-
        """,
        "turret_profiles[0].ring_transfers[1]: 'RT@P1' is already used by turret_profiles[0].ring_transfers[0]",
    ),
    (
        "sequence member unknown",
        """\
        ring_transfers: [{api_name: RT}]
        ring_transfer_sequences:
          - api_name: S
            members:
              - {ring_transfer: Other} # <-
        """,
        "members[0].ring_transfer: the profile has no ring transfer 'Other'",
    ),
    (
        "sequence of a signalization-only ring transfer",
        """\
        ring_transfers: [{api_name: RT, signalization_only: true}]
        ring_transfer_sequences:
          - api_name: S
            members:
              - {ring_transfer: RT} # <-
        """,
        "ring transfer 'RT' is signalization only; a sequence cannot switch it",
    ),
    (
        "empty sequence",
        """\
        ring_transfer_sequences:
          - api_name: S
            members: [] # <-
        """,
        "members: a sequence needs at least one member",
    ),
    (
        "interface action state not in the enum",
        """\
        interface_actions:
          - api_name: A
            states:
              - Active
              - State_AA # <-
        """,
        "states[1]: 'State_AA' is not one of Active, Inactive, State_A",
    ),
    (
        "initial state not allowed",
        """\
        interface_actions:
          - api_name: A
            states: [State_A]
            state: Active # <-
        """,
        "state: 'Active' is not one of State_A",
    ),
    (
        "repeated interface action",
        """\
        interface_actions:
          - {api_name: A}
          - {api_name: A} # <-
        """,
        "interface_actions[1]: 'A' is already used by turret_profiles[0].interface_actions[0]",
    ),
    (
        "bad key kind",
        """\
        interface_actions:
          - {api_name: A, key: toggle} # <-
        """,
        "key: 'toggle' is not one of push, switch",
    ),
]


@pytest.mark.parametrize(("case", "profile_keys", "message"), ERRORS, ids=[case[0] for case in ERRORS])
def test_profile_errors_name_the_line(case: str, profile_keys: str, message: str) -> None:
    text = PROFILES + "    " + dedent(profile_keys).replace("\n", "\n    ").rstrip() + "\n"
    error = _error(text)
    assert error.line == _marked_line(text), str(error)
    assert message in error.problem, str(error)


SETTINGS_ERRORS: list[tuple[str, str, str]] = [
    ("zero controllers", "turret:\n  max_controllers: 0 # <-\n", "must be at least 1, got 0"),
    ("bad dialect", "turret:\n  notification_dialect: compact # <-\n",
     "'compact' is not one of auto, framed, unframed"),
    ("bad hold", "turret:\n  hold_behaviour: shared # <-\n", "'shared' is not one of common, private"),
    ("unknown key", "turret:\n  max_controller: 2 # <-\n", "unknown key 'max_controller' (did you mean 'max_controllers'?)"),
    ("missing file", "turret:\n  tls: {enabled: true, cert: /nonexistent/c.pem, key: /nonexistent/k.pem} # <-\n",
     "'/nonexistent/c.pem' is not a readable file"),
    ("cert without key", "turret:\n  notify_tls:\n    cert: co.yaml # <-\n",
     "'cert' and 'key' go together"),
]


@pytest.mark.parametrize(("case", "section", "message"), SETTINGS_ERRORS, ids=[c[0] for c in SETTINGS_ERRORS])
def test_settings_errors_name_the_line(case: str, section: str, message: str, tmp_path: Path) -> None:
    text = PROFILES + section
    path = tmp_path / "co.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == _marked_line(text), str(caught.value)
    assert message in caught.value.problem, str(caught.value)
