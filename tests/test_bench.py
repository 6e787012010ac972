"""The benchmark's report (bench/run.py): repetitions of a size combined into one row. Not timed."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import run as bench  # noqa: E402


def _run(full: float, noop: float, add: float, reference: float, peak: float) -> dict:
    def step(seconds, mb=peak):
        return {"seconds": seconds, "peak_tree_mb": mb, "largest_process_mb": None, "stderr_tail": []}
    return {"briefing": {"sources": 1000, "site_bytes": 7, "full_build": step(full), "noop_rebuild": step(noop, 1.0),
                         "add_one_rebuild": step(add, 2.0)},
            "mkdocs": {"pages": 1000, "build": step(reference, 3.0), "site_bytes": 5}}


def test_repetitions_combine_as_median_times_and_largest_peaks_every_run_kept():
    runs = [_run(10.0, 3.0, 3.0, 2.0, 300.0), _run(14.0, 2.0, 2.6, 2.4, 350.0), _run(12.0, 2.5, 4.0, 2.2, 320.0)]
    row = bench.combined(runs)
    b, m = row["briefing"], row["mkdocs"]
    assert [b[s]["seconds"] for s in ("full_build", "noop_rebuild", "add_one_rebuild")] == [12.0, 2.5, 3.0]
    assert m["build"]["seconds"] == 2.2 and b["full_build"]["peak_tree_mb"] == 350.0
    assert b["site_bytes"] == 7 and row["runs"] == runs
    checks = bench.acceptance([row])  # ratios: the median of each run's own (0.3, 0.186, 0.333)
    assert checks["1000: add-one rebuild <= 1/4 full build"] == {"value": 0.3, "limit": 0.25, "pass": False}
    assert checks["1000: full build <= 1/2 MkDocs reference"]["value"] == round(12.0 / 2.2, 3)


def test_a_single_run_is_its_own_row():
    run = _run(10.0, 3.0, 3.0, 2.0, 300.0)
    assert bench.combined([run]) == run


def test_the_reference_growth_is_reported_beside_the_growth_check():
    small, large = _run(10.0, 3.0, 3.0, 2.0, 300.0), _run(60.0, 9.0, 9.0, 12.0, 900.0)
    large["briefing"]["sources"] = 5000
    large["briefing"]["search"] = {"first_query_bytes": 1000}
    rows = [small, large]
    assert bench.acceptance(rows)["build time 5000/1000 <= 5.5"]["value"] == 6.0
    assert bench.context(rows) == {"MkDocs reference 5000/1000": 6.0, "build time 5000/1000 over the reference's": 1.0}
    assert bench.context([small]) == {}
