"""A user's optional associate (o2g.md §2.6 ASSOCIATE overflow): an
internal number of the plan, not the user's own, checked once the whole
plan is known, with errors pointing at the file and line."""
from __future__ import annotations

from textwrap import dedent

import pytest

from ctiswitch.config import ConfigError, load_demo, load_text
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock

MARK = "# <-"


def _company(associate: str, *, group_after: bool = True) -> str:
    group = '\ngroups:\n  - {number: "300", name: G, kind: hunt}\n' if group_after else "\n"
    return dedent(f"""\
        name: x
        users:
          - login: a
            first_name: Ann
            last_name: A
            secret: s
            associate: "{associate}" {MARK}
            devices: [{{number: "100", type: deskphone}}, {{number: "101", type: softphone}}]
          - {{login: b, first_name: Bob, last_name: B, secret: s, devices: [{{number: "200", type: deskphone}}]}}
        """) + group


def test_associate_is_read() -> None:
    company = load_text(_company("200"), "co.yaml")
    assert company.users[0].associate == "200"
    assert company.users[1].associate is None


def test_a_group_later_in_the_file_may_be_the_associate() -> None:
    assert load_text(_company("300"), "co.yaml").users[0].associate == "300"


@pytest.mark.parametrize(("associate", "problem"), [
    ("100", "users[0].associate: '100' is the user's own number; an associate is someone else"),
    ("101", "users[0].associate: '101' is the user's own number; an associate is someone else"),
    ("999", "users[0].associate: '999' is not an internal number of this company"),
    ("0612345678", "users[0].associate: '0612345678' is not an internal number of this company"),
])
def test_bad_associate_reports_file_line_and_problem(associate: str, problem: str) -> None:
    document = _company(associate)
    line = next(n for n, text in enumerate(document.splitlines(), start=1) if MARK in text)
    with pytest.raises(ConfigError) as caught:
        load_text(document, "co.yaml")
    assert (caught.value.source, caught.value.line) == ("co.yaml", line)
    assert caught.value.problem == problem


def test_associate_must_be_digits() -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(_company("bob"), "co.yaml")
    assert caught.value.problem.startswith("users[0].associate:")


def test_the_engine_user_gets_the_associate() -> None:
    switch = build_switch(load_text(_company("200"), "co.yaml"), VirtualClock())
    assert switch.users["a"].associate == "200"
    assert switch.users["b"].associate is None


def test_demo_users_have_no_associate() -> None:
    assert all(user.associate is None for user in load_demo().users)
