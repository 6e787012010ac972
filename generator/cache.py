"""The per-source cache behind incremental builds, and the previous build kept for the Changes page.

A source's result depends only on its bytes, its project-relative path (the id and the
page URL come from it), the settings that shape per-source work and the generator's own
code, so those make the key. Entries are JSON, never pickle: a cache folder may come from
anywhere (a copied project, an old version), so every entry is checked against a header and
against the record types before it is believed; anything odd is a miss and is rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
import os
import tempfile
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import Any, Callable

from . import __version__, models
from .config import Settings
from .models import ComparedPairs, Problem, SourceResult

CACHE_DIR_NAME = ".briefing-cache"
MAGIC = "briefing-source-cache"
FORMAT = 1  # of the history, pages and near-duplicate files
ENTRY_FORMAT = 2  # of source entries; 2: each record the list of its field values

# Settings fields that only shape pages or say where things are, never a source's result.
_RENDER_ONLY_FIELDS = {"root", "seeds_dir", "templates_dir", "title", "description", "site_url", "preview", "jobs"}


class CacheError(ValueError):
    """A cache entry that cannot be trusted."""


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """The version plus a hash of the generator's own files, so any code edit invalidates the cache."""
    return package_fingerprint(Path(__file__).resolve().parent)


def package_fingerprint(package: Path) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".json", ".yml", ".yaml"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """Plain JSON-able data for hashing (dataclasses, tuples, paths, anything else by repr)."""
    if value is None or isinstance(value, (str, int, float, bool)):  # the common case first (issue 8)
        return value
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _canonical(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    return repr(value)


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def settings_fingerprint(settings: Settings) -> str:
    """Hash of every setting that may change a source's result (themes, gazetteer, limits, ...).

    Listed by exclusion, so a setting added later counts until someone says it is render-only."""
    relevant = {f.name: _canonical(getattr(settings, f.name)) for f in dataclasses.fields(settings)
                if f.name not in _RENDER_ONLY_FIELDS}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def build_fingerprint(settings: Settings) -> str:
    """What every cache key shares: the generator's code and the settings that shape a result."""
    return generator_fingerprint() + settings_fingerprint(settings)


# --- dataclass <-> JSON -------------------------------------------------------------------

def to_data(record: Any) -> Any:
    """A record as JSON-ready data: each record the list of its field values in field order
    (tuples become lists). Without the field names an entry is about a third smaller, and both
    ways faster (1,000 sources: written 0.9 -> 0.3 s, read 1.05 -> 0.75 s: issue 8)."""
    write = _writer(type(record))
    return record if write is None else write(record)


SHARED_CHARS = 40  # strings up to this long are interned as records are read back


def from_data(cls: Any, data: Any) -> Any:
    """Rebuild a value of type ``cls`` from ``to_data`` output, checking every type on the way."""
    return _reader(cls)(data)


@lru_cache(maxsize=None)
def _writer(cls: Any) -> Callable[[Any], Any] | None:
    """``to_data`` for values of type ``cls``, worked out once per type; None where a value is
    written as it is (strings, numbers, None and unions of them)."""
    origin = typing.get_origin(cls)
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls, vars(models))
        fields = [(operator.attrgetter(f.name), _writer(hints[f.name])) for f in dataclasses.fields(cls)]
        if all(write is None for _, write in fields):
            values = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
            return (lambda record: [values(record)]) if len(fields) == 1 else (lambda record: list(values(record)))
        return lambda record: [value(record) if write is None else write(value(record)) for value, write in fields]
    if origin is tuple:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            write_item = _writer(args[0])
            return list if write_item is None else (lambda items: [write_item(item) for item in items])
        writers = [_writer(a) for a in args]
        return lambda items: [item if write is None else write(item) for write, item in zip(writers, items)]
    if origin in (typing.Union, types.UnionType):  # e.g. ``Figure | None``: each value by its own type
        writers = {typing.get_origin(option) or option: _writer(option) for option in typing.get_args(cls)}
        if all(write is None for write in writers.values()):
            return None
        return lambda value: value if writers.get(type(value)) is None else writers[type(value)](value)
    if cls in _PLAIN or cls is float:
        return None
    return _canonical  # dicts and anything else: plain JSON data, as for hashing


