"""Stage 6: the pages of the site, rendered with the Jinja templates in ``templates/``.

Python here only builds plain view data (dicts and lists); all markup lives in the
templates, and every template is autoescaped, so source text is always data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import urls
from .cache import CompiledTemplates
from .config import Settings
from .figure_views import FigureRows, figure_downloads, figure_views, plain_number
from .linkviews import (Deferred, digested, link_pages, link_search_text, link_views, made_unless_known, resolved,
                        sentence_key)
from .search import index_files as search_index_files
from .feeds import feed_files, page_meta
from .models import Briefing, RowMarkup
from .output import utf8_batches, write_chunks, write_files
from .parallel import forked_map
from .reuse import PageRecord, PreviousPages, page_digest, render_fingerprint, template_reads, view_digest


@dataclass(frozen=True)
class SearchEntry:
    """One page (or part of one) for the search index; its text is made when the index reads it."""

    location: str
    title: str
    make_text: Callable[[], str]

    @property
    def text(self) -> str:
        return self.make_text()


@dataclass(frozen=True)
class RenderedSite:
    """The folder the site was written to and every file in it (site-relative paths, sorted).
    Pages go to disk as they are rendered, never all held in memory (issue 8)."""

    root: Path
    paths: tuple[str, ...]
    pages: dict[str, PageRecord] = field(default_factory=dict)  # what the next build may reuse
    reused: int = 0  # pages taken from the previous build instead of rendered

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def contents(self) -> dict[str, bytes]:
        """Every file's bytes (for tests and comparisons: a real build never needs them at once)."""
        return {path: self.read(path) for path in self.paths}


class _Environment(jinja2.Environment):
    """Views are plain dicts: ``row.value`` looks the key up first instead of failing on an
    attribute first, which costs an exception on every access of every row (issue 8)."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def make_environment(templates_dir: Path, compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The one Jinja environment: autoescaped everywhere, undefined names are errors.
    ``compiled`` keeps the compiled templates between builds (``cache.CompiledTemplates``)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=compiled,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format_number
    env.filters["plain_number"] = plain_number  # figure values as data (figures page, CSV, JSON agree)
    return env


def format_number(value: float) -> str:
    """A figure's value for people: thousands separators, no needless decimals."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _source_text_blocks(kinds: tuple[str, ...], sentences: tuple[tuple[str, int, str], ...],
                        starts: tuple[int, ...], rows: list[dict]) -> list[dict]:
    """The kept text as blocks of sentences, each cut into plain and figure segments.

    ``sentences`` are (id, paragraph, text); each figure is its start in its sentence (``starts``)
    and its table row (``rows``, in the same order): a figure's segment carries its row, which is
    what the figure's detail shows."""
    by_sentence: dict[str, list[tuple[int, dict]]] = {}
    for start, row in zip(starts, rows):
        by_sentence.setdefault(row["sentence_id"], []).append((start, row))
    sentences_by_paragraph: dict[int, list[dict]] = {}
    for sentence_id, paragraph, text in sentences:
        segments, cursor = [], 0
        for start, row in sorted(by_sentence.get(sentence_id, []), key=lambda figure: figure[0]):
            if start < cursor:
                continue  # overlapping figures: the first one is marked
            if start > cursor:
                segments.append({"text": text[cursor:start], "row": None})
            segments.append({"text": row["text"], "row": row})
            cursor = start + len(row["text"])
        if cursor < len(text):
            segments.append({"text": text[cursor:], "row": None})
        sentences_by_paragraph.setdefault(paragraph, []).append({"id": sentence_id, "segments": segments})
    blocks: list[dict] = []
    for index, kind in enumerate(kinds):
        in_paragraph = sentences_by_paragraph.get(index, [])
        if kind == "item":
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(in_paragraph)
        else:
            blocks.append({"kind": kind, "sentences": in_paragraph})
    return blocks


