"""The benchmark harness at its tiny size, so it never rots (no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks.smoke import EXPECTED_ENTRIES, ROWS, run_smoke

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)  # the first run builds reader's venv from PyPI
def test_small_benchmark_runs_both_systems_end_to_end() -> None:
    table = run_smoke()
    for row in ROWS:
        assert f"| {row} |" in table, row
    stored = next(line for line in table.splitlines() if line.startswith("| entries stored |"))
    cells = [cell.strip() for cell in stored.strip("|").split("|")]
    assert cells[1].replace(",", "") == str(EXPECTED_ENTRIES)  # ours
    assert cells[2].replace(",", "") == str(EXPECTED_ENTRIES)  # reader
