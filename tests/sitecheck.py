"""Walk a built site: every page's links and anchors, as a reader's browser would follow them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src", "action") and value is not None:
                self.links.append((name, value))


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text("utf-8"))
    parser.close()
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor that does not resolve, and every link to another host."""
    pages = {p: parse(p) for p in html_pages(site)}
    problems = []
    for page, parsed in pages.items():
        for attr, link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                problems.append(f"{page.relative_to(site)}: outside link {link}")
                continue
            target_part, fragment = urldefrag(link)
            target = page if not target_part else (page.parent / unquote(urlsplit(target_part).path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(site)}: missing {link}")
                continue
            if fragment:
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    problems.append(f"{page.relative_to(site)}: missing anchor {link}")
    return problems


def reachable_from_home(site: Path) -> set[Path]:
    """Every page a reader can reach by following links from the home page."""
    seen: set[Path] = set()
    todo = [(site / "index.html").resolve()]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".html" or not page.exists():
            continue
        seen.add(page)
        for _, link in parse(page).links:
            target_part, _ = urldefrag(link)
            if target_part and not urlsplit(target_part).scheme:
                todo.append((page.parent / unquote(urlsplit(target_part).path)).resolve())
    return seen
