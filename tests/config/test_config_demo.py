"""The built-in demo company: the facts other tests and the docs rely on."""

from __future__ import annotations

import pytest

from ctiswitch.config import Company, demo_text, load_demo, load_text
from ctiswitch.config.model import (
    Administrator,
    Behaviour,
    Device,
    ExternalNumber,
    Group,
    Line,
    ServiceUser,
    SpeechUnit,
    Turret,
)

PEOPLE = [
    ("1001", "Alice", "Martin", "alice.martin"),
    ("1002", "Bruno", "Dubois", "bruno.dubois"),
    ("1003", "Chloé", "Bernard", "chloe.bernard"),
    ("1004", "David", "Petit", "david.petit"),
    ("1005", "Emma", "Laurent", "emma.laurent"),
    ("1006", "François", "Moreau", "francois.moreau"),
    ("1007", "Gabrielle", "Roux", "gabrielle.roux"),
    ("1008", "Henry", "Blanc", "henry.blanc"),
]


@pytest.fixture(scope="module")
def demo() -> Company:
    return load_demo()


def test_company_and_node(demo: Company) -> None:
    assert demo.name == "Demo Company"
    assert (demo.node.id, demo.node.name, demo.node.ip) == (1, "ctiswitch", "127.0.0.1")


def test_users_are_1001_to_1008_with_their_credentials(demo: Company) -> None:
    assert [(u.login, u.first_name, u.last_name) for u in demo.users] == [p[:3] for p in PEOPLE]
    for n, (user, person) in enumerate(zip(demo.users, PEOPLE, strict=True), start=1):
        assert user.secret == "1234"
        assert user.email == f"{person[3]}@demo.example"
        assert user.did == f"646555100{n}"
        assert user.pin == "1234"
        assert (user.language, user.mailbox, user.no_answer_seconds, user.external_calls) == (
            "en",
            True,
            15.0,
            True,
        )


def test_each_user_has_a_deskphone_and_1001_1002_a_softphone(demo: Company) -> None:
    for n, user in enumerate(demo.users, start=1):
        deskphone = Device(user.login, "deskphone", f"00:0a:dd:00:10:0{n}", Behaviour())
        softphones = (Device(f"200{n}", "softphone"),) if n <= 2 else ()
        assert user.devices == (deskphone, *softphones)


def test_groups_and_voicemail(demo: Company) -> None:
    agents = ("1005", "1006", "1007")
    assert demo.groups == (
        Group("3000", "Support", "hunt", "parallel", agents, queue_enabled=False),
        Group("3100", "Sales", "queue", "longest_idle", agents, queue_enabled=True),
    )
    assert (demo.voicemail.number, demo.voicemail.answer_delay) == ("8000", 0.0)


def test_accounts(demo: Company) -> None:
    assert demo.administrators == (Administrator("admin", "admin"),)
    assert demo.service_users == (ServiceUser("cti", "cti"),)


def test_turret_profile_and_turret(demo: Company) -> None:
    (profile,) = demo.turret_profiles
    assert (profile.name, profile.password, profile.contacts) == ("Trader1", "1234", {})
    assert profile.lines == tuple(
        Line(f"L{i}", f"500{i}", outgoing=True, priority=i) for i in range(1, 5)
    )
    assert demo.turrets == (
        Turret("turret1", "1003", (SpeechUnit(1, "handset"), SpeechUnit(2, "headset"))),
    )


def test_external_defaults_and_magic_numbers(demo: Company) -> None:
    ext = demo.external
    assert (ext.outside_prefix, ext.min_digits, ext.answer_after, ext.trunk_channels) == (
        "0",
        7,
        2.0,
        60,
    )
    assert ext.numbers == (
        ExternalNumber("0600000486", "busy"),
        ExternalNumber("0600000408", "no-answer"),
        ExternalNumber("0600000404", "unobtainable"),
        ExternalNumber("0600000603", "reject"),
    )


def test_sky_defaults_and_generous_licences(demo: Company) -> None:
    assert (demo.sky.list_calls_per_minute, demo.sky.blocked, demo.sky.international_blocked) == (
        60,
        (),
        False,
    )
    assert demo.licenses["TELEPHONY_ADVANCED"] >= 1000
    assert demo.licenses["MTCTI3"] == 10
    assert all(count > 0 for count in demo.licenses.values())


def test_demo_text_round_trips(demo: Company) -> None:
    assert load_text(demo_text(), "copy.yaml") == demo


def test_demo_text_documents_the_magic_numbers() -> None:
    lines = demo_text().splitlines()
    for number in ("0600000486", "0600000408", "0600000404", "0600000603"):
        (line,) = [line for line in lines if number in line]
        assert "#" in line.split(number, 1)[1], f"{number} has no comment"


def test_is_external_follows_prefix_and_length(demo: Company) -> None:
    assert demo.external.is_external("0600000486")
    assert demo.external.is_external("6465551001")
    assert not demo.external.is_external("1001")
    assert not demo.external.is_external("123456")
