"""Pages reused from the previous build: only when their inputs and bytes are unchanged, and the site
is always byte-identical to one rendered in full (generator/reuse.py)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import jinja2

from conftest import build_in_process, make_project
from generator.models import Figure
from generator.reuse import (EVERYTHING, PageRecord, page_digest, records_from_data, records_to_data,
                             template_reads)

NEW_SOURCE = "---\ntitle: Tulips by the river\n---\nGardeners planted tulips along the river path this spring.\n"
PAGES_RECORD = Path(".briefing-cache") / "pages-1.json"


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*.html")}


def _contents(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _source_pages(inodes: dict[str, int]) -> set[str]:
    return {p for p in inodes if p.startswith("sources/") and p != "sources/index.html"}


def _full_render(project: Path) -> dict[str, bytes]:
    """The same build with nothing to reuse (the cache and its Changes history kept)."""
    (project / PAGES_RECORD).unlink()
    assert build_in_process(project) in (0, 1)
    return _contents(project / "site")


def test_a_rebuild_reuses_every_page_and_adding_a_source_only_renders_what_changed(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    first = _inodes(project / "site")
    assert build_in_process(project) in (0, 1)
    again = _inodes(project / "site")
    assert {p for p in first if again.get(p) == first[p]} >= _source_pages(first)  # linked, not rendered

    (project / "seeds" / "tulips.md").write_text(NEW_SOURCE, "utf-8")
    assert build_in_process(project) in (0, 1)
    after = _inodes(project / "site")
    assert "sources/tulips.html" in after
    assert all(after[p] == again[p] for p in _source_pages(again))  # no sample source page changed
    assert after["index.html"] != again["index.html"]  # the home page lists every source: rendered
    incremental = _contents(project / "site")
    assert _full_render(project) == incremental


def test_search_files_the_previous_build_wrote_the_same_are_linked_and_others_written(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    search = project / "site" / "search"
    first = {p.relative_to(search).as_posix(): p.stat().st_ino for p in search.rglob("*.json")}
    edited = sorted(p for p in first if p.startswith("d/"))[0]
    (search / edited).write_bytes(b"[]")  # by hand: rewritten, never trusted
    (project / "seeds" / "tulips.md").write_text(NEW_SOURCE, "utf-8")
    assert build_in_process(project) in (0, 1)
    after = {p.relative_to(search).as_posix(): p.stat().st_ino for p in search.rglob("*.json")}
    linked = {p for p in first if after.get(p) == first[p]}
    assert edited not in linked and (search / edited).read_bytes() != b"[]"
    assert len({p for p in linked if p.startswith("d/")}) >= len([p for p in first if p.startswith("d/")]) - 2
    incremental = _contents(project / "site")
    assert _full_render(project) == incremental


def test_a_page_edited_by_hand_in_site_is_rendered_again(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    site = project / "site"
    page = sorted(_source_pages(_inodes(site)))[0]
    good = (site / page).read_bytes()
    with open(site / page, "r+b") as handle:  # in place: the same file, other bytes
        handle.write(b"<!-- tampered -->")
    assert build_in_process(project) in (0, 1)
    assert (site / page).read_bytes() == good


def test_a_template_edit_renders_the_pages_again(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    template = project / "templates" / "pages" / "source.html"
    template.write_text(template.read_text("utf-8").replace("<h2 id=\"text-h\">Text</h2>",
                                                            "<h2 id=\"text-h\">Full text</h2>"), "utf-8")
    assert build_in_process(project) in (0, 1)
    site = project / "site"
    for page in _source_pages(_inodes(site)):
        assert b">Full text</h2>" in (site / page).read_bytes()


def test_a_site_removed_or_copied_elsewhere_is_rebuilt_in_full(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    expected = _contents(project / "site")
    shutil.rmtree(project / "site")
    assert build_in_process(project) in (0, 1)
    assert _contents(project / "site") == expected


def test_template_reads_follow_includes_and_give_up_on_dynamic_ones():
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "base.html": "{{ site.title }}{% block body %}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block body %}{% include 'part.html' %}{{ own.x }}{% endblock %}",
        "part.html": "{% for s in sources %}{{ s }}{% endfor %}",
        "dynamic.html": "{% include chosen %}",
    }))
    assert template_reads(env, "page.html") == {"site", "own", "sources"}
    assert template_reads(env, "dynamic.html") == EVERYTHING


def test_page_digest_is_by_value_and_refuses_what_it_cannot_write():
    figure = Figure(id="f-1", source="a", sentence="s-1", text="5%", start=0, value=5.0, unit="%")
    shared = "a string"
    one = {"rows": [{"text": shared, "other": shared}], "figure": figure}
    two = {"rows": [{"text": "a " + "string", "other": "a string"}], "figure": dataclasses.replace(figure)}
    digest = page_digest("code", "p.html", "t.html", "T", {}, one, None)
    assert digest is not None and digest == page_digest("code", "p.html", "t.html", "T", {}, two, None)
    assert digest != page_digest("code", "p.html", "t.html", "T", {}, one, "briefing")
    assert digest != page_digest("other code", "p.html", "t.html", "T", {}, one, None)
    assert page_digest("code", "p.html", "t.html", "T", {}, {"f": lambda: 1}, None) is None


def test_a_page_digest_reads_listed_figure_rows_by_the_digests_made_of_them():
    from generator.figure_views import FigureRows
    from generator.render import row_digest_reducers
    from generator.reuse import view_digest
    rows = [{"id": "f-1", "text": "5%"}, {"id": "f-2", "text": "6%"}]
    digests = {id(row): view_digest("rows", row) for row in rows}
    reducers = row_digest_reducers(digests)

    def digest(listed: list[dict], known: dict | None = reducers) -> str | None:
        return page_digest("code", "p.html", "t.html", "T", {}, {"theme": {"figures": FigureRows(listed)}}, None,
                           known)
    assert digest(rows) == digest(list(rows)) != digest(rows[:1])
    assert digest(rows) != digest(rows, None)  # by their digests, not pickled in full
    assert digest(rows, None) == digest([dict(row) for row in rows], None)
    changed = [rows[0], dict(rows[1], text="7%")]  # a row without a digest: written in full
    assert digest(changed) != digest(rows) and digest(changed) == digest([rows[0], dict(rows[1], text="7%")])
    before = digest(rows)
    rows[1]["text"] = "7%"
    digests[id(rows[1])] = view_digest("rows", rows[1])  # a row's view changed, and so its digest
    assert digest(rows) != before


def test_page_records_round_trip_and_odd_data_is_ignored():
    records = {"a.html": PageRecord("1" * 64, "2" * 64)}
    assert records_from_data(records_to_data(records)) == records
    for odd in (None, [], {"a.html": "x"}, {"a.html": ["x"]}, {"a.html": [1, 2]}, {1: ["x", "y"]}):
        assert records_from_data(odd) == {}


def test_a_page_behind_a_link_out_of_the_previous_site_is_not_reused(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    site = project / "site"
    outside = tmp_path / "elsewhere"
    shutil.move(str(site / "sources"), outside)  # same bytes, but reached through a link out of site/
    (site / "sources").symlink_to(outside, target_is_directory=True)
    assert build_in_process(project) in (0, 1)
    assert not (site / "sources").is_symlink()
    page = sorted(p for p in _source_pages(_inodes(site)))[0]
    assert (site / page).stat().st_ino != (outside / Path(page).name).stat().st_ino  # rendered, not linked


ROWS_RECORD = Path(".briefing-cache") / "figure-rows-2.bin"
FIGURE_SOURCE = ("---\ntitle: Tulip counts\n---\nGardeners planted 12,000 tulips along the river path, "
                 "up 20% on last year, the council said.\n")


def _counting_rows(monkeypatch) -> list[str]:
    """Every figure row rendered for the figures page's folder, by its figure id."""
    from generator import build, render
    rendered: list[str] = []
    real = render.render_row_parts

    def counting(template, row, page_path):
        rendered.append(row["id"])
        return real(template, row, page_path)
    monkeypatch.setattr(render, "render_row_parts", counting)
    monkeypatch.setattr(render, "forked_map", lambda task, count, jobs=0: [task(i) for i in range(count)])  # seen here
    monkeypatch.setattr(build, "in_child", lambda function, *args, jobs=0: function(*args))  # the render too
    return rendered


