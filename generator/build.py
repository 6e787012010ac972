"""The pipeline, end to end: seeds/ in, rendered site files out.

    discover -> read_source -> normalise -> extract (figures, themes) -> assemble -> render

``build_briefing`` is plain Python and knows nothing about MkDocs; it writes the site's files
into a folder, and the plugin (or any other engine) tells the site generator about them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import urls
from .assemble import assemble
from .cache import CacheStats, SourceCache, cached_map
from .config import Settings
from .figures import extract_figures
from .models import Briefing, Problem, SourceFile, SourceResult
from .normalise import normalise
from .parallel import in_child, keep_until_exit, peak_memory, running_in_child
from .read import SourceError, discover, read_source
from .guard import screen
from .render import RenderedSite, SiteWide, build_views, render_site
from .search import source_terms
from .themes import assign_themes, document_phrases
from .entities import candidate_problems, find_mentions
from .quotes import find_quotes
from .timeline import find_dates
from .diff import diff_basis, diff_briefings
from .duplicates import packed, shingles
from .export import briefing_data, json_chunks, schema_file
from .output import write_chunks, write_files
from .reuse import PreviousPages, briefing_digest, records_from_data


@dataclass(frozen=True)
class Reduced:
    """What the cross-source stages leave for the render, and for the build's report: plain data,
    picklable (the reduce runs in a child process that may hand it to its parent)."""

    views: dict  # render.build_views: everything the pages show
    exported: tuple[str, ...]  # briefing.json and its schema
    problems: tuple[Problem, ...]
    counts: tuple[int, int, int]  # sources, figures, themes
    stats: CacheStats


@dataclass(frozen=True)
class Recorded:
    """What writing briefing.json found (``record_data``)."""

    data_digest: str  # SHA-256 of the briefing.json written (the next build's Changes baseline)
    site_wide: SiteWide  # the Changes diff, and the digest standing for what site-wide pages read


@dataclass(frozen=True)
class BuildResult:
    site: RenderedSite
    problems: tuple[Problem, ...]
    counts: tuple[int, int, int]  # sources, figures, themes in the briefing
    data_digest: str  # SHA-256 of the briefing.json written (the next build's Changes baseline)
    stats: CacheStats = field(default_factory=CacheStats)  # cache hits vs sources processed again


def process_source(source: SourceFile, settings: Settings) -> SourceResult:
    """The per-source stages: independent of every other source (the "map")."""
    document = normalise(source)
    mentions = tuple(find_mentions(document, settings.gazetteer))
    figures = tuple(extract_figures(document))
    return SourceResult(
        document=document,
        figures=figures,
        themes=tuple(assign_themes(document, settings.themes)),
        problems=tuple(candidate_problems(document, mentions)),
        mentions=mentions,
        quotes=tuple(find_quotes(document, settings.gazetteer)),
        dates=tuple(find_dates(document)),
        phrases=document_phrases(document, settings.themes),
        search_terms=source_terms(document, figures),
        shingles=packed(shingles(document.text)),
    )


def load_source(path: Path, settings: Settings) -> SourceResult | Problem:
    """Read and process one file: its result, or the Problem that stopped it."""
    try:
        source = read_source(path, settings.root, settings.max_source_bytes)
    except SourceError as exc:
        return Problem("error", exc.path, exc.message, exc.line, exc.code)
    return process_source(source, settings)


def collect(settings: Settings, cache: SourceCache | None = None, stats: CacheStats | None = None) -> Briefing:
    """Read and process every source; a bad source becomes a Problem, never an abort.

    With a ``cache``, only sources whose bytes (or settings, or generator code) changed are processed."""
    # Links out of seeds/ and oversized files are refused before anything (the cache too) reads them.
    paths, refused = screen(discover(settings.seeds_dir), settings.seeds_dir, settings.root,
                            settings.max_source_bytes)
    outcomes = cached_map(paths, settings, cache, load_source, stats if stats is not None else CacheStats())
    results = [o for o in outcomes if isinstance(o, SourceResult)]
    problems = refused + [o for o in outcomes if isinstance(o, Problem)]
    if not outcomes and not refused:
        rel = settings.seeds_dir.relative_to(settings.root).as_posix() \
            if settings.seeds_dir.is_relative_to(settings.root) else str(settings.seeds_dir)
        problems.append(Problem("warning", rel, "no sources found", code="no-sources"))
    known_pairs = cache.read_compared_pairs() if cache is not None else None
    briefing = assemble(settings.title, results, settings.themes, problems, gazetteer=settings.gazetteer,
                        known_pairs=known_pairs)
    if cache is not None and briefing.compared_pairs != known_pairs:
        cache.record_compared_pairs(briefing.compared_pairs)
    return briefing


@contextmanager
def fewer_collections():
    """A build makes millions of small long-lived objects, and no garbage cycles to speak of: at
    1,000 sources each pass of the cyclic garbage collector over the reduce's young objects found
    none, at 15-57 ms a pass (0.2 s of a 4.5 s rebuild). So the collector is off while a build runs,
    and what cycles there are wait for its first collection after. Per-source work in a pool of
    processes turns it back on, at thresholds this high (parallel.py): a worker parses many
    sources, and parsed HTML is full of cycles."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(100_000, 50, 100)
    gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


