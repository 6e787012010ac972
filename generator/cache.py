"""The per-source cache behind incremental builds, and the previous build kept for the Changes page.

A source's result depends only on its bytes, its project-relative path (the id and the
page URL come from it), the settings that shape per-source work and the generator's own
code, so those make the key. An entry is the result pickled and signed (HMAC-SHA256) with a
key this machine keeps outside every project (``signing_key``): a cache folder may come from
anywhere (a copied project, another machine, an old version, a hand edit), and an entry whose
signature does not match is a miss and is rebuilt, never unpickled. Even a signed entry is
unpickled by an unpickler that knows only the generator's record types. (Entries were checked
JSON until issue 8: reading 1,000 of them took 0.75 s, unpickling them takes 0.2 s.)
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import json
import os
import pickle
import secrets
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
import orjson

from . import __version__, models
from .config import Settings
from .export import compact_json
from .models import ComparedPairs, Problem, RowMarkup, SourceResult
from .parallel import parallel_map
from .read import project_path

CACHE_DIR_NAME = ".briefing-cache"
MAGIC = "briefing-source-cache"
FORMAT = 1  # of the history, pages and near-duplicate files
ROWS_FORMAT = 2  # of the figure-row record; 2: where each row's source cell is
ENTRY_FORMAT = 3  # of source entries; 3: signed pickles (2: JSON, each record the list of its field values)

# Settings fields that only shape pages or say where things are, never a source's result.
_RENDER_ONLY_FIELDS = {"root", "seeds_dir", "templates_dir", "title", "description", "site_url", "preview", "jobs"}


class CacheError(ValueError):
    """A cache entry that cannot be trusted."""


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """The version plus a hash of the generator's own files, so any code edit invalidates the cache,
    and the Python that runs it (entries hold numbers made by its hash function: duplicates.shingles)."""
    return package_fingerprint(Path(__file__).resolve().parent) + sys.version


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


# --- signed entries -------------------------------------------------------------------------

KEY_BYTES = 32
SIGNATURE_BYTES = 32  # HMAC-SHA256, ahead of the pickle in each entry


def key_file() -> Path:
    """Where this machine's signing key lives: the user's cache folder, outside every project."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "briefing" / "cache-key"


@lru_cache(maxsize=1)
def signing_key() -> bytes | None:
    """This machine's key for cache entries, made on first use (readable by its user only); None
    when it can be neither read nor made, and then no entry is read or written."""
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
            try:
                os.write(fd, secrets.token_bytes(KEY_BYTES))
                os.close(fd)
                os.link(temp, path)  # never replaces a key another build made meanwhile
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                os.replace(temp, path)
            finally:
                Path(temp).unlink(missing_ok=True)
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) >= KEY_BYTES else None


def _signature(key: bytes, name: str, payload) -> bytes:
    """HMAC-SHA256 of ``payload`` (bytes-like) as the file ``name`` (an entry's key): an entry
    copied under another name does not verify."""
    signature = hmac.new(key, name.encode("ascii") + b"\0", hashlib.sha256)
    signature.update(payload)
    return signature.digest()


def _verified(key: bytes, name: str, raw: bytes) -> memoryview | None:
    """The payload of ``raw`` (as ``_write_signed`` wrote it for ``name``: the signature, then the
    payload); None if its signature does not match."""
    payload = memoryview(raw)[SIGNATURE_BYTES:]
    return payload if hmac.compare_digest(raw[:SIGNATURE_BYTES], _signature(key, name, payload)) else None


def _read_signed(path: Path, name: str) -> memoryview | None:
    """The payload of the signed file ``path`` (signed as ``name``); None without a signing key,
    when the file cannot be read, or when its signature does not match."""
    signing = signing_key()
    if signing is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return _verified(signing, name, raw)


def _write_signed(path: Path, name: str, payload: bytes) -> None:
    """``payload`` signed as ``name`` into ``path`` (nothing without a signing key): the signature,
    then the payload, written one after the other (the figure rows of thousands of sources are tens
    of megabytes, not to be copied whole once more)."""
    signing = signing_key()
    if signing is not None:
        _write_atomic(path, (_signature(signing, name, payload), payload))


