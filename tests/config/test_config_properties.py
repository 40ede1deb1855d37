"""Properties: the numbering plan is unique whatever its shape, and no input
makes the loader fail with anything but ConfigError."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ctiswitch.config import ConfigError, demo_text, load_text

# Internal numbers the default dialling rule keeps inside: no leading 0,
# fewer than 7 digits, and not the default voicemail 8000.
internal_numbers = st.from_regex(r"[1-7][0-9]{2,5}", fullmatch=True)
ROLES = ("device", "group", "line")


def _company(numbered: list[tuple[str, str]]) -> str:
    """A company where each (role, number) becomes a device, a group or a turret line."""
    devices = [{"number": n, "type": "deskphone"} for role, n in numbered if role == "device"]
    groups = [
        {"number": n, "name": f"G{n}", "kind": "hunt"} for role, n in numbered if role == "group"
    ]
    lines = [
        {"name": f"L{i}", "number": n} for i, (role, n) in enumerate(numbered) if role == "line"
    ]
    return yaml.safe_dump(
        {
            "name": "Plan",
            "users": [
                {
                    "login": "u",
                    "first_name": "U",
                    "last_name": "U",
                    "secret": "s",
                    "devices": devices,
                }
            ],
            "groups": groups,
            "turret_profiles": [{"name": "P", "password": "p", "lines": lines}],
        }
    )


@given(st.lists(st.tuples(st.sampled_from(ROLES), internal_numbers), unique_by=lambda x: x[1]))
def test_distinct_numbers_load_in_place(numbered: list[tuple[str, str]]) -> None:
    company = load_text(_company(numbered), "plan.yaml")
    plan = (
        [d.number for d in company.users[0].devices]
        + [g.number for g in company.groups]
        + [line.number for line in company.turret_profiles[0].lines]
    )
    assert sorted(plan) == sorted(n for _, n in numbered)


@given(
    st.lists(
        st.tuples(st.sampled_from(ROLES), internal_numbers), min_size=2, unique_by=lambda x: x[1]
    ),
    st.data(),
)
def test_any_repeated_number_is_rejected(
    numbered: list[tuple[str, str]], data: st.DataObject
) -> None:
    first, second = data.draw(
        st.lists(st.integers(0, len(numbered) - 1), min_size=2, max_size=2, unique=True)
    )
    numbered[second] = (numbered[second][0], numbered[first][1])
    try:
        load_text(_company(numbered), "plan.yaml")
    except ConfigError as error:
        assert f"{numbered[first][1]!r} is already used by" in error.problem
    else:
        raise AssertionError("a repeated number was accepted")


DEMO = demo_text()
yaml_noise = st.one_of(
    st.text(alphabet=" \n\t-:#&*!|>'\"{}[],?%@`~0123456789abcxyz<", max_size=12),
    st.sampled_from(
        ["!!int ", "!!float ", "!!bool ", "!!str ", "!!set ", "!!null ", "<<: ", "&a ", "*a "]
    ),
)


@settings(max_examples=300)
@given(st.integers(0, len(DEMO)), st.integers(0, 40), yaml_noise)
def test_edited_demo_loads_or_raises_config_error(start: int, length: int, noise: str) -> None:
    """Any edit of a real file either loads or is reported at a line: never a traceback."""
    edited = DEMO[:start] + noise + DEMO[start + length :]
    try:
        load_text(edited, "demo.yaml")
    except ConfigError as error:
        assert str(error).startswith("demo.yaml")
