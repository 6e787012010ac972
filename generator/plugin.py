"""The MkDocs plugin: a thin adapter between MkDocs and the plain-Python pipeline.

MkDocs provides the command line editors know (``mkdocs build``, ``mkdocs serve``), the
theme machinery (static assets from ``templates/``). Everything
else happens in ``generator.build``; this module only translates.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from . import output
from .build import BuildResult, build_briefing
from .cache import SourceCache, key_file, signing_key
from .config import ConfigError, Settings, parse_themes
from .entities import load_gazetteer
from .models import Problem
from .reuse import records_to_data

log = logging.getLogger("mkdocs.plugins.briefing")


class BriefingPluginConfig(base.Config):
    seeds = c.Type(str, default="seeds")
    description = c.Type(str, default="")
    max_source_mb = c.Type(int, default=20)
    themes = c.Type(list, default=[])
    gazetteer = c.Type(str, default="gazetteer.yml")  # entities editors curate (generator/entities.py)
    jobs = c.Type(int, default=0)  # processes for per-source work; 0 = every core (generator/parallel.py)
    cache = c.Type(bool, default=True)  # per-source cache in .briefing-cache/ (generator/cache.py)


def settings_from_mkdocs_config(config, plugin_config: BriefingPluginConfig) -> Settings:
    """The pipeline's Settings from a loaded mkdocs.yml: the one way plugin and CLI read configuration."""
    root = Path(config.config_file_path or ".").resolve().parent
    if not config.theme.custom_dir:
        raise PluginError("briefing: the theme must set custom_dir to the templates/ folder")
    try:
        themes = parse_themes(plugin_config.themes)
    except ConfigError as exc:
        raise PluginError(f"briefing: {config.config_file_path}: plugins.briefing.{exc}") from None
    try:
        gazetteer = load_gazetteer(root / plugin_config.gazetteer,
                                   required=plugin_config.gazetteer != "gazetteer.yml")
    except ConfigError as exc:
        raise PluginError(f"briefing: {exc}") from None
    return Settings(
        root=root,
        seeds_dir=(root / plugin_config.seeds).resolve(),
        templates_dir=Path(config.theme.custom_dir).resolve(),
        title=config.site_name,
        description=plugin_config.description or (config.site_description or ""),
        site_url=config.site_url or "",
        themes=themes,
        gazetteer=gazetteer,
        max_source_bytes=plugin_config.max_source_mb * 1024 * 1024,
        jobs=plugin_config.jobs,
    )


class WrittenFile(File):
    """A file the briefing wrote into site_dir itself. MkDocs copies every file it lists; copying
    one onto itself is an error it catches, after a stat of both and a makedirs, for each of
    thousands of files (1,000 sources: 0.07 s of a rebuild's 5). Moved elsewhere by another
    plugin, it is copied as usual."""

    def copy_file(self, dirty: bool = False) -> None:
        if self.abs_src_path != self.abs_dest_path:
            super().copy_file(dirty)


