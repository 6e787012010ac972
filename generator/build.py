"""The pipeline, end to end: seeds/ in, rendered site files out.

    discover -> read_source -> normalise -> extract (figures, themes) -> assemble -> render

``build_briefing`` is plain Python and knows nothing about MkDocs; the plugin (or any
other engine) writes the files it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .config import Settings
from .figures import extract_figures
from .models import Briefing, Problem, SourceFile, SourceResult
from .normalise import normalise
from .read import SourceError, discover, read_source
from .render import RenderedSite, render_site
from .themes import assign_themes


@dataclass(frozen=True)
class BuildResult:
    briefing: Briefing
    site: RenderedSite

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.briefing.problems


def process_source(source: SourceFile, settings: Settings) -> SourceResult:
    """The per-source stages: independent of every other source (the "map")."""
    document = normalise(source)
    return SourceResult(
        document=document,
        figures=tuple(extract_figures(document)),
        themes=tuple(assign_themes(document, settings.themes)),
    )


def load_source(path: Path, settings: Settings) -> SourceResult | Problem:
    """Read and process one file: its result, or the Problem that stopped it."""
    try:
        source = read_source(path, settings.root, settings.max_source_bytes)
    except SourceError as exc:
        return Problem("error", exc.path, exc.message, exc.line, exc.code)
    return process_source(source, settings)


def map_sources(paths: list[Path], settings: Settings) -> list[SourceResult | Problem]:
    """``load_source`` over every path, results in the order of ``paths``."""
    return [load_source(path, settings) for path in paths]


def collect(settings: Settings) -> Briefing:
    """Read and process every source; a bad source becomes a Problem, never an abort."""
    outcomes = map_sources(discover(settings.seeds_dir), settings)
    results = [o for o in outcomes if isinstance(o, SourceResult)]
    problems = [o for o in outcomes if isinstance(o, Problem)]
    if not outcomes:
        rel = settings.seeds_dir.relative_to(settings.root).as_posix() \
            if settings.seeds_dir.is_relative_to(settings.root) else str(settings.seeds_dir)
        problems.append(Problem("warning", rel, "no sources found", code="no-sources"))
    return assemble(settings.title, results, settings.themes, problems)


def build_briefing(settings: Settings) -> BuildResult:
    """Everything the site needs, as bytes in memory, plus the problems met on the way."""
    briefing = collect(settings)
    return BuildResult(briefing=briefing, site=render_site(briefing, settings))
