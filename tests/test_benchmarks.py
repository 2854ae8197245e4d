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


def test_writing_a_size_keeps_the_notes_and_the_other_sizes(tmp_path) -> None:
    """The analysis in docs/benchmarks.md is written by hand; a run rewrites only its size."""
    from types import SimpleNamespace

    from benchmarks.bench import HEADER, write_doc

    doc = tmp_path / "benchmarks.md"
    doc.write_text("old header\n\n<!-- notes -->\nwhy the figures are what they are\n"
                   "<!-- /notes -->\n\n<!-- size:full -->\n## full\n\nbig\n<!-- /size:full -->\n")
    write_doc(SimpleNamespace(size="small"), "tiny table\n", doc)
    text = doc.read_text()
    assert text.startswith(HEADER.rstrip("\n"))
    assert "old header" not in text
    assert "<!-- notes -->\nwhy the figures are what they are\n<!-- /notes -->" in text
    assert text.index("<!-- /notes -->") < text.index("<!-- size:full -->")
    assert "## full\n\nbig" in text and "## small\n\ntiny table" in text


def test_dedupe_cost_runs_the_real_path_on_seeded_stores() -> None:
    """``benchmarks.dedupe_cost`` at two tiny sizes: seeded, then new entries placed and learned."""
    from benchmarks.dedupe_cost import measure

    results = measure([300, 600], 16, vocabulary=20_000)
    assert [r["size"] for r in results] == [300, 600]
    for r in results:
        assert r["merged"] == 4  # every fourth new entry is a copy of the one before it
        assert r["median_ms"] > 0