@lru_cache(maxsize=None)
def _reader(cls: Any) -> Callable[[Any], Any]:
    """A checking converter for values of type ``cls``, worked out once per type (issue 8)."""
    origin = typing.get_origin(cls)
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls, vars(models))
        fields = [(f.name, _reader(hints[f.name]), _exact_types(hints[f.name])) for f in dataclasses.fields(cls)]
        count = len(fields)

        def read_record(data: Any) -> Any:
            if type(data) is not list or len(data) != count:
                raise CacheError(f"{cls.__name__}: expected a list of its {count} fields")
            values = []
            for (name, read, exact), value in zip(fields, data):
                if exact is None:
                    values.append(read(value))
                elif type(value) in exact:  # plain fields checked here: most of a record (issue 8)
                    # Short strings (ids, units, kinds) recur across records: one object each,
                    # as the map's results share them (a third of what warm results held: issue 8).
                    values.append(intern(value) if type(value) is str and len(value) <= SHARED_CHARS else value)
                else:
                    raise CacheError(f"{cls.__name__}.{name}: expected {hints[name]}")
            return cls(*values)
        return read_record
    if origin in (typing.Union, types.UnionType):
        options = [_reader(option) for option in typing.get_args(cls)]

        def read_union(data: Any) -> Any:
            errors = []
            for read in options:
                try:
                    return read(data)
                except CacheError as exc:
                    errors.append(str(exc))
            raise CacheError(f"no type of {cls} fits: {errors}")
        return read_union
    if cls is type(None):
        return _check(lambda d: d is None, "expected null")
    if origin is tuple:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            read_item, exact = _reader(args[0]), _exact_types(args[0])

            def read_tuple(data: Any) -> tuple:
                if not isinstance(data, list):
                    raise CacheError("expected a list")
                if exact is None:
                    return tuple(read_item(item) for item in data)
                if not all(type(item) in exact for item in data):
                    raise CacheError(f"expected a list of {args[0]}")
                return tuple(data)
            return read_tuple
        readers = [_reader(a) for a in args]

        def read_fixed(data: Any) -> tuple:
            if not isinstance(data, list):
                raise CacheError("expected a list")
            if len(readers) != len(data):
                raise CacheError("wrong tuple length")
            return tuple(read(item) for read, item in zip(readers, data))
        return read_fixed
    if cls is dict or origin is dict:
        return _check(lambda d: isinstance(d, dict), "expected an object")
    if cls is bool:
        return _check(lambda d: isinstance(d, bool), "expected a boolean")
    if cls is int:
        return _check(lambda d: isinstance(d, int) and not isinstance(d, bool), "expected an integer")
    if cls is float:
        number = _check(lambda d: isinstance(d, (int, float)) and not isinstance(d, bool), "expected a number")
        return lambda data: float(number(data))
    if cls is str:
        return _check(lambda d: isinstance(d, str), "expected a string")
    if cls is Any:
        return lambda data: data
    raise CacheError(f"unsupported type {cls!r}")


_PLAIN = frozenset({str, int, bool, type(None)})  # JSON gives exactly these types


def _exact_types(cls: Any) -> frozenset[type] | None:
    """The exact types JSON data of type ``cls`` may have, when a check of ``type(value)`` is the
    whole conversion (str, int, bool, None and unions of them); None for anything else."""
    options = typing.get_args(cls) if typing.get_origin(cls) in (typing.Union, types.UnionType) else (cls,)
    if all(option in _PLAIN for option in options):
        return frozenset(options)
    return None


def _check(test: Callable[[Any], bool], message: str) -> Callable[[Any], Any]:
    def read(data: Any) -> Any:
        if not test(data):
            raise CacheError(message)
        return data
    return read


# --- the cache ------------------------------------------------------------------------------

@dataclass
class CacheStats:
    """What one build took from the cache and what it had to process again."""

    hits: int = 0
    processed: int = 0  # sources read and normalised in this build
    rejected: int = 0  # entries found but not trusted (corrupt, foreign, stale format)
    inputs: str = ""  # digest of every source's key, in order ("" without a cache): the build's inputs


