"""Near-duplicate sources: the same article saved twice, or a syndicated copy.

Two sources are near-duplicates when most of their word sequences are shared: the
Jaccard similarity of their 5-word shingles is at least 0.6, or one's shingles are at
least 80% contained in the other's (a copy cut short, or one with an extra paragraph).
The briefing counts such a pair once: the source whose id sorts first is kept, the
other is left out of the briefing and reported as a warning naming both files.

A build keeps the pairs it found (``ComparedPairs``, in the cache); the next one compares only
the sources new to them with the others, which is what an editor's rebuild after adding a
source needs (issue 8).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from array import array
from collections import Counter
from itertools import chain

from .models import ComparedPairs, Document, Problem, SourceResult

SHINGLE = 5
JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SHINGLES = 20  # shorter texts share too little to judge
# Either threshold needs the pair to share at least this share of the smaller set's shingles:
# Jaccard 0.6 means common >= 0.375 * (a + b) >= 0.75 * a when a <= b; containment needs 0.8 * a.
LEAST_SHARED = 0.75
PREFIX = 0.7  # a set's rarest 30% of shingles find its partners (see _prefix)
DIRECT_LIMIT = 32  # new documents compared one by one with all others, rather than searching all again


def shingles(text: str, size: int = SHINGLE) -> frozenset[int]:
    """Hashes of every run of ``size`` consecutive words (case, punctuation and spacing ignored).

    Each word is numbered by a digest of it, and a run hashed as the tuple of its words' numbers:
    Python hashes a tuple of ints the same in every process (a string differently in each), so
    the map can work the sets out and the cache keep them (``packed``), and hashing the runs is
    many times faster than a digest of each (issue 8)."""
    words = re.findall(r"\w+", text.casefold())
    number = {word: int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
              for word in set(words)}
    numbers = [number[word] for word in words]
    return frozenset(map(hash, zip(*(numbers[i:] for i in range(size)))))


def packed(shingle_set: frozenset[int]) -> bytes:
    """A set of shingles as compact bytes (``SourceResult.shingles``), in a fixed order."""
    return array("q", sorted(shingle_set)).tobytes()


def unpacked(data: bytes) -> frozenset[int]:
    numbers = array("q")
    numbers.frombytes(data)
    return frozenset(numbers)


def overlap(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """(Jaccard similarity, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def _prefix(ranks: list[int], own: int) -> tuple[list[int], int]:
    """(the rarest shingles of a set that other sets have, how many of them a near-duplicate
    partner at least as large must have), from the set's sorted ranks (rarest first; ranks
    below ``own`` are shingles no other set has).

    The set shares at least ``least = floor(LEAST_SHARED * size)`` with such a partner, so it
    misses at most ``size - least`` of it: of any ``n`` of its shingles the partner has at
    least ``n - (size - least)`` (prefix filtering). Taking them rarest first keeps the lists
    of sets holding them short; the set's own count as missed."""
    size = len(ranks)
    length = size - math.floor(PREFIX * size) + 1
    must = length - (size - math.floor(LEAST_SHARED * size))
    start = bisect.bisect_left(ranks, own, 0, length)
    if length - start < must:
        return [], 0  # too many of its rarest are its own: no set shares enough of it
    return ranks[start:length], must


def document_key(document: Document) -> str:
    """A document as ``ComparedPairs`` knows it: by its id (which orders a pair) and its text."""
    return hashlib.sha256(f"{document.id}\0{document.text}".encode("utf-8")).hexdigest()[:32]


def find_pairs(documents: list[Document], known: ComparedPairs | None = None,
               shingled: dict[str, bytes] | None = None) -> ComparedPairs:
    """Every pair of ``documents`` meeting either threshold.

    With ``known`` (what the previous build found), its pairs among the documents still here
    stand, and when only a few documents are new to it (``DIRECT_LIMIT``: a rebuild after an
    editor adds a source) each of them is compared with every other document. Otherwise the
    prefix filter (``_search``) finds them all. ``shingled``: shingles worked out already
    (``packed``, by document id: the map's, ``SourceResult.shingles``); a document missing from it
    is shingled here."""
    ordered = sorted(documents, key=lambda d: d.id)
    keys = [document_key(d) for d in ordered]
    new = [i for i, key in enumerate(keys) if known is None or key not in known.documents]

    def shingle_sets() -> list[frozenset[int]]:
        given = shingled or {}
        return [unpacked(given[d.id]) if d.id in given else shingles(d.text) for d in ordered]

    if len(new) > DIRECT_LIMIT:
        found = _search(shingle_sets())
        return ComparedPairs(frozenset(keys), {(keys[i], keys[j]): share for (i, j), share in found.items()})
    present = set(keys)
    pairs = {pair: share for pair, share in known.pairs.items() if present.issuperset(pair)} if known else {}
    if new:
        sets = shingle_sets()
        newer = set(new)
        for i in new:
            for j in range(len(sets)):
                if j == i or (j in newer and j < i):
                    continue  # two new documents are compared once
                first, second = min(i, j), max(i, j)
                share = _containment_if_pair(sets[first], sets[second])
                if share is not None:
                    pairs[keys[first], keys[second]] = share
    return ComparedPairs(frozenset(keys), pairs)


def _containment_if_pair(a: frozenset[int], b: frozenset[int]) -> float | None:
    """The containment of a pair meeting either threshold; None for any other pair."""
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return None
    jaccard, containment = overlap(a, b)
    return containment if jaccard >= JACCARD or containment >= CONTAINMENT else None


def _search(sets: list[frozenset[int]]) -> dict[tuple[int, int], float]:
    """(position, later position) -> containment for every pair of ``sets`` meeting a threshold.

    Comparing every pair would be quadratic. Of a pair, the smaller set (``a`` shingles) shares
    at least ``LEAST_SHARED * a`` with the larger, so the larger holds many of the smaller's
    rarest shingles (see ``_prefix``): only sets holding enough of a set's rarest are compared
    with it in full. Exact, whatever the number of copies of a story."""
    import numpy as np  # here, not at import time: only a full search needs it

    # Each shingle's rank by rarity (how many sets hold it, then its hash: any fixed order will
    # do), worked out by sorting arrays: 2.5 M shingles at 5,000 sources took 4 s as Python ints.
    flat = np.fromiter(chain.from_iterable(sets), dtype=np.int64, count=sum(map(len, sets)))
    distinct, holders = np.unique(flat, return_counts=True)
    del flat
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[np.lexsort((distinct, holders))] = np.arange(len(distinct))
    own = int(np.count_nonzero(holders == 1))  # how many shingles only one set has
    wanted = np.zeros(len(distinct), dtype=bool)  # by rank: the shingles of some set's prefix
    del holders
    ranks = [np.sort(rank_of[np.searchsorted(distinct, np.fromiter(s, dtype=np.int64, count=len(s)))])
             for s in sets]
    del distinct, rank_of
    prefixes = [_prefix(r.tolist(), own) if len(s) >= MIN_SHINGLES else ([], 0) for r, s in zip(ranks, sets)]
    for prefix, _ in prefixes:
        wanted[prefix] = True
    holding: dict[int, list[int]] = {}  # a prefix shingle's rank -> positions of the sets that hold it
    for position, set_ranks in enumerate(ranks):
        for shingle in set_ranks[wanted[set_ranks]].tolist():
            holding.setdefault(shingle, []).append(position)
    del ranks, wanted

    found: dict[tuple[int, int], float] = {}
    for position, (prefix, must) in enumerate(prefixes):
        size = len(sets[position])
        held = Counter(chain.from_iterable(holding[s] for s in prefix))
        for other, count in held.items():
            if count < must or other == position or len(sets[other]) < size:
                continue  # the larger of a pair is found from the smaller's prefix
            share = _containment_if_pair(sets[position], sets[other])
            if share is not None:
                found[min(position, other), max(position, other)] = share
    return found


def near_duplicate_pairs(documents: list[Document], compared: ComparedPairs | None = None
                         ) -> list[tuple[Document, Document, float]]:
    """(kept, duplicate, containment) for every duplicate: in id order, each document not yet
    left out keeps the later ones it pairs with out. ``compared``: ``find_pairs(documents)``."""
    ordered = sorted(documents, key=lambda d: d.id)
    position = {document_key(d): i for i, d in enumerate(ordered)}
    if compared is None:
        compared = find_pairs(ordered)
    partners: dict[int, dict[int, float]] = {}  # position -> later position -> containment
    for (first, second), share in compared.pairs.items():
        partners.setdefault(position[first], {})[position[second]] = share
    pairs: list[tuple[Document, Document, float]] = []
    duplicate: set[int] = set()
    for first in sorted(partners):
        if first in duplicate:
            continue
        for second, share in sorted(partners[first].items()):
            if second not in duplicate:
                duplicate.add(second)
                pairs.append((ordered[first], ordered[second], share))
    return pairs


def drop_near_duplicates(results: list[SourceResult], compared: ComparedPairs
                         ) -> tuple[list[SourceResult], list[Problem]]:
    """Keep one source of each near-duplicate group; a warning names both files for each one left
    out. ``compared``: ``find_pairs`` of the results' documents."""
    pairs = near_duplicate_pairs([r.document for r in results], compared)
    dropped = {dup.id for _, dup, _ in pairs}
    problems = [Problem(
        "warning", dup.path,
        f"near-duplicate of {kept.path} ({share:.0%} of its word sequences shared); counted once, "
        f"only {kept.path} is in the briefing", code="near-duplicate") for kept, dup, share in pairs]
    return [r for r in results if r.document.id not in dropped], problems
