"""Per-page metadata (description, canonical URL, OpenGraph), the Atom feed of sources and the sitemap.

Everything is a pure function of the briefing: the feed's <updated> is the newest source date,
never the build time, so two builds give the same bytes. Markup lives in templates/ (base.html
for the page head, feeds/*.html for the XML: the .html suffix keeps MkDocs from copying them
into the site as static files).
"""

from __future__ import annotations

from . import urls

FEED = "feed.xml"
SITEMAP = "sitemap.xml"
DESCRIPTION_CHARS = 200


def _shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0] + "…"


def absolute(site_url: str, path: str) -> str:
    """``path`` (site-relative) under ``site_url``; the home page is the site URL itself."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    return base if path == urls.HOME else base + path


def page_meta(path: str, title: str, extra: dict, site: dict) -> dict:
    """What the head of one page says about it: description, canonical URL, OpenGraph type."""
    description = site["description"]
    kind = "website"
    if "source" in extra:
        source = extra["source"]
        byline = ", ".join(part for part in (source.get("publisher"), source.get("date")) if part)
        description = (byline + ". " if byline else "") + source.get("text", "")
        kind = "article"
    elif "theme" in extra:
        description = extra["theme"].get("description") or description
    elif "entity" in extra:
        entity = extra["entity"]
        count = len(entity.get("sources", ()))
        description = f"{entity['name']}: what {count} source{'s' if count != 1 else ''} of the briefing say."
    elif title:
        description = f"{title}: {site['description']}" if site["description"] else title
    canonical = absolute(site["site_url"], path) if site["site_url"] else ""
    return {"description": _shorten(description), "canonical": canonical, "og_type": kind,
            "feed": urls.relative(FEED, path)}


def feed_entries(sources: list[dict]) -> list[dict]:
    """Dated sources, newest first (ties by id): the Atom feed's entries."""
    dated = [s for s in sources if s.get("date")]
    return sorted(dated, key=lambda s: (s["date"], s["id"]), reverse=True)


def _timestamp(date: str) -> str:
    """An RFC 3339 time for a source date (``2025-07-09`` or a full timestamp)."""
    return date if "T" in date else f"{date[:10]}T00:00:00Z"


def feed_files(env, views: dict, site: dict, page_paths: list[str]) -> dict[str, bytes]:
    """feed.xml always; sitemap.xml when site_url is set (a sitemap needs absolute URLs)."""
    entries = feed_entries(views["sources"])
    site_url = site["site_url"]
    link = (lambda p: absolute(site_url, p)) if site_url else (lambda p: p)
    context = {
        "site": site,
        "feed_id": absolute(site_url, FEED) if site_url else "urn:briefing:feed:" + _slug(site["title"]),
        "updated": _timestamp(entries[0]["date"]) if entries else "1970-01-01T00:00:00Z",
        "home": link(urls.HOME),
        "self_link": link(FEED),
        "entries": [{
            "title": s["display_title"],
            "link": link(s["page"]),
            "id": link(s["page"]) if site_url else f"urn:briefing:source:{s['id']}",
            "updated": _timestamp(s["date"]),
            "publisher": s.get("publisher") or "",
            "author": s.get("author") or "",
            "summary": _shorten(s.get("text", ""), 400),
        } for s in entries],
    }
    files = {FEED: env.get_template("feeds/atom.html").render(context).encode("utf-8")}
    if site_url:
        locations = [absolute(site_url, p) for p in sorted(page_paths)]
        files[SITEMAP] = env.get_template("feeds/sitemap.html").render(locations=locations).encode("utf-8")
    return files


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "briefing"