@dataclass
class SourceCache:
    """Per-source results on disk under ``<root>/.briefing-cache/``."""

    directory: Path

    @classmethod
    def for_project(cls, root: Path) -> "SourceCache":
        return cls(Path(root) / CACHE_DIR_NAME)

    def key(self, relative_path: str, data: bytes, fingerprint: str) -> str:
        """The entry's key: ``fingerprint`` (generator code and settings: ``build_fingerprint``),
        the source's path and its bytes."""
        digest = hashlib.sha256()
        for part in (MAGIC, str(ENTRY_FORMAT), fingerprint, relative_path, hashlib.sha256(data).hexdigest()):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def _entry_path(self, key: str) -> Path:
        return self.directory / "sources" / key[:2] / f"{key}.json"

    def load(self, key: str) -> SourceResult | None:
        """The cached result for ``key``; None when there is none; CacheError when one is there but untrustworthy."""
        try:
            raw = self._entry_path(key).read_bytes()
        except OSError:
            return None
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise CacheError(f"not JSON: {exc}") from None
        if not isinstance(entry, dict) or entry.get("magic") != MAGIC or entry.get("format") != ENTRY_FORMAT \
                or entry.get("key") != key:
            raise CacheError("foreign or stale entry")
        try:
            return from_data(SourceResult, entry.get("result"))
        except (TypeError, RecursionError) as exc:
            raise CacheError(str(exc)) from None

    def put(self, key: str, result: SourceResult) -> None:
        try:
            text = json.dumps({"magic": MAGIC, "format": ENTRY_FORMAT, "key": key, "result": to_data(result)},
                              sort_keys=True, ensure_ascii=False, allow_nan=False)
        except (ValueError, TypeError):
            return  # not representable as strict JSON (e.g. an infinite value): just not cached
        _write_atomic(self._entry_path(key), text)

    def prune(self, keep: set[str]) -> None:
        """Drop entries this build did not use (edited or removed sources), so the folder does not grow forever."""
        for entry in (self.directory / "sources").glob("*/*.json"):
            if entry.stem not in keep:
                entry.unlink(missing_ok=True)

    # --- the previous build, for the Changes page ----------------------------------------

    # Each history file is the SHA-256 of a build's briefing.json on its first line, then
    # ``diff.diff_basis`` of its data as JSON: what the diff reads, not the whole file (issue 8).

    def _history_file(self, which: str) -> Path:
        """``last`` (the previous build), ``baseline`` (the one it was compared with) or ``staged``
        (this build's, written before the build is known to have succeeded)."""
        return self.directory / f"history-{FORMAT}" / f"{which}-basis.json"

    def _history_digest(self, which: str) -> str | None:
        try:
            with open(self._history_file(which), "rb") as handle:
                return handle.readline().decode("ascii", "replace").strip() or None
        except OSError:
            return None

    def baseline_for(self, data_digest: str) -> dict | None:
        """What to compare this build (the SHA-256 of its ``briefing.json``) with: the previous
        build whose data differed. Rebuilding unchanged input compares with the same baseline again,
        so builds stay repeatable."""
        last = self._history_digest("last")
        if last is None:
            return None
        try:
            with open(self._history_file("baseline" if last == data_digest else "last"), "rb") as handle:
                handle.readline()
                basis = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        return basis if isinstance(basis, dict) else None

    def stage_build(self, digest: str, basis: dict) -> None:
        """Keep ``basis`` (``diff.diff_basis`` of a build's data; ``digest``: its briefing.json's
        SHA-256) until ``record_build`` says that build succeeded."""
        if self._history_digest("last") == digest:
            return  # the same data as the last build: nothing to record
        text = digest + "\n" + json.dumps(basis, sort_keys=True, ensure_ascii=False, allow_nan=False)
        _write_atomic(self._history_file("staged"), text)

    def record_build(self, digest: str) -> None:
        """The staged build (``digest``) becomes the last build, after it succeeded; the last one
        becomes the baseline."""
        staged, last = self._history_file("staged"), self._history_file("last")
        if self._history_digest("staged") != digest:
            return  # nothing staged for it (stage_build keeps nothing when the data did not change)
        try:
            if last.exists():
                os.replace(last, self._history_file("baseline"))
            os.replace(staged, last)
        except OSError:
            pass  # as for every cache write: a cache that cannot be written is no cache, not a failed build

    # --- the near-duplicate pairs found, so a rebuild compares only new sources (duplicates.py) --

    def _pairs_file(self) -> Path:
        return self.directory / f"near-duplicates-{FORMAT}.json"

    def read_compared_pairs(self) -> ComparedPairs | None:
        """What the last build's near-duplicate search found; None when there is nothing to trust
        (no file, another generator version, anything malformed: the search then runs in full)."""
        try:
            entry = json.loads(self._pairs_file().read_text("utf-8"))
            if entry["magic"] != MAGIC or entry["code"] != generator_fingerprint():
                return None
            documents, pairs = entry["documents"], entry["pairs"]
            if not (type(documents) is list and type(pairs) is list and all(type(d) is str for d in documents)
                    and all(type(p) is list and len(p) == 3 and type(p[0]) is str and type(p[1]) is str
                            and type(p[2]) is float for p in pairs)):
                return None
            return ComparedPairs(frozenset(documents), {(first, second): share for first, second, share in pairs})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record_compared_pairs(self, compared: ComparedPairs) -> None:
        _write_atomic(self._pairs_file(), json.dumps({
            "magic": MAGIC, "code": generator_fingerprint(), "documents": sorted(compared.documents),
            "pairs": sorted([first, second, share] for (first, second), share in compared.pairs.items())}))

    # --- the previous build's pages, for reusing unchanged ones (generator/reuse.py) -----

    def _pages_file(self, preview: bool) -> Path:
        """Builds and ``mkdocs serve`` previews keep theirs apart: their pages differ (the preview's
        live-reload script) and live in different folders."""
        return self.directory / f"{'preview-' if preview else ''}pages-{FORMAT}.json"

    def read_pages(self, preview: bool = False) -> object:
        """What the last successful build recorded of its pages (plain data, checked by the reader)."""
        try:
            return json.loads(self._pages_file(preview).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def record_pages(self, data: object, preview: bool = False) -> None:
        _write_atomic(self._pages_file(preview), json.dumps(data, sort_keys=True))


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temp file and rename, so a crash never leaves half an entry. Failures are
    ignored: a read-only or full disk makes the cache useless, never the build."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def cached_map(paths: list[Path], settings: Settings, cache: SourceCache | None,
               map_fn: Callable[[list[Path], Settings], list[SourceResult | Problem]],
               stats: CacheStats) -> list[SourceResult | Problem]:
    """``map_fn`` over the paths the cache cannot answer; results in the order of ``paths``.

    Entries that fail validation count as ``rejected`` and are rebuilt (and overwritten)."""
    if cache is None:
        stats.processed += len(paths)
        return map_fn(paths, settings)
    fingerprint = build_fingerprint(settings)  # once: hashing the gazetteer per source cost seconds
    keys: list[str | None] = []
    outcomes: list[SourceResult | Problem | None] = []
    for path in paths:
        try:
            data = path.read_bytes()
            relative = path.resolve().relative_to(settings.root.resolve()).as_posix()
        except (OSError, ValueError):
            keys.append(None)  # unreadable or outside the project: let the pipeline report it
            outcomes.append(None)
            continue
        key = cache.key(relative, data, fingerprint)
        keys.append(key)
        try:
            hit = cache.load(key)
        except CacheError:
            stats.rejected += 1
            hit = None
        if hit is not None:
            stats.hits += 1
        outcomes.append(hit)
    missing = [i for i, outcome in enumerate(outcomes) if outcome is None]
    stats.processed += len(missing)
    for i, outcome in zip(missing, map_fn([paths[i] for i in missing], settings)):
        outcomes[i] = outcome
        key = keys[i]
        if key is not None and isinstance(outcome, SourceResult):
            cache.put(key, outcome)
    stats.inputs = hashlib.sha256("\n".join([fingerprint, *(k or "-" for k in keys)]).encode()).hexdigest()
    try:
        cache.prune({k for k in keys if k is not None})
    except OSError:
        pass
    return outcomes  # type: ignore[return-value]
