"""The company's DVA (digital voice announcement) and business codes: what
the file may say, what the switch builds from it, and each mistake reported
at its file and line."""
from __future__ import annotations

import pytest

from ctiswitch.config import ConfigError, load_demo, load_text
from ctiswitch.config.model import Dva
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock

BASE = """\
name: x
users:
  - {login: a, first_name: Ann, last_name: A, secret: s, devices: [{number: "100", type: deskphone}]}
"""


def load(more: str) -> object:
    return load_text(BASE + more, "company.yaml")


def error(more: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(more)
    return caught.value


def test_the_demo_has_a_dva_and_business_codes() -> None:
    demo = load_demo()
    assert demo.dva == Dva(number="8100", answer_delay=0.0)
    assert demo.business_codes == ("100", "200")


def test_both_are_absent_by_default() -> None:
    company = load_text(BASE, "company.yaml")
    assert company.dva is None and company.business_codes == ()
    switch = build_switch(company, VirtualClock())
    assert switch.dva_number is None and switch.business_codes == frozenset()


def test_the_switch_takes_them_from_the_company() -> None:
    company = load_text(BASE + 'dva: {number: "555", answer_delay: 1.5}\nbusiness_codes: ["42", "7"]\n', "c.yaml")
    switch = build_switch(company, VirtualClock())
    assert (switch.dva_number, switch.dva_answer_delay) == ("555", 1.5)
    assert switch.business_codes == frozenset({"42", "7"})


@pytest.mark.parametrize(("more", "line", "problem"), [
    ("dva: {answer_delay: 1}\n", 4, "number"),
    ('dva: {number: "100"}\n', 3, "already used by dva.number"),  # read first, like voicemail
    ('dva:\n  number: "8000"\n', 5, "8000"),  # the default voicemail pilot has it
    ('dva: {number: "0123"}\n', 4, "outside prefix"),
    ('dva: {number: "81a"}\n', 4, "dva.number"),
    ('dva: {number: "81", answer_delay: -1}\n', 4, "answer_delay"),
    ('dva: {number: "81", colour: red}\n', 4, "colour"),
    ('business_codes: "100"\n', 4, "list"),
    ('business_codes: ["1x"]\n', 4, "business_codes[0]"),
    ('business_codes:\n  - "12"\n  - "12"\n', 6, "business_codes[1]"),
    ('business_codes: ["12345678901234567"]\n', 4, "longer than 16"),
])
def test_mistakes_are_reported_where_they_are(more: str, line: int, problem: str) -> None:
    caught = error(more)
    assert caught.source == "company.yaml" and caught.line == line, str(caught)
    assert problem in str(caught)
