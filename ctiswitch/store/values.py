"""Turning caller values into column values, or refusing them.

Whatever the store writes must read back equal to what was given. A value
that would change on the way (a tuple coming back as a list, an int dict key
coming back as a string, NaN written as text no JSON parser accepts, a
column string with a lone surrogate that UTF-8 cannot encode) is refused
here with a StoreError before any SQL runs, so a bad call never leaves a
half-written row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

from .errors import StoreError
from .records import JsonValue

MAX_ROW_ID = 2**63 - 1
"""SQLite's largest rowid; no stored record can have an id outside 1..MAX_ROW_ID."""


def text(value: object, what: str, *, empty: bool = False) -> str:
    """``value`` as a string column; empty only where ``empty`` allows it."""
    if not isinstance(value, str):
        raise StoreError(f"{what} must be a string, not {type(value).__name__}")
    if not value and not empty:
        raise StoreError(f"{what} must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise StoreError(f"{what} is not valid Unicode text: {exc.reason}") from None
    return value


def choice(value: object, allowed: frozenset[str], what: str) -> str:
    """``value`` as a string column that must be one of ``allowed``."""
    checked = text(value, what)
    if checked not in allowed:
        raise StoreError(f"{what} must be one of {sorted(allowed)}, not {checked!r}")
    return checked


def flag(value: object, what: str) -> int:
    """``value`` as a 0/1 column; only a real bool is accepted, so 0/1/'yes' typos surface."""
    if not isinstance(value, bool):
        raise StoreError(f"{what} must be a bool, not {type(value).__name__}")
    return int(value)


def instant(value: object, what: str) -> float:
    """``value`` (epoch seconds, int or float) as a finite REAL column."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StoreError(f"{what} must be a number of epoch seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:
        raise StoreError(f"{what} is out of range: {value!r}") from None
    if not math.isfinite(seconds):
        raise StoreError(f"{what} must be finite, not {value!r}")
    return seconds


def row_id(value: object, what: str) -> int:
    """``value`` as a record id to look up.

    A non-integer is a programming error and raises; an integer that no
    record can have (zero, negative, beyond SQLite's range) is a fair
    question whose answer is "no such record", which the callers give
    by checking :func:`possible_id`.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise StoreError(f"{what} must be an int, not {type(value).__name__}")
    return value


def possible_id(value: int) -> bool:
    """Whether some stored record could have id ``value``."""
    return 1 <= value <= MAX_ROW_ID


def id_list(values: object, what: str) -> str:
    """A collection of record ids as a JSON array, for ``IN (SELECT value FROM json_each(?))``.

    Passing the ids as one JSON parameter keeps the statement single and
    side-steps SQLite's limit on the number of ``?`` parameters. Ids that no
    record can have are dropped.
    """
    if isinstance(values, (str, bytes, bytearray)) or not isinstance(values, Iterable):
        raise StoreError(f"{what} must be a collection of ints, not {type(values).__name__}")
    ids = [row_id(value, f"each of {what}") for value in values]
    return json.dumps([value for value in ids if possible_id(value)])


def bounded(value: object, what: str) -> int:
    """A non-negative count (a limit), clamped to what SQLite can take."""
    count = row_id(value, what)
    if count < 0:
        raise StoreError(f"{what} must not be negative, not {count}")
    return min(count, MAX_ROW_ID)


def to_json(value: object, what: str) -> str:
    """``value`` as JSON text that ``json.loads`` turns back into an equal value."""
    try:
        _check_json(value, what, set())
        return json.dumps(value, allow_nan=False)
    except RecursionError:
        raise StoreError(f"{what} is nested too deeply to store") from None


def json_object(value: object, what: str) -> str:
    """``value``, which must be a dict, as JSON text."""
    if not isinstance(value, dict):
        raise StoreError(f"{what} must be a dict, not {type(value).__name__}")
    return to_json(value, what)


def json_object_list(value: object, what: str) -> str:
    """``value``, which must be a list of dicts, as JSON text."""
    if not isinstance(value, list):
        raise StoreError(f"{what} must be a list of dicts, not {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise StoreError(f"{what}[{index}] must be a dict, not {type(item).__name__}")
    return to_json(value, what)


def from_json(text_value: str) -> JsonValue:
    """A JSON column back as a Python value."""
    value: JsonValue = json.loads(text_value)
    return value


def _check_json(value: object, path: str, open_containers: set[int]) -> None:
    """Refuse anything in ``value`` that would not survive a JSON round trip.

    ``open_containers`` holds the ids of the lists and dicts on the way down
    to ``value``, so a structure that contains itself is reported by path
    instead of recursing forever.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StoreError(f"{path} is {value!r}, which JSON cannot represent")
        return
    if not isinstance(value, (list, dict)):
        raise StoreError(
            f"{path} is a {type(value).__name__}, which is not JSON "
            "(use None, bool, int, float, str, list or dict with str keys)"
        )
    if id(value) in open_containers:
        raise StoreError(f"{path} contains itself")
    open_containers.add(id(value))
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", open_containers)
    else:
        for key, item in value.items():
            if not isinstance(key, str):
                raise StoreError(f"{path} has key {key!r}; JSON object keys must be strings")
            _check_json(item, f"{path}[{key!r}]", open_containers)
    open_containers.discard(id(value))
