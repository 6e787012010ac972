"""The parallel per-source map gives the same site, byte for byte, as a serial run; the bench corpus
generator is deterministic for a seed (issue 8). Not timed: timing lives in bench/."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make_project

from generator import parallel

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402


def _settings(project: Path):
    from mkdocs.config import load_config

    from generator.plugin import settings_from_mkdocs_config

    config = load_config(config_file=str(project / "mkdocs.yml"))
    return settings_from_mkdocs_config(config, config.plugins["briefing"].config)


def test_parallel_build_is_byte_identical_to_serial(tmp_path, monkeypatch):
    from generator.build import build_briefing

    project = make_project(tmp_path / "p")
    corpus.write_articles(project / "seeds", 24, seed=7)
    (project / "seeds" / "broken.md").write_text("---\ntitle: [unclosed\n---\ntext\n", "utf-8")
    monkeypatch.setattr(parallel, "MIN_SOURCES_PER_WORKER", 1)  # force the pool on a small corpus
    settings = _settings(project)
    assert parallel.worker_count(2, 25) == 2
    serial = build_briefing(dataclasses.replace(settings, jobs=1), tmp_path / "serial")
    pooled = build_briefing(dataclasses.replace(settings, jobs=2), tmp_path / "pooled")
    assert serial.site.contents() == pooled.site.contents()
    assert serial.problems == pooled.problems


def test_the_maps_workers_store_the_results_they_make(tmp_path, monkeypatch):
    """Each worker writes the cache entries of the sources it processed (the reduce pickling and
    signing them again, one by one, took 3.4 s at 5,000 sources); the next build takes every
    source from them, and a source that failed stores nothing."""
    from generator import build
    from generator.cache import SourceCache

    project = make_project(tmp_path / "p")
    corpus.write_articles(project / "seeds", 12, seed=5)
    (project / "seeds" / "broken.md").write_text("---\ntitle: [unclosed\n---\ntext\n", "utf-8")
    monkeypatch.setattr(parallel, "MIN_SOURCES_PER_WORKER", 1)
    settings = dataclasses.replace(_settings(project), jobs=2)
    log = tmp_path / "log"
    real_put, real_map = SourceCache.put, build.cached_map

    def put(self, key, result):
        with open(log, "a") as handle:
            handle.write(f"put {os.getpid()}\n")
        real_put(self, key, result)

    def cached_map(*args):
        with open(log, "a") as handle:
            handle.write(f"map {os.getpid()}\n")
        return real_map(*args)

    monkeypatch.setattr(SourceCache, "put", put)
    monkeypatch.setattr(build, "cached_map", cached_map)
    cache = SourceCache.for_project(project)
    first = build.build_briefing(settings, tmp_path / "first", cache)
    lines = [line.split() for line in log.read_text().splitlines()]
    [mapping] = [pid for what, pid in lines if what == "map"]
    storing = [pid for what, pid in lines if what == "put"]
    assert len(storing) == 12 and mapping not in storing
    assert len(list((project / ".briefing-cache" / "sources").rglob("*.pickle"))) == 12
    second = build.build_briefing(settings, tmp_path / "second", cache)
    assert (first.stats.processed, second.stats.processed, second.stats.hits) == (13, 1, 12)
    assert second.site.contents() == first.site.contents()


def test_the_render_runs_beside_the_reduce_or_in_the_process_it_hands_over_to_with_the_same_site(
        tmp_path, monkeypatch):
    import os

    from generator import build

    project = make_project(tmp_path / "p")
    corpus.write_articles(project / "seeds", 12, seed=3)
    settings = _settings(project)
    renders = tmp_path / "renders"  # the process of each render (the reduce's is a child)
    real_render = build._render

    def render(*args, **kwargs):
        with open(renders, "a") as log:
            log.write(f"{os.getpid()}\n")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(build, "_render", render)
    beside = build.build_briefing(settings, tmp_path / "beside")
    monkeypatch.setattr(build, "RENDER_IN_PLACE_BELOW", 0)  # any reduce is too large: hand over
    handed_over = build.build_briefing(settings, tmp_path / "handed-over")
    assert beside.site.contents() == handed_over.site.contents()
    assert (beside.problems, beside.counts, beside.data_digest) == \
        (handed_over.problems, handed_over.counts, handed_over.data_digest)
    first, second = renders.read_text().split()
    assert second == str(os.getpid())
    if parallel._context().get_start_method() == "fork":
        assert first != str(os.getpid())


def test_pages_needing_nothing_of_briefing_json_render_before_it_is_asked_for(tmp_path):
    """The render asks for what only site-wide pages need (the Changes diff and the briefing's
    digest, known once briefing.json is written) once the other pages are done, so they render
    while a child writes briefing.json; the pages that read site-wide views get what it gave."""
    from generator.build import build_views, collect
    from generator.diff import diff_briefings
    from generator.export import briefing_data
    from generator.render import SiteWide, render_site

    project = make_project(tmp_path / "p")
    corpus.write_articles(project / "seeds", 12, seed=3)
    settings = _settings(project)
    briefing = collect(settings)
    data = briefing_data(briefing)
    views = build_views(briefing, data)
    earlier = dict(data, sources=data["sources"][1:])  # the last build lacked one source
    changes = diff_briefings(earlier, data)
    out = tmp_path / "site"
    out.mkdir()
    written_when_asked: list[set[str]] = []

    def site_wide() -> SiteWide:
        written_when_asked.append({p.relative_to(out).as_posix() for p in out.rglob("*.html")})
        return SiteWide(changes=changes)

    site = render_site(views, settings, out, site_wide)
    [before] = written_when_asked  # asked once
    assert {t["page"] for t in views["themes"]} | {e["page"] for e in views["entities"]} <= before
    assert not before & {"index.html", "sources/index.html", "figures/index.html", "changes.html"}
    assert not any(p.startswith("sources/") for p in before)
    assert f"{changes['count']} change(s) since the previous build" in site.read("index.html").decode("utf-8")
    assert data["sources"][0]["title"] in site.read("changes.html").decode("utf-8")


def test_parallel_map_keeps_input_order(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_SOURCES_PER_WORKER", 1)
    paths = [tmp_path / f"{i:03d}" for i in range(37)]
    assert parallel.parallel_map(_name_of, paths, None, jobs=3) == [p.name for p in paths]


def _name_of(path: Path, settings) -> str:
    return path.name


def test_small_briefings_stay_serial():
    assert parallel.worker_count(0, 10) == 1
    assert parallel.worker_count(1, 10_000) == 1


def test_corpus_is_deterministic_for_a_seed(tmp_path):
    first = corpus.write_articles(tmp_path / "a", 30, seed=3)
    second = corpus.write_articles(tmp_path / "b", 30, seed=3)
    other = corpus.write_articles(tmp_path / "c", 30, seed=4)
    read = lambda paths: [(p.name, p.read_bytes()) for p in paths]  # noqa: E731
    assert read(first) == read(second)
    assert read(first) != read(other)
    # article i does not depend on where writing starts (the bench adds article N to a corpus of N)
    assert read(corpus.write_articles(tmp_path / "d", 1, seed=3, start=29)) == read(first)[29:]


def test_forked_map_keeps_order_and_sees_what_the_task_refers_to(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    big = {i: f"page {i}" for i in range(200)}  # inherited by the forked workers, never pickled
    assert parallel.forked_map(lambda i: big[i], 200, jobs=2) == [big[i] for i in range(200)]
    assert parallel.forked_map(lambda i: i * i, 5, jobs=2) == [0, 1, 4, 9, 16]  # too small: serial


# Run in a fresh interpreter: forked_map only forks in a process with one thread, and the test
# process may have others (the browser tests' driver), which would make it run serially here.
FORKED_CHECKS = r"""
import os, time
from generator import parallel
parallel.available_cores = lambda: 2
parent = os.getpid()

