"""Pages reused from the previous build when nothing they show has changed (issue 8).

Adding one source changes a few dozen pages of a thousand-source site; the others come out
byte-identical, yet rendering them was most of a rebuild. So every page gets a digest of what it
is made from, and a page whose digest matches the previous build's is linked (or copied) from the
previous ``site/`` instead of rendered again.

What a page is made from:

- the render code: the generator's files and every file in ``templates/``;
- the page itself: its path, template, title, the site settings and its own view (``extra``,
  e.g. a source page's source view and text blocks), written out by value;
- for a template that reads any site-wide view (``views[...]``: the home page, the indexes, the
  figures page) the digest of the whole briefing instead, since those pages show every source.

Which site-wide views a template reads is found statically (``jinja2.meta``) over the template and
every template it includes or extends; a template Jinja cannot resolve statically counts as
reading everything. A page is only reused when the previous file's bytes still hash to what the
previous build recorded, so a hand-edited or half-copied ``site/`` is rendered again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta

from .cache import generator_fingerprint
from .output import prepared_path, safe_relative

EVERYTHING = frozenset({"*"})  # what a template reads when Jinja cannot tell statically


@dataclass(frozen=True, slots=True)
class PageRecord:
    """What the previous build recorded of one page: the digest of its inputs and of its bytes."""

    inputs: str
    content: str


def template_reads(env: jinja2.Environment, name: str) -> frozenset[str]:
    """Every undeclared name ``name`` and the templates it includes, imports or extends read."""
    return _template_reads(env, name, frozenset())


def _template_reads(env: jinja2.Environment, name: str, seen: frozenset[str]) -> frozenset[str]:
    if name in seen:
        return frozenset()
    source, filename, _ = env.loader.get_source(env, name)
    ast = env.parse(source, name, filename)  # a syntax error names the template's file and line
    names = set(jinja2.meta.find_undeclared_variables(ast))
    for referenced in jinja2.meta.find_referenced_templates(ast):
        if referenced is None:  # a template chosen at render time: could read anything
            return EVERYTHING
        names |= _template_reads(env, referenced, seen | {name})
    return frozenset(names)


def templates_fingerprint(templates_dir: Path) -> str:
    """A hash of every file under ``templates_dir`` (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def render_fingerprint(templates_dir: Path) -> str:
    """The code that turns views into pages: the generator's own files and the templates (read
    again on every build: under ``mkdocs serve`` one process builds many times)."""
    return hashlib.sha256(f"{generator_fingerprint()}\0{templates_fingerprint(templates_dir)}".encode()).hexdigest()


class _DigestWriter:
    """A file-like sink that hashes what is written to it."""

    def __init__(self, digest) -> None:
        self.write = digest.update


def page_digest(render_code: str, path: str, template: str, title: str, site: dict, extra: dict,
                briefing_digest: str | None, reducers: dict | None = None) -> str | None:
    """The digest of everything one page is made from; None when it cannot be known (never reused).

    ``briefing_digest`` is given for pages whose template reads site-wide views, else None.
    ``reducers``: as for ``view_digest``."""
    return view_digest(f"{render_code}\0{briefing_digest or ''}\0", (path, template, title, site, extra), reducers)


def view_digest(salt: str, value: object, reducers: dict | None = None) -> str | None:
    """SHA-256 of ``salt`` and then ``value`` hashed as a pickle without its memo: plain dicts,
    lists, strings, numbers and dataclass records written out by value (with the memo, a string
    shared or merely equal would pickle differently), about 2.5x faster than JSON. A view pickle
    cannot write (a lambda, a cycle) gives None: always rendered; one whose bytes vary from build
    to build (a set of strings, in hash order) is only ever a needless render, never a wrong reuse.
    ``reducers`` (type -> function, as pickle's ``dispatch_table``) may write a value of a type
    that is not a plain one by something standing for all of it, such as digests made already."""
    digest = hashlib.sha256(salt.encode())
    pickler = pickle.Pickler(_DigestWriter(digest), protocol=5)
    pickler.fast = True  # no memo: every value written out in full
    if reducers is not None:
        pickler.dispatch_table = reducers
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError):
        return None
    return digest.hexdigest()


def briefing_digest(data_digest: str, changes: dict | None, inputs: str) -> str | None:
    """Stands for everything pages that read site-wide views can show: ``briefing.json``, the
    Changes page's diff and the digest of every source's cache key; None if the inputs are unknown.
    ``data_digest`` is the SHA-256 of briefing.json."""
    if not inputs:
        return None
    digest = hashlib.sha256(f"{inputs}\0{data_digest}\0".encode())
    digest.update(json.dumps(changes, sort_keys=True, default=repr).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class PreviousPages:
    """The previous build's pages: its site folder and what it recorded of each page."""

    site_dir: Path
    records: dict[str, PageRecord]
    # Per folder of pages, not per page (a system call for each folder of each path): whether the
    # previous site's folder is its own (no link leads out), and the new site's folders made
    # (``output.prepared_path``).
    _own_folders: dict[Path, bool] = field(default_factory=dict, repr=False, compare=False)
    _made_folders: dict[Path, dict[str, Path]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "site_dir", self.site_dir.resolve())  # once, not once per page

    def _own_folder(self, folder: Path) -> bool:
        own = self._own_folders.get(folder)
        if own is None:
            own = self._own_folders[folder] = folder.resolve().is_relative_to(self.site_dir)
        return own

    def reuse(self, path: str, inputs: str | None, out_dir: Path) -> str | None:
        """Put the previous build's ``path`` into ``out_dir`` if it was made from the same inputs and is
        still intact; the content digest when it was reused, None when the page must be rendered."""
        record = self.records.get(path)
        if inputs is None or record is None or record.inputs != inputs:
            return None
        return record.content if self._put(path, out_dir, lambda old: content_digest(old) == record.content) else None

    def reuse_file(self, path: str, content: bytes, out_dir: Path) -> bool:
        """Put the previous build's ``path`` into ``out_dir`` if its bytes are ``content``: for files
        made anew at every build (the search index), where a link costs less than a new file."""
        return self._put(path, out_dir, content.__eq__)

    def _put(self, path: str, out_dir: Path, same: Callable[[bytes], bool]) -> bool:
        """Link (or copy) the previous build's ``path`` into ``out_dir`` if ``same`` holds of its bytes."""
        rel = safe_relative(path)
        old = self.site_dir / rel
        try:
            if old.is_symlink() or not self._own_folder(old.parent):
                return False  # only the previous site's own files, never one a link leads to
            if not same(old.read_bytes()):
                return False
            new = prepared_path(out_dir, rel, self._made_folders.setdefault(out_dir, {}))
            try:
                os.link(old, new)  # the old site is removed after the swap; the file lives on here
            except OSError:
                shutil.copyfile(old, new)  # another file system, or links not allowed
        except OSError:
            return False
        return True


def records_to_data(records: dict[str, PageRecord]) -> dict:
    return {path: [r.inputs, r.content] for path, r in sorted(records.items())}


def records_from_data(data: object) -> dict[str, PageRecord]:
    """The recorded pages, or none at all if the data is not exactly what ``records_to_data`` writes."""
    if not isinstance(data, dict):
        return {}
    records = {}
    for path, value in data.items():
        if not (isinstance(path, str) and isinstance(value, list) and len(value) == 2
                and all(isinstance(v, str) for v in value)):
            return {}
        records[path] = PageRecord(*value)
    return records