def test_figure_rows_are_rendered_once_and_kept_for_the_next_build(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p", sample=True)
    rendered = _counting_rows(monkeypatch)
    assert build_in_process(project) in (0, 1)
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    assert sorted(rendered) == sorted(f["id"] for f in data["figures"])  # each once, for all its pages
    first = _contents(project / "site")

    rendered.clear()
    assert build_in_process(project) in (0, 1)
    assert rendered == [] and _contents(project / "site") == first  # every row from the last build

    (project / "seeds" / "tulips.md").write_text(FIGURE_SOURCE, "utf-8")
    assert build_in_process(project) in (0, 1)
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    new = sorted(f["id"] for f in data["figures"] if f["source"] == "tulips")
    assert new and sorted(rendered) == new  # only the new source's rows (no other row changed)
    incremental = _contents(project / "site")
    (project / ROWS_RECORD).unlink()
    assert _full_render(project) == incremental


def test_a_reused_source_page_never_makes_its_text_blocks(tmp_path, monkeypatch):
    """A source page's digest reads what its text blocks are made from, not the blocks: a page
    reused from the previous build does not make them; a page rendered again does."""
    from generator import build, render
    made: list[str] = []
    real = render.text_blocks

    def counting(views, source_id):
        made.append(source_id)
        return real(views, source_id)
    monkeypatch.setattr(render, "text_blocks", counting)
    monkeypatch.setattr(render, "forked_map", lambda task, count, jobs=0: [task(i) for i in range(count)])  # seen here
    monkeypatch.setattr(build, "in_child", lambda function, *args, jobs=0: function(*args))
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    sources = len(made)
    assert sources >= 5
    made.clear()
    assert build_in_process(project) in (0, 1)
    assert made == []  # every source page reused
    (project / "seeds" / "tulips.md").write_text(NEW_SOURCE, "utf-8")
    assert build_in_process(project) in (0, 1)
    assert made == ["tulips"]
    incremental = _contents(project / "site")
    assert _full_render(project) == incremental


def test_figure_rows_are_recorded_once_a_build_and_only_when_they_changed(tmp_path, monkeypatch):
    """Recorded by the render (beside its pages where memory allows), not by the parent process."""
    import os

    from generator import cache as cache_mod, parallel
    calls = tmp_path / "record-calls"
    real = cache_mod.SourceCache.record_rows

    def logged(self, rows):
        with open(calls, "a") as log:
            log.write(f"{os.getpid()} {len(rows)}\n")
        return real(self, rows)
    monkeypatch.setattr(cache_mod.SourceCache, "record_rows", logged)
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    first = calls.read_text().split("\n")[:-1]
    assert len(first) == 1 and (project / ROWS_RECORD).exists()
    if parallel._context().get_start_method() == "fork":
        assert first[0].split()[0] != str(os.getpid())
    assert build_in_process(project) in (0, 1)
    assert calls.read_text().split("\n")[:-1] == first  # the same rows: nothing recorded
    (project / "seeds" / "tulips.md").write_text(FIGURE_SOURCE, "utf-8")
    assert build_in_process(project) in (0, 1)
    assert len(calls.read_text().split("\n")[:-1]) == 2


def test_a_damaged_or_foreign_row_record_is_never_used(tmp_path, monkeypatch):
    from generator import cache as cache_mod
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) in (0, 1)
    first = _contents(project / "site")
    record = project / ROWS_RECORD
    good = record.read_bytes()
    markup_at = good.index(b"<tr")
    for damaged in (good[:-1] + bytes([good[-1] ^ 1]),  # a flipped byte
                    good[:markup_at] + b"<tr><script>alert(1)</script>" + good[markup_at + 29:],  # edited rows
                    good[:len(good) // 2], b""):
        record.write_bytes(damaged)
        rendered = _counting_rows(monkeypatch)
        assert build_in_process(project) in (0, 1)
        assert rendered and _contents(project / "site") == first
        monkeypatch.undo()
    # signed with another machine's key: the same
    monkeypatch.setattr(cache_mod, "signing_key", lambda: b"k" * 32)
    assert build_in_process(project) in (0, 1)  # records rows signed with that key
    monkeypatch.undo()
    rendered = _counting_rows(monkeypatch)
    assert build_in_process(project) in (0, 1)
    assert rendered and _contents(project / "site") == first


def _counting_compiles(monkeypatch) -> list[str]:
    """The templates Jinja compiles from their source (not loaded compiled), and the page
    templates whose reads are worked out, as this process sees them."""
    from generator import build, render
    compiled: list[str] = []
    real_compile, real_reads = jinja2.Environment.compile, render.template_reads

    def compile_counted(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    def reads_counted(env, name):
        compiled.append(f"reads {name}")
        return real_reads(env, name)
    monkeypatch.setattr(jinja2.Environment, "compile", compile_counted)
    monkeypatch.setattr(render, "template_reads", reads_counted)
    monkeypatch.setattr(build, "in_child", lambda function, *args, jobs=0: function(*args))
    monkeypatch.setattr(render, "forked_map", lambda task, count, jobs=0: [task(i) for i in range(count)])
    return compiled


def test_templates_are_compiled_once_and_a_damaged_or_foreign_compiled_file_is_compiled_again(
        tmp_path, monkeypatch):
    from generator import cache as cache_mod
    project = make_project(tmp_path / "p", sample=True)
    compiled = _counting_compiles(monkeypatch)
    assert build_in_process(project) in (0, 1)
    assert "pages/source.html" in compiled and "reads pages/source.html" in compiled
    first = _contents(project / "site")
    kept = sorted((project / ".briefing-cache" / "templates-1").iterdir())
    assert len(kept) == sum(1 for name in compiled if not name.startswith("reads ")) + 1  # and the reads

    compiled.clear()
    (project / PAGES_RECORD).unlink()  # render every page: every template is loaded
    assert build_in_process(project) in (0, 1)
    assert compiled == [] and _contents(project / "site") == first

    for damaged in kept:  # a flipped byte: not trusted, compiled (or worked out) again
        good = damaged.read_bytes()
        damaged.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    compiled.clear()
    (project / PAGES_RECORD).unlink()
    assert build_in_process(project) in (0, 1)
    assert len(compiled) == len(kept) + len([n for n in compiled if n.startswith("reads ")]) - 1
    assert _contents(project / "site") == first

    own_key = cache_mod.signing_key
    monkeypatch.setattr(cache_mod, "signing_key", lambda: b"k" * 32)  # another machine's files
    assert build_in_process(project) in (0, 1)
    monkeypatch.setattr(cache_mod, "signing_key", own_key)
    compiled.clear()
    (project / PAGES_RECORD).unlink()
    assert build_in_process(project) in (0, 1)
    assert "pages/source.html" in compiled and "reads pages/source.html" in compiled
    assert _contents(project / "site") == first


def test_shared_rows_render_only_the_rows_not_known_and_agree_on_every_core(monkeypatch):
    """``render._shared_rows``: rows whose digest the previous build made are taken from it, the
    others rendered (on two processes where there are enough of them), with the same markup."""
    from generator import render

    env = render.make_environment(Path(__file__).resolve().parent.parent / "templates")
    rows = [{"id": f"f-{n:04d}", "source": "s", "text": f"{n} models", "value": float(n), "unit": "models",
             "bound": "=", "measures": "models", "year": None, "sentence": f"It has {n} models.",
             "sentence_id": "s-1", "page": "sources/s.html#s-1", "group": None, "group_kind": None,
             "high": None, "subject": "", "themes": [], "entities": [], "source_title": "S",
             "source_page": "sources/s.html", "entity_refs": [], "theme_refs": [], "cross": None}
            for n in range(3000)]
    alone, digests = render._shared_rows(env, rows, "code", {}, jobs=1)
    together, _ = render._shared_rows(env, rows, "code", {}, jobs=2)
    assert together == alone and len(digests) == len(rows)
    known = {digests[id(row)]: alone[id(row)] for row in rows[1:]}  # all but the first row
    rendered = []
    real = render.render_row_parts
    monkeypatch.setattr(render, "render_row_parts", lambda *args: rendered.append(args[1]["id"]) or real(*args))
    again, _ = render._shared_rows(env, rows, "code", known, jobs=2)
    assert again == alone and rendered == ["f-0000"]


def test_one_rendering_of_a_row_serves_tables_with_and_without_the_source_column():
    """``render.render_row_parts`` makes what ``render_row`` makes with the source column, and
    knows where the source cell is: cut out, the row is what a table without the column shows."""
    from generator import render, urls

    env = render.make_environment(Path(__file__).resolve().parent.parent / "templates")
    template = env.get_template(render.ROW_TEMPLATE)
    other = {"page": "sources/b.html#s-2", "source_title": "B <i>", "text": "14 models"}
    row = {"id": "f-1", "source": "a", "text": "12 models", "value": 12.0, "unit": "models", "bound": "~",
           "measures": "models", "year": 2024, "sentence": "It has 12 models & more.", "sentence_id": "s-1",
           "page": "sources/a.html#s-1", "high": 13.0, "themes": ["cost"], "source_title": "A & co",
           "source_page": "sources/a.html", "cross": {"kind": "conflict", "others": [other]},
           "entity_refs": [{"page": "entities/x.html", "name": "X"}],
           "theme_refs": [{"page": "themes/cost.html", "title": "Cost"}]}
    for page in (urls.FIGURES, urls.source_page("a")):
        parts = render.render_row_parts(template, row, page)
        assert parts.markup.decode("utf-8") == render.render_row(template, row, True, page)
        assert parts.without_source().decode("utf-8") == render.render_row(template, row, False, page)
        assert "A &amp; co" in parts.markup[parts.source_start:parts.source_end].decode("utf-8")
    assert render.row_blocks_make_the_row(template, row)
    # A project's own row template without the blocks: its rows are rendered for each kind of table.
    plain = env.from_string("<tr><td>{{ row.text }}</td>{% if show_source %}<td>{{ row.source_title }}</td>{% endif %}</tr>")
    assert not render.row_blocks_make_the_row(plain, row)
