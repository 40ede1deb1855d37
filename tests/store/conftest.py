"""Fixtures shared by the store tests: a fresh store in a temporary data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ctiswitch.store import Store, open_store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder that does not exist yet, as on a first start."""
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A store opened on an empty data folder, closed after the test."""
    with open_store(data_dir) as opened:
        yield opened
