"""The build benchmark: briefing at 100, 1,000 and 5,000 sources against a plain MkDocs build.

    python bench/run.py --sizes 100 1000 5000 --out bench/out/results.json
    python bench/run.py --quick            # 50 and 200 sources, for a quick look
    python bench/run.py --sizes 1000 --repeat 5   # each measurement five times, medians reported

For every size it generates a corpus (``bench/corpus.py``, seeded), then runs, each as a
separate ``briefing build`` process timed by wall clock:

- full build (no cache, no previous site),
- no-op rebuild (nothing changed),
- rebuild after adding one source,

and records each process tree's peak memory (proportional set size, summed over the build and
its worker processes, so pages forked workers share are counted once; sampled every 50 ms, less often
when a sample itself takes long, so that sampling never takes more than a tenth of a core;
plus the largest single process's resident set from getrusage),
the size of the site on disk, the search index, and the bytes a reader's browser fetches
for a first search query. Beside it, in the same run, ``mkdocs build`` of the same number
of plain Markdown pages (the same article texts, about 800 words each) with MkDocs'
default theme and the pages kept out of the navigation (MkDocs' faster configuration).
It prints a table, the acceptance checks and (as INFO) the reference's own growth, and writes
everything as JSON. Before the first build it compiles the generator package's bytecode, which
the dependencies already have (see ``main``).

With ``--repeat N`` every size is measured N times (a new corpus, the briefing's three builds, then
the reference, in turn): the table shows the median of each time and the largest of each peak, and
a ratio (the acceptance checks', the table's full / ref) is the median of each repetition's own ratio,
its two times measured under the same conditions. On a shared machine one run's times vary by 10-20%;
every run is kept in the JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import make_corpus, write_articles  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIRS = (".briefing-cache",)


# --- measuring one process --------------------------------------------------------------

def _proportional_bytes(pid: int, resident: int) -> int:
    """The process's proportional set size: pages shared with forked workers (copy-on-write)
    counted once across the tree, not once per process as summed resident sets would."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return resident