class _RecordUnpickler(pickle.Unpickler):
    """Unpickles the generator's records and nothing else: no other class or function is ever
    looked up, so no other code can run (records pickle as calls of their class: models.py)."""

    def find_class(self, module: str, name: str) -> Any:
        record = getattr(models, name, None) if module == models.__name__ else None
        if isinstance(record, type) and dataclasses.is_dataclass(record):
            return record
        raise CacheError(f"not a record type: {module}.{name}")


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
        return self.directory / "sources" / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> SourceResult | None:
        """The cached result for ``key``; None when there is none (or no signing key); CacheError
        when one is there but untrustworthy."""
        signing = signing_key()
        if signing is None:
            return None
        try:
            raw = self._entry_path(key).read_bytes()
        except OSError:
            return None
        payload = _verified(signing, key, raw)
        if payload is None:
            raise CacheError("signature does not match: damaged, or made on another machine")
        try:
            result = _RecordUnpickler(io.BytesIO(payload)).load()
        except Exception as exc:  # noqa: BLE001 - whatever a signed but unreadable entry raises
            raise CacheError(f"not a result: {exc}") from None
        if not isinstance(result, SourceResult):
            raise CacheError("not a result")
        return result

    def put(self, key: str, result: SourceResult) -> None:
        if signing_key() is not None:
            _write_signed(self._entry_path(key), key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self, keep: set[str]) -> None:
        """Drop entries this build did not use (edited or removed sources, older formats), so the
        folder does not grow forever."""
        for entry in (self.directory / "sources").glob("*/*"):
            if entry.suffix != ".pickle" or entry.stem not in keep:
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
                basis = orjson.loads(handle.read())
        except (OSError, ValueError):
            return None
        return basis if isinstance(basis, dict) else None

    def stage_build(self, digest: str, basis: dict) -> None:
        """Keep ``basis`` (``diff.diff_basis`` of a build's data; ``digest``: its briefing.json's
        SHA-256) until ``record_build`` says that build succeeded."""
        if self._history_digest("last") == digest:
            return  # the same data as the last build: nothing to record
        _write_atomic(self._history_file("staged"), (digest.encode("ascii") + b"\n", compact_json(basis)))

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


    # --- figure-table rows rendered by the last build (render.py) ---------------------------

    # One file, signed (``_write_signed``: the rows go into pages as they are): each row as its digest
    # (32 bytes), its markup's length, where its source cell starts and ends in it (4 bytes each,
    # big-endian) and its markup (UTF-8).

    def _rows_file(self) -> Path:
        return self.directory / f"figure-rows-{ROWS_FORMAT}.bin"

    def read_rows(self) -> dict[str, RowMarkup]:
        """The rows the last build recorded (digest -> markup); none if the file is missing,
        damaged or signed with another key."""
        payload = _read_signed(self._rows_file(), "figure-rows")
        if payload is None:
            return {}
        rows, position, head = {}, 0, _ROW_DIGEST + 3 * _ROW_NUMBER
        while position < len(payload):
            if position + head > len(payload):
                return {}
            digest = payload[position:position + _ROW_DIGEST].hex()
            length, start, end = (int.from_bytes(payload[at:at + _ROW_NUMBER], "big")
                                  for at in range(position + _ROW_DIGEST, position + head, _ROW_NUMBER))
            if not start <= end <= length:
                return {}
            rows[digest] = RowMarkup(bytes(payload[position + head:position + head + length]), start, end)
            position += head + length
        return rows if position == len(payload) else {}

    def compiled_templates(self) -> "CompiledTemplates":
        return CompiledTemplates(self.directory / f"templates-{FORMAT}", generator_fingerprint())

    def record_rows(self, rows: dict[str, RowMarkup]) -> None:
        if signing_key() is not None:
            _write_signed(self._rows_file(), "figure-rows", b"".join(
                bytes.fromhex(digest) + b"".join(number.to_bytes(_ROW_NUMBER, "big") for number in
                                                 (len(row.markup), row.source_start, row.source_end)) + row.markup
                for digest, row in sorted(rows.items())))


_ROW_DIGEST, _ROW_NUMBER = 32, 4  # bytes of a row's digest and of each number in the figure-row record


