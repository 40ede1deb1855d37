"""Baselines measured before and after the switch's phases are combined
by summing what each measured (bench/load.py `bracket`): the combined rate
and cost per call lie between the two, weighted by how long each ran."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_bracket_sums_both_runs() -> None:
    bench = _load_bench()
    fast = bench.PhaseResult("baseline http", "http", 3000, 0.5, 0, {"x": 1}, 0.45, 0.4)
    slow = bench.PhaseResult("baseline http", "http", 3000, 1.0, 1, {"x": 2, "y": 1}, 0.9, 0.8)
    both = bench.bracket(fast, slow)
    assert (both.calls, both.seconds, both.errors, both.received) == (6000, 1.5, 1, {"x": 3, "y": 1})
    assert both.rate == 4000 and slow.rate < both.rate < fast.rate
    assert round(both.cpu_per_call_us) == 225 and fast.cpu_per_call_us < both.cpu_per_call_us < slow.cpu_per_call_us
    assert (both.label, both.face) == ("baseline http", "http")