def build_views(briefing: Briefing, data: dict) -> dict:
    """Everything the templates need, computed once and shared by all pages.

    ``data`` is ``export.briefing_data(briefing)``; views copy what they extend, never change it.
    Views are plain data (no functions), so a build can hand them on pickled: the render needs
    nothing else (build.py renders them after the process that made them has exited)."""
    documents = {d.id: d for d in briefing.documents}
    # One dict per source, shared by every view that links to it (tens of thousands of links at a
    # thousand sources: issue 8); views never change what they are given.
    source_refs = {doc.id: {"id": doc.id, "title": doc.display_title, "date": doc.date,
                            "publisher": doc.publisher, "page": urls.source_page(doc.id)} for doc in documents.values()}
    theme_titles = {t.id: t.title for t in briefing.themes}

    figure_rows = []
    for row in data["figures"]:
        figure_rows.append(dict(row, source_title=documents[row["source"]].display_title,
                                source_page=urls.source_page(row["source"])))
    row_position = {r["id"]: i for i, r in enumerate(figure_rows)}
    row_by_id = {r["id"]: r for r in figure_rows}  # indexes, so each lookup is O(1), not a scan (issue 8)
    rows_by_source: dict[str, list[dict]] = {}
    rows_by_sentence: dict[tuple[str, str], list[dict]] = {}
    for r in figure_rows:
        rows_by_source.setdefault(r["source"], []).append(r)
        rows_by_sentence.setdefault((r["source"], r["sentence_id"]), []).append(r)
    groups = [dict(group, members=[row_by_id[fid] for fid in group["figures"]]) for group in data["figure_groups"]]

    themes = []
    for theme in data["themes"]:
        # The sentences as (source, sentence id) pairs: ``passages`` quotes them as a page renders
        # (tens of thousands of match records at 1,000 sources are not kept: issue 8).
        sentences = list(map(sentence_key, theme["sentences"]))
        carried = set(sentences)
        themes.append(dict(
            theme,
            sentences=sentences,
            source_refs=[source_refs[s] for s in theme["sources"]],
            figures=FigureRows(sorted((r for key in carried for r in rows_by_sentence.get(key, ())),
                                      key=lambda r: row_position[r["id"]])),
        ))

    sources = []
    for result, row in zip(briefing.results, data["sources"]):
        doc = result.document
        sources.append(dict(
            {key: value for key, value in row.items() if key != "sentences"},  # pages show blocks instead
            display_title=doc.display_title,
            theme_refs=[{"id": t, "title": theme_titles[t], "page": urls.theme_page(t)} for t in row["themes"]],
            figure_rows=FigureRows(rows_by_source.get(doc.id, ())),
        ))

    dated = sorted((s for s in sources if s["date"]), key=lambda s: (s["date"], s["id"]), reverse=True)
    dates = sorted(s["date"][:10] for s in dated)
    corroborated = [g for g in groups if g["kind"] == "corroborated"]
    views = {
        "sources": sources,
        "themes": themes,
        "figures": figure_rows,
        "figure_groups": groups,
        "corroborated": sorted(corroborated, key=lambda g: (-len(g["sources"]), g["id"]))[:10],
        "conflicts": [g for g in groups if g["kind"] == "conflict"],
        "latest": dated[:5],
        "date_range": (dates[0], dates[-1]) if dates else None,
        "problems": data["problems"],
        # What pages build from as they render (text_blocks, passages), not held for every page at
        # once: each source's paragraph kinds, sentences and figures (the source view has its text).
        # Plain tuples, not the records: handed to the render pickled (1,000 sources: 0.29 s as records, 0.18 as tuples).
        "source_texts": {r.document.id: (tuple(p.kind for p in r.document.paragraphs),
                                         tuple((s.id, s.paragraph, s.text) for s in r.document.sentences),
                                         tuple(f.start for f in r.figures),
                                         FigureRows(row_by_id[f.id] for f in r.figures))
                         for r in briefing.results},
        "sentence_text": {d.id: {s.id: s.text for s in d.sentences} for d in briefing.documents},
        "source_refs": source_refs,
        # Each source's page and figures as the search index has them, worked out in the map.
        "search_terms": [r.search_terms for r in briefing.results if r.search_terms is not None],
    }
    views.update(link_views(data, sources, themes, figure_rows, source_refs.__getitem__))  # entities, quotes, timeline
    views.update(figure_views(figure_rows, groups, theme_titles))  # charts, filters, cross-source notes
    return views


def text_blocks(views: dict, source_id: str) -> list[dict]:
    """A source's text as blocks of sentences: built as its page renders (issue 8)."""
    return _source_text_blocks(*views["source_texts"][source_id])


