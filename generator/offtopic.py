"""Off-topic detection: a trailing segment about something else is left out, with a reason.

Saved pages often carry a second article after the first one ends (the next post of a
blog, a "related" teaser that was pasted whole). Such a segment starts after a boundary
signal (an author's sign-off, a disclaimer, a separator line, an unusually wide gap) and
shares few content words with the body before it. Both must hold: a change of subject
inside one article, without a boundary, is never cut.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .clean import Block

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each even few for from further had has have
having he her here hers herself him himself his how however i if in into is it its itself just least
let like made make many may me might more most much must my myself new no nor not now of off on once one
only or other our ours out over own per said same say says she should since so some still such than
that the their theirs them then there these they this those though through to too two under until up
upon us very was we were what when where which while who whom whose why will with within without would
yet you your yours
""".split())

BOUNDARY_REASONS = frozenset({"legal disclaimer", "byline", "separator", "related links"})
_SEPARATOR = re.compile(r"^(?:[-*_=~•·]\s*){3,}$")
MIN_WORDS = 40  # content words a segment (and the body) needs before they are compared
THRESHOLD = 0.15  # cosine similarity of content-word counts below which a segment is off-topic


def content_terms(text: str) -> Counter:
    """Content words of ``text``, lower-cased, possessives and plural -s folded."""
    words = re.findall(r"[a-z][a-z'’-]*[a-z]|[a-z]", text.lower())
    terms = Counter()
    for word in words:
        word = re.sub(r"['’]s?$", "", word)
        if len(word) <= 2 or word in STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        terms[word] += 1
    return terms


def similarity(a: Counter, b: Counter) -> float:
    """Cosine similarity of two term-count vectors (0 when either is empty)."""
    if not a or not b:
        return 0.0
    dot = sum(count * b[term] for term, count in a.items() if term in b)
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm


def _boundaries(blocks: list[Block]) -> list[int]:
    """Indexes of blocks where a new segment may start."""
    gaps = sorted(b.gap_before for b in blocks[1:]) or [0]
    typical = gaps[len(gaps) // 2]
    wide = max(3, 2 * typical + 1)
    found = []
    for index, block in enumerate(blocks):
        if index == 0:
            continue
        if _SEPARATOR.match(block.text):
            block.reason = block.reason or "separator"
        if block.reason in BOUNDARY_REASONS or block.gap_before >= wide:
            found.append(index)
    return found


def mark_off_topic(blocks: list[Block]) -> None:
    """Exclude trailing segments that share few terms with the body (in place)."""
    starts = _boundaries(blocks)
    if not starts:
        return
    edges = starts + [len(blocks)]
    body_end = edges[0]
    reason: str | None = None
    for start, end in zip(edges, edges[1:]):
        body = content_terms(" ".join(b.text for b in blocks[:body_end] if b.kept))
        segment = [b for b in blocks[start:end] if b.kept]
        terms = content_terms(" ".join(b.text for b in segment))
        if sum(terms.values()) < MIN_WORDS or sum(body.values()) < MIN_WORDS:
            if reason is None:  # too short to judge: it belongs with what came before it
                body_end = end
            else:  # the short tail of a segment that was already off-topic
                for block in segment:
                    block.reason = reason
            continue
        score = similarity(body, terms)
        if score < THRESHOLD:
            reason = f"off-topic: shares few terms with the rest of the source (similarity {score:.2f})"
            for block in segment:
                block.reason = reason
        else:
            reason, body_end = None, end
