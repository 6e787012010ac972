"""Near-duplicate sources: the same article saved twice, or a syndicated copy.

Two sources are near-duplicates when most of their word sequences are shared: the
Jaccard similarity of their 5-word shingles is at least 0.6, or one's shingles are at
least 80% contained in the other's (a copy cut short, or one with an extra paragraph).
The briefing counts such a pair once: the source whose id sorts first is kept, the
other is left out of the briefing and reported as a warning naming both files.
"""

from __future__ import annotations

import hashlib
import re

from .models import Document, Problem, SourceResult

SHINGLE = 5
JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SHINGLES = 20  # shorter texts share too little to judge


def shingles(text: str, size: int = SHINGLE) -> frozenset[int]:
    """Hashes of every run of ``size`` consecutive words (case, punctuation and spacing ignored)."""
    words = re.findall(r"\w+", text.casefold())
    if len(words) < size:
        return frozenset()
    return frozenset(
        int.from_bytes(hashlib.blake2b(" ".join(words[i:i + size]).encode("utf-8"), digest_size=8).digest(), "big")
        for i in range(len(words) - size + 1))


def overlap(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """(Jaccard similarity, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))


def near_duplicate_pairs(documents: list[Document]) -> list[tuple[Document, Document, float]]:
    """(kept, duplicate, containment) for every duplicate, comparing only documents that share a shingle."""
    ordered = sorted(documents, key=lambda d: d.id)
    sets = [shingles(d.text) for d in ordered]
    index: dict[int, list[int]] = {}
    for position, shingle_set in enumerate(sets):
        for shingle in shingle_set:
            index.setdefault(shingle, []).append(position)
    pairs: list[tuple[Document, Document, float]] = []
    duplicate: set[int] = set()
    for position, shingle_set in enumerate(sets):
        if position in duplicate or len(shingle_set) < MIN_SHINGLES:
            continue
        shared: dict[int, int] = {}  # other -> shingles in common, counted from the index (issue 8)
        for s in shingle_set:
            for other in index[s]:
                if other > position:
                    shared[other] = shared.get(other, 0) + 1
        for other in sorted(shared):
            if other in duplicate or len(sets[other]) < MIN_SHINGLES:
                continue
            common, smaller = shared[other], min(len(shingle_set), len(sets[other]))
            jaccard, containment = common / (len(shingle_set) + len(sets[other]) - common), common / smaller
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
