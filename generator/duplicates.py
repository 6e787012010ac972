"""Near-duplicate sources: the same article saved twice, or a syndicated copy.

Two sources are near-duplicates when most of their word sequences are shared: the
Jaccard similarity of their 5-word shingles is at least 0.6, or one's shingles are at
least 80% contained in the other's (a copy cut short, or one with an extra paragraph).
The briefing counts such a pair once: the source whose id sorts first is kept, the
other is left out of the briefing and reported as a warning naming both files.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from .models import Document, Problem, SourceResult

SHINGLE = 5
JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SHINGLES = 20  # shorter texts share too little to judge
RARE = 20  # a shingle in more documents than this (or sqrt(n)) is a stock phrase, not a sign of copying


def shingles(text: str, size: int = SHINGLE) -> frozenset[int]:
    """Hashes of every run of ``size`` consecutive words (case, punctuation and spacing ignored).

    Python's own string hash: the sets are only compared with each other within one build, so
    which numbers come out never matters, and it is many times faster than a digest (issue 8)."""
    words = re.findall(r"\w+", text.casefold())
    return frozenset(hash(" ".join(words[i:i + size])) for i in range(len(words) - size + 1))


def overlap(a: frozenset[int], b: frozenset[int], common: int | None = None) -> tuple[float, float]:
    """(Jaccard similarity, containment of the smaller set in the larger); ``common`` is
    ``len(a & b)`` when the caller already knows it."""
    if not a or not b:
        return 0.0, 0.0
    if common is None:
        common = len(a & b)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def near_duplicate_pairs(documents: list[Document]) -> list[tuple[Document, Document, float]]:
    """(kept, duplicate, containment) for every duplicate.

    Comparing every pair would be quadratic, so only documents that share a distinctive shingle
    (one in at most ``RARE`` documents, or sqrt(n)) are candidates: two copies of one article
    always share some. Shared shingles are counted from an index of the distinctive ones; the
    stock phrases left out can add at most their own number, so a pair that cannot reach the
    thresholds even then is never compared in full."""
    ordered = sorted(documents, key=lambda d: d.id)
    sets = [shingles(d.text) for d in ordered]
    counts = Counter(chain.from_iterable(sets))
    rare_limit = max(RARE, int(len(ordered) ** 0.5))
    rare = [{s for s in shingle_set if counts[s] <= rare_limit} for shingle_set in sets]
    stock = [shingle_set.difference(rare_set) for shingle_set, rare_set in zip(sets, rare)]
    index: dict[int, list[int]] = {}
    for position, rare_set in enumerate(rare):
        if len(sets[position]) >= MIN_SHINGLES:
            for shingle in rare_set:
                index.setdefault(shingle, []).append(position)

    def need(size_a: int, size_b: int) -> float:
        """Fewest shared shingles that can meet either threshold (Jaccard: common / (a + b - common))."""
        return min(JACCARD / (1 + JACCARD) * (size_a + size_b), CONTAINMENT * min(size_a, size_b)) - 1e-9

    pairs: list[tuple[Document, Document, float]] = []
    duplicate: set[int] = set()
    for position, shingle_set in enumerate(sets):
        if position in duplicate or len(shingle_set) < MIN_SHINGLES:
            continue
        shared_rare = Counter(chain.from_iterable(index[shingle] for shingle in rare[position]))
        common_here = len(stock[position])
        for other in sorted(shared_rare):
            if other <= position or other in duplicate:
                continue
            most = shared_rare[other] + min(common_here, len(stock[other]))
            if most < need(len(shingle_set), len(sets[other])):
                continue
            # A rare shingle is rare for both, so shared_rare is exact: only stock phrases are left to intersect.
            common = shared_rare[other] + len(stock[position] & stock[other])
            jaccard, containment = overlap(shingle_set, sets[other], common)
            if jaccard >= JACCARD or containment >= CONTAINMENT:
                duplicate.add(other)
                pairs.append((ordered[position], ordered[other], containment))
    return pairs


def drop_near_duplicates(results: list[SourceResult]) -> tuple[list[SourceResult], list[Problem]]:
    """Keep one source of each near-duplicate group; a warning names both files for each one left out."""
    pairs = near_duplicate_pairs([r.document for r in results])
    dropped = {dup.id for _, dup, _ in pairs}
    problems = [Problem(
        "warning", dup.path,
        f"near-duplicate of {kept.path} ({share:.0%} of its word sequences shared); counted once, "
        f"only {kept.path} is in the briefing", code="near-duplicate") for kept, dup, share in pairs]
    return [r for r in results if r.document.id not in dropped], problems
