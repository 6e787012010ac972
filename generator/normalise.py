"""Stage 2: turn a read source into a Document (clean text, metadata, sentences).

The work is split by concern: ``html`` (main text of a saved page), ``clean`` (escapes,
boilerplate, repeats, captions), ``metadata`` (datelines, credits, bylines), ``offtopic``
(a glued-on second article) and ``sentences``. This module runs them in order and applies
the editor's overrides. Whatever is left out is kept in ``Document.excluded`` with a reason.
"""

from __future__ import annotations

import re

from .clean import Block, boilerplate_reason, clean_blocks, split_blocks, unescape_literals
from .html import html_to_text
from .metadata import find_date, infer_title, iso_date, read_stated_metadata, text_or_none
from .models import Document, Excluded, Paragraph, Sentence, SourceFile
from .offtopic import mark_off_topic
from .sentences import sentence_id, split_sentences

__all__ = ["normalise", "clean_body", "unescape_literals", "boilerplate_reason", "find_date",
           "iso_date", "split_sentences", "sentence_id", "html_to_text", "infer_title"]

EDITOR_EXCLUDED = "excluded by editor"


def _passages(value: object) -> list[str]:
    """A front matter ``include``/``exclude`` value as a list of non-empty passages."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [" ".join(str(v).split()) for v in value if isinstance(v, (str, int, float)) and str(v).strip()]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def apply_overrides(blocks: list[Block], include: list[str], exclude: list[str]) -> list[Block]:
    """The editor's word wins: ``include`` restores excluded text, ``exclude`` drops passages.

    An ``include`` entry matches an excluded block whose text contains it (or that it
    contains), or names a reason ("off-topic", "caption", "repeated line", ...) to restore
    every block left out for it. An ``exclude`` entry drops the whole block it is found in
    when it covers it, and otherwise cuts just that passage out.
    """
    for passage in map(_fold, include):
        for block in blocks:
            if block.kept:
                continue
            text = _fold(block.text)
            if passage in text or (len(text) >= 12 and text in passage) or block.reason.casefold().startswith(passage):
                block.reason = None
    result: list[Block] = []
    for block in blocks:
        result.append(block)
        if not block.kept:
            continue
        for passage in exclude:
            match = re.search(r"\s+".join(map(re.escape, passage.split())), block.text, re.I)
            if not match:
                continue
            rest = (block.text[:match.start()] + " " + block.text[match.end():]).strip()
            if not re.search(r"\w", rest):
                block.reason = EDITOR_EXCLUDED
                break
            block.text = " ".join(rest.split())
            result.insert(len(result) - 1, Block(match.group(), block.kind, EDITOR_EXCLUDED))
    return result


def clean_body(text: str) -> tuple[list[Paragraph], list[Excluded]]:
    """Split plain text into kept paragraphs and excluded parts (boilerplate, repeats), in order."""
    blocks = clean_blocks(split_blocks(text))
    return ([Paragraph(b.text, b.kind) for b in blocks if b.kept],
            [Excluded(b.text, b.reason) for b in blocks if not b.kept])


def normalise(source: SourceFile) -> Document:
    """Clean a source's text, settle its metadata and split it into addressable sentences."""
    body, page = source.text, {}
    if source.kind == "html":
        body, page = html_to_text(body)
    blocks = clean_blocks(split_blocks(body))
    stated = read_stated_metadata(blocks)
    mark_off_topic(blocks)
    front = source.front_matter
    blocks = apply_overrides(blocks, _passages(front.get("include")), _passages(front.get("exclude")))

    title = text_or_none(front.get("title")) or page.get("title") or stated.title
    kept = [b for b in blocks if b.kept]
    if title and len(kept) > 1 and _fold(kept[0].text) == _fold(title):
        kept = kept[1:]  # the title line is shown as the title, not repeated as text
    paragraphs = [Paragraph(b.text, b.kind) for b in kept]
    excluded = [Excluded(b.text, b.reason) for b in blocks if not b.kept]

    if "date" in front:
        date_value = iso_date(front.get("date"))
    else:
        date_value = iso_date(page.get("date")) or stated.date
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
        publisher=text_or_none(front.get("publisher")) or page.get("sitename") or stated.publisher,
        author=text_or_none(front.get("author")) or page.get("author") or stated.author,
        url=text_or_none(front.get("url")) or page.get("url"),
        language=text_or_none(front.get("language")),
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        excluded=tuple(excluded),
    )
