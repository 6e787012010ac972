"""Incremental rebuild vs full build, timed in-process with time.perf_counter.

    python bench/rebuild.py                    # the five sample sources (seeds/)
    python bench/rebuild.py --sources 1000     # a synthetic corpus from bench/corpus.py

For the corpus it builds, in one Python process (imports already done, so the numbers are the
build itself): a full build with an empty cache, a full build with ``--no-cache`` (samples only), a no-op
rebuild, and a rebuild after adding one source (which processes only that source and renders
only the pages whose inputs changed; the cross-source stages still run in full). Each is run
``--repeat`` times on a fresh copy; the table shows the median and the range.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.cli import main as briefing  # noqa: E402

NEW_SOURCE = """---
title: Tulip growers turn to open models {n}
date: 2025-04-0{d}
publisher: Example Gazette
---
Growers in the valley said they now use open-source models to plan their harvests.

One cooperative reported that 35% of its members had tried the tools by March.

"The cost was the deciding factor," said Anna Berg, who chairs the cooperative.
"""


def make_project(where: Path, sources: int) -> Path:
    if sources:
        from corpus import make_corpus  # bench/corpus.py (issue 8)
        make_corpus(where, sources, seed=1)
    else:
        where.mkdir(parents=True)
        for name in ("templates", "seeds"):
            shutil.copytree(ROOT / name, where / name)
        for name in ("mkdocs.yml", "gazetteer.yml"):
            if (ROOT / name).exists():
                shutil.copy(ROOT / name, where / name)
    return where


def timed_build(project: Path, *args: str) -> float:
    old = os.getcwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            start = time.perf_counter()
            status = briefing(["build", *args])
            elapsed = time.perf_counter() - start
    finally:
        os.chdir(old)
    if status != 0:
        raise SystemExit(f"build failed in {project} (exit {status})")
    print(f"  (briefing build {' '.join(args)}: {elapsed:.3f}s)", file=sys.stderr, flush=True)
    return elapsed


def run(sources: int, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"full build, empty cache": [], "full build, --no-cache": [],
                                     "no-op rebuild": [], "rebuild after adding 1 source": []}
    for n in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "project", sources)
            if not sources:  # on a big corpus this is the same work as the empty-cache build
                times["full build, --no-cache"].append(timed_build(project, "--no-cache"))
            times["full build, empty cache"].append(timed_build(project))
            times["no-op rebuild"].append(timed_build(project))
            (project / "seeds" / f"zz-added-{n}.md").write_text(NEW_SOURCE.format(n=n, d=n % 9 + 1), "utf-8")
            times["rebuild after adding 1 source"].append(timed_build(project))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=0, help="synthetic corpus size (default: the samples)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = run(args.sources, args.repeat)
    label = f"{args.sources} synthetic sources" if args.sources else "sample corpus (5 sources)"
    print(f"{label}, {args.repeat} run(s), seconds (median [min-max]):")
    for name, values in times.items():
        if not values:
            continue
        print(f"  {name:32} {statistics.median(values):8.3f}  [{min(values):.3f}-{max(values):.3f}]")


if __name__ == "__main__":
    main()
