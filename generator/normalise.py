"""Stage 2: turn a read source into a Document (clean text, metadata, sentences).

The cleaning rules are deliberately general (they meet sources nobody has seen) and
transparent: whatever is left out is kept in ``Document.excluded`` with a reason.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from html.parser import HTMLParser

from .models import Document, Excluded, Paragraph, Sentence, SourceFile

# --- text-level repairs --------------------------------------------------------------

_LITERAL_ESCAPES = re.compile(r"\\[nrt]")


def unescape_literals(text: str) -> str:
    """Turn literal ``\\n``/``\\t`` escape sequences (from a bad copy) back into text."""
    return _LITERAL_ESCAPES.sub(lambda m: {"\\n": "\n", "\\r": "\n", "\\t": " "}[m.group()], text)


# --- HTML ----------------------------------------------------------------------------

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


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata (title) of an HTML page; markup is dropped, never kept."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title_parts).split())
    return text, ({"title": title} if title else {})


# --- line-level cleaning -------------------------------------------------------------

_BOILERPLATE = [
    (re.compile(r"^skip to (main )?content\b", re.I), "navigation"),
    (re.compile(r"^(recommended|related|more) (articles|stories|reading)\b", re.I), "navigation"),
    (re.compile(r"^summary based on \d+ sources?$", re.I), "aggregator note"),
    (re.compile(r"^(get|sign up for|subscribe to) (a |our )?(daily|weekly|free)?\s*(email|newsletter)", re.I),
     "subscription pitch"),
    (re.compile(r"^we scan .* and send you\b", re.I), "subscription pitch"),
    (re.compile(r"^(share|share this|share on|follow us)\b.{0,40}$", re.I), "share buttons"),
    (re.compile(r"sole responsibility of the author|does not (necessarily )?represent the (position|views)", re.I),
     "legal disclaimer"),
    (re.compile(r"^(source|sources|blog|advertisement|ad)$", re.I), "page furniture"),
]


def boilerplate_reason(line: str) -> str | None:
    """The kind of boilerplate a line is, or None for content."""
    stripped = line.strip(" *_#>-•|")
    for pattern, reason in _BOILERPLATE:
        if pattern.search(stripped):
            return reason
    return None


def _is_soft_wrap(previous: str, line: str) -> bool:
    return bool(previous) and previous[-1] not in ".!?:;\"'”’)" and line[:1].islower()


def _paragraph_kind(line: str) -> str:
    if re.match(r"^([-*•]|\d{1,2}[.)])\s+\S", line):
        return "item"
    words = line.split()
    if len(words) <= 14 and line[-1:] not in ".!?,;\"”" and not line.endswith("..."):
        return "heading"
    return "text"


def clean_body(text: str) -> tuple[list[Paragraph], list[Excluded]]:
    """Split text into paragraphs, dropping boilerplate and repeated lines (with reasons)."""
    text = unescape_literals(text)
    paragraphs: list[Paragraph] = []
    excluded: list[Excluded] = []
    seen: set[str] = set()
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        merged: list[str] = []
        for line in lines:
            if not line:
                continue
            if merged and _is_soft_wrap(merged[-1], line):
                merged[-1] += " " + line
            else:
                merged.append(line)
        for line in merged:
            reason = boilerplate_reason(line)
            key = line.casefold()
            if reason:
                excluded.append(Excluded(line, reason))
            elif key in seen:
                excluded.append(Excluded(line, "repeated line"))
            else:
                seen.add(key)
                paragraphs.append(Paragraph(line, _paragraph_kind(line)))
    return paragraphs, excluded


# --- sentences -----------------------------------------------------------------------

_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp",
    "jr", "sr", "st", "no", "vs", "etc", "e.g", "i.e", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "gov", "gen", "sen",
    "rep", "mt", "ft", "dept", "univ", "p.m", "a.m",
}
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and decimals intact."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(1)
        before = paragraph[start:match.start(1)]
        last_word = re.split(r"\s", before)[-1].lower().strip("(\"'“‘")
        if match.group(1) == "." and (
            last_word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last_word)
        ):
            continue
        sentences.append(paragraph[start:end].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def sentence_id(text: str, taken: set[str]) -> str:
    """A stable anchor from the sentence's own words, so it survives edits elsewhere."""
    digest = hashlib.sha1(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()
    base = "s-" + digest[:8]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


# --- metadata ------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?:[ T](?P<H>\d\d):(?P<M>\d\d))?"),
    re.compile(r"\b(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? "
               r"(?P<d>\d{1,2}),? (?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<d>\d{1,2}) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? "
               r"(?P<y>(?:19|20)\d\d)\b"),
]


def find_date(text: str) -> str | None:
    """The first full calendar date stated in ``text``, as ISO 8601, or None."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else _MONTHS[parts["mon"][:3].lower()]
        try:
            day = date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
        if parts.get("H"):
            try:
                return datetime(day.year, day.month, day.day, int(parts["H"]), int(parts["M"])).isoformat(
                    timespec="minutes")
            except ValueError:
                pass
        return day.isoformat()
    return None


def iso_date(value: object) -> str | None:
    """A front matter date (YAML date, datetime or string) as ISO 8601, or None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return find_date(value) or None
    return None


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def infer_title(paragraphs: list[Paragraph]) -> str | None:
    """A title line stated at the top of the text: a short heading-like first block."""
    if paragraphs and paragraphs[0].kind == "heading" and len(paragraphs[0].text) >= 12:
        return paragraphs[0].text
    return None


# --- the stage -----------------------------------------------------------------------


def normalise(source: SourceFile) -> Document:
    """Clean a source's text, settle its metadata and split it into addressable sentences."""
    body, meta = source.text, {}
    if source.kind == "html":
        body, meta = html_to_text(body)
    paragraphs, excluded = clean_body(body)
    front = source.front_matter
    head = "\n".join(p.text for p in paragraphs[:6])
    title = _text_or_none(front.get("title")) or _text_or_none(meta.get("title")) or infer_title(paragraphs)
    if title and paragraphs and paragraphs[0].text == title:
        paragraphs = paragraphs[1:]
    date_value = iso_date(front.get("date")) if "date" in front else find_date(head)

    sentences: list[Sentence] = []
    taken: set[str] = set()
    for index, paragraph in enumerate(paragraphs):
        for text in split_sentences(paragraph.text):
            sentences.append(Sentence(sentence_id(text, taken), text, index))
    return Document(
        id=source.id,
        path=source.path,
        kind=source.kind,
        title=title,
        date=date_value,
        publisher=_text_or_none(front.get("publisher")),
        author=_text_or_none(front.get("author")),
        url=_text_or_none(front.get("url")),
        language=_text_or_none(front.get("language")),
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        excluded=tuple(excluded),
    )
