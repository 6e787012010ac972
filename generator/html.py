"""Main text and metadata of a saved web page.

trafilatura finds the article among navigation, comments and footers far better than
hand-written rules; it is called on the page's text only (never a URL, so it never
fetches) and with a fixed latest date, so date extraction never reads the clock. When it
finds no main text (tiny or unusual pages), a plain stdlib extractor takes over. In both
cases only text comes out: markup never survives.
"""

from __future__ import annotations

import logging
from functools import cache
from html.parser import HTMLParser

# htmldate compares candidate dates with "today" unless given a latest date; a fixed one
# keeps the build independent of the clock.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "max_date": "2099-12-31"}
_META_KEYS = ("title", "author", "date", "sitename", "url")


@cache
def _trafilatura():
    """trafilatura, imported when a page is first extracted: a rebuild that reads no HTML source
    starts a tenth of a second sooner (issue 8)."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    return trafilatura


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
               "article", "blockquote", "figcaption", "header", "pre", "td", "th", "dd", "dt"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "footer", "aside", "form",
              "iframe", "svg", "button", "select", "head", "object", "embed"}


class _TextExtractor(HTMLParser):
    """Plain text of an HTML page's content, one block per line (no markup survives)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.title_parts: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip_depth:
            self.parts.append(data)


def fallback_html_to_text(html: str) -> tuple[str, dict]:
    """Text and ``<title>`` of a page by the stdlib parser (used when trafilatura finds nothing)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title_parts).split())
    return text, ({"title": title} if title else {})


def _metadata(document) -> dict:
    meta = {}
    for key in _META_KEYS:
        value = getattr(document, key, None) if document is not None else None
        if isinstance(value, str) and value.strip():
            meta[key] = " ".join(value.split())
    return meta


_FEW_WORDS = 50


def _extract(html: str, favor_precision: bool):
    try:
        return _trafilatura().bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False,
            favor_precision=favor_precision, date_extraction_params=_DATE_PARAMS)
    except Exception:  # noqa: BLE001 - a page the extractor chokes on still gets the fallback
        return None


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text (one paragraph per block, separated by blank lines) and metadata of a page.

    Metadata keys, when the page states them: title, author, date (ISO), sitename, url.
    """
    extracted = _extract(html, favor_precision=False)
    text = (getattr(extracted, "text", None) or "").strip()
    if len(text.split()) < _FEW_WORDS:
        # On very small pages trafilatura's whole-body fallback splits inline markup into
        # lines; its precision mode keeps the paragraphs whole.
        precise = _extract(html, favor_precision=True)
        if precise is not None and (precise.text or "").strip():
            extracted, text = precise, precise.text.strip()
    meta = _metadata(extracted)
    if not text:
        text, fallback_meta = fallback_html_to_text(html)
        if not meta:
            try:
                meta = _metadata(_trafilatura().extract_metadata(html, date_config=_DATE_PARAMS))
            except Exception:  # noqa: BLE001
                meta = {}
        for key, value in fallback_meta.items():
            meta.setdefault(key, value)
    paragraphs = [_table_row(" ".join(line.split())) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p), meta


def _table_row(line: str) -> str:
    """A table row as trafilatura writes it (``| a | b |``) becomes plain cells ``a; b``."""
    if not (line.startswith("|") and line.endswith("|")):
        return line
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    if all(set(cell) <= set("-: ") for cell in cells):
        return ""  # the header separator row
    return "; ".join(cell for cell in cells if cell)
