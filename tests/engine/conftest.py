"""Fixtures for the engine tests: a demo switch in virtual time.

Every harness is checked after its test: the structural invariants hold and
the calls rebuilt from the event stream equal the live ones, so each scenario
also proves its events tell the whole story.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_support import Harness


@pytest.fixture
def h() -> Iterator[Harness]:
    """The demo company with manual phones: the test plays every person."""
    harness = Harness()
    yield harness
    harness.check()


@pytest.fixture
def hs() -> Iterator[Harness]:
    """The demo company with the Simulator: far ends answer after 2 s and
    phones follow their configured behaviour."""
    harness = Harness(sim=True)
    yield harness
    harness.check()
