"""Entry points: a company from a file, from text, or the built-in demo.

The YAML is only composed (parsed into nodes, never turned into Python
objects by PyYAML), so arbitrary tags cannot build objects and every value
keeps its line for error messages. Anything wrong with the input, from a
missing file to a YAML syntax error, comes out as ``ConfigError``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import yaml
from yaml.reader import ReaderError

from .build import build_company
from .cursor import Cursor
from .errors import ConfigError
from .model import Company

_DEMO_FILE = "demo.yaml"
#: libyaml's composer when PyYAML was built with it: several times faster on a
#: 10,000-user company, with the same nodes, tags and marks. Its error texts
#: and limits differ from the pure-Python composer's, so a document it refuses
#: is composed again by the pure one, which gives the answer (and the message)
#: the loader has always given.
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


def load_config(path: str | os.PathLike[str]) -> Company:
    """The company described by the YAML file at ``path``; errors name the
    path as given, so they read the way the user typed it."""
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as error:
        raise ConfigError(source, None, f"cannot read the file: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(source, line, "the file is not UTF-8 text") from None
    return load_text(text, source)


def load_text(text: str, source: str) -> Company:
    """The company described by YAML ``text``; ``source`` names it in errors."""
    try:
        return build_company(Cursor(_compose(text, source), "", source))
    except RecursionError:
        # Both PyYAML's parser and '<<' merges recurse; only absurd nesting gets here.
        raise ConfigError(source, None, "YAML: the document is nested too deeply") from None


def demo_text() -> str:
    """The demo company's YAML, which doubles as the commented template for a
    company of one's own."""
    return files(__package__).joinpath(_DEMO_FILE).read_text(encoding="utf-8")


def load_demo() -> Company:
    """The built-in demo company, used when the switch is started without one."""
    return load_text(demo_text(), _DEMO_FILE)


def _compose(text: str, source: str) -> yaml.Node:
    """The document's node tree, or the YAML error at its line."""
    root = _compose_fast(text)
    if root is None:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            raise _syntax_error(error, source) from None
        except ReaderError as error:
            line = text.count("\n", 0, error.position) + 1
            raise ConfigError(
                source, line, f"YAML: character #x{error.character:04x} is not allowed"
            ) from None
    if root is None:
        raise ConfigError(source, 1, "the document is empty; it must describe a company")
    return root


def _compose_fast(text: str) -> yaml.Node | None:
    """The node tree from libyaml, or None when it is not available, the
    document is empty, or libyaml refuses it (the pure composer then decides
    and words the error)."""
    if _FAST_LOADER is None:
        return None
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return None


def _syntax_error(error: yaml.MarkedYAMLError, source: str) -> ConfigError:
    """PyYAML's two-part message (what it was doing, what went wrong) as one
    sentence, at the line of the problem."""
    mark = error.problem_mark or error.context_mark
    problem, context = error.problem or "", error.context
    if not context:
        text = problem
    elif problem.startswith("but "):
        text = f"{context}, {problem}"
    elif error.context_mark is not None:
        text = f"{problem} ({context} on line {error.context_mark.line + 1})"
    else:
        text = f"{problem} ({context})"
    return ConfigError(source, mark.line + 1, f"YAML: {text}")
