"""Per-source work and page rendering on every core, in worker processes.

Each source is processed independently (``build.load_source``), so the map can be split
into chunks, run in a process pool and put back in input order; the result is the same
list a serial loop gives, so the site is byte-identical whatever ``jobs`` is. Processes
cost start-up time, so small briefings (and ``jobs: 1``) stay serial. ``forked_map`` shares
the page rendering between this process and a forked child; ``in_child`` runs one step (the
cross-source reduce) in a child, so the memory it used goes back to the system when it exits.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Callable, TypeVar

from .config import Settings

T = TypeVar("T")

MIN_SOURCES_PER_WORKER = 32  # below this, forking and pickling cost more than they save
CHUNKS_PER_WORKER = 4  # a few chunks each, so one slow chunk does not leave a core idle


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int, items: int) -> int:
    """How many processes to use: ``jobs`` (0 = every core), never more than the work pays for."""
    wanted = available_cores() if jobs <= 0 else jobs
    return max(1, min(wanted, items // MIN_SOURCES_PER_WORKER))


def _run_chunk(function: Callable[[Path, Settings], T], chunk: list[Path], settings: Settings) -> list[T]:
    return [function(path, settings) for path in chunk]


def _context():
    """fork where it is safe (one thread: no lock can be held by another thread), else forkserver."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def parallel_map(function: Callable[[Path, Settings], T], paths: list[Path], settings: Settings,
                 jobs: int = 0) -> list[T]:
    """``[function(p, settings) for p in paths]``, on up to ``jobs`` processes, in input order."""
    workers = worker_count(jobs, len(paths))
    if workers == 1:
        return [function(path, settings) for path in paths]
    size = -(-len(paths) // (workers * CHUNKS_PER_WORKER))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    # A worker processes many sources: the garbage collector runs in it even when the build has
    # turned it off (build.fewer_collections), at the thresholds it set.
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=gc.enable) as pool:
        futures = [pool.submit(_run_chunk, function, chunk, settings) for chunk in chunks]
        return [outcome for future in futures for outcome in future.result()]


def forked_map(task: Callable[[int], T], count: int, jobs: int = 0) -> list[T]:
    """``[task(i) for i in range(count)]`` on this process and forked children, in order.

    The children inherit ``task`` and everything it refers to (all the views of a site) instead of
    receiving them pickled, so this only runs in parallel where processes can fork; elsewhere
    (another OS, or threads running, as under ``mkdocs serve``) it runs serially.

    This process works too, so one process fewer copies the heap: a child copies every page of
    memory it touches (reference counts are written on every read), and the parent touching its
    own objects copies nothing. Tasks are taken one at a time from a shared counter, so the
    processes finish together however unequal the tasks are."""
    workers = worker_count(jobs, count)
    if workers == 1 or _context().get_start_method() != "fork":
        return [task(i) for i in range(count)]
    next_task = multiprocessing.get_context("fork").Value("q", 0)
    parent = os.getpid()

    def run() -> dict[int, T]:
        done: dict[int, T] = {}
        while True:
            with next_task.get_lock():
                index = next_task.value
                next_task.value = index + 1
            if index >= count or os.getppid() != parent and os.getpid() != parent:
                return done  # all handed out (or the parent is gone: stop writing into its site)
            done[index] = task(index)

    # Objects that exist before the fork are left out of the children's garbage collections:
    # a collection touches every object it scans, which would copy the parent's whole heap
    # into each child, page by page (the remedy the gc module documents for forking servers).
    gc.freeze()
    children: list[tuple[int, IO[bytes]]] = []
    try:
        for _ in range(workers - 1):
            channel = tempfile.TemporaryFile()
            pid = os.fork()
            if pid == 0:  # the child: run tasks, send back what they returned (or what they raised)
                _child_main(run, channel)
            children.append((pid, channel))
        results = run()
    except BaseException:
        with next_task.get_lock():
            next_task.value = count  # the children stop after the task they are on
        raise
    finally:
        outcomes = []
        for pid, channel in children:
            with channel:
                outcomes.append(_collect(pid, channel))
        gc.unfreeze()
    for ok, outcome in outcomes:
        if not ok:
            raise outcome
        results.update(outcome)
    return [results[i] for i in range(count)]


