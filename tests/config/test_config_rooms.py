"""MeetMe conference rooms in the company file: what it may say, what the
switch builds from it, and each mistake reported at its file and line."""
from __future__ import annotations

import pytest

from ctiswitch.config import ConfigError, load_demo, load_text
from ctiswitch.config.model import Company, ConferenceRoom
from ctiswitch.engine import directory
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock

BASE = """\
name: x
users:
  - {login: a, first_name: Ann, last_name: A, secret: s, devices: [{number: "100", type: deskphone}]}
"""


def load(more: str) -> Company:
    return load_text(BASE + more, "company.yaml")


def error(more: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(more)
    return caught.value


def test_the_demo_has_one_room() -> None:
    assert load_demo().conference_rooms == (ConferenceRoom(number="8200", capacity=6),)


def test_no_rooms_by_default() -> None:
    company = load(BASE[:0])
    assert company.conference_rooms == ()
    assert build_switch(company, VirtualClock()).conference_rooms == {}


def test_the_switch_takes_them_from_the_company() -> None:
    company = load('conference_rooms:\n  - {number: "200", capacity: 3}\n'
                   '  - {number: "201", capacity: 10, pin: "4321"}\n')
    assert company.conference_rooms == (ConferenceRoom("200", 3), ConferenceRoom("201", 10, "4321"))
    switch = build_switch(company, VirtualClock())
    assert switch.conference_rooms == {"200": directory.ConferenceRoom("200", 3, None),
                                       "201": directory.ConferenceRoom("201", 10, "4321")}
    assert switch.plan("201").failed and switch.plan("200").kind == "conference"


@pytest.mark.parametrize(("more", "line", "problem"), [
    ("conference_rooms:\n  - {capacity: 3}\n", 5, "number"),
    ('conference_rooms:\n  - {number: "200"}\n', 5, "capacity"),
    # read before the users, like the DVA: the phone is the one reported
    ('conference_rooms:\n  - {number: "100", capacity: 3}\n', 3, "already used by conference_rooms[0].number"),
    ('conference_rooms:\n  - {number: "8000", capacity: 3}\n', 5, "8000"),  # the voicemail pilot
    ('conference_rooms:\n  - {number: "200", capacity: 3}\n  - {number: "200", capacity: 4}\n', 6, "200"),
    ('conference_rooms:\n  - {number: "0200", capacity: 3}\n', 5, "outside prefix"),
    ('conference_rooms:\n  - {number: "20a", capacity: 3}\n', 5, "conference_rooms[0].number"),
    ('conference_rooms:\n  - {number: "200", capacity: 1}\n', 5, "capacity"),
    ('conference_rooms:\n  - {number: "200", capacity: 65}\n', 5, "capacity"),
    ('conference_rooms:\n  - {number: "200", capacity: 3, pin: "12x"}\n', 5, "pin"),
    ('conference_rooms:\n  - {number: "200", capacity: 3, colour: red}\n', 5, "colour"),
    ('conference_rooms: {number: "200"}\n', 4, "list"),
])
def test_mistakes_are_reported_at_their_line(more: str, line: int, problem: str) -> None:
    caught = error(more)
    assert caught.line == line, str(caught)
    assert problem in str(caught), str(caught)
