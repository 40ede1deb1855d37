"""bench/load.py --quick still works: every row of its table (the fan-out
floors' included), no event lost, on the faces or the floors.

Timing is not asserted (the machine may be busy); the numbers belong in
BENCHMARKS.md. This only guards the tool against drifting from the faces.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACES = ("o2g", "mtcti3", "turret", "sky")
#: Seconds the quick run may take on a busy 2-core machine before the test fails.
TIMEOUT = 240


def test_quick_load_benchmark_has_every_row_and_loses_nothing() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--quick"],
                         cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    table = run.stdout
    rows = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")]
    for name in ("baseline http", "baseline websocket", "baseline thrift", "events per call",
                 "start-up with", "RSS with", "calls held"):
        assert any(row.startswith(name) for row in rows), (name, table)
    for face in FACES:
        for phase in ("steady", "peak", "scale-steady"):
            assert f"{phase} {face}: lost events" in rows, (face, phase, table)
        assert any(row.startswith(f"{face} calls/s (peak") for row in rows), table
        assert any(row.startswith(f"steady {face} latency o2g-chunk") for row in rows), table
        assert any(row.startswith(f"floor {face} (calls/s: 3 no-op requests + the call's ") for row in rows), table
        peak = next(line for line in table.splitlines() if line.startswith(f"| {face} calls/s (peak"))
        assert " of floor" in peak, peak
        floor_lost = next(line for line in table.splitlines() if line.startswith(f"| floor {face}: lost events |"))
        counts = floor_lost.split("|")[2].split()
        assert counts and all(count.endswith("=0") for count in counts), floor_lost
    assert any(row.startswith("steady turret latency turret") for row in rows), table
    assert "lost events in all: 0" in table, table
