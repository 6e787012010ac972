"""Sentence splitting and stable sentence ids.

Ids come from the sentence's own words (not its position), so adding a source or a
paragraph elsewhere never moves an anchor that a reader or another page links to.
"""

from __future__ import annotations

import hashlib
import re

ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp",
    "jr", "sr", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "fig", "figs", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "gov", "gen", "sen",
    "rep", "mt", "ft", "dept", "univ", "p.m", "a.m", "vol", "pp", "p", "ca", "cf", "al", "rev", "col",
    "lt", "sgt", "capt", "cmdr", "hon", "pres", "gov", "atty", "mln", "bn", "op", "ed", "eds",
}
_CJK_BOUNDARY = re.compile(r"(?<=[。！？])(?=[^\s。！？”’」』）)])")
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations, initials and decimals intact."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(1)
        before = paragraph[start:match.start(1)]
        last_word = re.split(r"\s", before)[-1].lower().strip("(\"'“‘")
        if match.group(1) == "." and (
            last_word in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last_word)
        ):
            continue
        sentences.append(paragraph[start:end].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    # CJK full stops end a sentence without a following space
    parts = [part.strip() for s in sentences for part in _CJK_BOUNDARY.split(s) if part.strip()]
    return [piece for part in parts for piece in _bounded(part)]


MAX_SENTENCE_CHARS = 1500  # far above real prose; a run-on "sentence" (a page with no full stop) is cut


def _bounded(sentence: str) -> list[str]:
    """``sentence`` in pieces of at most MAX_SENTENCE_CHARS, cut at spaces (at a hard limit without any).

    Extraction works sentence by sentence, and some of it grows with the square of a sentence's
    length: a megabyte on one line without a full stop would otherwise take hours."""
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS)
        cut = MAX_SENTENCE_CHARS if cut < 0 else cut
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + ([sentence] if sentence else [])


def sentence_id(text: str, taken: set[str]) -> str:
    """A stable anchor from the sentence's own words, so it survives edits elsewhere."""
    digest = hashlib.sha1(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()
    base = "s-" + digest[:8]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate
