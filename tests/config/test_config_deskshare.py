"""Desk-sharing sets in the company file: numbers in the plan, no owner,
errors at file:line (o2g.md §2.4 #31-32)."""
from __future__ import annotations

import pytest

from ctiswitch.config import ConfigError, load_text
from ctiswitch.config.load import load_demo
from ctiswitch.config.model import Behaviour, DeskSharingSet

BASE = """\
name: x
users:
  - {login: a, first_name: Ann, last_name: A, secret: s, devices: [{number: "100", type: deskphone}]}
"""


def test_demo_sets() -> None:
    assert load_demo().desk_sharing_sets == (DeskSharingSet("1901"), DeskSharingSet("1902"))


def test_a_set_with_a_behaviour() -> None:
    company = load_text(BASE + 'desk_sharing_sets:\n  - {number: "190", behaviour: {mode: auto-answer}}\n', "c.yaml")
    assert company.desk_sharing_sets == (DeskSharingSet("190", Behaviour("auto-answer")),)


@pytest.mark.parametrize(("sets", "line", "problem"), [
    ('  - {number: "100"}\n', 5, "already used"),
    ('  - {behaviour: {mode: manual}}\n', 5, "number"),
    ('  - {number: "190", owner: a}\n', 5, "owner"),
    ('  - {number: "0190"}\n', 5, "outside prefix"),
])
def test_errors(sets: str, line: int, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_text(BASE + "desk_sharing_sets:\n" + sets, "c.yaml")
    message = str(raised.value)
    assert message.startswith(f"c.yaml:{line}"), message
    assert problem in message, message