def build_briefing(settings: Settings, out_dir: Path, cache: SourceCache | None = None,
                   previous_site: Path | None = None) -> BuildResult:
    """Write the site's files into ``out_dir`` (an empty folder) and return what was built, with the
    problems met on the way.

    With a ``cache``, sources are reused from it and the site gains a Changes page against the
    previous build it remembers (none on a first build); with a ``previous_site`` too (the folder
    that build wrote), pages made from unchanged inputs are taken from it instead of rendered."""
    with fewer_collections():
        return _build_briefing(settings, out_dir, cache, previous_site)


# The reduce's peak memory below which the pages are rendered in its process. The render can start
# from the page views alone, in a fresh process they are handed to, leaving the reduce's working
# sets behind (at 5,000 sources about 0.3 GB of its 0.85 GB peak); that costs about 0.5 s at
# 1,000 sources (pickling the views and reading them back), which only pays where memory is short.
RENDER_IN_PLACE_BELOW = 512 * 2**20


def _memory_to_spare(limit: int | None = None) -> bool:
    """Whether this process has stayed under ``limit`` (``RENDER_IN_PLACE_BELOW`` if not given):
    the build may then use memory for speed (writing briefing.json beside the views and the first
    pages, rendering beside the reduce)."""
    return peak_memory() < (RENDER_IN_PLACE_BELOW if limit is None else limit)


# Below this, the figure groups are made in a child beside the rest of the export. A forked child
# shares this process's memory until either writes to it, and reading an object writes its
# reference count: the export reads every record while the child runs, so for that while the
# records are held twice (5,000 sources, a no-op rebuild: 0.86 -> 1.14 GB had it forked there).
GROUP_BESIDE_BELOW = 256 * 2**20


def _jobs_beside(settings: Settings, limit: int | None = None) -> int:
    """The processes a step may fork to run beside this one: ``settings.jobs`` while this
    process has memory to spare (``_memory_to_spare(limit)``), else 1 (the step runs here)."""
    return settings.jobs if _memory_to_spare(limit) else 1


def _build_briefing(settings: Settings, out_dir: Path, cache: SourceCache | None,
                    previous_site: Path | None) -> BuildResult:
    # The reduce runs in a child process: its working sets (every source's result, briefing.json's
    # data, the near-duplicate shingles) go back to the system with it (issue 8).
    outcome = in_child(_reduce_and_render, settings, out_dir, cache, previous_site, jobs=settings.jobs)
    if isinstance(outcome, tuple):  # handed over: the reduce used too much memory to render beside it
        reduced, recorded = outcome
        outcome = _render(reduced, lambda: recorded, settings, out_dir, cache, previous_site)
    return outcome