class CompiledTemplates(jinja2.BytecodeCache):
    """The templates as Jinja compiled them, and which views each page template reads
    (``reuse.template_reads``), kept from one build to the next: parsing and compiling the
    templates took 0.3 s of every build before its pages could start (issue 8). Compiled code
    runs, so each file is signed as the source entries are, and a file that does not verify is
    not read. Jinja checks the template's source against what the code was compiled from; the
    signature covers ``code``, the generator's fingerprint, which sets the environment's options."""

    def __init__(self, directory: Path, code: str) -> None:
        self.directory = directory
        self.code = code

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = self._read(f"template-{bucket.key}")
        if payload is not None:
            bucket.bytecode_from_string(bytes(payload))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._write(f"template-{bucket.key}", bucket.bytecode_to_string())

    def read_reads(self, render_code: str) -> dict[str, frozenset[str]] | None:
        """What each page template read when the templates and generator were ``render_code``
        (``reuse.render_fingerprint``); None when not known."""
        payload = self._read("template-reads")
        try:
            recorded = json.loads(bytes(payload)) if payload is not None else None
        except ValueError:
            return None
        if not isinstance(recorded, dict) or recorded.get("render_code") != render_code \
                or not isinstance(recorded.get("reads"), dict):
            return None
        return {name: frozenset(names) for name, names in recorded["reads"].items()}

    def record_reads(self, render_code: str, reads: dict[str, frozenset[str]]) -> None:
        self._write("template-reads", json.dumps(
            {"render_code": render_code, "reads": {name: sorted(names) for name, names in reads.items()}},
            sort_keys=True).encode("utf-8"))

    def _read(self, name: str) -> memoryview | None:
        return _read_signed(self.directory / name, f"{name}-{self.code}")

    def _write(self, name: str, payload: bytes) -> None:
        _write_signed(self.directory / name, f"{name}-{self.code}", payload)


def _write_atomic(path: Path, content: str | bytes | tuple[bytes, ...]) -> None:
    """Write through a temp file and rename, so a crash never leaves half an entry. Failures are
    ignored: a read-only or full disk makes the cache useless, never the build. ``content`` may
    be pieces of bytes, written in turn."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                for piece in content if isinstance(content, tuple) else (content,):
                    handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


Outcome = SourceResult | Problem


@dataclass(frozen=True)
class _LoadAndStore:
    """``load``, then the result stored under its source's key by the process that made it: a
    worker already holds the result, and pickling and signing 5,000 of them again one after the
    other in the parent took 3.4 s of a build (issue 8)."""

    load: Callable[[Path, Settings], Outcome]
    cache: SourceCache
    keys: dict[Path, str]

    def __call__(self, path: Path, settings: Settings) -> Outcome:
        outcome = self.load(path, settings)
        key = self.keys.get(path)
        if key is not None and isinstance(outcome, SourceResult):
            self.cache.put(key, outcome)
        return outcome


def cached_map(paths: list[Path], settings: Settings, cache: SourceCache | None,
               load: Callable[[Path, Settings], Outcome], stats: CacheStats) -> list[Outcome]:
    """``load`` over the paths the cache cannot answer, on every core (``parallel_map``); results
    in the order of ``paths``.

    Entries that fail validation count as ``rejected`` and are rebuilt (and overwritten)."""
    if cache is None:
        stats.processed += len(paths)
        return parallel_map(load, paths, settings, settings.jobs)
    fingerprint = build_fingerprint(settings)  # once: hashing the gazetteer per source cost seconds
    keys: list[str | None] = []
    outcomes: list[Outcome | None] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            keys.append(None)  # unreadable: let the pipeline report it
            outcomes.append(None)
            continue
        # The path the result's id comes from: two links to one file are two sources, two keys.
        key = cache.key(project_path(path, settings.root), data, fingerprint)
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
    store = _LoadAndStore(load, cache, {paths[i]: keys[i] for i in missing if keys[i] is not None})
    for i, outcome in zip(missing, parallel_map(store, [paths[i] for i in missing], settings, settings.jobs)):
        outcomes[i] = outcome
    stats.inputs = hashlib.sha256("\n".join([fingerprint, *(k or "-" for k in keys)]).encode()).hexdigest()
    try:
        cache.prune({k for k in keys if k is not None})
    except OSError:
        pass
    return outcomes  # type: ignore[return-value]
