"""Per-source work and page rendering on every core, in worker processes.

Each source is processed independently (``build.load_source``), so the map can be split
into chunks, run in a process pool and put back in input order; the result is the same
list a serial loop gives, so the site is byte-identical whatever ``jobs`` is. Processes
cost start-up time, so small briefings (and ``jobs: 1``) stay serial.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from .config import Settings

T = TypeVar("T")

MIN_SOURCES_PER_WORKER = 32  # below this, forking and pickling cost more than they save
CHUNKS_PER_WORKER = 4  # a few chunks each, so one slow chunk does not leave a core idle
FORKED_CHUNKS_PER_WORKER = 1000  # pages differ a thousandfold in cost: one task at a time keeps the cores even


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
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures = [pool.submit(_run_chunk, function, chunk, settings) for chunk in chunks]
        return [outcome for future in futures for outcome in future.result()]


_TASK: Callable[[int], object] | None = None  # what forked workers of ``forked_map`` run


def _run_indices(start: int, stop: int) -> list:
    assert _TASK is not None
    return [_TASK(i) for i in range(start, stop)]


def forked_map(task: Callable[[int], T], count: int, jobs: int = 0) -> list[T]:
    """``[task(i) for i in range(count)]`` on forked workers, in order.

    The workers inherit ``task`` and everything it refers to (all the views of a site) instead of
    receiving them pickled, so this only runs in parallel where processes can fork; elsewhere
    (another OS, or threads running, as under ``mkdocs serve``) it runs serially."""
    global _TASK
    workers = worker_count(jobs, count)
    context = _context()
    if workers == 1 or context.get_start_method() != "fork":
        return [task(i) for i in range(count)]
    size = -(-count // (workers * FORKED_CHUNKS_PER_WORKER))
    _TASK = task
    # Objects that exist before the fork are left out of the workers' garbage collections:
    # a collection touches every object it scans, which would copy the parent's whole heap
    # into each worker, page by page (the remedy the gc module documents for forking servers).
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_run_indices, start, min(start + size, count)) for start in range(0, count, size)]
            return [outcome for future in futures for outcome in future.result()]
    finally:
        gc.unfreeze()
        _TASK = None
