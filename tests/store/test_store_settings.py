"""Run-time configuration overrides: operations, JSON round trip, refusals, a model check."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ctiswitch.store import JsonValue, Store, StoreError, open_store


def test_put_get_overwrite_and_delete(store: Store) -> None:
    assert store.settings.get("user:1001", "dnd") is None
    store.settings.put("user:1001", "dnd", True)
    assert store.settings.get("user:1001", "dnd") is True
    store.settings.put("user:1001", "dnd", False)
    assert store.settings.get("user:1001", "dnd") is False
    assert store.settings.delete("user:1001", "dnd") is True
    assert store.settings.delete("user:1001", "dnd") is False
    assert store.settings.get("user:1001", "dnd") is None


def test_a_stored_null_is_an_override_distinct_from_none_stored(store: Store) -> None:
    store.settings.put("user:1001", "routing", None)
    assert store.settings.get("user:1001", "routing", "absent") is None
    assert store.settings.get("user:1001", "dnd", "absent") == "absent"
    assert store.settings.scope("user:1001") == {"routing": None}


def test_all_and_scope_are_keyed_and_ordered(store: Store) -> None:
    store.settings.put("user:1002", "dnd", True)
    store.settings.put("group:3000", "members", ["1001", "1002"])
    store.settings.put("user:1001", "routing", {"forward": "voicemail"})
    store.settings.put("user:1001", "dnd", False)
    everything = store.settings.all()
    assert everything == {
        ("group:3000", "members"): ["1001", "1002"],
        ("user:1001", "dnd"): False,
        ("user:1001", "routing"): {"forward": "voicemail"},
        ("user:1002", "dnd"): True,
    }
    assert list(everything) == sorted(everything)
    assert store.settings.scope("user:1001") == {"dnd": False, "routing": {"forward": "voicemail"}}
    assert list(store.settings.scope("user:1001")) == ["dnd", "routing"]
    assert store.settings.scope("user:9999") == {}


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(2**70),
        2**70,
        0.1,
        -0.0,
        1e308,
        "",
        "héllo \u20ac \U0001f4de",
        "nul\x00inside",
        "lone \ud800 surrogate",
        [],
        {},
        {"preferences": {"language": "fr", "ring": [1, 2.5, None, {"deep": [[[]]]}]}},
    ],
)
def test_json_values_round_trip_unchanged(store: Store, value: JsonValue) -> None:
    store.settings.put("user:1001", "preferences", value)
    got = store.settings.get("user:1001", "preferences", "absent")
    assert got == value
    assert type(got) is type(value)
    if isinstance(value, float):
        assert math.copysign(1.0, got) == math.copysign(1.0, value)  # type: ignore[arg-type]


def _cycle() -> list[Any]:
    looped: list[Any] = []
    looped.append(looped)
    return looped


def _deep() -> list[Any]:
    value: list[Any] = []
    for _ in range(100_000):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ({1, 2}, r"user:1001/preferences\['members'\] is a set"),
        (("a", "b"), "is a tuple"),
        (b"bytes", "is a bytes"),
        (object(), "is a object"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        ({"ok": [1, {"bad": -math.inf}]}, r"\['ok'\]\[1\]\['bad'\] is -inf"),
        ({1: "int key"}, "keys must be strings"),
        (_cycle(), "contains itself"),
        (_deep(), "nested too deeply"),
    ],
)
def test_values_that_would_not_round_trip_are_refused(store: Store, value: object, complaint: str) -> None:
    store.settings.put("user:1001", "preferences", "before")
    with pytest.raises(StoreError, match=complaint):
        store.settings.put("user:1001", "preferences", {"members": value})  # type: ignore[dict-item]
    assert store.settings.all() == {("user:1001", "preferences"): "before"}


@pytest.mark.parametrize(
    ("scope", "key", "complaint"),
    [
        ("", "dnd", "scope must not be empty"),
        ("user:1001", "", "key must not be empty"),
        (1001, "dnd", "scope must be a string, not int"),
        ("user:1001", None, "key must be a string, not NoneType"),
        ("user:\ud800", "dnd", "scope is not valid Unicode"),
    ],
)
def test_bad_scopes_and_keys_are_refused(store: Store, scope: Any, key: Any, complaint: str) -> None:
    with pytest.raises(StoreError, match=complaint):
        store.settings.put(scope, key, True)
    with pytest.raises(StoreError, match=complaint):
        store.settings.get(scope, key)
    with pytest.raises(StoreError, match=complaint):
        store.settings.delete(scope, key)
    assert store.settings.all() == {}


def test_settings_survive_a_reopen(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.settings.put("user:1001", "password", "s3cret")
        store.settings.put("group:3000", "members", ["1001"])
    with open_store(data_dir) as store:
        assert store.settings.all() == {
            ("group:3000", "members"): ["1001"],
            ("user:1001", "password"): "s3cret",
        }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)
scopes = st.sampled_from(["user:1001", "user:1002", "group:3000"]) | st.text(min_size=1, max_size=6)
keys = st.sampled_from(["routing", "dnd", "members", "password", "preferences"]) | st.text(min_size=1, max_size=6)


class SettingsMatchADict(RuleBasedStateMachine):
    """Any sequence of put, delete and reopen leaves the store equal to a plain dict."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = open_store(Path(self.folder.name))
        self.model: dict[tuple[str, str], JsonValue] = {}

    @rule(scope=scopes, key=keys, value=json_values)
    def put(self, scope: str, key: str, value: JsonValue) -> None:
        self.store.settings.put(scope, key, value)
        self.model[scope, key] = value

    @rule(scope=scopes, key=keys)
    def delete(self, scope: str, key: str) -> None:
        assert self.store.settings.delete(scope, key) == ((scope, key) in self.model)
        self.model.pop((scope, key), None)

    @rule(scope=scopes, key=keys)
    def get(self, scope: str, key: str) -> None:
        missing = object()
        assert self.store.settings.get(scope, key, missing) == self.model.get((scope, key), missing)  # type: ignore[arg-type]

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(Path(self.folder.name))

    @invariant()
    def matches_the_model(self) -> None:
        everything = self.store.settings.all()
        assert everything == self.model
        assert list(everything) == sorted(everything)
        for scope in {scope for scope, _ in self.model}:
            assert self.store.settings.scope(scope) == {k: v for (s, k), v in self.model.items() if s == scope}

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()


SettingsMatchADict.TestCase.settings = hypothesis_settings(max_examples=40, stateful_step_count=25, deadline=None)
test_settings_match_a_dict = SettingsMatchADict.TestCase