def pid_of(i):
    time.sleep(0.002)
    return os.getpid()

pids = parallel.forked_map(pid_of, 200, jobs=2)
assert len(set(pids)) == 2 and parent in pids, "the work was not shared"

def fails_in(where):
    def task(i):
        time.sleep(0.002)
        if i > 20 and (os.getpid() == parent) == (where == "parent"):
            raise ValueError(f"failed in the {where}")
        return i
    return task

for where in ("child", "parent"):
    try:
        parallel.forked_map(fails_in(where), 200, jobs=2)
    except ValueError as exc:
        assert str(exc) == f"failed in the {where}", exc
    else:
        raise AssertionError(f"the error in the {where} was lost")
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    print("ok: no child left")
"""


def test_forked_map_shares_the_work_with_a_child_and_raises_what_failed_on_either_side():
    run = subprocess.run([sys.executable, "-c", FORKED_CHECKS], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "ok: no child left" in run.stdout


def test_forked_map_passes_on_a_workers_exception(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)

    def task(i: int) -> int:
        if i == 150:
            raise ValueError("page 150 failed")
        return i

    try:
        parallel.forked_map(task, 200, jobs=2)
    except ValueError as exc:
        assert "page 150" in str(exc)
    else:
        raise AssertionError("the worker's error was lost")


def _unpicklable():
    return lambda: None  # a function made here cannot be pickled back to the parent


def test_in_child_runs_in_a_child_that_exits_and_passes_on_results_and_errors():
    import os

    if parallel._context().get_start_method() != "fork":
        return  # elsewhere it runs in this process, which the jobs=1 check below covers
    assert parallel.in_child(os.getpid) != os.getpid()
    assert parallel.in_child(os.getpid, jobs=1) == os.getpid()  # jobs 1: one process
    assert parallel.in_child(dict, [("a", [1, 2])]) == {"a": [1, 2]}
    try:
        parallel.in_child(int, "not a number")
    except ValueError as exc:
        assert "not a number" in str(exc)
    else:
        raise AssertionError("the child's error was lost")
    try:
        parallel.in_child(_unpicklable)
    except RuntimeError as exc:
        assert "pickle" in str(exc).lower() or "lambda" in str(exc)
    else:
        raise AssertionError("a result that cannot come back must be an error")
    try:
        parallel.in_child(os._exit, 3)  # a child that dies sending nothing
    except RuntimeError as exc:
        assert "without its results (exit code 3)" in str(exc)
    else:
        raise AssertionError("a child that sent nothing must be an error")
    big = {"text": "é" * 3_000_000, "items": list(range(200_000))}  # a large result comes back whole
    assert parallel.in_child(dict, big) == big
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass  # no child left behind
    else:
        raise AssertionError("a child was left running")


def _write_later(path: Path, seconds: float) -> int:
    import os
    import time

    time.sleep(seconds)
    path.write_text("written", "utf-8")
    return os.getpid()


def test_running_in_child_goes_on_beside_this_process_and_stops_the_child_when_left_early(tmp_path):
    import os
    import time

    if parallel._context().get_start_method() != "fork":
        return  # elsewhere it runs here, before the block: the jobs=1 check below
    marker = tmp_path / "written"
    started = time.monotonic()
    with parallel.running_in_child(_write_later, marker, 0.5) as result:
        assert not marker.exists() and time.monotonic() - started < 0.5  # the block did not wait
        assert result() != os.getpid() and marker.exists()
        assert result() == result()  # asked again: the same answer, the child long gone
    with parallel.running_in_child(int, "not a number") as result:
        try:
            result()
        except ValueError as exc:
            assert "not a number" in str(exc)
        else:
            raise AssertionError("the child's error was lost")
    late = tmp_path / "late"
    try:
        with parallel.running_in_child(_write_later, late, 1.0):
            raise KeyError("this process failed first")
    except KeyError:
        pass
    time.sleep(1.3)
    assert not late.exists()  # the child was stopped, not left writing
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass  # and reaped
    else:
        raise AssertionError("a child was left running")
    with parallel.running_in_child(_write_later, tmp_path / "here", 0, jobs=1) as result:
        assert (tmp_path / "here").exists()  # one process: run before the block
        assert result() == os.getpid()


class _Probe:
    pass


def _held_after_its_last_reference_went() -> bool:
    import weakref

    probe = _Probe()
    ref = weakref.ref(probe)
    assert parallel.keep_until_exit(probe) is probe
    del probe
    return ref() is not None


def test_keep_until_exit_holds_a_value_in_a_forked_child_and_nothing_in_this_process():
    if parallel._context().get_start_method() == "fork":
        assert parallel.in_child(_held_after_its_last_reference_went) is True
    assert _held_after_its_last_reference_went() is False  # a build in this process frees as usual


def test_files_the_briefing_wrote_are_left_in_place_and_copied_only_when_moved(tmp_path):
    from mkdocs.config import load_config

    from generator.plugin import WrittenFile

    project = make_project(tmp_path / "p")
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins._current_plugin = "briefing"  # as while MkDocs runs the plugin's on_files
    written = tmp_path / "site" / "sources" / "a.html"
    written.parent.mkdir(parents=True)
    written.write_text("page", "utf-8")
    in_place = WrittenFile.generated(config, "sources/a.html", abs_src_path=str(written))
    in_place.copy_file()
    assert written.read_text("utf-8") == "page"
    moved = WrittenFile.generated(config, "sources/a.html", abs_src_path=str(written))
    moved.dest_uri = "elsewhere/a.html"  # as another plugin may
    moved.copy_file()
    assert (tmp_path / "site" / "elsewhere" / "a.html").read_text("utf-8") == "page"


def _collector_on(path, settings) -> bool:
    import gc

    return gc.isenabled()


def test_a_build_turns_the_garbage_collector_off_and_pool_workers_turn_it_back_on():
    import gc

    from generator.build import fewer_collections

    was = gc.isenabled()
    with fewer_collections():
        assert not gc.isenabled()
        in_workers = parallel.parallel_map(_collector_on, list(range(64)), None, jobs=2)
    assert gc.isenabled() == was
    assert parallel.worker_count(2, 64) == 2 and all(in_workers)  # a worker parses many sources (HTML: cycles)


_RELATED_THREADS = """
import os, sys
from generator.related import _top_related
ids = [f"s{i:04d}" for i in range(600)]
_top_related(ids, {s: ["t" + str(i % 5)] for i, s in enumerate(ids)},
             {s: ["e" + str(i % 40), "e" + str(i % 7)] for i, s in enumerate(ids)}, set())
print(len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
"""


def test_related_sources_score_on_one_blas_thread_unless_the_user_sets_it(tmp_path):
    """OpenBLAS's second thread spins after each small product: twice the CPU for the same time,
    taken from the figure groups' child working beside the export (issue 8)."""
    if not os.path.isdir("/proc/self/task"):
        pytest.skip("counts threads in /proc")

    def threads(**env):
        base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        done = subprocess.run([sys.executable, "-c", _RELATED_THREADS], env={**base, **env}, cwd=ROOT,
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert threads() == ["1", "1"]  # the process alone: no BLAS thread was started
    assert threads(OPENBLAS_NUM_THREADS="2") == ["2", "2"]  # a user's own setting is kept
