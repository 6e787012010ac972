"""The per-source cache: hits re-normalise nothing, edits re-process one source, bad entries are rebuilt."""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from conftest import build_in_process, make_project
from generator import cache as cache_mod, urls
from generator.build import build_briefing, collect
from generator.cache import SIGNATURE_BYTES, CacheStats, SourceCache, _signature, signing_key
from generator.cli import _settings
from generator.models import Sentence

NEW_SOURCE = "---\ntitle: Tulips by the river\n---\nGardeners planted tulips along the river path this spring.\n"


def _build(settings, cache):
    """build_briefing into a new empty folder (under the project, which tmp_path removes)."""
    return build_briefing(settings, Path(tempfile.mkdtemp(dir=settings.root)), cache)


def _setup(tmp_path: Path, **kwargs):
    project = make_project(tmp_path / "p", **kwargs)
    settings, _ = _settings(str(project / "mkdocs.yml"))
    return project, settings, SourceCache.for_project(project)


def _entries(project: Path) -> list[Path]:
    return sorted((project / ".briefing-cache" / "sources").rglob("*.pickle"))


def test_cache_hit_renormalises_nothing(tmp_path, monkeypatch):
    project, settings, cache = _setup(tmp_path, sample=True)
    first = _build(settings, cache)
    assert (first.stats.processed, first.stats.hits) == (5, 0)
    assert len(_entries(project)) == 5

    def fail(*args, **kwargs):
        raise AssertionError("a source was processed again")
    monkeypatch.setattr("generator.build.load_source", fail)
    monkeypatch.setattr("generator.build.normalise", fail)
    second = _build(settings, cache)
    assert (second.stats.processed, second.stats.hits, second.stats.rejected) == (0, 5, 0)
    assert second.site.read(urls.DATA) == first.site.read(urls.DATA)
    assert second.site.contents() == first.site.contents()


def test_adding_or_editing_one_source_processes_only_that_one(tmp_path):
    project, settings, cache = _setup(tmp_path, sample=True)
    _build(settings, cache)
    (project / "seeds" / "tulips.md").write_text(NEW_SOURCE, "utf-8")
    added = _build(settings, cache)
    assert (added.stats.processed, added.stats.hits) == (1, 5)
    edited_path = sorted((project / "seeds").glob("0*.txt"))[0]
    edited_path.write_text(edited_path.read_text("utf-8") + "\nOne more closing sentence.\n", "utf-8")
    edited = _build(settings, cache)
    assert (edited.stats.processed, edited.stats.hits) == (1, 5)
    # and the cached result is the same as processing from scratch
    fresh = _build(settings, None)
    assert fresh.site.read(urls.DATA) == edited.site.read(urls.DATA) and fresh.stats.processed == 6
    assert len(_entries(project)) == 6  # the edited source's old entry was dropped


def test_settings_and_generator_changes_invalidate(tmp_path, monkeypatch):
    project, settings, cache = _setup(tmp_path, sample=True)
    _build(settings, cache)
    fewer_themes = replace(settings, themes=settings.themes[:2])
    assert _build(fewer_themes, cache).stats.processed == 5
    assert _build(settings, cache).stats.processed == 5  # (unused entries are pruned)
    # render-only settings keep the cache
    assert _build(replace(settings, title="Another title"), cache).stats.processed == 0
    monkeypatch.setattr(cache_mod, "generator_fingerprint", lambda: "some other generator version")
    assert _build(settings, cache).stats.processed == 5


def test_generator_fingerprint_covers_the_code(tmp_path):
    import shutil
    package = Path(cache_mod.__file__).parent
    copy = tmp_path / "generator"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_mod.package_fingerprint(copy)
    assert before == cache_mod.package_fingerprint(copy)
    (copy / "figures.py").write_text((copy / "figures.py").read_text("utf-8") + "\n# edited\n", "utf-8")
    assert cache_mod.package_fingerprint(copy) != before


class _Runs:
    """Something a pickle could be made to call: never to be unpickled from the cache."""

    def __reduce__(self):
        return (os.system, ("echo unpickled",))


def _signed(path: Path, payload: bytes, key: bytes | None = None) -> None:
    """Write ``payload`` as the entry at ``path``, signed as the cache signs (with ``key``, or this machine's)."""
    path.write_bytes(_signature(key or signing_key(), path.stem, payload) + payload)


DAMAGES = ["garbage", "truncated", "flipped-byte", "flipped-signature", "another-entry", "another-machine",
           "signed-code", "signed-other-record", "empty", "signed-garbage"]


