"""The one exception a bad company file produces.

Whoever edits the YAML needs a place to look, not a traceback: every problem is
reported as ``<file>:<line>: <problem>``, the form editors and terminals turn
into a link to the offending line.
"""

from __future__ import annotations


class ConfigError(Exception):
    """A company configuration that cannot be used, and where it goes wrong.

    ``line`` is 1-based, or ``None`` when no line is to blame: the file cannot
    be read, or the document nests too deeply for the parser.
    """

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        super().__init__(source, line, problem)
        self.source = source
        self.line = line
        self.problem = problem

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.problem}"
        return f"{self.source}:{self.line}: {self.problem}"
