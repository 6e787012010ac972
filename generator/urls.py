"""Where each page lives in the site: the one place that decides URLs.

Pages are plain ``.html`` files linked by relative URLs, so the site works from any
static server, under a sub-path, and straight from disk (``file://``) offline.
"""

from __future__ import annotations

HOME = "index.html"
SOURCES = "sources/index.html"
THEMES = "themes/index.html"
FIGURES = "figures/index.html"
SEARCH = "search.html"
CHANGES = "changes.html"
DATA = "briefing.json"
SCHEMA = "briefing.schema.json"


def source_page(source_id: str) -> str:
    return f"sources/{source_id}.html"


def theme_page(theme_id: str) -> str:
    return f"themes/{theme_id}.html"


def sentence_link(source_id: str, sentence_id: str) -> str:
    return f"{source_page(source_id)}#{sentence_id}"


def relative(target: str, from_page: str) -> str:
    """``target`` (site-relative) as a link from the page at ``from_page``."""
    depth = from_page.count("/")
    return "../" * depth + target


ENTITIES = "entities/index.html"
QUOTES = "quotes/index.html"
TIMELINE = "timeline/index.html"


def entity_page(entity_id: str) -> str:
    return f"entities/{entity_id}.html"
