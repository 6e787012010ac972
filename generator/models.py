"""The typed records that flow through the pipeline.

Each stage is a plain function from some of these records to others:

    read_source -> SourceFile -> normalise -> Document -> extract -> (Figure, ThemeMatch, ...)
    -> assemble -> Briefing -> export / render

Records are plain dataclasses so that they are cheap to build, easy to test and
easy to serialise (the per-source cache and ``briefing.json`` are built from them).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields, is_dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, reported to the editor in one line."""

    severity: str  # "error" or "warning"
    path: str  # project-relative path of the file concerned
    message: str
    line: int | None = None
    code: str = ""  # a short machine-readable kind, e.g. "front-matter"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class SourceFile:
    """A source as read from disk: decoded text and its front matter, nothing interpreted yet."""

    path: str  # project-relative POSIX path, e.g. "seeds/x.txt"
    id: str  # file stem, or the front matter's ``id``
    kind: str  # "txt", "md" or "html"
    text: str  # the body, decoded, without front matter
    encoding: str
    front_matter: dict = field(default_factory=dict)
    body_line: int = 1  # line number in the file where ``text`` starts
    sha256: str = ""  # of the raw bytes


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of the kept text: a heading, a list item, a caption or body text."""

    text: str
    kind: str = "text"  # "text", "heading", "item" or "caption"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the kept text; ``id`` is its stable anchor on the source page."""

    id: str
    text: str
    paragraph: int  # index into Document.paragraphs


@dataclass(frozen=True, slots=True)
class Excluded:
    """A stretch of the original text left out of the briefing, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    """A normalised source: metadata, the cleaned text it keeps, what it dropped and why."""

    id: str
    path: str
    kind: str
    title: str | None
    date: str | None  # ISO 8601 (date or date-time) or None
    publisher: str | None
    author: str | None
    url: str | None
    language: str | None
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    excluded: tuple[Excluded, ...] = ()

    @property
    def text(self) -> str:
        """The kept body: paragraphs separated by a blank line."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def display_title(self) -> str:
        """What pages, links and the search index call the source."""
        return self.title or self.id


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a source states, with what it means."""

    id: str
    source: str  # Document.id
    sentence: str  # Sentence.id
    text: str  # exactly as written, a substring of the sentence
    start: int  # offset of ``text`` in the sentence
    value: float
    unit: str
    bound: str = "="  # one of = > >= < <= ~
    measures: str = ""
    year: int | None = None
    high: float | None = None  # upper end of a range ("10–20%": value 10, high 20)
    subject: str = ""  # the name the figure is about (the first part of ``measures``)


@dataclass(frozen=True)
class ThemeDef:
    """A theme of the editors' taxonomy (from mkdocs.yml)."""

    id: str
    title: str
    description: str = ""
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """One sentence of one source that carries a theme, and the cue that matched."""

    theme: str
    source: str
    sentence: str
    cue: str


@dataclass(frozen=True)
class EntityDef:
    """An entry of the editors' gazetteer (gazetteer.yml): a canonical name and its aliases."""

    id: str  # slug of the name; the entity page's URL
    name: str
    kind: str  # organisation, person, product, model or place
    aliases: tuple[str, ...] = ()
    parent: str | None = None  # EntityDef.id, e.g. the maker of a model


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in one sentence: a gazetteer entity (``entity`` is its id) or a candidate (``entity`` empty)."""

    entity: str
    source: str
    sentence: str
    text: str  # as written
    start: int
    role: str = ""  # e.g. "Meta CTO" for a candidate person named with a role


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote (kind "direct") or a reported statement (kind "paraphrase") and who made it."""

    id: str
    source: str
    sentence: str  # where the quote starts
    text: str
    speaker: str
    role: str = ""
    kind: str = "direct"
    entity: str = ""  # the speaker's EntityDef.id, if in the gazetteer


@dataclass(frozen=True, slots=True)
class DatedStatement:
    """A sentence that refers to a time: a year, a month, a day or a range (ISO-like, sortable)."""

    source: str
    sentence: str
    date: str  # "2025", "2025-07" or "2025-07-09"
    end: str = ""  # for ranges such as 2017–2024
    text: str = ""  # the date as written; empty when taken from the source's own date
    from_source_date: bool = False