def passages(views: dict, keys: list[tuple[str, str]]) -> list[dict]:
    """Sentences (``(source, sentence id)`` pairs) grouped by source in id order, each as its link
    and text: built as a theme or entity page renders, not held for every page (issue 8). Pairs, not
    dicts, so the templates unpack them instead of looking two keys up for each of tens of thousands
    (1,000 sources: the six theme and 74 entity pages 0.60 -> 0.53 s)."""
    by_source: dict[str, list[tuple[str, str]]] = {}
    for source, sentence in keys:
        by_source.setdefault(source, []).append((urls.sentence_link(source, sentence),
                                                 views["sentence_text"].get(source, {}).get(sentence, "")))
    return [{"source": views["source_refs"][s], "sentences": by_source[s]} for s in sorted(by_source)]


SOURCE_TEMPLATE = "pages/source.html"


def _page_list(views: dict) -> list[tuple[str, str, str, dict]]:
    """(output path, template, page title, extra context) for every HTML page."""
    pages = [
        (urls.HOME, "pages/home.html", "", {}),
        (urls.SOURCES, "pages/sources.html", "Sources", {}),
        (urls.THEMES, "pages/themes.html", "Themes", {}),
        (urls.FIGURES, "pages/figures.html", "Figures", {}),
        (urls.SEARCH, "pages/search.html", "Search", {}),
    ]
    pages += [(s["page"], SOURCE_TEMPLATE, s["display_title"],
               {"source": s, "blocks": Deferred(partial(text_blocks, views, s["id"]), views["source_texts"][s["id"]])})
              for s in views["sources"]]
    pages += [(t["page"], "pages/theme.html", t["title"],
               {"theme": t, "quoted": Deferred(partial(passages, views, t["sentences"]))}) for t in views["themes"]]
    # Always there, so links to it never come and go; says so when no previous build is known.
    pages.append((urls.CHANGES, "pages/changes.html", "Changes", {}))
    pages += link_pages(views, partial(passages, views))  # entities, quotes, timeline (generator/linkviews.py)
    return pages


def _search_text(extra: dict) -> str:
    """A page's words for the search index. Theme and entity pages are found by their own words
    (name, description, cues), not by the passages they quote: those are their sources' text,
    indexed on the source pages, and copied in they made every page listing thousands of passages
    match nearly every query (and tripled what the index reads: issue 8)."""
    linked = link_search_text(extra)
    if linked is not None:
        return linked
    if "source" in extra:
        return extra["source"]["text"]
    if "theme" in extra:
        theme = extra["theme"]
        return " ".join([theme["description"], *theme["cues"]])
    return ""


def search_entries(pages: list[tuple[str, str, str, dict]]) -> list[SearchEntry]:
    """The pages the search index lists (``_page_list``'s, those with a title)."""
    return [SearchEntry(path, title, partial(_search_text, extra)) for path, _, title, extra in pages if title]


def _figure_rows_renderer(env: jinja2.Environment, made: dict[int, RowMarkup], cuttable: bool):
    """``figure_table_rows(rows, show_source, page_path)``: the rows of a figure table, each
    rendered once per row and page folder, in parts of ``ROWS_PER_PART`` (a template call per
    part, not per row: theme pages list thousands of rows; not one part for all of them: at 5,000
    sources the figures page's table is 200 MB).

    The same figure is listed on its source page, the figures page, its themes' and entities' pages;
    relative links only depend on the page's depth, so one rendering serves them all (issue 8).
    ``made`` holds the rows of the figures page's folder made before the pages (``_shared_rows``:
    every row, for the figures page and the theme and entity pages beside it, and without their
    source cell for the source pages in a folder as deep, where the row template's blocks make the
    row: ``cuttable``); others are made as pages ask for them. Rows without the source column made
    here are only on their source's page, once: rendered, not kept (at 5,000 sources, tens of
    megabytes in each rendering process)."""
    template = env.get_template(ROW_TEMPLATE)
    # Kept as UTF-8: a row's curly quotes make Python store its text at two bytes a character.
    rendered: dict[tuple[int, str], bytes] = {}  # (id of the row, link prefix) -> the row's markup

    def markup(row: dict, prefix: str, shared: bool, page_path: str) -> bytes:
        if shared and id(row) in made:
            return made[id(row)].markup
        key = (id(row), prefix)  # rows live as long as the views
        made_once = rendered.get(key)
        if made_once is None:
            made_once = rendered[key] = render_row(template, row, True, page_path).encode("utf-8")
        return made_once

    def figure_table_rows(rows: list[dict], show_source: bool, page_path: str) -> Iterator[Markup]:
        prefix = urls.relative("", page_path)
        shared = prefix == SHARED_ROWS_PREFIX
        for start in range(0, len(rows), ROWS_PER_PART):
            part = rows[start:start + ROWS_PER_PART]
            if show_source:
                yield Markup(b"".join(markup(row, prefix, shared, page_path) for row in part).decode("utf-8"))
            elif shared and cuttable and all(id(row) in made for row in part):
                yield Markup(b"".join(made[id(row)].without_source() for row in part).decode("utf-8"))
            else:
                yield Markup("".join(render_row(template, row, False, page_path) for row in part))

    return figure_table_rows


