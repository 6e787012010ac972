"""Screening discovered paths before anything reads them: seeds/ is the only place sources come from.

A symbolic link in seeds/ that points outside it (a home folder, /etc, the project's own files)
would publish whatever it points at; a file over the size limit would be read whole by the cache
before the reader could refuse it. Both are refused here with only ``lstat``/``stat`` and
``resolve``, and reported by name like any other bad source.
"""

from __future__ import annotations

import os
from pathlib import Path

from .models import Problem


def _display(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def screen(paths: list[Path], seeds_dir: Path, root: Path, max_bytes: int) -> tuple[list[Path], list[Problem]]:
    """(paths safe to read, problems for the others), in the order of ``paths``."""
    seeds = seeds_dir.resolve()
    kept: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        rel = _display(path, root)
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # dangling link or a loop
                problems.append(Problem("error", rel, "broken symbolic link; not read", code="symlink"))
                continue
            if target.is_dir():
                problems.append(Problem("error", rel, "symbolic link to a folder; not followed", code="symlink"))
                continue
            if not target.is_relative_to(seeds):
                problems.append(Problem("error", rel, "symbolic link to a file outside the sources folder; "
                                                      "not read", code="symlink"))
                continue
        try:
            size = os.stat(path).st_size
        except OSError:
            kept.append(path)  # vanished or unreadable: the reader reports it
            continue
        if size > max_bytes:
            problems.append(Problem("error", rel, f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                                    code="too-large"))
            continue
        kept.append(path)
    return kept, problems
