"""Each validation rule reports the right file, line and problem.

In every case the line the error must point to carries the marker ``# <-``,
so the expected line is read from the document instead of being counted by
hand.
"""

from __future__ import annotations

from textwrap import dedent, indent

import pytest

from ctiswitch.config import ConfigError, load_text

MARK = "# <-"

USERS = """\
name: x
users:
  - {login: a, first_name: Ann, last_name: A, secret: s, devices: [{number: "100", type: deskphone}]}
  - {login: b, first_name: Bob, last_name: B, secret: s, did: "6465550001", pin: "1"}
"""


def _users(more: str = "", *, users: str = "") -> str:
    """A company with users a and b (a has device 100, b a DID), then more
    ``users`` and ``more`` top-level sections."""
    return USERS + indent(dedent(users), "  ") + dedent(more)


CASES: list[tuple[str, str, str]] = [
    # -- YAML itself ---------------------------------------------------------
    (
        "yaml syntax",
        """
        name: x
        users: [
          - login: a # <-
        """,
        "YAML: expected the node content, but found '-' (while parsing a flow node on line 3)",
    ),
    (
        "bad indentation",
        """
        name: x
          node: 1 # <-
        """,
        "YAML: mapping values are not allowed here",
    ),
    (
        "duplicate key",
        """
        name: x
        node:
          id: 1
          id: 2 # <-
        """,
        "node: duplicate key 'id' (first on line 3)",
    ),
    ("not a mapping", "- name # <-\n", "top level: expected a mapping, got a list"),
    (
        "foreign tag",
        """
        name: !python/name:os.system x # <-
        """,
        "name: expected text, got 'x' tagged '!python/name:os.system'",
    ),
    # -- keys ----------------------------------------------------------------
    (
        "unknown top-level key",
        """
        name: x
        user: [] # <-
        """,
        "top level: unknown key 'user' (did you mean 'users'?)",
    ),
    (
        "unknown nested key without a near miss",
        """
        name: x
        node:
          colour: blue # <-
        """,
        "node: unknown key 'colour' (expected id, name, ip)",
    ),
    ("missing name", "node: {id: 2} # <-\n", "top level: missing required key 'name'"),
    (
        "missing user key",
        """
        name: x
        users:
          - login: a # <-
            first_name: A
            last_name: B
        """,
        "users[0]: missing required key 'secret'",
    ),
    (
        "required key left blank",
        """
        name: x
        administrators:
          - login: admin
            password: # <-
        """,
        "administrators[0].password: needs a value",
    ),
    # -- types and values ----------------------------------------------------
    (
        "list expected",
        """
        name: x
        users: everyone # <-
        """,
        "users: expected a list, got 'everyone'",
    ),
    (
        "text expected",
        """
        name:
          first: x # <-
        """,
        "name: expected text, got a mapping",
    ),
    ("blank text", "name: '  ' # <-\n", "name: must not be blank"),
    (
        "whole number expected",
        """
        name: x
        node: {id: one} # <-
        """,
        "node.id: expected a whole number, got 'one'",
    ),
    (
        "number out of range",
        """
        name: x
        node: {id: 0} # <-
        """,
        "node.id: must be at least 1, got 0",
    ),
    (
        "tagged whole number that is not one",
        """
        name: x
        node: {id: !!int one} # <-
        """,
        "node.id: expected a whole number, got 'one'",
    ),
    (
        "endless seconds",
        """
        name: x
        external: {answer_after: .inf} # <-
        """,
        "external.answer_after: must be a finite number of seconds, got .inf",
    ),
    (
        "tagged flag that is not one",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, mailbox: !!bool perhaps} # <-
        """,
        "users[0].mailbox: expected true or false, got 'perhaps'",
    ),
    (
        "flag expected",
        """
        name: x
        sky: {international_blocked: sometimes} # <-
        """,
        "sky.international_blocked: expected true or false, got 'sometimes'",
    ),
    (
        "negative seconds",
        """
        name: x
        voicemail: {answer_delay: -1} # <-
        """,
        "voicemail.answer_delay: must be at least 0, got -1",
    ),
    (
        "negative greeting",
        """
        name: x
        voicemail: {greeting: -2} # <-
        """,
        "voicemail.greeting: must be at least 0, got -2",
    ),
    (
        "zero no-answer time",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, no_answer_seconds: 0} # <-
        """,
        "users[0].no_answer_seconds: must be more than 0, got 0",
    ),
    (
        "device type",
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices:
              - number: "100"
                type: fax # <-
        """,
        "users[0].devices[0].type: 'fax' is not one of deskphone, softphone, mobile, analog",
    ),
    (
        "behaviour mode",
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices:
              - {number: "100", type: analog, behaviour: {mode: answer}} # <-
        """,
        "users[0].devices[0].behaviour.mode: 'answer' is not one of"
        " manual, auto-answer, busy, no-answer, reject",
    ),
    (
        "number with letters",
        """
        name: x
        voicemail: {number: 80A0} # <-
        """,
        "voicemail.number: '80A0' is not a number made of digits",
    ),
    (
        "bad MAC",
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices: [{number: "100", type: deskphone, mac: "00:0a:dd"}] # <-
        """,
        "users[0].devices[0].mac: '00:0a:dd' is not a MAC address like 00:0a:dd:00:10:01",
    ),
    (
        "bad login",
        """
        name: x
        users:
          - {login: "a b", first_name: A, last_name: B, secret: s} # <-
        """,
        "users[0].login: 'a b' is not a login name (letters, digits and . _ - @)",
    ),
    (
        "bad email",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, email: nobody} # <-
        """,
        "users[0].email: 'nobody' is not an email address",
    ),
    (
        "bad language",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, language: English} # <-
        """,
        "users[0].language: 'English' is not a language code like en or fr-ca",
    ),
    (
        "bad IPv4",
        """
        name: x
        node: {ip: 10.0.0.256} # <-
        """,
        "node.ip: '10.0.0.256' is not an IPv4 address",
    ),
    (
        "negative licence count",
        """
        name: x
        licenses:
          TELEPHONY_BASIC: 5
          MESSAGING: -1 # <-
        """,
        "licenses.MESSAGING: must be at least 0, got -1",
    ),
    # -- DIDs and PINs -------------------------------------------------------
    (
        "DID too short",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, did: "646555100", pin: "1"} # <-
        """,
        "users[0].did: '646555100' does not have 10 digits",
    ),
    (
        "DID with letters",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, did: 646-555-1000, pin: "1"} # <-
        """,
        "users[0].did: '646-555-1000' is not a number made of digits",
    ),
    (
        "DID without PIN",
        """
        name: x
        users:
          - {login: a, first_name: A, last_name: B, secret: s, did: "6465551000"} # <-
        """,
        "users[0]: a user with a 'did' needs a 'pin' (the ShoreTel Sky password)",
    ),
    (
        "duplicate DID",
        _users(
            users="""\
              - {login: c, first_name: C, last_name: C, secret: s, did: "6465550001", pin: "1"} # <-
            """
        ),
        "users[2].did: '6465550001' is already used by users[1].did (line 4)",
    ),
    (
        "blocked DID of nobody",
        _users(
            """\
            sky:
              blocked: ["6465550001", "6465559999"] # <-
            """
        ),
        "sky.blocked[1]: '6465559999' is not the DID of a user",
    ),
    # -- logins and names ----------------------------------------------------
    (
        "duplicate login",
        _users(
            users="""\
              - {login: a, first_name: A, last_name: A, secret: s} # <-
            """
        ),
        "users[2].login: 'a' is already used by users[0].login (line 3)",
    ),
    (
        "administrator login of a user",
        _users(
            """\
            administrators:
              - {login: b, password: p} # <-
            """
        ),
        "administrators[0].login: 'b' is already used by users[1].login (line 4)",
    ),
    (
        "duplicate MAC",
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices:
              - {number: "100", type: deskphone, mac: "00:0A:DD:00:10:01"}
              - {number: "101", type: deskphone, mac: "00:0a:dd:00:10:01"} # <-
        """,
        "users[0].devices[1].mac: '00:0a:dd:00:10:01' is already used by"
        " users[0].devices[0].mac (line 8)",
    ),
    (
        "duplicate service user",
        """
        name: x
        service_users:
          - {name: cti, password: a}
          - {name: cti, password: b} # <-
        """,
        "service_users[1].name: 'cti' is already used by service_users[0].name (line 3)",
    ),
    # -- the numbering plan --------------------------------------------------
    (
        "device number used twice",
        _users(
            users="""\
              - login: c
                first_name: C
                last_name: C
                secret: s
                devices: [{number: "100", type: softphone}] # <-
            """
        ),
        "users[2].devices[0].number: '100' is already used by users[0].devices[0].number (line 3)",
    ),
    (
        "group number of a device",
        _users(
            """\
            groups:
              - {number: "100", name: G, kind: hunt} # <-
            """
        ),
        "groups[0].number: '100' is already used by users[0].devices[0].number (line 3)",
    ),
    (
        "device number of the voicemail",
        """
        name: x
        voicemail: {number: "500"}
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices: [{number: "500", type: analog}] # <-
        """,
        "users[0].devices[0].number: '500' is already used by voicemail.number (line 2)",
    ),
    (
        "device number of the default voicemail",
        """
        name: x
        users:
          - login: a
            first_name: A
            last_name: B
            secret: s
            devices: [{number: "8000", type: analog}] # <-
        """,
        "users[0].devices[0].number: '8000' is already used by voicemail.number (the default)",
    ),
    (
        "default voicemail number, voicemail section without one",
        """
        name: x
        voicemail: {answer_delay: 2}
        turret_profiles:
          - {name: P, password: p, lines: [{name: L1, number: "8000"}]} # <-
        """,
        "turret_profiles[0].lines[0].number: '8000' is already used by voicemail.number (the default)",
    ),
    (
        "turret line number of a device",
        _users(
            """\
            turret_profiles:
              - name: P
                password: p
                lines: [{name: L1, number: "100"}] # <-
            """
        ),
        "turret_profiles[0].lines[0].number: '100' is already used by"
        " users[0].devices[0].number (line 3)",
    ),
    (
        "two lines, one number",
        """
        name: x
        turret_profiles:
          - name: P
            password: p
            lines:
              - {name: L1, number: "500"}
              - {name: L2, number: "500"} # <-
        """,
        "turret_profiles[0].lines[1].number: '500' is already used by"
        " turret_profiles[0].lines[0].number (line 6)",
    ),
    (
        "shared line renumbered",
        """
        name: x
        turret_profiles:
          - {name: P, password: p, lines: [{name: L1, number: "500"}]}
          - {name: Q, password: q, lines: [{name: L1, number: "501"}]} # <-
        """,
        "turret_profiles[1].lines[0].number: line 'L1' is numbered '500' at"
        " turret_profiles[0].lines[0].number (line 3); a shared line has one number",
    ),
    (
        "internal number with the outside prefix",
        """
        name: x
        groups:
          - {number: "0100", name: G, kind: hunt} # <-
        """,
        "groups[0].number: '0100' starts with the outside prefix '0', so it would dial out",
    ),
    (
        "internal number too long",
        """
        name: x
        external: {min_digits: 4}
        voicemail: {number: "12345"} # <-
        """,
        "voicemail.number: '12345' has 4 digits or more (external.min_digits), so it would dial out",
    ),
    (
        "default voicemail dials out",
        """
        name: x # <-
        external: {outside_prefix: "8"}
        """,
        "top level: the default voicemail number '8000' would dial out; set voicemail.number",
    ),
    (
        "external number that is internal",
        """
        name: x
        external:
          numbers:
            - {number: "123", outcome: busy} # <-
        """,
        "external.numbers[0].number: '123' would be dialled as an internal number:"
        " an external number starts with '0' or has 7 digits or more",
    ),
    (
        "external number listed twice",
        """
        name: x
        external:
          numbers:
            - {number: "0600", outcome: busy}
            - {number: "0600", outcome: reject} # <-
        """,
        "external.numbers[1].number: '0600' is already used by external.numbers[0].number (line 4)",
    ),
    (
        "external outcome",
        """
        name: x
        external:
          numbers:
            - {number: "0600", outcome: explode} # <-
        """,
        "external.numbers[0].outcome: 'explode' is not one of"
        " answer, busy, no-answer, unobtainable, reject",
    ),
    # -- groups --------------------------------------------------------------
    (
        "group member who is not a user",
        _users(
            """\
            groups:
              - number: "300"
                name: G
                kind: queue
                members: [a, zed] # <-
            """
        ),
        "groups[0].members[1]: 'zed' is not the login of a user",
    ),
    (
        "group member twice",
        _users(
            """\
            groups:
              - {number: "300", name: G, kind: hunt, members: [a, b, a]} # <-
            """
        ),
        "groups[0].members[2]: 'a' is already used by groups[0].members[0] (line 6)",
    ),
    (
        "group kind",
        """
        name: x
        groups:
          - {number: "300", name: G, kind: acd} # <-
        """,
        "groups[0].kind: 'acd' is not one of hunt, queue",
    ),
    (
        "ring mode",
        """
        name: x
        groups:
          - {number: "300", name: G, kind: hunt, ring_mode: random} # <-
        """,
        "groups[0].ring_mode: 'random' is not one of parallel, sequential, rotary, longest_idle",
    ),
    (
        "overflow to nowhere",
        """
        name: x
        groups:
          - {number: "300", name: G, kind: hunt, overflow: "301"} # <-
        """,
        "groups[0].overflow: '301' is neither a number of this company nor an external number",
    ),
    (
        "overflow to itself",
        """
        name: x
        groups:
          - {number: "300", name: G, kind: hunt, overflow: "300"} # <-
        """,
        "groups[0].overflow: a group cannot overflow to itself",
    ),
    # -- turrets -------------------------------------------------------------
    (
        "turret of nobody",
        _users(
            """\
            turrets:
              - name: t1
                user: nobody # <-
            """
        ),
        "turrets[0].user: 'nobody' is not the login of a user",
    ),
    (
        "duplicate turret",
        _users(
            """\
            turrets:
              - {name: t1, user: a}
              - {name: t1, user: b} # <-
            """
        ),
        "turrets[1].name: 't1' is already used by turrets[0].name (line 6)",
    ),
    (
        "speech unit type",
        _users(
            """\
            turrets:
              - name: t1
                user: a
                speech_units: [{id: 1, type: earpiece}] # <-
            """
        ),
        "turrets[0].speech_units[0].type: 'earpiece' is not one of"
        " handset, headset, loudspeaker, microphone",
    ),
    (
        "speech unit id twice",
        _users(
            """\
            turrets:
              - name: t1
                user: a
                speech_units:
                  - {id: 1, type: handset}
                  - {id: 1, type: headset} # <-
            """
        ),
        "turrets[0].speech_units[1].id: '1' is already used by turrets[0].speech_units[0].id (line 9)",
    ),
    (
        "speech unit id beyond i16",
        _users(
            """\
            turrets:
              - {name: t1, user: a, speech_units: [{id: 40000, type: handset}]} # <-
            """
        ),
        "turrets[0].speech_units[0].id: must be between 0 and 32767, got 40000",
    ),
    (
        "duplicate profile",
        """
        name: x
        turret_profiles:
          - {name: P, password: p}
          - {name: P, password: q} # <-
        """,
        "turret_profiles[1].name: 'P' is already used by turret_profiles[0].name (line 3)",
    ),
    (
        "line priority twice",
        """
        name: x
        turret_profiles:
          - name: P
            password: p
            lines:
              - {name: L1, number: "500", priority: 2}
              - {name: L2, number: "501"} # <-
        """,
        "turret_profiles[0].lines[1]: '2' is already used by"
        " turret_profiles[0].lines[0].priority (line 6)",
    ),
    (
        "line listed twice in a profile",
        """
        name: x
        turret_profiles:
          - name: P
            password: p
            lines:
              - {name: L1, number: "500"}
              - {name: L1, number: "500"} # <-
        """,
        "turret_profiles[0].lines[1].name: 'L1' is already used by"
        " turret_profiles[0].lines[0].name (line 6)",
    ),
    (
        "contact number with letters",
        """
        name: x
        turret_profiles:
          - name: P
            password: p
            contacts:
              "0600": Broker
              desk: Desk # <-
        """,
        "turret_profiles[0].contacts: 'desk' is not a number made of digits",
    ),
]


@pytest.mark.parametrize(("yaml", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_reports_file_line_and_problem(yaml: str, problem: str) -> None:
    document = dedent(yaml).lstrip("\n")
    lines = [n for n, line in enumerate(document.splitlines(), start=1) if MARK in line]
    assert len(lines) == 1, "each case marks exactly one line"
    with pytest.raises(ConfigError) as caught:
        load_text(document, "co.yaml")
    assert str(caught.value) == f"co.yaml:{lines[0]}: {problem}"
    assert (caught.value.source, caught.value.line) == ("co.yaml", lines[0])