def render_row(template: jinja2.Template, row: dict, show_source: bool, page_path: str) -> str:
    return template.render(row=row, show_source=show_source, root=urls.relative("", page_path))


ROW_TEMPLATE = "partials/figure_row.html"
ROW_BLOCKS = ("cells", "source", "notes")  # the row template's blocks, in order: all of it


def _row_blocks(template: jinja2.Template, row: dict, page_path: str) -> tuple[bytes, bytes, bytes]:
    """The row template's blocks (``ROW_BLOCKS``) for ``row`` with the source column, as UTF-8."""
    context = template.new_context({"row": row, "show_source": True, "root": urls.relative("", page_path)})
    return tuple("".join(template.blocks[name](context)).encode("utf-8") for name in ROW_BLOCKS)


def render_row_parts(template: jinja2.Template, row: dict, page_path: str) -> RowMarkup:
    """``render_row(template, row, True, page_path)``, block by block: the same markup, and where
    the source block's is, so that the one rendering serves tables with and without the column.
    Only for a template whose blocks make the row (``row_blocks_make_the_row``)."""
    cells, source, notes = _row_blocks(template, row, page_path)
    return RowMarkup(cells + source + notes, len(cells), len(cells) + len(source))


def row_blocks_make_the_row(template: jinja2.Template, row: dict) -> bool:
    """Whether ``render_row_parts`` makes ``row`` as ``render_row`` does, with and without the
    source column: a project's own row template may have other blocks, or markup outside them."""
    if not set(ROW_BLOCKS) <= template.blocks.keys():
        return False
    cells, source, notes = (part.decode("utf-8") for part in _row_blocks(template, row, urls.FIGURES))
    return (cells + source + notes, cells + notes) == \
        (render_row(template, row, True, urls.FIGURES), render_row(template, row, False, urls.FIGURES))


SHARED_ROWS_PREFIX = urls.relative("", urls.FIGURES)  # the folder of the figures, theme and entity pages
ROW_CHUNK = 32  # rows per task when they are made before the pages (parallel.worker_count counts tasks)
ROWS_PER_PART = 16  # rows a figure table's template gets at once (_figure_rows_renderer)


