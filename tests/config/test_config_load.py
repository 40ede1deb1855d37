"""Loading: defaults, the way values are read, files, and YAML features."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from ctiswitch.config import Company, ConfigError, demo_text, load_config, load_demo, load_text
from ctiswitch.config.model import Behaviour, Device, External, Group, Line, Sky, Voicemail
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock


def load(yaml: str) -> Company:
    return load_text(dedent(yaml), "co.yaml")


def error(yaml: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(yaml)
    return str(caught.value)


# -- defaults -------------------------------------------------------------------


def test_a_name_is_a_whole_company() -> None:
    company = load("name: Tiny\n")
    assert company == Company(name="Tiny")
    assert company.voicemail == Voicemail("8000", 0.0)
    assert company.external == External("0", 7, 2.0, 60, ())
    assert company.sky == Sky(60, (), False)
    assert company.licenses == {}


def test_voicemail_timings_reach_the_engine() -> None:
    company = load("name: x\nvoicemail: {number: \"800\", answer_delay: 1.5, greeting: 4}\n")
    assert company.voicemail == Voicemail("800", 1.5, 4.0)
    switch = build_switch(company, VirtualClock())
    assert (switch.voicemail_number, switch.voicemail_answer_delay, switch.voicemail_greeting_seconds) == (
        "800", 1.5, 4.0)


def test_user_defaults() -> None:
    (user,) = load(
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s}
        """
    ).users
    assert (user.language, user.email, user.devices, user.did, user.pin) == (
        "en",
        None,
        (),
        None,
        None,
    )
    assert (user.mailbox, user.no_answer_seconds, user.external_calls) == (True, 15.0, True)


def test_group_defaults_depend_on_kind() -> None:
    hunt, queue = load(
        """
        name: x
        groups:
          - {number: "300", name: H, kind: hunt}
          - {number: "301", name: Q, kind: queue}
        """
    ).groups
    assert hunt == Group("300", "H", "hunt", "parallel", (), 15.0, queue_enabled=False)
    assert queue == Group("301", "Q", "queue", "longest_idle", (), 15.0, queue_enabled=True)


def test_explicit_group_settings_win_over_kind_defaults() -> None:
    (group,) = load(
        """
        name: x
        groups:
          - number: "300"
            name: Q
            kind: queue
            ring_mode: rotary
            queue_enabled: no
            no_answer_seconds: 7.5
            voicemail_seconds: 30
            overflow: "0612345678"
        """
    ).groups
    assert (group.ring_mode, group.queue_enabled, group.no_answer_seconds) == ("rotary", False, 7.5)
    assert (group.voicemail_seconds, group.overflow) == (30.0, "0612345678")


def test_overflow_may_name_a_group_further_down() -> None:
    first, _ = load(
        """
        name: x
        groups:
          - {number: "300", name: A, kind: hunt, overflow: "301"}
          - {number: "301", name: B, kind: hunt}
        """
    ).groups
    assert first.overflow == "301"


def test_line_priority_defaults_to_position() -> None:
    (profile,) = load(
        """
        name: x
        turret_profiles:
          - name: P
            password: p
            lines:
              - {name: L1, number: "500", priority: 3}
              - {name: L2, number: "501", outgoing: false}
              - {name: L3, number: "502", priority: 1}
        """
    ).turret_profiles
    assert profile.lines == (
        Line("L1", "500", priority=3),
        Line("L2", "501", outgoing=False, priority=2),
        Line("L3", "502", priority=1),
    )


def test_a_line_may_be_shared_by_profiles() -> None:
    first, second = load(
        """
        name: x
        turret_profiles:
          - {name: P, password: p, lines: [{name: L1, number: "500"}]}
          - {name: Q, password: q, lines: [{name: L2, number: "501"}, {name: L1, number: "500"}]}
        """
    ).turret_profiles
    assert first.lines[0].number == second.lines[1].number == "500"