def _tree_memory(root_pid: int) -> int:
    """Bytes used by ``root_pid`` and all its descendants (proportional set sizes), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(stat[1])
            rss[int(entry)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(_proportional_bytes(pid, rss[pid]) for pid in tree if pid in rss)


def timed_run(command: list[str], cwd: Path) -> dict:
    """Run ``command``; wall seconds, peak tree memory (sampled) and the largest process (rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            started = time.perf_counter()
            peak[0] = max(peak[0], _tree_memory(process.pid))
            # Reading a large process's smaps_rollup walks its page tables (about 30 ms at 2 GB):
            # sampling back to back took a core from the build it measured (110 s instead of 79 s
            # for a no-op rebuild of 5,000 sources). The sampler stays under a tenth of one core.
            time.sleep(max(0.05, 9 * (time.perf_counter() - started)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(command)} failed in {cwd} ({process.returncode}):\n"
                         f"{err.decode(errors='replace')[-3000:]}")
    return {
        "seconds": round(seconds, 3),
        "peak_tree_mb": round(peak[0] / 2**20, 1),
        # ru_maxrss of children is a running maximum: only meaningful when this run set a new one
        "largest_process_mb": round(after / 1024, 1) if after > before else None,
        "stderr_tail": err.decode(errors="replace").strip().splitlines()[-1:] if err else [],
    }


# --- sizes on disk ----------------------------------------------------------------------

def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def search_sizes(site: Path) -> dict:
    """Total search index bytes and what a reader's first query downloads.

    Two designs are recognised (bench/search_payload.py): the briefing's sharded index, where a
    query costs what search.js fetches for it, and MkDocs' own search (one ``search_index.json``
    plus the lunr scripts, all fetched on the first query)."""
    search_dir = site / "search"
    if not search_dir.is_dir():
        return {"design": "none", "index_bytes": 0, "first_query_bytes": 0}
    from search_payload import first_query_payload  # noqa: E402  (kept beside this file)

    return first_query_payload(site)


# --- the runs ---------------------------------------------------------------------------

def briefing_command() -> list[str]:
    return [sys.executable, "-m", "generator.cli", "build"]


def clean(project: Path) -> None:
    for name in ("site", *CACHE_DIRS):
        path = project / name
        if path.is_dir():
            shutil.rmtree(path)


def bench_briefing(work: Path, size: int, seed: int) -> dict:
    project = make_corpus(work / f"briefing-{size}", size, seed)
    clean(project)
    full = timed_run(briefing_command(), project)
    noop = timed_run(briefing_command(), project)
    write_articles(project / "seeds", 1, seed, start=size)
    add_one = timed_run(briefing_command(), project)
    site = project / "site"
    return {
        "sources": size,
        "full_build": full,
        "noop_rebuild": noop,
        "add_one_rebuild": add_one,
        "site_bytes": folder_bytes(site),
        "site_files": sum(1 for p in site.rglob("*") if p.is_file()),
        "seeds_bytes": folder_bytes(project / "seeds"),
        "search": search_sizes(site),
    }


def make_mkdocs_reference(where: Path, size: int, seed: int) -> Path:
    """``size`` plain Markdown pages of the same article texts, default theme, not in the nav."""
    if where.exists():
        shutil.rmtree(where)
    docs = where / "docs"
    staging = where / "staging"
    paths = write_articles(staging, size, seed)
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Reference\n\nGenerated pages, linked from nowhere.\n", "utf-8")
    for path in paths:
        text = path.read_text("utf-8")
        if text.startswith("---\n"):
            front, _, text = text[4:].partition("\n---\n")
            title = next((line.split(":", 1)[1].strip().strip('"') for line in front.splitlines()
                          if line.startswith("title:")), path.stem)
        else:
            title, _, text = text.partition("\n")
        (docs / f"{path.stem}.md").write_text(f"# {title}\n\n{text}", "utf-8")
    shutil.rmtree(staging)
    (where / "mkdocs.yml").write_text(
        "site_name: Reference\nuse_directory_urls: false\ntheme:\n  name: mkdocs\n"
        "nav:\n  - index.md\nnot_in_nav: |\n  /a*.md\nplugins:\n  - search\n", "utf-8")
    return where


def bench_mkdocs(work: Path, size: int, seed: int) -> dict:
    project = make_mkdocs_reference(work / f"mkdocs-{size}", size, seed)
    run = timed_run([sys.executable, "-m", "mkdocs", "build", "-q"], project)
    return {"pages": size, "build": run, "site_bytes": folder_bytes(project / "site")}


# --- report -----------------------------------------------------------------------------

def combined(runs: list[dict]) -> dict:
    """One size's repetitions as one row: each time the median, each peak the largest (a limit
    must hold in every run), sizes from the first run (the same corpus every time); every run kept."""
    first = runs[0]
    row = {"briefing": dict(first["briefing"]), "mkdocs": dict(first["mkdocs"])}
    for engine, steps in (("briefing", ("full_build", "noop_rebuild", "add_one_rebuild")), ("mkdocs", ("build",))):
        for step in steps:
            measured = [run[engine][step] for run in runs]
            row[engine][step] = dict(
                measured[-1],  # what timed_run records, the last run's where not combined
                seconds=statistics.median(m["seconds"] for m in measured),
                peak_tree_mb=max(m["peak_tree_mb"] for m in measured),
                largest_process_mb=max((m["largest_process_mb"] for m in measured
                                        if m["largest_process_mb"] is not None), default=None))
    if len(runs) > 1:
        row["runs"] = runs
    return row


def ratio(row: dict, numerator: tuple[str, str], denominator: tuple[str, str]) -> float:
    """``numerator``'s seconds over ``denominator``'s (each an (engine, step) pair) in a row: with
    repetitions, the median of each repetition's own ratio (the two measured under the same
    conditions), not a ratio of medians taken from different runs."""
    def seconds(run: dict, where: tuple[str, str]) -> float:
        return run[where[0]][where[1]]["seconds"]
    return statistics.median(seconds(run, numerator) / seconds(run, denominator) for run in row.get("runs", [row]))


FULL, ADD_ONE, REFERENCE = ("briefing", "full_build"), ("briefing", "add_one_rebuild"), ("mkdocs", "build")


def growth(by_size: dict[int, dict], where: tuple[str, str]) -> float:
    """``where``'s (an (engine, step) pair) seconds at 5,000 sources over its seconds at 1,000."""
    engine, step = where
    return by_size[5000][engine][step]["seconds"] / by_size[1000][engine][step]["seconds"]


def acceptance(rows: list[dict]) -> dict:
    by_size = {r["briefing"]["sources"]: r for r in rows}
    checks: dict[str, dict] = {}
    if 1000 in by_size:
        checks["1000: full build <= 1/2 MkDocs reference"] = {
            "value": round(ratio(by_size[1000], FULL, REFERENCE), 3), "limit": 0.5}
        checks["1000: add-one rebuild <= 1/4 full build"] = {
            "value": round(ratio(by_size[1000], ADD_ONE, FULL), 3), "limit": 0.25}
    if 5000 in by_size:
        b = by_size[5000]["briefing"]
        checks["5000: full build peak memory < 1024 MB"] = {
            "value": b["full_build"]["peak_tree_mb"], "limit": 1024}
        checks["5000: first-query search payload < 1 MB"] = {
            "value": round(b["search"]["first_query_bytes"] / 2**20, 3), "limit": 1.0}
    if 1000 in by_size and 5000 in by_size:
        checks["build time 5000/1000 <= 5.5"] = {"value": round(growth(by_size, FULL), 3), "limit": 5.5}
    for name, check in checks.items():
        strict = "<=" not in name
        check["pass"] = check["value"] < check["limit"] if strict else check["value"] <= check["limit"]
    return checks


def context(rows: list[dict]) -> dict:
    """Not targets: what helps read the growth check on a machine whose speed drifts. The MkDocs
    reference does the same work at every size, so its own 5000/1000 ratio shows the drift
    between the sizes of one run, and the briefing's growth over it is the growth net of that."""
    by_size = {r["briefing"]["sources"]: r for r in rows}
    if not (1000 in by_size and 5000 in by_size):
        return {}
    reference, briefing = growth(by_size, REFERENCE), growth(by_size, FULL)
    return {"MkDocs reference 5000/1000": round(reference, 3),
            "build time 5000/1000 over the reference's": round(briefing / reference, 3)}


def table(rows: list[dict]) -> str:
    head = ("| sources | full build s | no-op s | add one s | peak MB | site MB | search index MB "
            "| first query KB | MkDocs ref s | full / ref |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        b, m = row["briefing"], row["mkdocs"]
        lines.append(
            f"| {b['sources']:,} | {b['full_build']['seconds']:.2f} | {b['noop_rebuild']['seconds']:.2f} "
            f"| {b['add_one_rebuild']['seconds']:.2f} | {b['full_build']['peak_tree_mb']:.0f} "
            f"| {b['site_bytes'] / 2**20:.1f} | {b['search']['index_bytes'] / 2**20:.2f} "
            f"| {b['search']['first_query_bytes'] / 1024:.0f} | {m['build']['seconds']:.2f} "
            f"| {ratio(row, FULL, REFERENCE):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--quick", action="store_true", help="sizes 50 and 200 (overrides --sizes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "work",
                        help="where the generated projects go (replaced)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--repeat", type=int, default=1, help="measure each size this many times (medians)")
    args = parser.parse_args(argv)
    sizes = [50, 200] if args.quick else args.sizes
    args.work.mkdir(parents=True, exist_ok=True)
    # Both engines' code as bytecode before any build is timed, as on an ordinary machine: pip
    # compiles MkDocs (and every other dependency) as it installs it, and Python writes briefing's
    # bytecode (an editable install) on its first import, unless PYTHONDONTWRITEBYTECODE is set,
    # as it is where the README's numbers come from: each build compiled it again (0.07 s a build).
    compileall.compile_dir(ROOT / "generator", quiet=1)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    rows = []
    for size in sizes:
        runs = []
        for repetition in range(max(1, args.repeat)):
            print(f"bench: {size} sources" + (f", run {repetition + 1} of {args.repeat}" if args.repeat > 1 else "")
                  + " ...", file=sys.stderr, flush=True)
            runs.append({"briefing": bench_briefing(args.work, size, args.seed),
                         "mkdocs": bench_mkdocs(args.work, size, args.seed)})
        rows.append(combined(runs))
        if not args.keep:
            shutil.rmtree(args.work / f"briefing-{size}", ignore_errors=True)
            shutil.rmtree(args.work / f"mkdocs-{size}", ignore_errors=True)
        result = {  # written after every size, so a long run that is stopped keeps what it measured
            "command": " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "results": rows,
            "acceptance": acceptance(rows),
            "context": context(rows),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", "utf-8")
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    for name, check in result["acceptance"].items():
        print(f"{'PASS' if check['pass'] else 'FAIL'}  {name}: {check['value']} (limit {check['limit']})")
    for name, value in result["context"].items():
        print(f"INFO  {name}: {value}")
    print(f"bench: results in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