def _damage(path: Path, damage: str, entries: list[Path]) -> None:
    raw = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"{{{ not an entry")
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped-byte":
        path.write_bytes(raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:])
    elif damage == "flipped-signature":
        path.write_bytes(bytes([raw[0] ^ 1]) + raw[1:])
    elif damage == "another-entry":  # a whole, validly signed entry, under another source's key
        path.write_bytes(next(e for e in entries if e != path).read_bytes())
    elif damage == "another-machine":  # a copied project: signed, but not with this machine's key
        _signed(path, raw[SIGNATURE_BYTES:], key=b"k" * 32)
    elif damage == "signed-code":  # even signed, a pickle naming anything but a record is refused
        _signed(path, pickle.dumps(_Runs()))
    elif damage == "signed-other-record":
        _signed(path, pickle.dumps(Sentence("s-1", "Some text.", 0)))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "signed-garbage":
        _signed(path, b"not a pickle at all")


def test_corrupt_or_foreign_entries_are_rebuilt_never_trusted(tmp_path, capfd):
    project, settings, cache = _setup(tmp_path, sample=True)
    clean = _build(settings, cache)
    for round_start in range(0, len(DAMAGES), 5):
        entries = _entries(project)
        for path, damage in zip(entries, DAMAGES[round_start:round_start + 5]):
            _damage(path, damage, entries)
        rebuilt = _build(settings, cache)
        assert (rebuilt.stats.rejected, rebuilt.stats.processed, rebuilt.stats.hits) == (5, 5, 0)
        assert rebuilt.site.read(urls.DATA) == clean.site.read(urls.DATA)
    assert "unpickled" not in capfd.readouterr().out
    # the bad entries were replaced by good ones
    assert _build(settings, cache).stats.hits == 5


def test_the_signing_key_is_made_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    signing_key.cache_clear()
    try:
        key = signing_key()
        path = cache_mod.key_file()
        assert path.is_relative_to(tmp_path / "cache-home") and key == path.read_bytes() and len(key) == 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        signing_key.cache_clear()
        assert signing_key() == key  # read again, not made again
    finally:
        signing_key.cache_clear()


def test_without_a_signing_key_nothing_is_cached_and_the_build_still_works(tmp_path, monkeypatch, capsys):
    project, settings, cache = _setup(tmp_path, sample=True)
    monkeypatch.setattr(cache_mod, "signing_key", lambda: None)
    first = _build(settings, cache)
    assert _entries(project) == [] and _build(settings, cache).stats.processed == 5
    monkeypatch.setattr("generator.plugin.signing_key", lambda: None)
    capsys.readouterr()
    assert build_in_process(project) == 0  # says so, once, in one line
    said = [line for line in capsys.readouterr().err.splitlines() if "signing key" in line]
    assert len(said) == 1 and "cache off" in said[0], said
    monkeypatch.undo()
    assert _build(settings, cache).site.read(urls.DATA) == first.site.read(urls.DATA)


def test_unusable_cache_folder_never_breaks_the_build(tmp_path):
    project, settings, _ = _setup(tmp_path, sample=True)
    (project / ".briefing-cache").write_text("a file where the cache folder should be", "utf-8")
    assert build_in_process(project) == 0
    assert (project / "site" / "index.html").exists()


def test_round_trip_of_every_sample_result(tmp_path):
    _, settings, cache = _setup(tmp_path, sample=True)
    for n, result in enumerate(collect(settings).results):
        key = f"{n:064x}"
        cache.put(key, result)
        assert cache.load(key) == result


def test_stats_without_cache_count_every_source(tmp_path):
    _, settings, _ = _setup(tmp_path, sample=True)
    stats = CacheStats()
    collect(settings, None, stats)
    assert (stats.processed, stats.hits) == (5, 0)


def test_no_cache_flag_writes_no_cache(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project, "--no-cache") == 0
    assert not (project / ".briefing-cache").exists()
    assert build_in_process(project) == 0
    assert len(_entries(project)) == 5


def test_changes_page_from_the_previous_build(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) == 0
    first = (project / "site" / "changes.html").read_text("utf-8")
    assert "no earlier build" in first
    # rebuilding the same input is repeatable: same bytes everywhere
    before = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert build_in_process(project) == 0
    after = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert before == after
    (project / "seeds" / "tulips.md").write_text(NEW_SOURCE, "utf-8")
    assert build_in_process(project) == 0
    changes = (project / "site" / "changes.html").read_text("utf-8")
    assert 'href="sources/tulips.html"' in changes and "Tulips by the river" in changes
    assert 'href="changes.html"' in (project / "site" / "index.html").read_text("utf-8")
    # and a repeat of that build still shows the same changes (the baseline is kept)
    assert build_in_process(project) == 0
    assert (project / "site" / "changes.html").read_text("utf-8") == changes