def peak_memory() -> int:
    """The most memory this process has held, in bytes (its peak resident set)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux kilobytes


def in_child(function: Callable[..., T], *args, jobs: int = 0) -> T:
    """``function(*args)``, run in a forked child whose result comes back pickled.

    Everything the function made and dropped on the way goes back to the system when the child
    exits, which a process that frees memory rarely does: what runs next starts from what the
    result holds, not from the function's high-water mark (issue 8). The result is read once the
    child has exited: unpickled as the child pickled it, through a pipe, it was 0.25 s faster at
    1,000 sources, but the child's peak and the result's copy then coexisted (5,000 sources: a
    1.26 GB peak instead of 0.9). Runs in this process where
    it cannot fork (as for ``forked_map``) and with ``jobs`` 1 (one process: a debugger sees all)."""
    with running_in_child(function, *args, jobs=jobs) as result:
        return result()


@contextmanager
def running_in_child(function: Callable[..., T], *args, jobs: int = 0) -> Iterator[Callable[[], T]]:
    """``function(*args)`` started in a forked child while this process goes on; calling what
    this gives waits for the child and returns its result (or raises its error). Leaving the block
    without asking stops the child. Where it cannot fork, and with ``jobs`` 1, the function runs
    here and then, before the block."""
    if jobs == 1 or _context().get_start_method() != "fork":
        outcome = function(*args)
        yield lambda: outcome
        return
    with tempfile.TemporaryFile() as channel:
        pid = os.fork()
        if pid == 0:
            _child_main(partial(function, *args), channel)
        collected: list[tuple[bool, object]] = []

        def result() -> T:
            if not collected:
                collected.append(_collect(pid, channel))
            ok, outcome = collected[0]
            if not ok:
                raise outcome
            return outcome

        try:
            yield result
        finally:
            if not collected:  # left early, or interrupted while waiting: the child must not go on writing
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


_in_forked_child = False
_kept_until_exit: list = []


def keep_until_exit(value: T) -> T:
    """``value``, held until this process ends if it is a forked child (``in_child``,
    ``forked_map``). Such a child ends by ``os._exit``, which hands its whole heap back to the
    system at once: freeing a site's views object by object on the way out is time lost (1,000
    sources: 0.05 s). Elsewhere (a build in the main process, as under ``mkdocs serve``) nothing
    is held, so nothing outlives its use."""
    if _in_forked_child:
        _kept_until_exit.append(value)
    return value


def _child_main(run: Callable[[], object], channel: IO[bytes]) -> None:
    """A forked child's whole life: never returns, never runs the parent's exit handlers.
    It writes ``(True, result)`` or ``(False, exception)`` to ``channel``, pickled."""
    global _in_forked_child
    _in_forked_child = True
    code = 0
    try:
        try:
            outcome = (True, run())
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            code, outcome = 1, (False, exc)
        try:
            pickle.dump(outcome, channel, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - a result or an exception that cannot be pickled
            code, what = 1, outcome[1] if not outcome[0] else exc
            channel.seek(0)
            channel.truncate()
            pickle.dump((False, RuntimeError(f"{type(what).__name__}: {what}")), channel)
        channel.flush()
    finally:
        os._exit(code)


def _collect(pid: int, channel: IO[bytes]) -> tuple[bool, object]:
    """What a child sent (``(True, result)`` or ``(False, exception)``), once it has exited."""
    _, status = os.waitpid(pid, 0)
    channel.seek(0)
    try:
        return pickle.load(channel)
    except Exception:  # noqa: BLE001 - a child killed half-way sent nothing whole
        return False, _ended_without_results(status)


def _ended_without_results(status: int) -> RuntimeError:
    code = os.waitstatus_to_exitcode(status)
    how = f"exit code {code}" if code >= 0 else f"killed by signal {-code}"
    return RuntimeError(f"a worker process ended without its results ({how})")