class BriefingPlugin(BasePlugin[BriefingPluginConfig]):
    """Generates the briefing pages and hands them to MkDocs as ready-made files."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.settings: Settings | None = None
        self.result: BuildResult | None = None
        self.final_site_dir: str | None = None
        self.previous_site: Path | None = None  # the last build's pages, for reuse (generator/reuse.py)
        self.cache: SourceCache | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config):
        self.settings = settings_from_mkdocs_config(config, self.config)
        if self.command == "serve":  # lets the dev server's live-reload script run (see base.html)
            self.settings = dataclasses.replace(self.settings, preview=True)
        # MkDocs' sitemap dates itself and lists no briefing page: the briefing writes its own.
        config.theme.static_templates.discard("sitemap.xml")
        if self.command != "serve":
            # Build beside site/ and swap it in only on success (see on_post_build).
            self.final_site_dir = config.site_dir
            self.previous_site = Path(config.site_dir)
            config.site_dir = str(output.temp_site_dir(Path(config.site_dir)))
        return config

    def on_pre_build(self, *, config) -> None:
        # MkDocs empties a preview's folder before each rebuild: the last preview's pages are set
        # aside first, so that the rebuild links the unchanged ones instead of rendering them.
        if self.command == "serve" and self.config.cache:
            site_dir = Path(config.site_dir)
            self.previous_site = site_dir.with_name(site_dir.name + ".previous")
            shutil.rmtree(self.previous_site, ignore_errors=True)
            if site_dir.is_dir():
                os.replace(site_dir, self.previous_site)
                site_dir.mkdir()

    def on_files(self, files: Files, *, config) -> Files:
        assert self.settings is not None
        self.cache = SourceCache.for_project(self.settings.root) if self.config.cache else None
        if self.cache is not None and signing_key() is None:
            log.warning(f"briefing: cache off: its signing key {key_file()} can be neither read nor made, "
                        "so every source is processed again on every build")
        # Pages are written straight into site_dir (MkDocs cleaned it already); MkDocs is told of
        # each file by its path, so it neither holds nor copies them (its "write into site_dir" way).
        site_dir = Path(config.site_dir)
        self.result = build_briefing(self.settings, site_dir, self.cache, self.previous_site)
        report(self.result, log)
        # Sources are never published as they are: drop every file MkDocs found in docs_dir.
        # With sitemap.xml no longer a static template, MkDocs would copy its template raw.
        docs_dir = os.path.abspath(config.docs_dir)
        kept = [f for f in files
                if (f.src_dir is None or os.path.abspath(f.src_dir) != docs_dir) and f.src_uri != "sitemap.xml"]
        generated = Files(kept)
        for path in self.result.site.paths:
            generated.append(WrittenFile.generated(config, path, abs_src_path=str(site_dir / path)))
        return generated

    def on_serve(self, server, *, config, builder):
        assert self.settings is not None
        if os.path.abspath(config.docs_dir) != str(self.settings.seeds_dir):
            server.watch(str(self.settings.seeds_dir))
        return server

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config) -> None:
        assert self.result is not None
        if self.cache is not None:  # the Changes page of the next build diffs against it
            self.cache.record_build(self.result.data_digest)
            self.cache.record_pages(records_to_data(self.result.site.pages), self.settings.preview)
        self._drop_set_aside()
        if self.final_site_dir:
            output.swap_in(Path(config.site_dir), Path(self.final_site_dir))
            config.site_dir = self.final_site_dir
            self.final_site_dir = None

    def _drop_set_aside(self) -> None:
        """The previous preview's pages, once a rebuild has taken what it reuses (serve only)."""
        if self.command == "serve" and self.previous_site is not None:
            shutil.rmtree(self.previous_site, ignore_errors=True)
            self.previous_site = None

    def on_build_error(self, *, error: Exception) -> None:
        self._drop_set_aside()
        if self.final_site_dir:
            output.remove_stale(Path(self.final_site_dir).resolve())
            self.final_site_dir = None


WARNINGS_SHOWN = 10  # per kind of warning in a build's output; `briefing check` lists every one


def report(result: BuildResult, logger: logging.Logger) -> None:
    """Errors in full, warnings grouped by kind and counted, then one line on what was built."""
    problems = result.problems
    if problems:
        errors = sum(1 for p in problems if p.severity == "error")
        logger.warning(f"briefing: {len(problems)} problem(s) in sources: "
                       f"{errors} error(s), {len(problems) - errors} warning(s)")
        for problem in problems:
            if problem.severity == "error":
                logger.warning(f"  {problem}")
        by_code: dict[str, list[Problem]] = {}
        for problem in problems:
            if problem.severity != "error":
                by_code.setdefault(problem.code or "other", []).append(problem)
        for code, group in sorted(by_code.items()):
            logger.warning(f"  {len(group)} warning(s) [{code}]")
            for problem in group[:WARNINGS_SHOWN]:
                logger.warning(f"    {problem}")
            if len(group) > WARNINGS_SHOWN:
                logger.warning(f"    ... and {len(group) - WARNINGS_SHOWN} more (`briefing check` lists them all)")
    sources, figures, themes = result.counts
    logger.info(f"briefing: {sources} sources, {figures} figures, {themes} themes, {len(result.site.paths)} files "
                f"({result.stats.processed} sources processed, {result.stats.hits} from cache; "
                f"{result.site.reused} pages from the previous build)")