def _reduce_and_render(settings: Settings, out_dir: Path, cache: SourceCache | None,
                       previous_site: Path | None) -> BuildResult | tuple[Reduced, Recorded]:
    """The whole build, or the reduce alone when its memory says to render in a fresh process."""
    with reducing(settings, out_dir, cache) as (reduced, recorded):
        keep_until_exit(reduced)  # freed by the child's exit, not object by object
        if not _memory_to_spare():
            return reduced, recorded()
        # Rendered here, with memory to spare: no hand-over.
        return _render(reduced, recorded, settings, out_dir, cache, previous_site)


def _render(reduced: Reduced, recorded: Callable[[], Recorded], settings: Settings, out_dir: Path,
            cache: SourceCache | None, previous_site: Path | None) -> BuildResult:
    previous = None
    if cache is not None and previous_site is not None:
        previous = PreviousPages(previous_site, records_from_data(cache.read_pages(settings.preview)))
    site = render_site(reduced.views, settings, out_dir, lambda: recorded().site_wide, previous=previous,
                       known_rows=cache.read_rows() if cache is not None else None,
                       compiled=cache.compiled_templates() if cache is not None else None,
                       record_rows=cache.record_rows if cache is not None else None)
    site = replace(site, paths=tuple(sorted((*site.paths, *reduced.exported))))
    return BuildResult(site=site, problems=reduced.problems, counts=reduced.counts,
                       data_digest=recorded().data_digest, stats=reduced.stats)


@contextmanager
def reducing(settings: Settings, out_dir: Path, cache: SourceCache | None
             ) -> Iterator[tuple[Reduced, Callable[[], Recorded]]]:
    """Every source read (or taken from the cache) and combined, and the pages' views made; and
    briefing.json being written into ``out_dir`` (``record_data``): asking gives what it found.

    briefing.json is written by a forked child while this process makes the views and renders the
    pages that need nothing of it, where memory allows the copy of the data that the child's reads
    make (reference counts are writes); leaving the block stops the child if it is still running."""
    stats = CacheStats()
    briefing = collect(settings, cache, stats)
    # computed once: briefing.json, the pages and the next diff share it
    data = briefing_data(briefing, _jobs_beside(settings, GROUP_BESIDE_BELOW))
    exported = (urls.DATA, *write_files(schema_file(), out_dir))
    with running_in_child(record_data, data, out_dir, cache, stats.inputs, jobs=_jobs_beside(settings)) as recorded:
        reduced = Reduced(views=build_views(briefing, data), exported=exported, problems=briefing.problems,
                          counts=(len(briefing.results), len(briefing.figures), len(briefing.themes)), stats=stats)
        # The render needs what the views hold, no more. Where the pages are rendered here, in a
        # forked child, the briefing and the data are held until it exits: freeing them object by
        # object took 0.09 s of a 1,000-source rebuild, and the child's exit frees them at once.
        # Else the briefing goes here, to make room; the data stays held until the block ends, by
        # the context that writes briefing.json (its arguments).
        if _memory_to_spare():
            keep_until_exit((briefing, data))
        del briefing, data
        yield reduced, recorded


def record_data(data: dict, out_dir: Path, cache: SourceCache | None, inputs: str) -> Recorded:
    """briefing.json written into ``out_dir``, and this build compared with the last one.
    ``inputs``: the digest of every source's cache key (``CacheStats.inputs``)."""
    # Written as it is encoded (hundreds of megabytes of text at thousands of sources, never held whole).
    data_digest = write_chunks(out_dir, urls.DATA, json_chunks(data))
    changes = changes_since_last_build(cache, data, data_digest)
    if cache is None:
        return Recorded(data_digest, SiteWide(changes))
    cache.stage_build(data_digest, diff_basis(data))  # what the next build's Changes page compares with
    return Recorded(data_digest, SiteWide(changes, briefing_digest(data_digest, changes, inputs)))


def changes_since_last_build(cache: SourceCache | None, data: dict, data_digest: str) -> dict | None:
    """The Changes page's diff against the build the cache remembers; None without one.
    ``data_digest`` is the SHA-256 of this build's briefing.json."""
    previous = cache.baseline_for(data_digest) if cache is not None else None
    return diff_briefings(previous, data) if previous is not None else None
