"""The per-source cache: hits re-normalise nothing, edits re-process one source, bad entries are rebuilt."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from conftest import build_in_process, make_project
from generator import cache as cache_mod, urls
from generator.build import build_briefing, collect
from generator.cache import CacheStats, SourceCache, from_data, to_data
from generator.cli import _settings
from generator.models import Document, Sentence, SourceResult

NEW_SOURCE = "---\ntitle: Tulips by the river\n---\nGardeners planted tulips along the river path this spring.\n"


def _build(settings, cache):
    """build_briefing into a new empty folder (under the project, which tmp_path removes)."""
    return build_briefing(settings, Path(tempfile.mkdtemp(dir=settings.root)), cache)


def _setup(tmp_path: Path, **kwargs):
    project = make_project(tmp_path / "p", **kwargs)
    settings, _ = _settings(str(project / "mkdocs.yml"))
    return project, settings, SourceCache.for_project(project)


def _entries(project: Path) -> list[Path]:
    return sorted((project / ".briefing-cache" / "sources").rglob("*.json"))


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


DAMAGES = ["garbage", "truncated", "foreign-magic", "wrong-key", "wrong-type", "unknown-field", "not-utf8",
           "not-an-object", "missing-field", "bool-for-int"]


def _position(cls, name: str) -> int:
    """Where a field sits in a cached record (records are lists of their field values)."""
    return [f.name for f in dataclasses.fields(cls)].index(name)


def _damage(path: Path, damage: str) -> None:
    text = path.read_text("utf-8")
    entry = json.loads(text)
    document = entry["result"][_position(SourceResult, "document")]
    sentences = _position(Document, "sentences")
    if damage == "garbage":
        path.write_text("{{{ not json", "utf-8")
        return
    if damage == "truncated":
        path.write_text(text[: len(text) // 2], "utf-8")
        return
    if damage == "not-utf8":
        path.write_bytes(b"\xff\xfe\x00garbage")
        return
    if damage == "not-an-object":
        entry = [entry]
    elif damage == "foreign-magic":
        entry["magic"] = "something-else"
    elif damage == "wrong-key":
        entry["key"] = "0" * 64
    elif damage == "wrong-type":
        document[sentences] = "<script>not a list</script>"
    elif damage == "unknown-field":
        document.append("os.system")
    elif damage == "missing-field":
        del document[_position(Document, "id")]
    elif damage == "bool-for-int":
        document[sentences][0][_position(Sentence, "paragraph")] = True
    path.write_text(json.dumps(entry), "utf-8")


def test_corrupt_or_foreign_entries_are_rebuilt_never_trusted(tmp_path):
    project, settings, cache = _setup(tmp_path, sample=True)
    clean = _build(settings, cache)
    for round_start in range(0, len(DAMAGES), 5):
        for path, damage in zip(_entries(project), DAMAGES[round_start:round_start + 5]):
            _damage(path, damage)
        rebuilt = _build(settings, cache)
        assert (rebuilt.stats.rejected, rebuilt.stats.processed, rebuilt.stats.hits) == (5, 5, 0)
        assert rebuilt.site.read(urls.DATA) == clean.site.read(urls.DATA)
    # the bad entries were replaced by good ones
    assert _build(settings, cache).stats.hits == 5


def test_unusable_cache_folder_never_breaks_the_build(tmp_path):
    project, settings, _ = _setup(tmp_path, sample=True)
    (project / ".briefing-cache").write_text("a file where the cache folder should be", "utf-8")
    assert build_in_process(project) == 0
    assert (project / "site" / "index.html").exists()


def test_round_trip_of_every_sample_result(tmp_path):
    _, settings, _ = _setup(tmp_path, sample=True)
    for result in collect(settings).results:
        data = json.loads(json.dumps(to_data(result)))
        assert from_data(SourceResult, data) == result


def test_records_of_any_field_shape_round_trip():
    """Optional records, tuples of tuples, dicts: field shapes the sample results do not all have."""
    inner = dataclasses.make_dataclass("Inner", [("name", str), ("size", float)], frozen=True)
    outer = dataclasses.make_dataclass("Outer", [("inner", inner | None), ("pairs", tuple[tuple[str, int], ...]),
                                                 ("extra", dict), ("items", tuple[inner, ...])], frozen=True)
    for value in (outer(inner("a", 1.5), (("x", 1),), {"k": [1, "v"]}, (inner("b", 2.0),)), outer(None, (), {}, ())):
        data = json.loads(json.dumps(to_data(value)))
        assert type(data) is list and from_data(outer, data) == value


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