def test_behaviour_contacts_and_licences() -> None:
    company = load(
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices:
              - {number: "100", type: mobile, mac: "00:0A:DD:FF:10:01", behaviour: {mode: auto-answer, delay: 3}}
        turret_profiles:
          - {name: P, password: p, contacts: {"0612345678": Broker, 100: Desk}}
        licenses: {TELEPHONY_BASIC: 0, MTCTI3: 2}
        """
    )
    assert company.users[0].devices == (
        Device("100", "mobile", "00:0a:dd:ff:10:01", Behaviour("auto-answer", 3.0)),
    )
    assert company.turret_profiles[0].contacts == {"0612345678": "Broker", "100": "Desk"}
    assert company.licenses == {"TELEPHONY_BASIC": 0, "MTCTI3": 2}


# -- how values are read --------------------------------------------------------


def test_text_is_taken_as_written() -> None:
    """Unquoted numbers keep their digits (no octal, no int), and YAML 1.1
    booleans such as ``no`` stay words where text is expected."""
    (user,) = load(
        """
        name: x
        users:
          - {login: 1001, first_name: No, last_name: "On", secret: 0017, did: 0646555100, pin: 0123, language: no}
        """
    ).users
    assert (user.login, user.first_name, user.secret) == ("1001", "No", "0017")
    assert (user.did, user.pin, user.language) == ("0646555100", "0123", "no")


def test_a_blank_optional_key_is_absent() -> None:
    (user,) = load(
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            email:
            devices:
        """
    ).users
    assert (user.email, user.devices) == (None, ())


def test_anchors_and_merge_keys_work() -> None:
    users = load(
        """
        name: x
        users:
          - &person {login: a, first_name: A, last_name: Same, secret: s, no_answer_seconds: 9}
          - {<<: *person, login: b, first_name: B}
          - <<: [{login: c, secret: t}, *person]
            first_name: C
        """
    ).users
    assert [(u.login, u.first_name, u.last_name, u.secret) for u in users] == [
        ("a", "A", "Same", "s"),
        ("b", "B", "Same", "s"),
        ("c", "C", "Same", "t"),
    ]
    assert {u.no_answer_seconds for u in users} == {9.0}


def test_a_mapping_cannot_merge_itself() -> None:
    assert (
        error("name: x\nnode: &n {<<: *n}\n")
        == "co.yaml:2: node: '<<' merges a mapping into itself"
    )


def test_merge_needs_mappings() -> None:
    assert error("name: x\nnode: {<<: [1]}\n") == (
        "co.yaml:2: node: '<<' merges a mapping or a list of mappings"
    )


def test_keys_must_be_text() -> None:
    assert error("name: x\nnode: {[1]: 2}\n") == "co.yaml:2: node: a key must be text, got a list"


# -- whole-document and file problems --------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "co.yaml:1: the document is empty; it must describe a company"),
        ("# only a comment\n", "co.yaml:1: the document is empty; it must describe a company"),
        (
            "name: a\n---\nname: b\n",
            "co.yaml:2: YAML: expected a single document in the stream, but found another document",
        ),
        (
            "name: 'x\n",
            "co.yaml:2: YAML: found unexpected end of stream"
            " (while scanning a quoted scalar on line 1)",
        ),
        ("name: x\nnode:\n  name: \x07\n", "co.yaml:3: YAML: character #x0007 is not allowed"),
        (
            "name: x\n" + "node: " + "[" * 5000 + "]" * 5000,
            "co.yaml: YAML: the document is nested too deeply",
        ),
        ("name: x\nnode: &a [*b]\n", "co.yaml:2: YAML: found undefined alias 'b'"),
        (
            "name: x\nusers:\n  - &u0 {login: u0, first_name: A, last_name: B, secret: s}\n"
            + "".join(f"  - &u{i} {{<<: *u{i - 1}, login: u{i}}}\n" for i in range(1, 2000)),
            "co.yaml: YAML: the document is nested too deeply",
        ),
    ],
    ids=[
        "empty",
        "comment only",
        "two documents",
        "open quote",
        "control character",
        "too deep",
        "undefined alias",
        "merge chain",
    ],
)
def test_document_problems(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(text, "co.yaml")
    assert str(caught.value) == message


def test_load_config_reads_a_file_and_names_it_in_errors(tmp_path: Path) -> None:
    good = tmp_path / "company.yaml"
    good.write_text(demo_text(), encoding="utf-8")
    assert load_config(good) == load_demo()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnodes: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(bad))
    assert str(caught.value) == f"{bad}:2: top level: unknown key 'nodes' (did you mean 'node'?)"


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: Café\n".encode("utf-8"))
    assert load_config(path).name == "Café"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot read the file: No such file or directory"
    assert caught.value.line is None


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\nusers:\n  - first_name: Chloé\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:3: the file is not UTF-8 text"