# A noun phrase no theme cue covers, counted in one source (for the Uncategorised report):
# (variant key, as written lower-cased, count), e.g. ("open source", "open-source", 3). A plain
# tuple, not a record: a hundred per source, and the cache's entries unpickle tuples without
# calling any Python (1,000 sources: 100,000 of them, 0.10 -> 0.03 s).
PhraseCount = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """A source's documents in the search index (its page, then each of its figures) with their
    words and weights, worked out in the per-source map (``search.source_terms``) so a rebuild
    tokenises only new sources. A few strings per source, not a record per document or word: at
    thousands of sources the views holding them are pickled whole (issue 8)."""

    locations: str  # one per line: the page, then each figure's anchor (ids never hold a line break)
    words: str  # one line per document: its words, separated by spaces (a word never holds one)
    weights: bytes  # every document's weights, one per word, in order


@dataclass(frozen=True, slots=True)
class RowMarkup:
    """A figure row as a table with a source column shows it, and where its source cell is: the
    same rendering serves tables without the column (a source's own page; ``render._shared_rows``)."""

    markup: bytes  # UTF-8
    source_start: int
    source_end: int

    def without_source(self) -> bytes:
        return self.markup[:self.source_start] + self.markup[self.source_end:]


@dataclass(frozen=True)
class SourceResult:
    """Everything the per-source stages produce; the unit that is cached and combined."""

    document: Document
    figures: tuple[Figure, ...]
    themes: tuple[ThemeMatch, ...]
    problems: tuple[Problem, ...] = ()
    mentions: tuple[Mention, ...] = ()  # gazetteer entities and candidate names
    quotes: tuple[Quote, ...] = ()
    dates: tuple[DatedStatement, ...] = ()
    phrases: tuple[PhraseCount, ...] = ()  # candidate theme phrases, counted here so the reduce only adds up
    search_terms: SearchTerms | None = None  # for its page and each of its figures (search.source_terms)
    shingles: bytes = b""  # its text's word runs, for the near-duplicate search (duplicates.packed)


@dataclass(frozen=True)
class FigureGroup:
    """Figures from several sources that state the same quantity (or conflict about it)."""

    id: str
    kind: str  # "corroborated" or "conflict"
    figures: tuple[str, ...]  # Figure ids
    sources: tuple[str, ...]  # Document ids
    value: float
    unit: str
    measures: str


@dataclass(frozen=True)
class ComparedPairs:
    """The near-duplicate pairs among some documents, each document by its key
    (``duplicates.document_key``: its id and text): every pair meeting a threshold, with its containment.
    A pair's test reads only its two texts, so a rebuild compares only the documents not among
    these with the others (issue 8)."""

    documents: frozenset[str] = frozenset()
    pairs: dict[tuple[str, str], float] = field(default_factory=dict)  # (key, key), in id order


@dataclass(frozen=True)
class Briefing:
    """The whole briefing: every source's results and what the sources say together."""

    title: str
    results: tuple[SourceResult, ...]  # ordered by source id
    themes: tuple[ThemeDef, ...]
    problems: tuple[Problem, ...] = ()
    gazetteer: tuple[EntityDef, ...] = ()
    theme_candidates: tuple[tuple[str, int, int], ...] = ()  # (phrase, sources, occurrences)
    compared_pairs: ComparedPairs = field(default_factory=ComparedPairs)  # for the next build (duplicates.py)

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(r.document for r in self.results)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for r in self.results for f in r.figures)

    @property
    def theme_matches(self) -> tuple[ThemeMatch, ...]:
        return tuple(m for r in self.results for m in r.themes)


def _pickled_as_constructor_call(cls: type) -> None:
    """Pickle records as ``cls(*field values)``: the per-source map sends every SourceResult back
    from a worker process, and dataclasses' own pickling of slotted records (``fields()`` looked up
    for every object) cost more than twice as much both ways (1,000 results: 1.3 s -> 0.6 s each way)."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))
    if len(fields(cls)) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))
    else:
        cls.__reduce__ = lambda self: (cls, values(self))


for _record in [value for value in list(globals().values()) if isinstance(value, type) and is_dataclass(value)]:
    _pickled_as_constructor_call(_record)
