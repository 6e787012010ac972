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

import hashlib
import re
from array import array

from .models import ComparedPairs, Document, Problem, SourceResult

SHINGLE = 5
JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SHINGLES = 20  # shorter texts share too little to judge
# Either threshold needs the pair to share at least this share of the smaller set's shingles:
# Jaccard 0.6 means common >= 0.375 * (a + b) >= 0.75 * a when a <= b; containment needs 0.8 * a.
LEAST_SHARED = 0.75
PREFIX = 0.7  # a set's rarest 30% of shingles find its partners (see _search)
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


def overlap(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """(Jaccard similarity, containment of the smaller set in the larger)."""
    return _ratios(len(a & b), len(a), len(b))


def _ratios(common: int, a: int, b: int) -> tuple[float, float]:
    """``overlap`` of sets of ``a`` and ``b`` shingles sharing ``common``."""
    if not a or not b:
        return 0.0, 0.0
    return common / (a + b - common), common / min(a, b)


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

    given = shingled or {}

    def shingle_arrays() -> list:
        return [_shingle_array(given[d.id] if d.id in given else packed(shingles(d.text))) for d in ordered]

    if len(new) > DIRECT_LIMIT:
        found = _search(shingle_arrays())
        return ComparedPairs(frozenset(keys), {(keys[i], keys[j]): share for (i, j), share in found.items()})
    present = set(keys)
    pairs = {pair: share for pair, share in known.pairs.items() if present.issuperset(pair)} if known else {}
    if new:
        pairs.update(_direct(shingle_arrays(), new, keys))
    return ComparedPairs(frozenset(keys), pairs)


def _direct(sets: list, new: list[int], keys: list[str]) -> dict[tuple[str, str], float]:
    """The pairs of each of the ``new`` positions with every other set (``_shingle_array``s): for
    each, how many shingles it shares with every set, counted at once over all of them."""
    import numpy as np

    sizes = [len(s) for s in sets]
    flat = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets)), sizes)
    newer = set(new)
    pairs: dict[tuple[str, str], float] = {}
    for i in new:
        mine = sets[i]
        if not len(mine):
            continue
        at = np.searchsorted(mine, flat).clip(max=len(mine) - 1)
        shared = np.bincount(owner[mine[at] == flat], minlength=len(sets)).tolist()
        for j, common in enumerate(shared):
            if j == i or (j in newer and j < i) or not common:
                continue  # two new documents are compared once; sharing none, no pair
            first, second = min(i, j), max(i, j)
            share = _share_if_pair(common, sizes[first], sizes[second])
            if share is not None:
                pairs[keys[first], keys[second]] = share
    return pairs


def _share_if_pair(common: int, a: int, b: int) -> float | None:
    """The containment of a pair of sets of ``a`` and ``b`` shingles sharing ``common``, when it
    meets either threshold; None for any other pair."""
    if a < MIN_SHINGLES or b < MIN_SHINGLES:
        return None
    jaccard, containment = _ratios(common, a, b)
    return containment if jaccard >= JACCARD or containment >= CONTAINMENT else None


def _shingle_array(data: bytes):
    """A ``packed`` set as a numpy array (sorted, no repeats), sharing the bytes."""
    import numpy as np  # here, not at import time: a build with no new source never needs it
    return np.frombuffer(data, dtype=np.int64)


def _search(sets: list) -> dict[tuple[int, int], float]:
    """(position, later position) -> containment for every pair of ``sets`` (``_shingle_array``s)
    meeting a threshold.

    Comparing every pair would be quadratic. Of a pair, the smaller set (``a`` shingles) shares
    at least ``LEAST_SHARED * a`` with the larger, so the larger holds many of the smaller's
    rarest shingles (its prefix, below): only sets holding enough of a set's rarest are compared
    with it in full. Exact, whatever the number of copies of a story. Worked out on arrays, every
    set at once: at 5,000 sources (2.5 M shingles) a loop per set took 2.1 s, these sorts 0.5 s."""
    import numpy as np

    count = len(sets)
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    owner = np.repeat(np.arange(count, dtype=np.int64), sizes)  # which set each shingle is of
    flat = np.concatenate(sets) if sets else np.empty(0, dtype=np.int64)
    # Each shingle's rank by rarity (how many sets hold it, then its hash: any fixed order will do).
    distinct, inverse, holders = np.unique(flat, return_inverse=True, return_counts=True)
    del flat
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[np.lexsort((distinct, holders))] = np.arange(len(distinct))
    own = int(np.count_nonzero(holders == 1))  # ranks below this: shingles only one set has
    del distinct, holders
    # Every set's ranks, rarest first, set after set: one sort on (set, rank).
    span = max(len(rank_of), 1)
    ranks = np.sort(owner * span + rank_of[inverse]) - owner * span
    del inverse, rank_of

    # Each set's prefix, for every set at once (prefix filtering). A set of ``size`` shingles shares
    # at least ``least = floor(LEAST_SHARED * size)`` with a partner at least as large, so it misses
    # at most ``size - least`` of it: of its first ``length`` ranks the partner has at least
    # ``must = length - (size - least)``. Taking them rarest first keeps the lists of sets holding
    # them short; the set's own (ranks below ``own``) count as missed, and a set with fewer than
    # ``must`` shared ones left has no partner.
    length = sizes - np.floor(PREFIX * sizes).astype(np.int64) + 1
    must = length - (sizes - np.floor(LEAST_SHARED * sizes).astype(np.int64))
    starts = np.cumsum(sizes) - sizes
    leading = np.arange(len(ranks)) - starts[owner] < length[owner]
    skipped = np.bincount(owner[leading & (ranks < own)], minlength=count)  # its own, not shared
    searched = (sizes >= MIN_SHINGLES) & (length - skipped >= must)
    in_prefix = leading & (ranks >= own) & searched[owner]
    prefix_ranks, prefix_owners = ranks[in_prefix], owner[in_prefix]
    del leading, in_prefix

    # Every set holding a prefix shingle, by rank; then each (set, holder) pair's count of them.
    wanted = np.zeros(span, dtype=bool)
    wanted[prefix_ranks] = True
    held = wanted[ranks]
    held_ranks, held_owners = ranks[held], owner[held]  # in set order: the owners sorted by rank below
    del ranks, owner, held, wanted
    held_owners = held_owners[np.argsort(held_ranks, kind="stable")]  # by rank
    # Where each rank's holders start, and how many there are: looked up by rank, not searched
    # for (a binary search per prefix shingle was a quarter of this at 5,000 sources).
    holders_of = np.bincount(held_ranks, minlength=span)
    start_of = np.cumsum(holders_of) - holders_of
    first, holding = start_of[prefix_ranks], holders_of[prefix_ranks]
    del holders_of, start_of
    at = np.repeat(first - (np.cumsum(holding) - holding), holding) + np.arange(int(holding.sum()))
    pairs, shared = np.unique(np.repeat(prefix_owners, holding) * count + held_owners[at], return_counts=True)
    position, other = pairs // count, pairs % count
    # The larger of a pair is found from the smaller's prefix.
    candidate = (shared >= must[position]) & (other != position) & (sizes[other] >= sizes[position])

    found: dict[tuple[int, int], float] = {}
    for i, j in zip(position[candidate].tolist(), other[candidate].tolist()):
        common = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
        share = _share_if_pair(common, len(sets[i]), len(sets[j]))
        if share is not None:
            found[min(i, j), max(i, j)] = share
    return dict(sorted(found.items()))


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