def _shared_rows(env: jinja2.Environment, rows: list[dict], render_code: str, known: dict[str, RowMarkup],
                 jobs: int, cuttable: bool = True) -> tuple[dict[int, RowMarkup], dict[int, str]]:
    """Every figure row as the figures page (and the theme and entity pages in its folder) show it,
    made before the pages: taken from ``known`` (digest -> markup, the rows the previous build
    made) when its digest is there, else rendered, on every core. So each row is rendered once
    per build, not once per process, and an added source renders only the rows whose view it
    changes: its own, and those whose cross-source notes now name it (issue 8).
    The digests are worked out here, in one process: forking for them cost more than it saved
    (1,000 sources, adding one: 0.16-0.22 s on two cores, 0.07 s in one).
    Where the template's blocks do not make the row (not ``cuttable``), where its source cell is
    is not worked out (0, 0). Returns the markup of each row and its digest (where it has one),
    both by the row's ``id``."""
    template = env.get_template(ROW_TEMPLATE)
    salt = f"{render_code}\0figure-row\0{SHARED_ROWS_PREFIX}\0"
    digests = {id(row): digest for row in rows if (digest := view_digest(salt, row)) is not None}
    markup = {id(row): known[digests[id(row)]] for row in rows if digests.get(id(row)) in known}
    fresh = [row for row in rows if id(row) not in markup]

    def row_markup(row: dict) -> RowMarkup:
        if cuttable:
            return render_row_parts(template, row, urls.FIGURES)
        return RowMarkup(render_row(template, row, True, urls.FIGURES).encode("utf-8"), 0, 0)

    def make(chunk: int) -> list[RowMarkup]:
        return [row_markup(row) for row in fresh[chunk * ROW_CHUNK:(chunk + 1) * ROW_CHUNK]]

    chunks = forked_map(make, -(-len(fresh) // ROW_CHUNK), jobs)
    markup.update(zip(map(id, fresh), (made for chunk in chunks for made in chunk)))
    return markup, digests


def row_digest_reducers(digests: dict[int, str]) -> dict:
    """What a page's digest (``reuse.page_digest``) writes for the figure rows it lists: each
    row (a view, which lives as long as the views) as its digest (``_shared_rows``), which stands
    for all of it; a row without one, in full. Rows are on many pages, and pickling them again
    for each page's digest was most of what digesting theme and entity pages took (issue 8)."""
    return {FigureRows: lambda rows: (FigureRows, (tuple(digests.get(id(row), row) for row in rows),))}


@dataclass(frozen=True)
class SiteWide:
    """What the pages that read site-wide views need beside the views, known once briefing.json
    is written (``build.record_data``): the Changes page's diff (generator.diff against the
    previous build; None on a first build) and the digest standing for everything such a page
    can show (``reuse.briefing_digest``; None: those pages are always rendered)."""

    changes: dict | None = None
    briefing_digest: str | None = None


def render_site(views: dict, settings: Settings, out_dir: Path, site_wide: Callable[[], SiteWide] = SiteWide,
                previous: PreviousPages | None = None, known_rows: dict[str, RowMarkup] | None = None,
                compiled: CompiledTemplates | None = None,
                record_rows: Callable[[dict[str, RowMarkup]], None] | None = None) -> RenderedSite:
    """Render every page and the files derived from them into ``out_dir``; their content is a pure
    function of the inputs. (``briefing.json`` itself is written by ``build.record_data``.)

    ``views`` is ``build_views(briefing, briefing_data(briefing))``. ``site_wide`` is asked
    once, when the pages that do not need it have been handed out: they render while briefing.json
    is still being written. ``previous`` holds the previous build's pages: a page made from the
    same inputs is taken from it instead of rendered (generator/reuse.py). ``known_rows`` are the
    figure rows the previous build made, by digest; ``record_rows`` keeps this build's for the
    next one, where they differ, once the pages are written. ``compiled`` keeps the compiled
    templates, and what each reads, from one build to the next."""
    env = make_environment(settings.templates_dir, compiled)
    site = {"title": settings.title, "description": settings.description, "site_url": settings.site_url,
            "preview": settings.preview}
    pages = _page_list(views)
    seen: set[str] = set()
    for path, _, _, _ in pages:
        if path in seen:  # e.g. a theme or entity id "index": never overwrite a page silently
            raise ValueError(f"two pages would be written to {path}; rename the theme or entity whose id makes it")
        seen.add(path)

    render_code = render_fingerprint(settings.templates_dir)
    row_template = env.get_template(ROW_TEMPLATE)
    cuttable = bool(views["figures"]) and row_blocks_make_the_row(row_template, views["figures"][0])
    made_rows, row_digests = _shared_rows(env, views["figures"], render_code, known_rows or {}, settings.jobs, cuttable)
    rows = {digest: made_rows[row] for row, digest in row_digests.items()}  # by digest: what the next build may reuse
    figure_table_rows = _figure_rows_renderer(env, made_rows, cuttable)
    reducers = row_digest_reducers(row_digests)
    # Worked out (and the templates compiled) before the processes fork, not once in each.
    page_templates = sorted({template for _, template, _, _ in pages})
    reads = compiled.read_reads(render_code) if compiled is not None else None
    if reads is None or not reads.keys() >= set(page_templates):
        reads = {template: template_reads(env, template) for template in page_templates}
        if compiled is not None:
            compiled.record_reads(render_code, reads)
    view_names = {*views, "changes"}
    reads_site_wide = {template: "*" in reads[template] or not reads[template].isdisjoint(view_names)
                       for template in page_templates}
    for template in page_templates:
        env.get_template(template)

    # What the pages see, and the digest standing for the site-wide views: the Changes diff and
    # the digest are set before the pages that read site-wide views are handed out (below).
    shown, digest = views, None

    def render_page(index: int) -> tuple[tuple[str, str | None, str | None, bool], ...]:
        path, template, title, extra = pages[index]
        extra = made_unless_known(extra)
        reads_site = reads_site_wide[template]
        inputs = None if reads_site and digest is None else page_digest(
            render_code, path, template, title, site, digested(extra), digest if reads_site else None, reducers)
        content = previous.reuse(path, inputs, out_dir) if previous is not None else None
        if content is None:
            extra = resolved(extra)
            context = dict(shown, site=site, page_path=path, figure_table_rows=figure_table_rows, page_title=title,
                           root=urls.relative("", path),
                           meta=page_meta(path, title, extra, site), **extra)
            # Written as Jinja makes it: the largest pages of thousands of sources are tens of megabytes,
            # several times that as Jinja's pieces and the string they would be joined into (issue 8).
            content = write_chunks(out_dir, path, utf8_batches(env.get_template(template).generate(context)))
            return ((path, inputs, content if inputs is not None else None, False),)
        return ((path, inputs, content, True),)

    def written_or_linked(files: dict[str, bytes]) -> tuple[str, ...]:
        """``write_files``, but a file the previous build wrote the same is linked from it."""
        linked = {path for path, content in files.items()
                  if previous is not None and previous.reuse_file(path, content, out_dir)}
        write_files({path: content for path, content in files.items() if path not in linked}, out_dir)
        return tuple(files)

    def search_files() -> tuple[str, ...]:
        files = search_index_files(search_entries(pages), views["figures"], views["search_terms"])  # search/
        return written_or_linked(files)

    def other_files() -> tuple[str, ...]:
        downloads = figure_downloads(views["figures"])  # figures/figures.csv and .json, written as made
        for path, chunks in downloads.items():
            write_chunks(out_dir, path, chunks)
        feeds = feed_files(env, views, site, sorted(p for p in seen if p.endswith(".html")))  # feed, sitemap
        return (*downloads, *written_or_linked(feeds))

    def derived(write_them) -> tuple[tuple[str, None, None, bool], ...]:
        """Files made from the views rather than rendered as pages (always made anew)."""
        return tuple((path, None, None, False) for path in write_them())

    # On every core: this process and forked children (which inherit the views) take tasks in turn
    # and write what they render. The files do not depend on who wrote what. Each task returns,
    # for each file it wrote: its path, the digests of its inputs and its bytes (None for files
    # never reused), and whether it was reused from the previous build.
    # Two rounds. The first needs nothing of briefing.json: the derived files (the search index
    # is the longest task) and the theme and entity pages. The second, once ``site_wide`` has
    # answered: the pages reading site-wide views, then the source pages, many and small (and
    # mostly reused), which even out the cores at the end.
    def run(tasks: list[Callable[[], tuple]]) -> list[tuple[str, str | None, str | None, bool]]:
        return [row for rows in forked_map(lambda index: tasks[index](), len(tasks), settings.jobs) for row in rows]

    later = {index for index, (_, template, _, _) in enumerate(pages)
             if reads_site_wide[template] or template == SOURCE_TEMPLATE}
    rows_changed = record_rows is not None and (known_rows is None or rows.keys() != known_rows.keys())
    written = run([partial(derived, search_files), partial(derived, other_files),
                   *(partial(render_page, index) for index in range(len(pages)) if index not in later)])
    known = site_wide()
    shown, digest = dict(views, changes=known.changes), known.briefing_digest
    written += run([partial(render_page, index)
                    for index in sorted(later, key=lambda i: (pages[i][1] == SOURCE_TEMPLATE, i))])
    if rows_changed:
        # Here, once the pages are written and their workers gone: less held at once. (In a child
        # beside the pages, 1,000 sources, adding one: no faster, 3.35 s against 3.29.)
        record_rows(rows)
    return RenderedSite(root=out_dir, paths=tuple(sorted(path for path, _, _, _ in written)),
                        pages={path: PageRecord(inputs, content)
                               for path, inputs, content, _ in written if inputs is not None},
                        reused=sum(1 for *_, reused in written if reused))
