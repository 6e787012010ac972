"""Build settings: what the MkDocs plugin (or any other front end) hands to the pipeline.

The pipeline never reads ``mkdocs.yml`` itself and never imports MkDocs; it receives
a ``Settings`` record, so another engine could drive it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .models import EntityDef, ThemeDef

SOURCE_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
DEFAULT_MAX_SOURCE_BYTES = 20 * 1024 * 1024


class ConfigError(ValueError):
    """The configuration itself is unusable; the build cannot start."""


@dataclass(frozen=True)
class Settings:
    root: Path  # the project folder (where mkdocs.yml lives)
    seeds_dir: Path
    templates_dir: Path
    title: str = "Briefing"
    description: str = ""
    site_url: str = ""
    themes: tuple[ThemeDef, ...] = ()
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES
    gazetteer: tuple[EntityDef, ...] = ()  # entities.load_gazetteer(plugin option `gazetteer`)
    extra: dict = field(default_factory=dict)
    jobs: int = 0  # processes for per-source work: 0 = every core, 1 = serial (generator/parallel.py)
    preview: bool = False  # `briefing serve`: pages allow the dev server's live-reload script


_THEME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def parse_themes(raw: object) -> tuple[ThemeDef, ...]:
    """Validate the ``themes`` list of the plugin configuration."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("themes: expected a list of {id, title, description, cues}")
    themes: list[ThemeDef] = []
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"themes[{n}]: expected a mapping with id, title, cues")
        theme_id = str(item.get("id", ""))
        if not _THEME_ID.match(theme_id):
            raise ConfigError(
                f"themes[{n}]: id {theme_id!r} must be lower-case letters, digits and hyphens"
            )
        if theme_id in seen:
            raise ConfigError(f"themes[{n}]: duplicate theme id {theme_id!r}")
        seen.add(theme_id)
        cues = item.get("cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) and c.strip() for c in cues):
            raise ConfigError(f"themes[{n}] ({theme_id}): cues must be a list of phrases")
        themes.append(
            ThemeDef(
                id=theme_id,
                title=str(item.get("title") or theme_id),
                description=str(item.get("description") or ""),
                cues=tuple(c.strip() for c in cues),
            )
        )
    return tuple(themes)
