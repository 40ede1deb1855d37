"""Typed reading of a composed YAML node tree that keeps every value's line.

PyYAML's constructors throw the line numbers away, so the loader walks the
node tree instead: each value is reached through a ``Cursor`` that knows its
dotted path (``users[2].devices[0].type``) and its line, and any problem with
it becomes a ``ConfigError`` pointing at that place.

Text is read from the source as written, whatever type YAML 1.1 would give it:
``pin: 0123`` stays ``"0123"`` instead of becoming the octal int 83, and
``language: no`` stays ``"no"`` instead of becoming False. Numbers and flags,
on the other hand, must really be numbers and flags.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ConfigError

_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _NULL, _INT, _FLOAT, _BOOL, _MERGE = (
    _TAG + name for name in ("map", "seq", "null", "int", "float", "bool", "merge")
)
_DIGITS = re.compile(r"[0-9]+")
_scalars = SafeConstructor()
T = TypeVar("T")


def _describe(node: Node) -> str:
    """How a wrong value is named in an error: its shape or its text, and its
    tag when the tag, not the shape, is what is wrong."""
    if isinstance(node, MappingNode):
        shape, plain = "a mapping", node.tag == _MAP
    elif isinstance(node, SequenceNode):
        shape, plain = "a list", node.tag == _SEQ
    elif node.tag == _NULL:
        return "nothing"
    else:
        shape, plain = repr(node.value), node.tag.startswith(_TAG)
    return shape if plain else f"{shape} tagged {node.tag!r}"


@dataclass(frozen=True, slots=True)
class Cursor:
    """One node of the document, with the path and file used to report it."""

    node: Node
    path: str
    source: str

    @property
    def line(self) -> int:
        """The 1-based line where this value starts."""
        return self.node.start_mark.line + 1

    def fail(self, problem: str) -> NoReturn:
        """Reject this value, naming its path and line."""
        raise ConfigError(self.source, self.line, f"{self.path or 'top level'}: {problem}")

    def _at(self, node: Node, path: str) -> Cursor:
        return Cursor(node, path, self.source)

    def _child_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    # -- containers ---------------------------------------------------------

    def items(self) -> list[Cursor]:
        """The entries of a list, each with its ``[index]`` path."""
        if not isinstance(self.node, SequenceNode) or self.node.tag != _SEQ:
            self.fail(f"expected a list, got {_describe(self.node)}")
        return [self._at(node, f"{self.path}[{i}]") for i, node in enumerate(self.node.value)]

    def entries(self) -> list[tuple[Cursor, Cursor]]:
        """The (key, value) pairs of a mapping whose keys are data (licence
        names, contact numbers); a key's cursor carries the mapping's path."""
        return [
            (self._at(key, self.path), self._at(value, self._child_path(key.value)))
            for key, value in self._pairs(self._mapping_node(), ())
        ]

    def fields(self, allowed: Collection[str], required: Collection[str] = ()) -> Fields:
        """The keys of a mapping whose keys are a fixed vocabulary: unknown,
        repeated and missing keys are rejected here, once for every section."""
        values: dict[str, Cursor] = {}
        for key, value in self._pairs(self._mapping_node(), ()):
            if key.value not in allowed:
                hint = difflib.get_close_matches(key.value, allowed, n=1)
                known = f"did you mean {hint[0]!r}?" if hint else "expected " + ", ".join(allowed)
                self._at(key, self.path).fail(f"unknown key {key.value!r} ({known})")
            values[key.value] = self._at(value, self._child_path(key.value))
        found = Fields(self, values)
        for key in required:
            found.require(key)
        return found

    def _mapping_node(self) -> MappingNode:
        if not isinstance(self.node, MappingNode) or self.node.tag != _MAP:
            self.fail(f"expected a mapping, got {_describe(self.node)}")
        return self.node

    def _pairs(
        self, node: MappingNode, merging: tuple[MappingNode, ...]
    ) -> list[tuple[ScalarNode, Node]]:
        """A mapping's own pairs, then those it merges with ``<<`` for keys it
        does not set itself (earlier merges win, as in YAML 1.1)."""
        own: dict[str, tuple[ScalarNode, Node]] = {}
        merged: list[tuple[ScalarNode, Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE:
                merged.extend(self._merged(value, (*merging, node)))
                continue
            if not isinstance(key, ScalarNode) or key.tag == _NULL:
                self._at(key, self.path).fail(f"a key must be text, got {_describe(key)}")
            if key.value in own:
                first = own[key.value][0].start_mark.line + 1
                self._at(key, self.path).fail(
                    f"duplicate key {key.value!r} (first on line {first})"
                )
            own[key.value] = (key, value)
        for key, value in merged:
            own.setdefault(key.value, (key, value))
        return list(own.values())

    def _merged(
        self, value: Node, merging: tuple[MappingNode, ...]
    ) -> list[tuple[ScalarNode, Node]]:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        pairs: list[tuple[ScalarNode, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode) or source.tag != _MAP:
                self._at(source, self.path).fail("'<<' merges a mapping or a list of mappings")
            if source in merging:
                self._at(source, self.path).fail("'<<' merges a mapping into itself")
            pairs.extend(self._pairs(source, merging))
        return pairs

    # -- scalars ------------------------------------------------------------

    def _scalar(self, expected: str, tags: Collection[str] | None = None) -> ScalarNode:
        node = self.node
        if (
            not isinstance(node, ScalarNode)
            or node.tag == _NULL
            or not node.tag.startswith(_TAG)
            or (tags is not None and node.tag not in tags)
        ):
            self.fail(f"expected {expected}, got {_describe(node)}")
        return node

    def text(self) -> str:
        """Non-blank text, exactly as written in the file."""
        value = self._scalar("text").value
        if not value.strip():
            self.fail("must not be blank")
        return value

    def digits(self, length: int | None = None) -> str:
        """A dialable number: digits only, and exactly ``length`` of them if set."""
        value = self.text()
        if not _DIGITS.fullmatch(value):
            self.fail(f"{value!r} is not a number made of digits")
        if length is not None and len(value) != length:
            self.fail(f"{value!r} does not have {length} digits")
        return value

    def matching(self, pattern: re.Pattern[str], meaning: str) -> str:
        """Text in a fixed format; ``meaning`` says what the format is."""
        value = self.text()
        if not pattern.fullmatch(value):
            self.fail(f"{value!r} is not {meaning}")
        return value

    def choice(self, options: Collection[str]) -> str:
        """One word from a closed vocabulary."""
        value = self.text()
        if value not in options:
            self.fail(f"{value!r} is not one of {', '.join(options)}")
        return value

    def integer(self, low: int, high: int | None = None) -> int:
        """A whole number between ``low`` and ``high`` (inclusive)."""
        value = self._construct("a whole number", (_INT,), _scalars.construct_yaml_int)
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.fail(f"must be {bounds}, got {value}")
        return value

    def seconds(self, *, positive: bool = False) -> float:
        """A duration in seconds: never negative, and above zero if ``positive``."""
        value = float(
            self._construct(
                "a number of seconds",
                (_INT, _FLOAT),
                lambda node: (
                    _scalars.construct_yaml_int(node)
                    if node.tag == _INT
                    else _scalars.construct_yaml_float(node)
                ),
            )
        )
        if not math.isfinite(value):
            self.fail(f"must be a finite number of seconds, got {self.node.value}")
        if value < 0 or (positive and value == 0):
            self.fail(f"must be {'more than' if positive else 'at least'} 0, got {self.node.value}")
        return value

    def flag(self) -> bool:
        """A yes/no value (true, false, yes, no, on, off)."""
        return bool(self._construct("true or false", (_BOOL,), _scalars.construct_yaml_bool))

    def _construct(
        self, expected: str, tags: Collection[str], build: Callable[[ScalarNode], T]
    ) -> T:
        """A typed value built by PyYAML's own rules; an explicit tag on text
        that does not fit it (``!!int abc``) is a wrong value, not a crash."""
        node = self._scalar(expected, tags)
        try:
            return build(node)
        except (ValueError, KeyError):
            self.fail(f"expected {expected}, got {node.value!r}")


@dataclass(frozen=True, slots=True)
class Fields:
    """The checked keys of one mapping. A key written with no value counts as
    absent, so ``email:`` left blank means no email rather than an error."""

    owner: Cursor
    values: dict[str, Cursor]

    def get(self, key: str) -> Cursor | None:
        """The value of an optional key, or None when absent or blank."""
        value = self.values.get(key)
        if value is None or (isinstance(value.node, ScalarNode) and value.node.tag == _NULL):
            return None
        return value

    def require(self, key: str) -> Cursor:
        """The value of a key that has no default."""
        if key not in self.values:
            self.owner.fail(f"missing required key {key!r}")
        value = self.get(key)
        if value is None:
            self.values[key].fail("needs a value")
        return value
